//! "Ansök om ledighet": a guardian applies for a child, a pupil aged 18 or more for
//! themselves; and a pupil's leave history on their page.

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{ErrorBody, FieldError};
use shared::applications::{
    ATTACHMENT_MAX_BYTES, ATTACHMENT_MEDIA_TYPES, Attachment, LEAVE_REASON_MAX_CHARS,
    LeaveApplicationForm, Submitted, validate_leave,
};
use shared::auth::Role;
use shared::personal_number::age_on;
use shared::register::PupilSummary;
use uuid::Uuid;

use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{
    DataTable, ErrorAlert, ErrorSummary, FieldErrors, FieldMessage, Loading, PupilName,
    summary_name, use_page_title,
};
use crate::files::{self, Picked};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::pages::pupils::optional;
use crate::session::use_session;

/// For whom the signed-in person may apply.
#[derive(Debug, Clone, PartialEq)]
enum Applying {
    /// A guardian, for one of their children.
    ForChild(Vec<PupilSummary>),
    /// A pupil aged 18 or more, for themselves.
    ForSelf(PupilSummary),
    /// A pupil under 18: their guardian applies.
    Minor,
    /// A guardian without children in the register.
    NoChildren,
    /// Neither guardian nor pupil.
    NotForMe,
}

fn applying(me: &Applicant, pupils: Vec<PupilSummary>, today: NaiveDate) -> Applying {
    if me.roles.contains(&Role::Guardian) {
        let children: Vec<_> = pupils
            .into_iter()
            .filter(|pupil| pupil.id != me.person_id)
            .collect();
        return if children.is_empty() {
            Applying::NoChildren
        } else {
            Applying::ForChild(children)
        };
    }
    if !me.roles.contains(&Role::Pupil) {
        return Applying::NotForMe;
    }
    match pupils.into_iter().find(|pupil| pupil.id == me.person_id) {
        // Without a known birth date the server decides.
        Some(pupil)
            if pupil
                .birth_date
                .is_none_or(|born| age_on(born, today) >= 18) =>
        {
            Applying::ForSelf(pupil)
        }
        Some(_) => Applying::Minor,
        None => Applying::NotForMe,
    }
}

/// Who is applying: what decides the form (not, say, their language, which may change while
/// the form is filled in).
#[derive(Debug, Clone, PartialEq)]
struct Applicant {
    person_id: Uuid,
    roles: Vec<Role>,
}

