//! `/admin/calendar`: the school calendar, a school year at a time (administrators): its terms,
//! breaks and public holidays, each with its dates and its name in Swedish and English. Saving
//! tells what it did to the lessons: cancelled on days that are no longer school days (those
//! whose register is taken are kept), restored on days that are school days again.

use chrono::NaiveDate;
use leptos::ev::{MouseEvent, SubmitEvent};
use leptos::prelude::*;
use shared::api::FieldError;
use shared::calendar::{
    CalendarInput, CalendarPeriod, CalendarSaved, PeriodKind, SchoolCalendar, start_of_school_year,
};
use shared::cases::Names;

use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, Loading, focus_element, use_page_title};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

/// One period as the form holds it: text as typed, so that a half-typed date is not lost.
#[derive(Clone, Copy)]
struct Row {
    key: u32,
    kind: RwSignal<PeriodKind>,
    code: StoredValue<String>,
    name_sv: RwSignal<String>,
    name_en: RwSignal<String>,
    start: RwSignal<String>,
    end: RwSignal<String>,
}

impl Row {
    fn of(key: u32, period: &CalendarPeriod) -> Row {
        Row {
            key,
            kind: RwSignal::new(period.kind),
            code: StoredValue::new(period.code.clone()),
            name_sv: RwSignal::new(period.name.sv.clone()),
            name_en: RwSignal::new(period.name.en.clone()),
            start: RwSignal::new(period.start_date.to_string()),
            end: RwSignal::new(period.end_date.to_string()),
        }
    }

    fn blank(key: u32, kind: PeriodKind) -> Row {
        Row {
            key,
            kind: RwSignal::new(kind),
            code: StoredValue::new(String::new()),
            name_sv: RwSignal::new(String::new()),
            name_en: RwSignal::new(String::new()),
            start: RwSignal::new(String::new()),
            end: RwSignal::new(String::new()),
        }
    }
}

/// The rows as the API takes them, checked as the server checks them: every problem at once,
/// a date that is not a date among them (its row is checked with a stand-in date, whose own
/// problems are left out).
fn checked(rows: &[Row], year: i32) -> Result<CalendarInput, Vec<FieldError>> {
    let stand_in = NaiveDate::from_ymd_opt(year, 7, 1).unwrap_or_default();
    let mut unreadable = Vec::new();
    let mut periods = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut date = |text: String, field: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").unwrap_or_else(|_| {
                unreadable.push(FieldError::new(
                    &format!("periods[{i}].{field}"),
                    "invalid",
                    "YYYY-MM-DD",
                ));
                stand_in
            })
        };
        let start_date = date(row.start.get_untracked(), "start_date");
        let end_date = date(row.end.get_untracked(), "end_date");
        let kind = row.kind.get_untracked();
        let code = row
            .code
            .with_value(|code| (!code.is_empty()).then(|| code.clone()))
            .unwrap_or_else(|| kind.as_str().to_owned());
        periods.push(CalendarPeriod {
            kind,
            code,
            name: Names {
                sv: row.name_sv.get_untracked(),
                en: row.name_en.get_untracked(),
            },
            start_date,
            end_date,
        });
    }
    let input = CalendarInput { periods };
    let mut problems = input.check(year).err().unwrap_or_default();
    if !unreadable.is_empty() {
        let row_of = |field: &str| field.split(']').next().map(str::to_owned);
        let rows_unreadable: Vec<_> = unreadable.iter().filter_map(|p| row_of(&p.field)).collect();
        problems.retain(|p| {
            !(p.field.ends_with("_date")
                && row_of(&p.field).is_some_and(|row| rows_unreadable.contains(&row)))
        });
        problems.splice(0..0, unreadable);
    }
    if problems.is_empty() {
        Ok(input)
    } else {
        Err(problems)
    }
}

