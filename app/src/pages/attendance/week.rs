//! `/pupils/:id/attendance?week=`: a pupil's lessons of a week with their marks and totals,
//! and the term so far with its totals per subject, for guardians, the pupil and mentors.

use chrono::{Datelike, Days, NaiveDate};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::attendance::{AttendanceTotals, MarkMinutes, PupilAttendance, PupilLesson};
use shared::calendar::{PeriodKind, start_of_school_year};
use uuid::Uuid;

use super::report::AbsenceReportSection;
use super::{lesson_time, use_query_date, weekday_name};
use crate::I18n;
use crate::api;
use crate::components::{DataTable, ErrorAlert, Loading, use_page_title};
use crate::format;
use crate::i18n::{Locale, t, t_string, use_i18n};

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

fn this_monday() -> NaiveDate {
    monday_of(format::today())
}

fn percent(value: f64, locale: Locale) -> String {
    format!("{} %", format::hours(value, locale))
}

fn mark_text(i18n: I18n, lesson: &PupilLesson) -> String {
    let Some(MarkMinutes {
        valid_absence_minutes: valid,
        invalid_absence_minutes: invalid,
        reason,
        ..
    }) = &lesson.mark
    else {
        return match lesson.expected_absence.as_deref() {
            Some("granted_leave") => t_string!(i18n, attendance.expected.granted_leave),
            Some(_) => t_string!(i18n, attendance.expected.reported_by_guardian),
            None => t_string!(i18n, attendance.state.not_taken),
        }
        .to_owned();
    };
    let minutes = lesson.lesson.minutes;
    let text = if valid + invalid == 0 {
        t_string!(i18n, attendance.present).to_owned()
    } else if reason.as_deref() == Some("late") {
        format::fill(
            t_string!(i18n, attendance.late_minutes),
            &[("minutes", &invalid.to_string())],
        )
    } else if valid + invalid >= minutes {
        t_string!(i18n, attendance.absent).to_owned()
    } else {
        format::fill(
            t_string!(i18n, attendance.partly_absent),
            &[("minutes", &(valid + invalid).to_string())],
        )
    };
    let kind = if *valid > 0 {
        Some(t_string!(i18n, attendance.valid_absence))
    } else if *invalid > 0 {
        Some(t_string!(i18n, attendance.invalid_absence))
    } else {
        None
    };
    match kind {
        Some(kind) => format!("{text} ({kind})"),
        None => text,
    }
}

