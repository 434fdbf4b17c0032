//! Follow-ups: dashboards of what needs attention, manual tasks, and the exceptions the job
//! runner raises when an automated step has used up its attempts.

pub mod subscriptions;

use axum::extract::State;
use serde::Deserialize;
use shared::follow_ups::{
    CommentRequest, DETAILS_MAX_CHARS, DueDateRequest, FollowUp, FollowUpEvent, FollowUpKind,
    FollowUpStatus, NewTask, Party, PartyRequest, StatusRequest, TITLE_MAX_CHARS, Team,
};
use shared::register::NamedRef;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path, Query};
use crate::state::AppState;
use crate::store::follow_ups::{self as store, Dashboard, FollowUpRow, NewFollowUp};
use crate::store::jobs::{self as job_store, JobRow};
use crate::store::{Db, cases as case_store};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dashboard, create_task))
        .routes(routes!(get_follow_up))
        .routes(routes!(assign))
        .routes(routes!(share))
        .routes(routes!(set_status))
        .routes(routes!(set_due_date))
        .routes(routes!(comment))
        .routes(routes!(retry))
        .routes(routes!(list_teams))
        .merge(subscriptions::router())
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DashboardView {
    Mine,
    Teams,
    Overdue,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    view: DashboardView,
}

/// Active follow-ups: mine, my teams', or overdue ones I can see.
#[utoipa::path(get, path = "/follow-ups", tag = "follow_ups", params(DashboardParams),
    responses((status = 200, body = Vec<FollowUp>), (status = 401, body = shared::api::ErrorEnvelope)))]
async fn dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<DashboardParams>,
) -> AppResult<Json<Vec<FollowUp>>> {
    let view = match params.view {
        DashboardView::Mine => Dashboard::Mine,
        DashboardView::Teams => Dashboard::Teams,
        DashboardView::Overdue => Dashboard::Overdue,
    };
    let rows = store::dashboard(&state.db, user.person_id, view, clock::today()).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(follow_up(&state.db, row, false).await?);
    }
    Ok(Json(items))
}