/// The message for a problem at `field` (`periods[2].end_date`, `periods`).
fn problem(i18n: I18n, field: &str, code: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    match (last, code) {
        (_, "outside_school_year") => t_string!(i18n, calendar.problem.outside_school_year),
        (_, "overlaps_term") => t_string!(i18n, calendar.problem.overlaps_term),
        (_, "duplicate") => t_string!(i18n, calendar.problem.duplicate),
        (_, "no_term") => t_string!(i18n, calendar.problem.no_term),
        (_, "too_many") => t_string!(i18n, calendar.problem.too_many),
        ("sv", "required") => t_string!(i18n, calendar.problem.name_sv),
        ("en", "required") => t_string!(i18n, calendar.problem.name_en),
        ("start_date" | "end_date", "invalid") => t_string!(i18n, calendar.problem.date),
        (_, code) => labels::field_problem(i18n, code),
    }
    .to_owned()
}

fn input_id(index: usize, field: &str) -> String {
    format!("cal-{index}-{field}")
}

/// The input a problem's field path points to.
fn anchor(field: &str) -> Option<String> {
    let rest = field.strip_prefix("periods[")?;
    let (index, field) = rest.split_once("].")?;
    let index: usize = index.parse().ok()?;
    let field = match field {
        "name.sv" => "name-sv",
        "name.en" => "name-en",
        "start_date" => "start",
        "end_date" => "end",
        _ => "kind",
    };
    Some(input_id(index, field))
}