#[component]
pub fn PupilAttendancePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    });
    let week = use_query_date("week", this_monday);
    let monday = Memo::new(move |_| monday_of(week.get()));
    let data = LocalResource::new(move || {
        let (id, monday) = (id.get(), monday.get());
        async move {
            match id {
                Some(id) => api::attendance::pupil_attendance(id, monday, monday + Days::new(6))
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });
    use_page_title(move || t_string!(i18n, attendance.week_title).to_owned());
    let week_href = move |day: NaiveDate| match id.get() {
        Some(id) => format!("/pupils/{id}/attendance?week={day}"),
        None => "/".to_owned(),
    };

    view! {
        <h1>{t!(i18n, attendance.week_title)}</h1>
        {move || id.get().map(|pupil_id| view! { <AbsenceReportSection pupil_id /> })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(attendance)) => view! { <Week attendance /> }.into_any(),
                    Ok(None) => view! { <p class="notice">{t!(i18n, attendance.not_found)}</p> }
                        .into_any(),
                    Err(error) if error.is_not_found() => {
                        view! { <p class="notice">{t!(i18n, attendance.not_found)}</p> }.into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
        <nav class="day-nav" aria-label=move || t_string!(i18n, attendance.week_nav)>
            <A href=move || week_href(monday.get() - Days::new(7)) attr:class="button secondary">
                <span aria-hidden="true">"← "</span>
                {t!(i18n, attendance.previous_week)}
            </A>
            <A href=move || week_href(monday.get() + Days::new(7)) attr:class="button secondary">
                {t!(i18n, attendance.next_week)}
                <span aria-hidden="true">" →"</span>
            </A>
        </nav>
        {move || id.get().map(|pupil_id| view! { <TermSummary pupil_id monday /> })}
    }
}

/// Lessons, time and absence of a period, with the shares of valid and invalid absence.
#[component]
fn Totals(totals: AttendanceTotals) -> impl IntoView {
    let i18n = use_i18n();
    view! {
                    <dl class="facts">
            <dt>{t!(i18n, attendance.lessons_count)}</dt>
            <dd>{totals.lessons}</dd>
            <dt>{t!(i18n, attendance.offered)}</dt>
            <dd>{totals.offered_minutes}" min"</dd>
            <dt>{t!(i18n, attendance.attended)}</dt>
            <dd>{totals.attendance_minutes}" min"</dd>
            <dt>{t!(i18n, attendance.valid_absence)}</dt>
            <dd>
                {totals.valid_absence_minutes}" min ("
                {move || percent(totals.valid_absence_percent, i18n.get_locale())}")"
            </dd>
            <dt>{t!(i18n, attendance.invalid_absence)}</dt>
            <dd>
                {totals.invalid_absence_minutes}" min ("
                {move || percent(totals.invalid_absence_percent, i18n.get_locale())}")"
            </dd>
        </dl>
    }
}

/// The term the week is in, so far (to today): its totals and the totals per subject, most
/// unexcused absence first.
#[component]
fn TermSummary(pupil_id: Uuid, monday: Memo<NaiveDate>) -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(move || {
        let monday = monday.get();
        async move {
            let calendar = api::attendance::calendar(start_of_school_year(monday)).await?;
            let term = calendar
                .periods
                .into_iter()
                .filter(|p| p.kind == PeriodKind::Term && p.start_date <= monday)
                .max_by_key(|p| p.start_date);
            let Some(term) = term else {
                return Ok(None);
            };
            let to = term.end_date.min(format::today());
            if to < term.start_date {
                return Ok(None);
            }
            let totals = api::attendance::pupil_totals(pupil_id, term.start_date, to).await?;
            Ok::<_, api::ApiError>(Some((term, totals)))
        }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let Ok(Some((term, attendance))) = data.await else {
                    return ().into_any();
                };
                let heading = move || {
                    format::fill(
                        t_string!(i18n, attendance.term_title),
                        &[("term", &crate::labels::names(i18n, &term.name))],
                    )
                };
                let period = format!(
                    "{} – {}",
                    format::date(attendance.from),
                    format::date(attendance.to)
                );
                let caption = Signal::derive(move || {
                    t_string!(i18n, attendance.by_subject).to_owned()
                });
                let totals = attendance.totals.clone();
                view! {
                    <section aria-labelledby="term-heading">
                        <h2 id="term-heading">{heading}</h2>
                        <p>{period}</p>
                        <Totals totals />
                        <DataTable caption>
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, attendance.subject)}</th>
                                    <th scope="col" class="numeric">{t!(i18n, attendance.lessons_count)}</th>
                                    <th scope="col" class="numeric">{t!(i18n, attendance.valid_absence)}</th>
                                    <th scope="col" class="numeric">{t!(i18n, attendance.invalid_absence)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {attendance
                                    .by_subject
                                    .into_iter()
                                    .map(|subject| {
                                        let t = subject.totals;
                                        view! {
                                            <tr>
                                                <th scope="row">{subject.subject}</th>
                                                <td class="numeric">{t.lessons}</td>
                                                <td class="numeric">
                                                    {t.valid_absence_minutes}" min ("
                                                    {move || percent(t.valid_absence_percent, i18n.get_locale())}")"
                                                </td>
                                                <td class="numeric">
                                                    {t.invalid_absence_minutes}" min ("
                                                    {move || percent(t.invalid_absence_percent, i18n.get_locale())}")"
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </DataTable>
                    </section>
                }
                    .into_any()
            })}
        </Transition>
    }
}

#[component]
fn Week(attendance: PupilAttendance) -> impl IntoView {
    let i18n = use_i18n();
    let PupilAttendance {
        pupil,
        from,
        to,
        lessons,
        totals,
        ..
    } = attendance;
    let name = pupil.name.clone().unwrap_or_default();
    let period = format!("{} – {}", format::date(from), format::date(to));
    let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let lessons = StoredValue::new(lessons);

    view! {
        <p class="lead">
            <A href=format!("/pupils/{}", pupil.id)>{name}</A>
            " · "{period}
        </p>
        <section>
            <h2>{t!(i18n, attendance.totals)}</h2>
            <Totals totals />
        </section>
        {days
            .into_iter()
            .map(|day| {
                let of_day: Vec<PupilLesson> = lessons
                    .with_value(|all| all.iter().filter(|l| l.lesson.date == day).cloned().collect());
                if of_day.is_empty() {
                    return ().into_any();
                }
                let caption = Signal::derive(move || {
                    format!("{} {}", weekday_name(i18n, day), format::date(day))
                });
                view! {
                    <section class="day-table">
                        <h2>{caption}</h2>
                        <DataTable caption>
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, attendance.time)}</th>
                                    <th scope="col">{t!(i18n, attendance.lesson)}</th>
                                    <th scope="col">{t!(i18n, attendance.mark)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {of_day
                                    .into_iter()
                                    .map(|lesson| {
                                        let time = lesson_time(&lesson.lesson);
                                        let subject = lesson.lesson.subject.clone();
                                        view! {
                                            <tr>
                                                <td class="nowrap">{time}</td>
                                                <th scope="row">{subject}</th>
                                                <td>{move || mark_text(i18n, &lesson)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </DataTable>
                    </section>
                }
                    .into_any()
            })
            .collect_view()}
    }
}