/// `/leave/new`.
#[component]
pub fn LeaveApplicationPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    use_page_title(move || t_string!(i18n, leave.title).to_owned());
    let pupils = LocalResource::new(|| api::register::pupils(None, None));
    let applicant = Memo::new(move |_| {
        session.me().map(|me| Applicant {
            person_id: me.person_id,
            roles: me.roles,
        })
    });

    view! {
        <h1>{t!(i18n, leave.title)}</h1>
        <p class="lead">{t!(i18n, leave.intro)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let me = applicant.get();
                match (pupils.await, me) {
                    (Ok(page), Some(me)) => {
                        match applying(&me, page.items, format::today()) {
                            Applying::ForChild(children) => {
                                view! { <LeaveForm candidates=children for_self=false /> }
                                    .into_any()
                            }
                            Applying::ForSelf(pupil) => {
                                view! { <LeaveForm candidates=vec![pupil] for_self=true /> }
                                    .into_any()
                            }
                            Applying::Minor => {
                                view! { <p class="notice">{t!(i18n, leave.minor)}</p> }.into_any()
                            }
                            Applying::NoChildren => {
                                view! { <p class="notice">{t!(i18n, guardian.empty)}</p> }
                                    .into_any()
                            }
                            Applying::NotForMe => {
                                view! { <p class="notice">{t!(i18n, leave.not_for_me)}</p> }
                                    .into_any()
                            }
                        }
                    }
                    (Err(error), _) => view! { <ErrorAlert error /> }.into_any(),
                    (Ok(_), None) => view! { <Loading /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The fields in the order they appear, for the error summary's links.
const FIELDS: &[&str] = &["pupil_id", "from", "to", "reason", "attachment"];

/// What went wrong with a field, in the words of this form.
fn problem(i18n: I18n, field: &str, code: &str) -> String {
    let text = match (field, code) {
        ("pupil_id", "required") => t_string!(i18n, leave.problem.pupil_required),
        ("pupil_id", "adult_pupil") => t_string!(i18n, leave.problem.adult_pupil),
        ("pupil_id", "minor_applicant") => t_string!(i18n, leave.problem.minor_applicant),
        ("pupil_id", "not_pupil") => t_string!(i18n, leave.problem.not_pupil),
        ("from", "required") => t_string!(i18n, leave.problem.from_required),
        ("from", "in_past") => t_string!(i18n, leave.problem.from_in_past),
        ("to", "required") => t_string!(i18n, leave.problem.to_required),
        ("to", "before_from") => t_string!(i18n, leave.problem.to_before_from),
        ("to", "no_school_day") => t_string!(i18n, leave.problem.no_school_day),
        ("from", "overlaps_leave") => t_string!(i18n, leave.problem.overlaps_leave),
        ("from" | "to", "invalid_date") => t_string!(i18n, leave.problem.invalid_date),
        ("reason", "required") => t_string!(i18n, leave.problem.reason_required),
        ("reason", "too_long") => {
            return format::fill(
                t_string!(i18n, leave.problem.reason_too_long),
                &[("max", &LEAVE_REASON_MAX_CHARS.to_string())],
            );
        }
        ("attachment", "media_type") => t_string!(i18n, leave.problem.attachment_media_type),
        ("attachment", "too_large") => t_string!(i18n, leave.problem.attachment_too_large),
        ("attachment", "content_mismatch") => {
            t_string!(i18n, leave.problem.attachment_content_mismatch)
        }
        ("attachment", "invalid") => t_string!(i18n, leave.problem.attachment_invalid),
        ("attachment", "refused") => t_string!(i18n, leave.problem.attachment_refused),
        (_, code) => labels::field_problem(i18n, code),
    };
    text.to_owned()
}

/// A date field's value: `Ok(None)` when empty, `Err` when it is not a date (browsers without
/// a date picker let people type).
fn parse_date(text: &str) -> Result<Option<NaiveDate>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| ())
}

/// What the form sends, once the app's own checks pass; the file is read only then.
#[derive(Clone)]
struct Submission {
    csrf_token: String,
    form: LeaveApplicationForm,
    file: Option<web_sys::File>,
}

/// The form's own checks, the same as the server's (`validate_leave`) plus what only the
/// browser knows: the choice of child, unparsable dates and the file's size before reading it.
fn check(
    pupil: Option<Uuid>,
    from: &str,
    to: &str,
    reason: &str,
    picked: Option<Picked>,
    confirm_overlap: bool,
    today: NaiveDate,
) -> Result<LeaveApplicationForm, Vec<FieldError>> {
    let mut problems = Vec::new();
    if pupil.is_none() {
        problems.push(FieldError::new("pupil_id", "required", "choose a child"));
    }
    let from = parse_date(from).unwrap_or_else(|()| {
        problems.push(FieldError::new("from", "invalid_date", "not a date"));
        None
    });
    let to = parse_date(to).unwrap_or_else(|()| {
        problems.push(FieldError::new("to", "invalid_date", "not a date"));
        None
    });
    let too_large = picked
        .as_ref()
        .is_some_and(|picked| picked.size > ATTACHMENT_MAX_BYTES as f64);
    let form = LeaveApplicationForm {
        pupil_id: pupil.unwrap_or_else(Uuid::nil),
        from,
        to,
        reason: reason.to_owned(),
        // The content is read after the checks; only the media type is checked here.
        attachment: picked.map(|picked| Attachment {
            file_name: picked.file_name,
            media_type: picked.media_type,
            content_base64: String::new(),
        }),
        confirm_overlap,
    };
    if let Err(mut more) = validate_leave(&form, today) {
        // An unparsable date is not also "required".
        more.retain(|problem| {
            !(problem.code == "required"
                && problems
                    .iter()
                    .any(|known: &FieldError| known.field == problem.field))
        });
        problems.append(&mut more);
    }
    if too_large {
        problems.push(FieldError::new("attachment", "too_large", "at most 5 MB"));
    }
    // Keep the order of the fields on screen.
    problems.sort_by_key(|problem| FIELDS.iter().position(|field| *field == problem.field));
    if problems.is_empty() {
        Ok(form)
    } else {
        Err(problems)
    }
}

fn attachment_problem(code: &str) -> ApiError {
    ApiError {
        status: 422,
        error: ErrorBody {
            code: "validation".to_owned(),
            message: String::new(),
            fields: vec![FieldError::new("attachment", code, "")],
        },
    }
}

#[component]
fn LeaveForm(candidates: Vec<PupilSummary>, for_self: bool) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let errors = FieldErrors::new("leave", problem);
    // One child (or oneself) needs no choosing.
    let pupil = RwSignal::new((candidates.len() == 1).then(|| candidates[0].id));
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let file_input = NodeRef::<leptos::html::Input>::new();
    let failure = RwSignal::new(None::<ApiError>);
    let submitted = RwSignal::new(None::<Submitted>);
    // Set once the server has warned that the period overlaps another leave of the child's;
    // the guardian may then apply anyway.
    let overlap_warned = RwSignal::new(false);
    let confirm_overlap = RwSignal::new(false);

    let submit = Action::new_local(move |submission: &Submission| {
        let Submission {
            csrf_token,
            mut form,
            file,
        } = submission.clone();
        async move {
            failure.set(None);
            let with_file = file.is_some();
            if let Some(file) = file {
                match files::read_attachment(&file).await {
                    Some(attachment) => form.attachment = Some(attachment),
                    None => {
                        errors.absorb(attachment_problem("invalid"));
                        return;
                    }
                }
            }
            match api::applications::submit_leave(&csrf_token, &form).await {
                Ok(answer) => {
                    errors.clear();
                    submitted.set(Some(answer));
                }
                // The server refuses a body over its limit before reading it; with an
                // attachment that can only be the file's size.
                Err(error) if with_file && matches!(error.status, 400 | 413) => {
                    errors.absorb(attachment_problem("refused"));
                }
                Err(error) => {
                    if error
                        .error
                        .fields
                        .iter()
                        .any(|f| f.code == "overlaps_leave")
                    {
                        overlap_warned.set(true);
                    }
                    failure.set(errors.absorb(error));
                }
            }
        }
    });
    let pending = submit.pending();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let file = file_input
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        let checked = check(
            pupil.get_untracked(),
            &from.get_untracked(),
            &to.get_untracked(),
            &reason.get_untracked(),
            file.as_ref().map(Picked::of),
            confirm_overlap.get_untracked(),
            format::today(),
        );
        match (checked, session.csrf_token()) {
            (Ok(form), Some(csrf_token)) => {
                errors.clear();
                submit.dispatch(Submission {
                    csrf_token,
                    form,
                    file,
                });
            }
            (Ok(_), None) => {}
            (Err(problems), _) => errors.show(problems),
        }
    };

    // The school days of the chosen period and who will decide, from the school calendar.
    let period = move || match (parse_date(&from.get()), parse_date(&to.get())) {
        (Ok(Some(from)), Ok(Some(to))) if from <= to => Some((from, to)),
        _ => None,
    };
    let school_days = LocalResource::new(move || {
        let period = period();
        async move {
            match period {
                Some((from, to)) => api::attendance::school_days(from, to).await.ok(),
                None => None,
            }
        }
    });
    let min_date = format::date(format::today());
    let accept = ATTACHMENT_MEDIA_TYPES.join(",");
    let chooser = move || {
        if for_self {
            let name = summary_name(&candidates[0]);
            view! {
                <dl class="facts compact">
                    <dt>{t!(i18n, leave.applies_for)}</dt>
                    <dd>
                        <PupilName masked=false name />
                    </dd>
                </dl>
                <FieldMessage errors field="pupil_id" />
            }
            .into_any()
        } else {
            let candidates = candidates.clone();
            view! { <ChildChoice candidates pupil errors /> }.into_any()
        }
    };

    view! {
        <Show
            when=move || submitted.read().is_none()
            fallback=move || {
                submitted.get().map(|submitted| view! { <Confirmation submitted /> })
            }
        >
            <form class="stacked-form" novalidate on:submit=on_submit>
                // Applying for oneself there is no choice of child to go to.
                <ErrorSummary errors fields=if for_self { &FIELDS[1..] } else { FIELDS } />
                {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
                {chooser()}
                <p class="hint">{t!(i18n, leave.dates_hint)}</p>
                <div class="field-row">
                    <div class="field">
                        <label for="leave-from">{t!(i18n, leave.from)}</label>
                        <FieldMessage errors field="from" />
                        <input
                            id="leave-from"
                            name="from"
                            type="date"
                            required
                            min=min_date.clone()
                            aria-invalid=errors.invalid("from")
                            aria-describedby=errors.described_by("from", false)
                            bind:value=from
                        />
                    </div>
                    <div class="field">
                        <label for="leave-to">{t!(i18n, leave.to)}</label>
                        <FieldMessage errors field="to" />
                        <input
                            id="leave-to"
                            name="to"
                            type="date"
                            required
                            min=min_date.clone()
                            aria-invalid=errors.invalid("to")
                            aria-describedby=errors.described_by("to", false)
                            bind:value=to
                        />
                    </div>
                </div>
                {move || {
                    overlap_warned
                        .get()
                        .then(|| {
                            view! {
                                <div class="choice">
                                    <input
                                        type="checkbox"
                                        id="leave-confirm-overlap"
                                        bind:checked=confirm_overlap
                                    />
                                    <label for="leave-confirm-overlap">
                                        {t!(i18n, leave.confirm_overlap)}
                                    </label>
                                </div>
                            }
                        })
                }}
                <p class="hint" role="status" id="leave-school-days">
                    {move || {
                        school_days
                            .get()
                            .flatten()
                            .map(|days| {
                                if days.school_days == 0 {
                                    t_string!(i18n, leave.no_school_day).to_owned()
                                } else {
                                    let decides = if days.principal_decides {
                                        t_string!(i18n, leave.decides_principal)
                                    } else {
                                        t_string!(i18n, leave.decides_mentor)
                                    };
                                    format!(
                                        "{} {decides}",
                                        format::fill(
                                            t_string!(i18n, leave.school_days),
                                            &[("count", &days.school_days.to_string())],
                                        ),
                                    )
                                }
                            })
                    }}
                </p>
                <div class="field">
                    <label for="leave-reason">{t!(i18n, leave.reason)}</label>
                    <p class="hint" id="leave-reason-hint">
                        {move || {
                            format::fill(
                                t_string!(i18n, leave.reason_hint),
                                &[("max", &LEAVE_REASON_MAX_CHARS.to_string())],
                            )
                        }}
                    </p>
                    <FieldMessage errors field="reason" />
                    <textarea
                        id="leave-reason"
                        name="reason"
                        rows="5"
                        required
                        aria-invalid=errors.invalid("reason")
                        aria-describedby=errors.described_by("reason", true)
                        bind:value=reason
                    ></textarea>
                </div>
                <div class="field">
                    <label for="leave-attachment">{t!(i18n, leave.attachment)}</label>
                    <p class="hint" id="leave-attachment-hint">{t!(i18n, leave.attachment_hint)}</p>
                    <FieldMessage errors field="attachment" />
                    <input
                        id="leave-attachment"
                        name="attachment"
                        type="file"
                        accept=accept.clone()
                        aria-invalid=errors.invalid("attachment")
                        aria-describedby=errors.described_by("attachment", true)
                        node_ref=file_input
                    />
                </div>
                <button type="submit" class="button" disabled=pending>
                    {move || {
                        if pending.get() {
                            t!(i18n, leave.submitting).into_any()
                        } else {
                            t!(i18n, leave.submit).into_any()
                        }
                    }}
                </button>
            </form>
        </Show>
    }
}

/// The guardian's children as a radio group; the first radio carries the field's id so the
/// error summary can move focus to the group.
#[component]
fn ChildChoice(
    candidates: Vec<PupilSummary>,
    pupil: RwSignal<Option<Uuid>>,
    errors: FieldErrors,
) -> impl IntoView {
    let i18n = use_i18n();
    let radios = candidates
        .into_iter()
        .enumerate()
        .map(|(index, child)| {
            let id = child.id;
            let input_id = if index == 0 {
                errors.id("pupil_id")
            } else {
                format!("{}-{index}", errors.id("pupil_id"))
            };
            let class = child
                .groups
                .iter()
                .find(|group| group.kind == shared::register::GroupKind::Class)
                .map(|group| group.name.clone());
            let school = child.school.as_ref().map(|school| school.name.clone());
            let detail = [class, school].into_iter().flatten().collect::<Vec<_>>();
            view! {
                <div class="choice">
                    <input
                        type="radio"
                        id=input_id.clone()
                        name="pupil_id"
                        value=id.to_string()
                        prop:checked=move || pupil.get() == Some(id)
                        on:change=move |_| pupil.set(Some(id))
                    />
                    <label for=input_id>
                        <PupilName masked=child.masked name=summary_name(&child) />
                        {(!detail.is_empty())
                            .then(|| {
                                view! { <span class="choice-detail">{detail.join(", ")}</span> }
                            })}
                    </label>
                </div>
            }
        })
        .collect_view();

    view! {
        <fieldset
            class="field"
            role="radiogroup"
            aria-labelledby="leave-pupil-legend"
            aria-required="true"
            aria-invalid=errors.invalid("pupil_id")
            aria-describedby=errors.described_by("pupil_id", false)
        >
            <legend id="leave-pupil-legend">{t!(i18n, leave.child)}</legend>
            <FieldMessage errors field="pupil_id" />
            {radios}
        </fieldset>
    }
}

/// The receipt: the case number, what happens next, and the way to the case.
#[component]
fn Confirmation(submitted: Submitted) -> impl IntoView {
    let i18n = use_i18n();
    let heading = NodeRef::<leptos::html::H2>::new();
    // Screen readers and keyboards continue from the answer, not from a form that is gone.
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let Submitted {
        case_id,
        number,
        awaiting_other_guardian,
    } = submitted;

    view! {
        <section class="confirmation" aria-labelledby="leave-sent">
            <h2 id="leave-sent" tabindex="-1" node_ref=heading>
                {t!(i18n, leave.sent_title)}
            </h2>
            <p class="case-number">
                {t!(i18n, field.case_number)}" "<strong>{number.to_string()}</strong>
            </p>
            {if awaiting_other_guardian {
                view! { <p class="notice">{t!(i18n, leave.sent_awaiting_other_guardian)}</p> }
                    .into_any()
            } else {
                view! { <p>{t!(i18n, leave.sent_next)}</p> }.into_any()
            }}
            <p>
                <A href=format!("/my/cases/{case_id}")>{t!(i18n, leave.sent_link)}</A>
            </p>
        </section>
    }
}

/// "Ledighet" on a pupil's page: the leave applied for, and how each ended.
#[component]
pub fn LeaveHistory(pupil_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let history = LocalResource::new(move || api::applications::pupil_leave(pupil_id));
    let caption = Signal::derive(move || t_string!(i18n, pupils.leave).to_owned());

    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(items) if items.is_empty() => {
                        view! { <p class="empty-state">{t!(i18n, pupils.no_leave)}</p> }
                            .into_any()
                    }
                    Ok(items) => {
                        view! {
                            <DataTable caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, field.case_number)}</th>
                                        <th scope="col">{t!(i18n, field.period)}</th>
                                        <th scope="col" class="numeric">
                                            {t!(i18n, field.school_days)}
                                        </th>
                                        <th scope="col">{t!(i18n, field.reason)}</th>
                                        <th scope="col">{t!(i18n, field.status)}</th>
                                        <th scope="col">{t!(i18n, field.outcome)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {items
                                        .into_iter()
                                        .map(|leave| {
                                            let status = leave.status.clone();
                                            let outcome = leave.outcome;
                                            view! {
                                                <tr>
                                                    <th scope="row">{leave.number.to_string()}</th>
                                                    <td class="nowrap">
                                                        {format::date(leave.from)}" – "
                                                        {format::date(leave.to)}
                                                    </td>
                                                    <td class="numeric">{leave.school_days}</td>
                                                    <td>{optional(i18n, leave.reason)}</td>
                                                    <td>{move || labels::status(i18n, &status)}</td>
                                                    <td>
                                                        {move || match outcome {
                                                            Some(outcome) => {
                                                                labels::outcome(i18n, outcome)
                                                            }
                                                            None => t_string!(i18n, outcome.pending),
                                                        }}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </DataTable>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn codes(result: Result<LeaveApplicationForm, Vec<FieldError>>) -> Vec<(String, String)> {
        result
            .unwrap_err()
            .into_iter()
            .map(|problem| (problem.field, problem.code))
            .collect()
    }

    #[test]
    fn an_empty_form_names_every_missing_field_in_screen_order() {
        assert_eq!(
            codes(check(None, "", "", "", None, false, day(2026, 11, 23))),
            [
                ("pupil_id".into(), "required".into()),
                ("from".into(), "required".into()),
                ("to".into(), "required".into()),
                ("reason".into(), "required".into()),
            ]
        );
    }

    #[test]
    fn a_typed_non_date_is_invalid_not_missing() {
        assert_eq!(
            codes(check(
                Some(Uuid::nil()),
                "30/11",
                "2026-12-02",
                "Resa",
                None,
                false,
                day(2026, 11, 23)
            )),
            [("from".into(), "invalid_date".into())]
        );
    }

    #[test]
    fn a_large_file_is_refused_before_it_is_read() {
        let picked = Picked {
            file_name: "intyg.pdf".into(),
            media_type: "application/pdf".into(),
            size: (ATTACHMENT_MAX_BYTES + 1) as f64,
        };
        assert_eq!(
            codes(check(
                Some(Uuid::nil()),
                "2026-11-30",
                "2026-12-02",
                "Resa",
                Some(picked),
                false,
                day(2026, 11, 23)
            )),
            [("attachment".into(), "too_large".into())]
        );
    }

    #[test]
    fn a_complete_form_passes() {
        let form = check(
            Some(Uuid::nil()),
            "2026-11-30",
            "2026-12-02",
            "Resa",
            None,
            true,
            day(2026, 11, 23),
        )
        .unwrap();
        assert_eq!(form.from, Some(day(2026, 11, 30)));
        assert!(
            form.confirm_overlap,
            "the guardian's choice to apply anyway is sent"
        );
    }
}