#[component]
pub fn SchoolCalendarPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, calendar.title).to_owned());
    let year = RwSignal::new(start_of_school_year(format::today()));
    let calendar = LocalResource::new(move || api::attendance::calendar(year.get()));
    let step = move |by: i32| move |_: MouseEvent| year.update(|y| *y += by);

    view! {
        <h1>{t!(i18n, calendar.title)}</h1>
        <p>{t!(i18n, calendar.intro)}</p>
        <nav class="day-nav" aria-label=move || t_string!(i18n, calendar.year_nav)>
            <button type="button" class="button secondary" on:click=step(-1)>
                {t!(i18n, calendar.previous_year)}
            </button>
            <button type="button" class="button secondary" on:click=step(1)>
                {t!(i18n, calendar.next_year)}
            </button>
        </nav>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match calendar.await {
                    Ok(calendar) => view! { <CalendarForm year=year.get_untracked() calendar /> }.into_any(),
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CalendarForm(year: i32, calendar: SchoolCalendar) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let next_key = StoredValue::new(0u32);
    let new_key = move || {
        next_key.update_value(|k| *k += 1);
        next_key.get_value()
    };
    let rows = RwSignal::new(
        calendar
            .periods
            .iter()
            .map(|period| Row::of(new_key(), period))
            .collect::<Vec<_>>(),
    );
    let shown = RwSignal::new(calendar);
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<CalendarSaved>);
    let summary = NodeRef::<leptos::html::Div>::new();

    let save = Action::new_local(move |(csrf_token, input): &(String, CalendarInput)| {
        let (csrf_token, input) = (csrf_token.clone(), input.clone());
        async move {
            match api::attendance::save_calendar(&csrf_token, year, &input).await {
                Ok(answer) => {
                    problems.set(Vec::new());
                    rows.set(
                        answer
                            .calendar
                            .periods
                            .iter()
                            .map(|period| Row::of(new_key(), period))
                            .collect(),
                    );
                    shown.set(answer.calendar.clone());
                    saved.set(Some(answer));
                }
                Err(error) if error.status == 422 && !error.error.fields.is_empty() => {
                    problems.set(error.error.fields);
                }
                Err(error) => failure.set(Some(error)),
            }
        }
    });
    Effect::new(move |_| {
        if !problems.read().is_empty()
            && let Some(summary) = summary.get()
        {
            let _ = summary.focus();
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        failure.set(None);
        match (checked(&rows.get_untracked(), year), session.csrf_token()) {
            (Ok(input), Some(csrf_token)) => {
                problems.set(Vec::new());
                save.dispatch((csrf_token, input));
            }
            (Err(found), _) => problems.set(found),
            (Ok(_), None) => {}
        }
    };
    let add = move |kind: PeriodKind| {
        move |_: MouseEvent| {
            problems.set(Vec::new());
            let row = Row::blank(new_key(), kind);
            rows.update(|rows| rows.push(row));
            let index = rows.with_untracked(Vec::len) - 1;
            request_animation_frame(move || focus_element(&input_id(index, "name-sv")));
        }
    };
    let pending = save.pending();
    let school_days = move || {
        shown.with(|calendar| {
            calendar
                .periods
                .iter()
                .filter(|p| p.kind == PeriodKind::Term)
                .zip(&calendar.term_school_days)
                .map(|(term, days)| {
                    let text = format::fill(
                        t_string!(i18n, calendar.term_days),
                        &[
                            ("term", &labels::names(i18n, &term.name)),
                            ("days", &days.to_string()),
                        ],
                    );
                    view! { <li>{text}</li> }
                })
                .collect_view()
        })
    };
    let summary_items = move || {
        problems.with(|problems| {
            problems
                .iter()
                .map(|problem| {
                    let message = self::problem(i18n, &problem.field, &problem.code);
                    match anchor(&problem.field) {
                        Some(id) => {
                            let href = format!("#{id}");
                            let go = move |ev: MouseEvent| {
                                ev.prevent_default();
                                focus_element(&id);
                            };
                            view! { <li><a href=href on:click=go>{message}</a></li> }.into_any()
                        }
                        None => view! { <li>{message}</li> }.into_any(),
                    }
                })
                .collect_view()
        })
    };

    view! {
        <h2>{move || shown.with(|c| c.school_year.clone())}</h2>
        <ul class="plain-list">{school_days}</ul>
        <form class="stacked-form calendar-form" novalidate on:submit=on_submit>
            <Show when=move || !problems.read().is_empty()>
                <div class="alert error-summary" role="alert" tabindex="-1" node_ref=summary>
                    <p class="alert-title">{t!(i18n, form.summary_title)}</p>
                    <ul>{summary_items}</ul>
                </div>
            </Show>
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
            <For
                each=move || rows.get().into_iter().enumerate()
                key=|(index, row)| (*index, row.key)
                let((index, row))
            >
                <PeriodFields index row rows problems />
            </For>
            <div class="button-row">
                <button type="button" class="button secondary" on:click=add(PeriodKind::Break)>
                    {t!(i18n, calendar.add_break)}
                </button>
                <button type="button" class="button secondary" on:click=add(PeriodKind::Holiday)>
                    {t!(i18n, calendar.add_holiday)}
                </button>
                <button type="button" class="button secondary" on:click=add(PeriodKind::Term)>
                    {t!(i18n, calendar.add_term)}
                </button>
            </div>
            <button type="submit" class="button" disabled=pending>
                {t!(i18n, calendar.save)}
            </button>
            <p class="status-message" role="status">
                {move || {
                    saved
                        .get()
                        .map(|answer| {
                            format::fill(
                                t_string!(i18n, calendar.saved),
                                &[
                                    ("cancelled", &answer.lessons_cancelled.to_string()),
                                    ("kept", &answer.lessons_kept.to_string()),
                                    ("restored", &answer.lessons_restored.to_string()),
                                ],
                            )
                        })
                }}
            </p>
        </form>
    }
}

/// One period's inputs, with the messages of its fields.
#[component]
fn PeriodFields(
    index: usize,
    row: Row,
    rows: RwSignal<Vec<Row>>,
    problems: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let path = move |field: &str| format!("periods[{index}].{field}");
    let message = move |field: &'static str| {
        let wanted = path(field);
        move || {
            problems.with(|problems| {
                problems
                    .iter()
                    .find(|p| p.field == wanted)
                    .map(|p| problem(i18n, &p.field, &p.code))
            })
        }
    };
    let invalid = move |field: &'static str| {
        let wanted = path(field);
        move || {
            problems
                .with(|problems| problems.iter().any(|p| p.field == wanted))
                .then_some("true")
        }
    };
    let error_id = move |input: &str| format!("{}-error", input_id(index, input));
    let described = move |field: &'static str, input: &'static str| {
        let has = invalid(field);
        move || has().map(|_| error_id(input))
    };
    let field_message = move |field: &'static str, input: &'static str| {
        let text = message(field);
        move || {
            text().map(|text| {
                view! {
                    <p class="field-error" id=error_id(input)>
                        <span class="visually-hidden">{t!(i18n, form.error_prefix)}" "</span>
                        {text}
                    </p>
                }
            })
        }
    };
    let kind_name = move || match row.kind.get() {
        PeriodKind::Term => t_string!(i18n, calendar.kind_term),
        PeriodKind::Break => t_string!(i18n, calendar.kind_break),
        PeriodKind::Holiday => t_string!(i18n, calendar.kind_holiday),
    };
    let legend = move || {
        let name = labels::names(
            i18n,
            &Names {
                sv: row.name_sv.get(),
                en: row.name_en.get(),
            },
        );
        if name.trim().is_empty() {
            kind_name().to_owned()
        } else {
            format!("{}: {name}", kind_name())
        }
    };
    let remove = move |_: MouseEvent| {
        problems.set(Vec::new());
        rows.update(|rows| rows.retain(|r| r.key != row.key));
    };
    let kind_id = input_id(index, "kind");
    let sv_id = input_id(index, "name-sv");
    let en_id = input_id(index, "name-en");
    let start_id = input_id(index, "start");
    let end_id = input_id(index, "end");

    view! {
        <fieldset class="card period">
            <legend>{legend}</legend>
            <div class="period-fields">
            <div class="field">
                <label for=kind_id.clone()>{t!(i18n, calendar.kind)}</label>
                <select
                    id=kind_id
                    on:change=move |ev| {
                        if let Some(kind) = PeriodKind::parse(&event_target_value(&ev)) {
                            row.kind.set(kind);
                        }
                    }
                >
                    <option value="term" selected=move || row.kind.get() == PeriodKind::Term>
                        {t!(i18n, calendar.kind_term)}
                    </option>
                    <option value="break" selected=move || row.kind.get() == PeriodKind::Break>
                        {t!(i18n, calendar.kind_break)}
                    </option>
                    <option value="holiday" selected=move || row.kind.get() == PeriodKind::Holiday>
                        {t!(i18n, calendar.kind_holiday)}
                    </option>
                </select>
            </div>
                <div class="field">
                    <label for=sv_id.clone()>{t!(i18n, calendar.name_sv)}</label>
                    {field_message("name.sv", "name-sv")}
                    <input
                        id=sv_id
                        lang="sv"
                        autocomplete="off"
                        aria-invalid=invalid("name.sv")
                        aria-describedby=described("name.sv", "name-sv")
                        bind:value=row.name_sv
                    />
                </div>
                <div class="field">
                    <label for=en_id.clone()>{t!(i18n, calendar.name_en)}</label>
                    {field_message("name.en", "name-en")}
                    <input
                        id=en_id
                        lang="en"
                        autocomplete="off"
                        aria-invalid=invalid("name.en")
                        aria-describedby=described("name.en", "name-en")
                        bind:value=row.name_en
                    />
                </div>
                <div class="field">
                    <label for=start_id.clone()>{t!(i18n, calendar.start)}</label>
                    {field_message("start_date", "start")}
                    <input
                        id=start_id
                        type="date"
                        aria-invalid=invalid("start_date")
                        aria-describedby=described("start_date", "start")
                        bind:value=row.start
                    />
                </div>
                <div class="field">
                    <label for=end_id.clone()>{t!(i18n, calendar.end)}</label>
                    {field_message("end_date", "end")}
                    <input
                        id=end_id
                        type="date"
                        aria-invalid=invalid("end_date")
                        aria-describedby=described("end_date", "end")
                        bind:value=row.end
                    />
                </div>
            </div>
            <button type="button" class="button secondary" on:click=remove>
                {t!(i18n, calendar.remove)}
                <span class="visually-hidden">": " {legend}</span>
            </button>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::anchor;

    #[test]
    fn a_problem_points_to_its_input() {
        assert_eq!(anchor("periods[2].end_date").as_deref(), Some("cal-2-end"));
        assert_eq!(
            anchor("periods[0].name.sv").as_deref(),
            Some("cal-0-name-sv")
        );
        assert_eq!(anchor("periods"), None);
    }
}
