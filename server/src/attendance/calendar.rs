//! The school calendar: the school days of a period as anyone reads them, counted from the
//! municipality's terms, breaks and holidays (the leave form shows them, and they decide who
//! decides a leave), and the calendar itself, a school year at a time, which administrators
//! keep. A saved calendar changes the lessons of the days it changes: a day that stops being a
//! school day has its lessons cancelled (those with a register taken are kept and counted), a
//! day that becomes one gets its cancelled lessons back, or its lessons from the timetable.

use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use shared::api::FieldError;
use shared::applications::principal_decides;
use shared::attendance::{SCHOOL_DAYS_PERIOD_MAX, SchoolDays};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use std::collections::BTreeSet;

use shared::calendar::{
    CalendarInput, CalendarPeriod, CalendarSaved, PeriodKind, SchoolCalendar, Span,
};
use shared::cases::Names;

use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path, Query};
use crate::state::AppState;
use crate::store::attendance as store;
use crate::store::calendar as calendar_store;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(school_days))
        .routes(routes!(calendar, save_calendar))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// The first day (YYYY-MM-DD).
    from: NaiveDate,
    /// The last day (YYYY-MM-DD), inclusive.
    to: NaiveDate,
}

/// The school days from `from` to `to`, both inclusive, by the school calendar, and whether a
/// leave over them is the principal's to decide. Any signed-in reader: the calendar is public.
#[utoipa::path(get, path = "/calendar/school-days", tag = "attendance", params(PeriodParams),
    responses((status = 200, body = SchoolDays),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn school_days(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(period): Query<PeriodParams>,
) -> AppResult<Json<SchoolDays>> {
    let PeriodParams { from, to } = period;
    if to < from {
        return Err(AppError::Validation(vec![FieldError::new(
            "to",
            "before_from",
            "the last day is before the first",
        )]));
    }
    if (to - from).num_days() >= SCHOOL_DAYS_PERIOD_MAX {
        return Err(AppError::Validation(vec![FieldError::new(
            "to",
            "period_too_long",
            format!("at most {SCHOOL_DAYS_PERIOD_MAX} days"),
        )]));
    }
    let days = store::school_days_in(&state.db, from, to).await?;
    let count = days.len() as u32;
    Ok(Json(SchoolDays {
        from,
        to,
        school_days: count,
        days,
        principal_decides: principal_decides(count),
    }))
}

/// The school year that starts in `year`, or a 422 naming `year`.
fn school_year(year: i32) -> AppResult<(String, NaiveDate, NaiveDate)> {
    shared::calendar::school_year(year)
        .ok_or_else(|| AppError::field("year", "out_of_range", "a school year from 2000 to 2100"))
}

fn period_of(row: &calendar_store::PeriodRow) -> Option<CalendarPeriod> {
    Some(CalendarPeriod {
        kind: PeriodKind::parse(&row.kind)?,
        code: row.code.clone(),
        name: Names {
            sv: row.name_sv.clone(),
            en: row.name_en.clone(),
        },
        start_date: row.start_date,
        end_date: row.end_date,
    })
}

fn calendar_of(
    year: i32,
    periods: Vec<CalendarPeriod>,
    rows: &[calendar_store::PeriodRow],
) -> AppResult<SchoolCalendar> {
    let (name, first_day, last_day) = school_year(year)?;
    let spans: Vec<Span> = periods.iter().map(|p| p.span(year)).collect();
    let term_school_days = periods
        .iter()
        .filter(|p| p.kind == PeriodKind::Term)
        .map(|term| {
            shared::calendar::school_days(&spans, term.start_date, term.end_date).len() as u32
        })
        .collect();
    Ok(SchoolCalendar {
        school_year: name,
        first_day,
        last_day,
        periods,
        term_school_days,
        updated_at: rows.iter().map(|row| row.updated_at).max(),
    })
}

async fn read_calendar(
    state: &AppState,
    year: i32,
) -> AppResult<(Vec<CalendarPeriod>, Vec<calendar_store::PeriodRow>)> {
    let (name, ..) = school_year(year)?;
    let rows = calendar_store::periods(&state.db, &name).await?;
    let periods = rows.iter().filter_map(period_of).collect();
    Ok((periods, rows))
}

/// The school calendar of the school year that starts in `year` (2026: 2026/27): its terms,
/// breaks and holidays, and each term's school days. Any signed-in reader.
#[utoipa::path(get, path = "/calendar/{year}", tag = "attendance",
    params(("year" = i32, Path, description = "The year the school year starts in (2026 for 2026/27)")),
    responses((status = 200, body = SchoolCalendar),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn calendar(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(year): Path<i32>,
) -> AppResult<Json<SchoolCalendar>> {
    let (periods, rows) = read_calendar(&state, year).await?;
    Ok(Json(calendar_of(year, periods, &rows)?))
}

/// Replace the school year's calendar (administrators). Checked whole: one error per bad
/// field. Lessons on days that stop being school days are cancelled unless their register is
/// taken; days that become school days get their lessons back, or from the timetable where it
/// has been rolled out into lessons.
#[utoipa::path(put, path = "/calendar/{year}", tag = "attendance", request_body = CalendarInput,
    params(("year" = i32, Path, description = "The year the school year starts in (2026 for 2026/27)")),
    responses((status = 200, body = CalendarSaved),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn save_calendar(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<i32>,
    Json(input): Json<CalendarInput>,
) -> AppResult<Json<CalendarSaved>> {
    crate::access::require_admin(&state, &user).await?;
    let (name, first_day, last_day) = school_year(year)?;
    input.check(year).map_err(AppError::Validation)?;
    let (before, _) = read_calendar(&state, year).await?;
    let days_of = |periods: &[CalendarPeriod]| -> BTreeSet<NaiveDate> {
        let spans: Vec<Span> = periods.iter().map(|p| p.span(year)).collect();
        shared::calendar::school_days(&spans, first_day, last_day)
            .into_iter()
            .collect()
    };
    let (old_days, new_days) = (days_of(&before), days_of(&input.periods));
    let gone: Vec<NaiveDate> = old_days.difference(&new_days).copied().collect();
    let added: Vec<NaiveDate> = new_days.difference(&old_days).copied().collect();
    let rows: Vec<calendar_store::NewPeriod> = input
        .periods
        .iter()
        .map(|p| calendar_store::NewPeriod {
            kind: p.kind.as_str(),
            code: &p.code,
            name_sv: p.name.sv.trim(),
            name_en: p.name.en.trim(),
            start_date: p.start_date,
            end_date: p.end_date,
        })
        .collect();
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    calendar_store::replace_year(&mut tx, &name, &rows, now).await?;
    let cancelled = calendar_store::cancel_lessons_on(&mut tx, &gone, now).await?;
    let mut restored = calendar_store::restore_lessons_on(&mut tx, &added, now).await?;
    // The timetable is rolled out into lessons for a stretch of days (a term at a time): a day
    // inside it that becomes a school day gets its lessons, one outside waits for its term.
    let rolled_out = calendar_store::lesson_span(&mut tx).await?;
    let inside: Vec<NaiveDate> = added
        .iter()
        .copied()
        .filter(|day| rolled_out.is_some_and(|(first, last)| first <= *day && *day <= last))
        .collect();
    let empty = calendar_store::days_without_lessons(&mut tx, &inside).await?;
    restored += store::generate_lessons(&mut tx, state.db.kind(), &empty, now).await?;
    tx.commit().await?;
    tracing::info!(
        school_year = %name,
        cancelled = cancelled.cancelled,
        kept = cancelled.kept,
        restored,
        "school calendar saved"
    );
    let (periods, rows) = read_calendar(&state, year).await?;
    Ok(Json(CalendarSaved {
        calendar: calendar_of(year, periods, &rows)?,
        lessons_cancelled: cancelled.cancelled as u32,
        lessons_kept: cancelled.kept as u32,
        lessons_restored: restored as u32,
    }))
}