/// Create a task (staff). Details must not hold sensitive personal data.
#[utoipa::path(post, path = "/follow-ups", tag = "follow_ups", request_body = NewTask,
    responses((status = 200, body = FollowUp), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn create_task(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(task): Json<NewTask>,
) -> AppResult<Json<FollowUp>> {
    let today = clock::today();
    if !case_store::is_staff(&state.db, user.person_id, today).await? {
        return Err(AppError::Forbidden);
    }
    let title = text("title", &task.title, TITLE_MAX_CHARS, true)?;
    let details = text("details", &task.details, DETAILS_MAX_CHARS, false)?;
    let (person, team) = match &task.assignee {
        Some(party) => party_ids(&state, party, "assignee").await?,
        None => (Some(user.person_id), None),
    };
    if let Some(case_id) = task.case_id {
        let relation = case_store::relation(&state.db, user.person_id, case_id, today).await?;
        if !relation.is_staff() {
            return Err(AppError::field(
                "case_id",
                "not_found",
                "no such case of yours",
            ));
        }
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let new = NewFollowUp {
        kind: FollowUpKind::Task.as_str(),
        title,
        details,
        due_date: task.due_date,
        owner: Some(user.person_id),
        assignee_person: person,
        assignee_team: team,
        case_id: task.case_id,
        job_id: None,
    };
    let id = store::create(&mut tx, &new, Some(user.person_id), now).await?;
    tx.commit().await?;
    reload(&state, &user, id).await
}

#[utoipa::path(get, path = "/follow-ups/{id}", tag = "follow_ups",
    params(("id" = Uuid, Path, description = "Follow-up id")),
    responses((status = 200, body = FollowUp), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn get_follow_up(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<FollowUp>> {
    reload(&state, &user, id).await
}

/// Assign to a person or a team.
#[utoipa::path(post, path = "/follow-ups/{id}/assignment", tag = "follow_ups", request_body = PartyRequest,
    params(("id" = Uuid, Path, description = "Follow-up id")),
    responses((status = 200, body = FollowUp), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(party): Json<PartyRequest>,
) -> AppResult<Json<FollowUp>> {
    handled(&state, &user, id).await?;
    let (person, team) = party_ids(&state, &party, "assignee").await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    store::set_assignee(&mut tx, id, person, team, now).await?;
    let detail = person.or(team).map(|p| p.to_string()).unwrap_or_default();
    store::record_event(&mut tx, id, Some(user.person_id), "assigned", &detail, now).await?;
    tx.commit().await?;
    reload(&state, &user, id).await
}

/// Share with a person or team; ownership stays.
#[utoipa::path(post, path = "/follow-ups/{id}/shares", tag = "follow_ups", request_body = PartyRequest,
    params(("id" = Uuid, Path, description = "Follow-up id")),
    responses((status = 200, body = FollowUp), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn share(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(party): Json<PartyRequest>,
) -> AppResult<Json<FollowUp>> {
    handled(&state, &user, id).await?;
    let (person, team) = party_ids(&state, &party, "share").await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    store::add_share(&mut tx, id, person, team, now).await?;
    let detail = person.or(team).map(|p| p.to_string()).unwrap_or_default();
    store::record_event(&mut tx, id, Some(user.person_id), "shared", &detail, now).await?;
    tx.commit().await?;
    reload(&state, &user, id).await
}

/// Mark processed or closed (or active again).
#[utoipa::path(post, path = "/follow-ups/{id}/status", tag = "follow_ups", request_body = StatusRequest,
    params(("id" = Uuid, Path, description = "Follow-up id")),
    responses((status = 200, body = FollowUp), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<StatusRequest>,
) -> AppResult<Json<FollowUp>> {
    handled(&state, &user, id).await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    store::set_status(&mut tx, id, request.status.as_str(), now).await?;
    store::record_event(
        &mut tx,
        id,
        Some(user.person_id),
        "status",
        request.status.as_str(),
        now,
    )
    .await?;
    tx.commit().await?;
    reload(&state, &user, id).await
}

#[utoipa::path(post, path = "/follow-ups/{id}/due-date", tag = "follow_ups", request_body = DueDateRequest,
    params(("id" = Uuid, Path, description = "Follow-up id")),
    responses((status = 200, body = FollowUp), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn set_due_date(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<DueDateRequest>,
) -> AppResult<Json<FollowUp>> {
    handled(&state, &user, id).await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    store::set_due_date(&mut tx, id, request.due_date, now).await?;
    let detail = request.due_date.map(|d| d.to_string()).unwrap_or_default();
    store::record_event(&mut tx, id, Some(user.person_id), "due_date", &detail, now).await?;
    tx.commit().await?;
    reload(&state, &user, id).await
}

/// A comment in the follow-up's history, by anyone who sees it (shared ones included).
#[utoipa::path(post, path = "/follow-ups/{id}/comments", tag = "follow_ups", request_body = CommentRequest,
    params(("id" = Uuid, Path, description = "Follow-up id")),
    responses((status = 200, body = FollowUp), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn comment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<CommentRequest>,
) -> AppResult<Json<FollowUp>> {
    visible(&state, &user, id).await?;
    let body = text("body", &request.body, DETAILS_MAX_CHARS, true)?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    store::record_event(&mut tx, id, Some(user.person_id), "comment", body, now).await?;
    tx.commit().await?;
    reload(&state, &user, id).await
}

/// Exceptions: run the failed step again now; the exception is marked processed.
#[utoipa::path(post, path = "/follow-ups/{id}/retry", tag = "follow_ups",
    params(("id" = Uuid, Path, description = "Follow-up id")),
    responses((status = 200, body = FollowUp), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 409, description = "Not a failed step", body = shared::api::ErrorEnvelope)))]
async fn retry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<FollowUp>> {
    let row = handled(&state, &user, id).await?;
    let job = row
        .job_id
        .ok_or_else(|| AppError::Conflict("only exceptions have a step to retry".into()))?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    if !job_store::requeue(&mut tx, job, now).await? {
        return Err(AppError::Conflict(
            "the step is not in a failed state".into(),
        ));
    }
    store::set_status(&mut tx, id, FollowUpStatus::Processed.as_str(), now).await?;
    store::record_event(&mut tx, id, Some(user.person_id), "retried", "", now).await?;
    tx.commit().await?;
    state.jobs_wakeup.notify_one();
    reload(&state, &user, id).await
}

/// Teams and their members.
#[utoipa::path(get, path = "/teams", tag = "follow_ups",
    responses((status = 200, body = Vec<Team>), (status = 403, body = shared::api::ErrorEnvelope)))]
async fn list_teams(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<Team>>> {
    if !case_store::is_staff(&state.db, user.person_id, clock::today()).await? {
        return Err(AppError::Forbidden);
    }
    let mut teams: Vec<Team> = Vec::new();
    for (id, name, member, member_name) in store::teams(&state.db).await? {
        if teams.last().is_none_or(|t| t.id != id) {
            teams.push(Team {
                id,
                name,
                members: Vec::new(),
            });
        }
        if let (Some(member), Some(member_name), Some(team)) =
            (member, member_name, teams.last_mut())
        {
            team.members.push(NamedRef {
                id: member,
                name: member_name,
            });
        }
    }
    Ok(Json(teams))
}

/// Raises an exception for a job that used up its attempts, for the operations team and, when
/// the step belongs to a case, shared with the case owner. A job that already has one (it was
/// retried and failed again) gets that one back, active, with the new error in its details and
/// a "failed_again" event in its history, rather than a second exception.
pub async fn raise_exception(db: &Db, job: &JobRow, error: &str) -> anyhow::Result<()> {
    let now = clock::now();
    let team = store::ensure_team(db, store::OPERATIONS_TEAM, now).await?;
    let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap_or_default();
    let case = match payload["case_id"].as_str().and_then(|id| id.parse().ok()) {
        Some(id) => case_store::get(db, id).await?,
        None => None,
    };
    let title = match &case {
        Some(case) => format!(
            "Automatiskt steg misslyckades: {} i ärende {}",
            job.kind,
            case.number()
        ),
        None => format!("Automatiskt steg misslyckades: {}", job.kind),
    };
    let details = format!(
        "Steget {} misslyckades {} gånger. Senaste fel: {error}",
        job.kind, job.attempts
    );
    let mut tx = db.begin().await?;
    if let Some(id) = store::exception_of_job(&mut tx, job.id).await? {
        store::reopen(&mut tx, id, &details, now).await?;
        store::record_event(&mut tx, id, None, "failed_again", error, now).await?;
        tx.commit().await?;
        return Ok(());
    }
    let new = NewFollowUp {
        kind: FollowUpKind::Exception.as_str(),
        title: &title,
        details: &details,
        due_date: Some(clock::today()),
        owner: None,
        assignee_person: None,
        assignee_team: Some(team),
        case_id: case.as_ref().map(|c| c.id),
        job_id: Some(job.id),
    };
    let id = store::create(&mut tx, &new, None, now).await?;
    if let Some(owner) = case.as_ref().and_then(|c| c.owner_id) {
        store::add_share(&mut tx, id, Some(owner), None, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The follow-up, if the reader owns it or is its assignee (in person or through a team): only
/// they assign, share, set the status and due date. A share lets the reader read and comment.
async fn handled(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<FollowUpRow> {
    let row = visible(state, user, id).await?;
    if !row.handles {
        return Err(AppError::Forbidden);
    }
    Ok(row)
}

async fn visible(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<FollowUpRow> {
    store::visible(&state.db, user.person_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn reload(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<Json<FollowUp>> {
    let row = visible(state, user, id).await?;
    Ok(Json(follow_up(&state.db, row, true).await?))
}

async fn party_ids(
    state: &AppState,
    party: &PartyRequest,
    field: &str,
) -> AppResult<(Option<Uuid>, Option<Uuid>)> {
    match (party.person_id, party.team_id) {
        (Some(person), None) => {
            if case_store::is_staff(&state.db, person, clock::today()).await? {
                Ok((Some(person), None))
            } else {
                Err(AppError::field(
                    field,
                    "not_staff",
                    "choose a member of staff",
                ))
            }
        }
        (None, Some(team)) => {
            if store::team_exists(&state.db, team).await? {
                Ok((None, Some(team)))
            } else {
                Err(AppError::field(field, "no_such_team", "choose a team"))
            }
        }
        _ => Err(AppError::field(
            field,
            "one_of",
            "choose either a person or a team",
        )),
    }
}

fn text<'a>(field: &str, value: &'a str, max: usize, required: bool) -> AppResult<&'a str> {
    shared::text::checked(value, max, required).map_err(|problem| AppError::text(field, problem))
}

async fn follow_up(db: &Db, row: FollowUpRow, with_history: bool) -> AppResult<FollowUp> {
    let shares = store::shares(db, row.id)
        .await?
        .into_iter()
        .filter_map(
            |(person, person_name, team, team_name)| match (person, team) {
                (Some(id), _) => Some(Party::Person(NamedRef {
                    id,
                    name: person_name.unwrap_or_default(),
                })),
                (_, Some(id)) => Some(Party::Team(NamedRef {
                    id,
                    name: team_name.unwrap_or_default(),
                })),
                _ => None,
            },
        )
        .collect();
    let history = if with_history {
        store::events(db, row.id)
            .await?
            .into_iter()
            .map(|e| FollowUpEvent {
                at: e.at,
                actor: e.actor_id.map(|id| NamedRef {
                    id,
                    name: e.actor_name.unwrap_or_default(),
                }),
                kind: e.kind,
                detail: e.detail,
            })
            .collect()
    } else {
        Vec::new()
    };
    let status = FollowUpStatus::parse(&row.status).unwrap_or(FollowUpStatus::Active);
    let assignee = match (row.assignee_person_id, row.assignee_team_id) {
        (Some(id), _) => Some(Party::Person(NamedRef {
            id,
            name: row.assignee_person_name.unwrap_or_default(),
        })),
        (_, Some(id)) => Some(Party::Team(NamedRef {
            id,
            name: row.assignee_team_name.unwrap_or_default(),
        })),
        _ => None,
    };
    Ok(FollowUp {
        id: row.id,
        kind: FollowUpKind::parse(&row.kind).unwrap_or(FollowUpKind::Task),
        title: row.title,
        details: row.details,
        overdue: status == FollowUpStatus::Active
            && row.due_date.is_some_and(|d| d < clock::today()),
        due_date: row.due_date,
        owner: row.owner_id.map(|id| NamedRef {
            id,
            name: row.owner_name.unwrap_or_default(),
        }),
        assignee,
        shares,
        case_id: row.case_id,
        can_retry: row.handles && row.job_id.is_some() && status == FollowUpStatus::Active,
        can_handle: row.handles,
        status,
        created_at: row.created_at,
        history,
    })
}
