//! `/lessons/:id`: the register grid, keyboard first. ↑/↓ move between pupils; `p` present,
//! `a` absent, `l` late (focuses the minutes); Enter saves.

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::FieldError;
use shared::attendance::{LessonRegister, MarkInput, RegisterInput};
use shared::register::PupilRef;
use wasm_bindgen::JsCast;

use super::{lesson_time, reason_name, register_state, weekday_name};
use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, PupilName, RecordPage, use_page_title, use_record};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;

const LATE: &str = "late";

/// One pupil's row: the minutes absent and the reason, as the teacher sets them.
#[derive(Clone)]
struct Row {
    pupil: PupilRef,
    absent: RwSignal<i32>,
    reason: RwSignal<String>,
    other: i32,
    version: RwSignal<i32>,
    prefilled: RwSignal<Option<String>>,
}

fn rows_of(register: &LessonRegister) -> Vec<Row> {
    register
        .marks
        .iter()
        .map(|mark| Row {
            pupil: mark.pupil.clone(),
            absent: RwSignal::new(mark.valid_absence_minutes + mark.invalid_absence_minutes),
            reason: RwSignal::new(mark.reason.clone().unwrap_or_default()),
            other: mark.other_activity_minutes,
            version: RwSignal::new(mark.version),
            prefilled: RwSignal::new(
                mark.prefilled
                    .then(|| mark.reason.clone().unwrap_or_default()),
            ),
        })
        .collect()
}

fn problem(i18n: I18n, code: &str) -> &'static str {
    match code {
        "minutes_do_not_add_up" => t_string!(i18n, attendance.problem.minutes_do_not_add_up),
        "out_of_range" => t_string!(i18n, attendance.problem.out_of_range),
        "reason_without_absence" => t_string!(i18n, attendance.problem.reason_without_absence),
        "valid_absence_needs_valid_reason" => {
            t_string!(i18n, attendance.problem.valid_absence_needs_valid_reason)
        }
        "invalid_absence_with_valid_reason" => {
            t_string!(i18n, attendance.problem.invalid_absence_with_valid_reason)
        }
        _ => t_string!(i18n, problem.invalid),
    }
}

fn focus(id: &str) {
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

#[component]
pub fn LessonRegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let register = use_record(api::attendance::register);
    use_page_title(move || {
        let name = register.read().as_ref().and_then(|result| match result {
            Ok(Some(r)) => Some(format!("{} {}", r.lesson.subject, r.lesson.group.name)),
            _ => None,
        });
        name.unwrap_or_else(|| t_string!(i18n, attendance.register_title).to_owned())
    });
    view! {
        <RecordPage
            record=register
            heading=move || t_string!(i18n, attendance.register_title)
            not_found=move || t_string!(i18n, attendance.not_found)
            render=move |loaded| view! { <Grid loaded reload=move || register.refetch() /> }
        />
    }
}

