//! Guardians report absence (use case 4): an acting guardian for their child under 18, a pupil
//! of 18 or more for themself, from today on. The report is an absence of kind
//! `reported_absence`, so the lessons of those days are prefilled as valid absence (reason:
//! reported by guardian) in the teachers' registers.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Days;
use shared::api::FieldError;
use shared::attendance::{
    ABSENCE_REPORT_DAYS_MAX, ABSENCE_REPORT_NOTE_MAX, AbsenceReport, AbsenceReportInput,
};
use shared::register::NamedRef;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::access;
use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path};
use crate::state::AppState;
use crate::store::attendance::{self as store, AbsenceReportRow, NewReport};
use crate::store::register as register_store;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(absence_reports, report_absence))
}

/// The pupil's reported absences from today on, for the pupil (18 or more) and the acting
/// guardians.
#[utoipa::path(get, path = "/pupils/{id}/absence-reports", tag = "attendance",
    params(("id" = Uuid, Path, description = "Pupil id")),
    responses((status = 200, body = Vec<AbsenceReport>),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope)))]
async fn absence_reports(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<AbsenceReport>>> {
    may_report(&state, &user, id).await?;
    let rows = store::reports_of(&state.db, id, clock::today()).await?;
    access::log_read(&state.db, &user, "attendance.reports", "", &[id]).await?;
    Ok(Json(rows.into_iter().map(report_of).collect()))
}

/// Reports the pupil absent from `from` to `to` (both inclusive): today or later, at most 31
/// days, at least one school day, not overlapping an earlier report.
#[utoipa::path(post, path = "/pupils/{id}/absence-reports", tag = "attendance",
    params(("id" = Uuid, Path, description = "Pupil id")),
    request_body = AbsenceReportInput,
    responses((status = 201, body = AbsenceReport),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope,
               description = "Not the reader's child under 18, nor the reader themself at 18 or more"),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn report_absence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(input): Json<AbsenceReportInput>,
) -> AppResult<(StatusCode, Json<AbsenceReport>)> {
    may_report(&state, &user, id).await?;
    let today = clock::today();
    let from = input.from;
    let to = input.to.unwrap_or(from);
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|note| !note.is_empty());
    let mut problems = Vec::new();
    if from < today {
        problems.push(FieldError::new(
            "from",
            "in_the_past",
            "absence is reported from today on; the school corrects earlier days",
        ));
    }
    if to < from {
        problems.push(FieldError::new(
            "to",
            "before_from",
            "the last day is before the first",
        ));
    } else if (to - from).num_days() >= ABSENCE_REPORT_DAYS_MAX {
        problems.push(FieldError::new(
            "to",
            "too_long",
            format!("at most {ABSENCE_REPORT_DAYS_MAX} days in one report"),
        ));
    } else if from > today + Days::new(366) {
        problems.push(FieldError::new(
            "from",
            "too_far_ahead",
            "at most a year ahead",
        ));
    }
    if note.is_some_and(|note| note.chars().count() > ABSENCE_REPORT_NOTE_MAX) {
        problems.push(FieldError::new(
            "note",
            "too_long",
            format!("at most {ABSENCE_REPORT_NOTE_MAX} characters"),
        ));
    }
    if note.is_some_and(|note| note.chars().any(|c| c.is_control() && c != '\n')) {
        problems.push(FieldError::new(
            "note",
            "control_characters",
            "the note has characters that cannot be shown",
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let mut tx = state.db.begin().await?;
    if store::school_days(&mut tx, from, to).await?.is_empty() {
        return Err(AppError::field(
            "to",
            "no_school_day",
            "there is no school day in the period (weekends, breaks and holidays)",
        ));
    }
    if let Some(earlier) = store::overlapping_report(&mut tx, id, from, to).await? {
        return Err(AppError::field(
            "from",
            "overlaps_report",
            format!(
                "absence is already reported from {} to {}",
                earlier.from_date, earlier.to_date
            ),
        ));
    }
    let now = clock::now();
    let report = NewReport {
        pupil: id,
        from,
        to,
        note,
        reported_by: user.person_id,
    };
    let report_id = store::insert_report(&mut tx, &report, now).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(AbsenceReport {
            id: report_id,
            pupil_id: id,
            from,
            to,
            note: note.map(str::to_owned),
            reported_by: Some(NamedRef {
                id: user.person_id,
                name: format!("{} {}", user.given_name, user.family_name),
            }),
            reported_at: now,
        }),
    ))
}

/// An acting guardian of a child under 18, or the pupil themself at 18 or more; 404 otherwise.
async fn may_report(state: &AppState, user: &CurrentUser, pupil: Uuid) -> AppResult<()> {
    let reader = user.reader();
    let allowed = if user.person_id == pupil {
        register_store::person_basic(&state.db, pupil)
            .await?
            .is_some_and(|person| person.birth_date <= reader.adult_cutoff())
    } else {
        register_store::is_self_or_guardian(&state.db, reader, pupil).await?
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

fn report_of(row: AbsenceReportRow) -> AbsenceReport {
    AbsenceReport {
        id: row.id,
        pupil_id: row.person_id,
        from: row.from_date,
        to: row.to_date,
        note: row.note,
        reported_by: row.reported_by.map(|id| NamedRef {
            id,
            name: format!(
                "{} {}",
                row.reporter_given.unwrap_or_default(),
                row.reporter_family.unwrap_or_default()
            ),
        }),
        reported_at: row.created_at,
    }
}
