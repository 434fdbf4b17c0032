//! Placements in preschool and after-school care as independent providers report them (use
//! case 1): the report goes into the register at once (effective-dated), opens a case of type
//! `placement_change`, and an automated step files the report's PDF/A and tells the unit's
//! provider admins and the municipality's placement officers.

pub mod process;
pub mod report;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use shared::cases::{CaseNumber, Names};
use shared::placements::{
    PlacementReason, PlacementReport, ReportCreated, ReportKind, ReportRequest, UnitPlacementOn,
};
use shared::register::{NamedRef, Placement, PlacementKind, PupilRef};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path, Query};
use crate::state::AppState;
use crate::store::cases as case_store;
use crate::store::placements as store;

/// The team of the municipality's placement officers, who hear of every report.
pub const PLACEMENT_TEAM: &str = "Placeringshandläggare";

/// Reports one history page shows at most.
const REPORTS_MAX: u32 = 200;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_report, list_reports))
        .routes(routes!(unit_placements))
}

/// Report a start, a change of scope or an end at one of the caller's own units. The
/// register, the case and the notice are written together or not at all.
#[utoipa::path(post, path = "/placement-reports", tag = "placements",
    request_body = ReportRequest,
    responses((status = 201, body = ReportCreated),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, description = "Not a unit of the caller's provider", body = shared::api::ErrorEnvelope),
              (status = 422, description = "One entry per bad field", body = shared::api::ErrorEnvelope)))]
async fn create_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(request): Json<ReportRequest>,
) -> AppResult<(StatusCode, Json<ReportCreated>)> {
    let created = report::make(&state, &user, &request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportParams {
    /// Only this unit's reports.
    pub unit_id: Option<Uuid>,
    /// At most this many, newest first (default and most 200).
    pub limit: Option<u32>,
}

/// The reports made for the caller's provider's units, newest first, with their cases' status.
#[utoipa::path(get, path = "/placement-reports", tag = "placements", params(ReportParams),
    responses((status = 200, body = Vec<PlacementReport>),
              (status = 401, body = shared::api::ErrorEnvelope)))]
async fn list_reports(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ReportParams>,
) -> AppResult<Json<Vec<PlacementReport>>> {
    let limit = params.limit.unwrap_or(REPORTS_MAX).clamp(1, REPORTS_MAX);
    let today = clock::today();
    let rows = store::reports_for(&state.db, user.person_id, today, params.unit_id, limit).await?;
    let shown: Vec<Uuid> = rows
        .iter()
        .filter(|r| !r.child_protected)
        .map(|r| r.child_id)
        .collect();
    crate::access::log_read(&state.db, &user, "placement_report.list", "", &shown).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| PlacementReport {
                id: row.id,
                kind: ReportKind::parse(&row.kind).unwrap_or(ReportKind::Start),
                unit: NamedRef {
                    id: row.unit_id,
                    name: row.unit_name,
                },
                pupil: child_ref(
                    row.child_id,
                    row.child_protected,
                    &row.child_given_name,
                    &row.child_family_name,
                ),
                date: row.report_date,
                hours_per_week: row.hours_per_week,
                reason: row.reason.as_deref().and_then(PlacementReason::parse),
                previous_hours_per_week: (row.kind == ReportKind::ScopeChange.as_str())
                    .then(|| row.previous.as_deref().and_then(|p| p.parse().ok()))
                    .flatten(),
                case_id: row.case_id,
                case_number: CaseNumber {
                    year: row.case_year as u16,
                    serial: row.case_serial as u32,
                },
                case_status: Names {
                    sv: row.status_sv,
                    en: row.status_en,
                },
                reported_by: row.reported_by,
                reported_at: row.created_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AsOfParams {
    /// `YYYY-MM-DD`; today when left out.
    pub as_of: Option<NaiveDate>,
}

/// The placements at a unit on a day: for the unit's provider admins and the municipality's
/// placement staff; 404 for everyone else. Children whose identity is protected are masked.
#[utoipa::path(get, path = "/units/{id}/placements", tag = "placements",
    params(("id" = Uuid, Path, description = "Unit id"), AsOfParams),
    responses((status = 200, body = Vec<UnitPlacementOn>),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope)))]
async fn unit_placements(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(params): Query<AsOfParams>,
) -> AppResult<Json<Vec<UnitPlacementOn>>> {
    let today = clock::today();
    if store::provider_unit(&state.db, user.person_id, today, id)
        .await?
        .is_none()
        && !(municipal_staff(&state, &user).await? && unit_exists(&state, id).await?)
    {
        return Err(AppError::NotFound);
    }
    let as_of = params.as_of.unwrap_or(today);
    let rows = store::at_unit_on(&state.db, id, as_of).await?;
    let mut placements: Vec<UnitPlacementOn> = rows
        .into_iter()
        .map(|row| UnitPlacementOn {
            placement: Placement {
                id: row.id,
                kind: placement_kind(&row.kind),
                unit: NamedRef {
                    id: row.unit_id,
                    name: row.unit_name,
                },
                start_date: row.start_date,
                end_date: row.end_date,
                hours_per_week: row.hours_per_week,
            },
            group: row
                .group_id
                .zip(row.group_name)
                .map(|(id, name)| NamedRef { id, name }),
            reason: row.reason.as_deref().and_then(PlacementReason::parse),
            pupil: child_ref(
                row.child_id,
                row.child_protected,
                &row.child_given_name,
                &row.child_family_name,
            ),
        })
        .collect();
    // Named children by name; the masked ones last, in no order their names could give.
    placements.sort_by(|a, b| {
        (a.pupil.masked, &a.pupil.name, a.placement.id).cmp(&(
            b.pupil.masked,
            &b.pupil.name,
            b.placement.id,
        ))
    });
    let shown: Vec<Uuid> = placements
        .iter()
        .filter(|p| !p.pupil.masked)
        .map(|p| p.pupil.id)
        .collect();
    crate::access::log_read(
        &state.db,
        &user,
        "placement.list",
        &format!("unit={id} as_of={as_of}"),
        &shown,
    )
    .await?;
    Ok(Json(placements))
}

/// Case workers (the placement officers among them) and administrators see every unit's
/// placements and allocation.
pub async fn municipal_staff(state: &AppState, user: &CurrentUser) -> AppResult<bool> {
    if case_store::office_duties(&state.db, user.person_id, clock::today())
        .await?
        .case_worker
    {
        return Ok(true);
    }
    let roles = crate::auth::roles_of(&state.db, user.person_id).await?;
    Ok(roles.contains(&shared::auth::Role::Admin))
}

async fn unit_exists(state: &AppState, id: Uuid) -> AppResult<bool> {
    Ok(store::is_unit(&state.db, id).await?)
}

/// A child as a provider or the municipality's placement staff see them: by name, unless
/// their identity is protected (neither has the direct relation that would see it).
pub fn child_ref(id: Uuid, protected: bool, given_name: &str, family_name: &str) -> PupilRef {
    PupilRef {
        id,
        masked: protected,
        name: (!protected).then(|| format!("{given_name} {family_name}")),
    }
}

pub fn placement_kind(code: &str) -> PlacementKind {
    if code == "preschool" {
        PlacementKind::Preschool
    } else {
        PlacementKind::AfterSchool
    }
}