#[component]
fn Grid(
    loaded: LessonRegister,
    reload: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let lesson = RwSignal::new(loaded.lesson.clone());
    let minutes = loaded.lesson.minutes;
    let reasons = StoredValue::new(loaded.reasons.clone());
    let begun = loaded.lesson.starts_at.timestamp_millis() as f64 <= js_sys::Date::now();
    let editable = loaded.editable && begun;
    let rows = StoredValue::new(rows_of(&loaded));
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let saved = RwSignal::new(None::<&'static str>);
    let conflict = RwSignal::new(false);
    let closed = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let valid =
        move |code: &str| reasons.with_value(|list| list.iter().any(|r| r.code == code && r.valid));

    let save = Action::new_local(move |(csrf_token, input): &(String, RegisterInput)| {
        let (csrf_token, input) = (csrf_token.clone(), input.clone());
        let id = lesson.get_untracked().id;
        async move {
            match api::attendance::save_register(&csrf_token, id, &input).await {
                Ok(register) => {
                    problems.set(Vec::new());
                    rows.with_value(|rows| {
                        for (row, fresh) in rows.iter().zip(rows_of(&register)) {
                            row.absent.set(fresh.absent.get_untracked());
                            row.reason.set(fresh.reason.get_untracked());
                            row.version.set(fresh.version.get_untracked());
                            row.prefilled.set(fresh.prefilled.get_untracked());
                        }
                    });
                    lesson.set(register.lesson);
                    saved.set(Some(t_string!(i18n, attendance.saved)));
                }
                Err(error) if error.status == 409 => conflict.set(true),
                Err(error) if error.status == 403 => closed.set(true),
                Err(error)
                    if error.status == 422
                        && error
                            .error
                            .fields
                            .iter()
                            .all(|f| f.field.starts_with("marks[")) =>
                {
                    problems.set(error.error.fields);
                    saved.set(Some(t_string!(i18n, attendance.not_saved)));
                }
                Err(error) => failure.set(Some(error)),
            }
        }
    });
    let submit = move || {
        saved.set(None);
        failure.set(None);
        let Some(csrf_token) = session.csrf_token() else {
            return;
        };
        let marks = rows.with_value(|rows| {
            rows.iter()
                .map(|row| {
                    let absent = row.absent.get_untracked();
                    let reason = Some(row.reason.get_untracked()).filter(|r| !r.is_empty());
                    let excused = reason.as_deref().is_some_and(valid);
                    MarkInput {
                        pupil_id: row.pupil.id,
                        attendance_minutes: minutes - absent - row.other,
                        valid_absence_minutes: if excused { absent } else { 0 },
                        invalid_absence_minutes: if excused { 0 } else { absent },
                        other_activity_minutes: row.other,
                        reason,
                        version: Some(row.version.get_untracked()),
                    }
                })
                .collect()
        });
        save.dispatch((csrf_token, RegisterInput { marks }));
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit();
    };
    let all_present = move |_| {
        saved.set(None);
        rows.with_value(|rows| {
            for row in rows
                .iter()
                .filter(|row| row.prefilled.get_untracked().is_none())
            {
                row.absent.set(0);
                row.reason.set(String::new());
            }
        });
    };
    let count = rows.with_value(Vec::len);
    let on_key = move |index: usize, ev: KeyboardEvent| {
        if ev.ctrl_key() || ev.alt_key() || ev.meta_key() || !editable {
            return;
        }
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
        let tag = target.as_ref().map(|t| t.tag_name()).unwrap_or_default();
        let in_field = tag == "INPUT" || tag == "SELECT";
        let Some(row) = rows.with_value(|rows| rows.get(index).cloned()) else {
            return;
        };
        match ev.key().as_str() {
            "Enter" => {
                ev.prevent_default();
                submit();
            }
            "ArrowUp" | "ArrowDown" if !in_field => {
                ev.prevent_default();
                let next = if ev.key() == "ArrowUp" {
                    index.checked_sub(1)
                } else {
                    Some(index + 1).filter(|n| *n < count)
                };
                if let Some(next) = next {
                    let column = target
                        .and_then(|t| t.get_attribute("data-column"))
                        .unwrap_or_else(|| "present".to_owned());
                    focus(&format!("mark-{next}-{column}"));
                }
            }
            "p" | "P" if !in_field => {
                saved.set(None);
                row.absent.set(0);
                row.reason.set(String::new());
            }
            "a" | "A" if !in_field => {
                saved.set(None);
                row.absent.set(minutes - row.other);
                if !valid(&row.reason.get_untracked()) {
                    row.reason.set(String::new());
                }
            }
            "l" | "L" if !in_field => {
                ev.prevent_default();
                saved.set(None);
                set_late(&row);
                focus_minutes(index);
            }
            _ => {}
        }
    };

    let until = loaded.editable_until;
    let heading = format!("{} {}", loaded.lesson.subject, loaded.lesson.group.name);
    let day = loaded.lesson.date;
    let facts = format!(
        "{} · {} · {} min",
        format::date(day),
        lesson_time(&loaded.lesson),
        minutes
    );
    let room = loaded.lesson.room.clone();
    let reload_click = reload.clone();

    view! {
        <p>
            <A href=format!("/lessons?date={day}")>{t!(i18n, attendance.back)}</A>
        </p>
        <h1>{heading}</h1>
        <p class="meta">
            {move || weekday_name(i18n, day)}" "{facts.clone()}
            {room.map(|room| format!(" · {room}"))}" · "
            <span class="badge">{move || register_state(i18n, &lesson.read())}</span>
        </p>
        {(!begun).then(|| view! { <p class="notice">{t!(i18n, attendance.not_begun)}</p> })}
        {(begun && !loaded.editable)
            .then(|| {
                let text = match until {
                    Some(until) => format::fill(
                        t_string!(i18n, attendance.window_closed),
                        &[("date", &format::date(until))],
                    ),
                    None => t_string!(i18n, attendance.not_editable).to_owned(),
                };
                view! { <p class="notice">{text}</p> }
            })}
        {move || {
            conflict
                .get()
                .then(|| {
                    let reload = reload_click.clone();
                    view! {
                        <div class="alert" role="alert">
                            <p>{t!(i18n, attendance.conflict)}</p>
                            <button type="button" class="button" on:click=move |_| reload()>
                                {t!(i18n, attendance.reload)}
                            </button>
                        </div>
                    }
                })
        }}
        {move || {
            closed
                .get()
                .then(|| view! { <p class="alert" role="alert">{t!(i18n, attendance.forbidden)}</p> })
        }}
        {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
        <form class="register-form" novalidate on:submit=on_submit>
            <p class="hint" id="register-keys">{t!(i18n, attendance.keys)}</p>
            <div class="button-row">
                <button type="button" class="button secondary" disabled=!editable on:click=all_present>
                    {t!(i18n, attendance.all_present)}
                </button>
            </div>
            <table class="register">
                <caption class="visually-hidden">{t!(i18n, attendance.register_title)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, attendance.pupil)}</th>
                        <th scope="col">{t!(i18n, attendance.mark)}</th>
                        <th scope="col">{t!(i18n, attendance.minutes_absent)}</th>
                        <th scope="col">{t!(i18n, attendance.reason)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .get_value()
                        .into_iter()
                        .enumerate()
                        .map(|(index, row)| {
                            view! {
                                <MarkRow
                                    index
                                    row
                                    minutes
                                    editable
                                    reasons=reasons.get_value()
                                    problems
                                    on_key=move |ev| on_key(index, ev)
                                    on_change=move || saved.set(None)
                                />
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <div class="button-row save-row">
                <button type="submit" class="button" disabled=move || !editable || save.pending().get()>
                    {t!(i18n, attendance.save)}
                </button>
                <p class="status-message" role="status" aria-live="polite">
                    {move || saved.get()}
                </p>
            </div>
        </form>
    }
}

fn set_late(row: &Row) {
    if row.reason.get_untracked() != LATE {
        row.absent.set(0);
    }
    row.reason.set(LATE.to_owned());
}

fn focus_minutes(index: usize) {
    let id = format!("mark-{index}-minutes");
    if let Some(input) = document()
        .get_element_by_id(&id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        let _ = input.focus();
        input.select();
    }
}

#[component]
fn MarkRow(
    index: usize,
    row: Row,
    minutes: i32,
    editable: bool,
    reasons: Vec<shared::attendance::AbsenceReason>,
    problems: RwSignal<Vec<FieldError>>,
    on_key: impl Fn(KeyboardEvent) + 'static,
    on_change: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let Row {
        pupil,
        absent,
        reason,
        other,
        prefilled,
        ..
    } = row.clone();
    let name_id = format!("mark-{index}-name");
    let error_id = format!("mark-{index}-error");
    let prefix = format!("marks[{index}].");
    let message = Memo::new(move |_| {
        problems.with(|list| {
            list.iter()
                .find(|p| p.field.starts_with(&prefix))
                .map(|p| problem(i18n, &p.code))
        })
    });
    let invalid = Signal::derive(move || message.get().is_some().then_some("true"));
    let described = {
        let error_id = error_id.clone();
        Signal::derive(move || message.get().is_some().then(|| error_id.clone()))
    };
    let is_late = move || reason.get() == LATE;
    let is_present = move || absent.get() == 0 && !is_late();
    let is_absent = move || absent.get() > 0 && !is_late();
    let plain_name = pupil
        .name
        .clone()
        .unwrap_or_else(|| t_string!(i18n, masked).to_owned());
    let reasons_for_badge = reasons.clone();
    let toggle = move |column: &'static str,
                       pressed: Box<dyn Fn() -> bool + Send + Sync>,
                       set: Box<dyn Fn() + Send + Sync>| {
        view! {
            <button
                type="button"
                class="button secondary mark-button"
                id=format!("mark-{index}-{column}")
                data-column=column
                aria-pressed=move || pressed().to_string()
                disabled=!editable
                on:click=move |_| {
                    set();
                    on_change();
                }
            >
                {move || match column {
                    "present" => t_string!(i18n, attendance.present),
                    "absent" => t_string!(i18n, attendance.absent),
                    _ => t_string!(i18n, attendance.late),
                }}
            </button>
        }
    };
    let row_late = row.clone();

    view! {
        <tr data-row=index on:keydown=on_key>
            <th scope="row" id=name_id.clone()>
                <PupilName masked=pupil.masked name=pupil.name.clone() />
                {move || {
                    prefilled
                        .get()
                        .map(|code| {
                            let text = format::fill(
                                t_string!(i18n, attendance.prefilled),
                                &[("reason", &reason_name(i18n, &reasons_for_badge, &code))],
                            );
                            view! {
                                <br />
                                <span class="badge">{text}</span>
                            }
                        })
                }}
                {move || {
                    message
                        .get()
                        .map(|text| {
                            view! {
                                <p class="field-error" id=error_id.clone()>
                                    <span class="visually-hidden">{t!(i18n, form.error_prefix)}" "</span>
                                    {text}
                                </p>
                            }
                        })
                }}
            </th>
            <td>
                <div class="mark-buttons" role="group" aria-labelledby=name_id>
                    {toggle(
                        "present",
                        Box::new(is_present),
                        Box::new(move || {
                            absent.set(0);
                            reason.set(String::new());
                        }),
                    )}
                    {toggle(
                        "absent",
                        Box::new(is_absent),
                        Box::new(move || {
                            absent.set(minutes - other);
                            if reason.get_untracked() == LATE {
                                reason.set(String::new());
                            }
                        }),
                    )}
                    {toggle(
                        "late",
                        Box::new(is_late),
                        Box::new(move || {
                            set_late(&row_late);
                            focus_minutes(index);
                        }),
                    )}
                </div>
            </td>
            <td>
                <label class="cell-label" for=format!("mark-{index}-minutes")>
                    {t!(i18n, attendance.minutes_absent)}
                    <span class="visually-hidden">", "{plain_name.clone()}</span>
                </label>
                <input
                    id=format!("mark-{index}-minutes")
                    class="minutes"
                    data-column="minutes"
                    type="number"
                    inputmode="numeric"
                    min="0"
                    max=minutes.to_string()
                    disabled=!editable
                    aria-invalid=invalid
                    aria-describedby=described
                    prop:value=move || absent.get().to_string()
                    on:input=move |ev| {
                        if let Ok(value) = event_target_value(&ev).parse::<i32>() {
                            if absent.get_untracked() != value {
                                absent.set(value);
                            }
                            on_change();
                        }
                    }
                />
            </td>
            <td>
                <label class="cell-label" for=format!("mark-{index}-reason")>
                    {t!(i18n, attendance.reason)}
                    <span class="visually-hidden">", "{plain_name}</span>
                </label>
                <select
                    id=format!("mark-{index}-reason")
                    data-column="reason"
                    disabled=!editable
                    aria-invalid=invalid
                    aria-describedby=described
                    prop:value=move || reason.get()
                    on:change=move |ev| {
                        let code = event_target_value(&ev);
                        if !code.is_empty() && code != LATE && absent.get_untracked() == 0 {
                            absent.set(minutes - other);
                        }
                        reason.set(code);
                        on_change();
                    }
                >
                    <option value="">{t!(i18n, attendance.no_reason)}</option>
                    {reasons
                        .into_iter()
                        .map(|r| {
                            let code = r.code.clone();
                            let selected = {
                                let code = code.clone();
                                move || reason.get() == code
                            };
                            let name = move || match i18n.get_locale() {
                                crate::i18n::Locale::sv => r.name_sv.clone(),
                                crate::i18n::Locale::en => r.name_en.clone(),
                            };
                            view! { <option value=code selected=selected>{name}</option> }
                        })
                        .collect_view()}
                </select>
            </td>
        </tr>
    }
}
