//! "Anmäl frånvaro": a guardian reports their child absent (or an adult pupil themself) from
//! today on, on a phone in the morning. The teachers' registers show those lessons prefilled
//! as valid absence. Shown on the pupil's week only to those who may report (the server answers
//! 404 to anyone else, and the section stays away).

use chrono::{Days, NaiveDate};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::FieldError;
use shared::attendance::{
    ABSENCE_REPORT_DAYS_MAX, ABSENCE_REPORT_NOTE_MAX, AbsenceReport, AbsenceReportInput,
};
use uuid::Uuid;

use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, ErrorSummary, FieldErrors, FieldMessage};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

const FIELDS: &[&str] = &["from", "to", "note"];

fn problem(i18n: I18n, field: &str, code: &str) -> String {
    match (field, code) {
        ("from", "required" | "invalid") => t_string!(i18n, attendance.report.problem.from),
        ("to", "invalid") => t_string!(i18n, attendance.report.problem.to),
        ("from", "in_the_past") => t_string!(i18n, attendance.report.problem.in_the_past),
        ("from", "too_far_ahead") => t_string!(i18n, attendance.report.problem.too_far_ahead),
        ("from", "overlaps_report") => t_string!(i18n, attendance.report.problem.overlaps),
        ("to", "before_from") => t_string!(i18n, attendance.report.problem.before_from),
        ("to", "too_long") => t_string!(i18n, attendance.report.problem.too_many_days),
        ("to", "no_school_day") => t_string!(i18n, attendance.report.problem.no_school_day),
        ("note", "too_long") => t_string!(i18n, attendance.report.problem.note_too_long),
        ("note", "control_characters") => t_string!(i18n, problem.control_character),
        (_, code) => return labels::field_problem(i18n, code).to_owned(),
    }
    .to_owned()
}

/// The form's values as the server wants them, or what is wrong with them (the same rules as
/// the server's, which checks them again and also knows the calendar).
fn check(
    from: &str,
    to: &str,
    note: &str,
    today: NaiveDate,
) -> Result<AbsenceReportInput, Vec<FieldError>> {
    let mut problems = Vec::new();
    let day = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
    let from_day = day(from);
    let to_day = if to.trim().is_empty() {
        from_day
    } else {
        day(to)
    };
    match from_day {
        None if from.trim().is_empty() => {
            problems.push(FieldError::new("from", "required", "the first day"))
        }
        None => problems.push(FieldError::new("from", "invalid", "YYYY-MM-DD")),
        Some(from) if from < today => {
            problems.push(FieldError::new("from", "in_the_past", "today or later"))
        }
        Some(from) if from > today + Days::new(366) => {
            problems.push(FieldError::new("from", "too_far_ahead", "within a year"))
        }
        Some(_) => {}
    }
    match (from_day, to_day) {
        (_, None) if !to.trim().is_empty() => {
            problems.push(FieldError::new("to", "invalid", "YYYY-MM-DD"))
        }
        (Some(from), Some(to)) if to < from => {
            problems.push(FieldError::new("to", "before_from", "after the first day"))
        }
        (Some(from), Some(to)) if (to - from).num_days() >= ABSENCE_REPORT_DAYS_MAX => {
            problems.push(FieldError::new("to", "too_long", "too many days"))
        }
        _ => {}
    }
    let note = note.trim();
    if note.chars().count() > ABSENCE_REPORT_NOTE_MAX {
        problems.push(FieldError::new("note", "too_long", "too long"));
    }
    match (from_day, problems.is_empty()) {
        (Some(from), true) => Ok(AbsenceReportInput {
            from,
            to: to_day.filter(|to| *to != from),
            note: (!note.is_empty()).then(|| note.to_owned()),
        }),
        _ => Err(problems),
    }
}

fn period(report: &AbsenceReport) -> String {
    if report.from == report.to {
        format::date(report.from)
    } else {
        format!(
            "{} – {}",
            format::date(report.from),
            format::date(report.to)
        )
    }
}

/// The reports from today on and the form, for those who may report; nothing for anyone else.
#[component]
pub fn AbsenceReportSection(pupil_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let reports = LocalResource::new(move || api::attendance::absence_reports(pupil_id));
    let reported = RwSignal::new(None::<AbsenceReport>);
    move || {
        let may_report = reports.read().as_ref().is_some_and(|result| result.is_ok());
        may_report.then(|| {
            let list = move || {
                let items = reports
                    .read()
                    .as_ref()
                    .and_then(|result| result.as_ref().ok().cloned())
                    .unwrap_or_default();
                if items.is_empty() {
                    return view! { <p>{t!(i18n, attendance.report.none)}</p> }.into_any();
                }
                view! {
                    <ul class="plain-list">
                        {items
                            .into_iter()
                            .map(|report| {
                                let by = report.reported_by.as_ref().map(|by| by.name.clone());
                                view! {
                                    <li>
                                        <strong>{period(&report)}</strong>
                                        {report.note.clone().map(|note| view! { <span>{note}</span> })}
                                        {by.map(|by| view! {
                                            <span class="hint">
                                                {move || format::fill(
                                                    t_string!(i18n, attendance.report.by),
                                                    &[("name", &by)],
                                                )}
                                            </span>
                                        })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            };
            view! {
                <section class="absence-report" aria-labelledby="absence-report-heading">
                    <h2 id="absence-report-heading">{t!(i18n, attendance.report.title)}</h2>
                    <p>{t!(i18n, attendance.report.intro)}</p>
                    <ReportForm pupil_id reported on_reported=move || reports.refetch() />
                    <h3>{t!(i18n, attendance.report.reported)}</h3>
                    {list}
                </section>
            }
        })
    }
}

#[component]
fn ReportForm(
    pupil_id: Uuid,
    reported: RwSignal<Option<AbsenceReport>>,
    on_reported: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let errors = FieldErrors::new("absence", problem);
    let today = format::today();
    let from = RwSignal::new(today.to_string());
    let to = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let report = Action::new_local(move |(csrf_token, input): &(String, AbsenceReportInput)| {
        let (csrf_token, input) = (csrf_token.clone(), input.clone());
        async move {
            failure.set(None);
            match api::attendance::report_absence(&csrf_token, pupil_id, &input).await {
                Ok(done) => {
                    errors.clear();
                    note.set(String::new());
                    to.set(String::new());
                    reported.set(Some(done));
                    on_reported();
                }
                Err(error) => failure.set(errors.absorb(error)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        reported.set(None);
        let checked = check(
            &from.get_untracked(),
            &to.get_untracked(),
            &note.get_untracked(),
            format::today(),
        );
        match (checked, session.csrf_token()) {
            (Ok(input), Some(csrf_token)) => {
                errors.clear();
                report.dispatch((csrf_token, input));
            }
            (Err(problems), _) => errors.show(problems),
            (Ok(_), None) => {}
        }
    };
    let done = move || {
        reported.get().map(|report| {
            format::fill(
                t_string!(i18n, attendance.report.done),
                &[("period", &period(&report))],
            )
        })
    };
    let pending = report.pending();
    let max_note = ABSENCE_REPORT_NOTE_MAX.to_string();
    view! {
        <form class="stacked-form" novalidate on:submit=on_submit>
            <ErrorSummary errors fields=FIELDS />
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
            <div class="field-row">
                <div class="field">
                    <label for="absence-from">{t!(i18n, attendance.report.from)}</label>
                    <FieldMessage errors field="from" />
                    <input
                        type="date"
                        id="absence-from"
                        min=today.to_string()
                        required
                        aria-invalid=errors.invalid("from")
                        aria-describedby=errors.described_by("from", false)
                        bind:value=from
                    />
                </div>
                <div class="field">
                    <label for="absence-to">{t!(i18n, attendance.report.to)}</label>
                    <p class="hint" id="absence-to-hint">{t!(i18n, attendance.report.to_hint)}</p>
                    <FieldMessage errors field="to" />
                    <input
                        type="date"
                        id="absence-to"
                        min=today.to_string()
                        aria-invalid=errors.invalid("to")
                        aria-describedby=errors.described_by("to", true)
                        bind:value=to
                    />
                </div>
            </div>
            <div class="field">
                <label for="absence-note">{t!(i18n, attendance.report.note)}</label>
                <p class="hint" id="absence-note-hint">
                    {move || format::fill(
                        t_string!(i18n, attendance.report.note_hint),
                        &[("max", &max_note)],
                    )}
                </p>
                <FieldMessage errors field="note" />
                <textarea
                    id="absence-note"
                    rows="2"
                    aria-invalid=errors.invalid("note")
                    aria-describedby=errors.described_by("note", true)
                    bind:value=note
                ></textarea>
            </div>
            <p class="status-message" role="status">{done}</p>
            <button type="submit" class="button" disabled=pending>
                {t!(i18n, attendance.report.submit)}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    const TODAY: &str = "2026-12-07";

    fn codes(result: Result<AbsenceReportInput, Vec<FieldError>>) -> Vec<(String, String)> {
        result
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    fn pair(field: &str, code: &str) -> (String, String) {
        (field.to_owned(), code.to_owned())
    }

    #[test]
    fn sick_today_is_one_day_without_a_last_day() {
        let input = check(TODAY, "", "  Feber ", day(TODAY)).unwrap();
        assert_eq!(input.from, day(TODAY));
        assert_eq!(input.to, None);
        assert_eq!(input.note.as_deref(), Some("Feber"));
        let input = check(TODAY, TODAY, "", day(TODAY)).unwrap();
        assert_eq!((input.to, input.note), (None, None));
    }

    #[test]
    fn a_period_is_from_today_on_in_order_and_at_most_31_days() {
        let input = check(TODAY, "2026-12-09", "", day(TODAY)).unwrap();
        assert_eq!(input.to, Some(day("2026-12-09")));
        assert_eq!(
            codes(check("2026-12-06", "", "", day(TODAY))),
            [pair("from", "in_the_past")]
        );
        assert_eq!(
            codes(check(TODAY, "2026-12-06", "", day(TODAY))),
            [pair("to", "before_from")]
        );
        assert_eq!(
            codes(check(TODAY, "2027-01-07", "", day(TODAY))),
            [pair("to", "too_long")]
        );
        assert!(check(TODAY, "2027-01-06", "", day(TODAY)).is_ok());
        assert_eq!(
            codes(check("2028-01-01", "", "", day(TODAY))),
            [pair("from", "too_far_ahead")]
        );
    }

    #[test]
    fn missing_and_mistyped_days_and_long_notes_are_named() {
        assert_eq!(
            codes(check(" ", "", "", day(TODAY))),
            [pair("from", "required")]
        );
        assert_eq!(
            codes(check("7/12", "igår", "", day(TODAY))),
            [pair("from", "invalid"), pair("to", "invalid")]
        );
        let long = "x".repeat(ABSENCE_REPORT_NOTE_MAX + 1);
        assert_eq!(
            codes(check(TODAY, "", &long, day(TODAY))),
            [pair("note", "too_long")]
        );
    }
}
