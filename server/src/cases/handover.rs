//! Handing a case over: its owner passes an open case on, with a note, to a person who may
//! handle or decide it (they become the owner and are told) or to a team (the case goes back
//! to the case office's queue, the team gets a task). A case whose owner may not decide it —
//! a long leave routed by hand to a case worker — is never stuck: the owner hands it over.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::cases::{
    CaseDetail, HANDOVER_NOTE_MAX_CHARS, HandoverOptions, HandoverPerson, HandoverRequest,
};
use shared::follow_ups::FollowUpKind;
use shared::register::NamedRef;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path};
use crate::state::AppState;
use crate::store::cases::{self as store, CaseRow};
use crate::store::follow_ups as follow_up_store;
use crate::store::messages::NewMessage;
use crate::store::register as register_store;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(hand_over))
        .routes(routes!(handover_options))
}

/// Who the owner may hand the case over to (the case's owner only).
#[utoipa::path(get, path = "/cases/{id}/handover-options", tag = "cases",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = HandoverOptions), (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, body = shared::api::ErrorEnvelope), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn handover_options(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<HandoverOptions>> {
    let (row, relation) = super::staff_case(&state, &user, id).await?;
    if !relation.owner {
        return Err(AppError::Forbidden);
    }
    let access = crate::access::CaseAccess::with(&state, &user, &row, relation).await?;
    let persons = candidates(&state, &row, access.sees_subject)
        .await?
        .into_iter()
        .filter(|person| person.id != user.person_id)
        .collect();
    let mut teams: Vec<NamedRef> = Vec::new();
    for (id, name, ..) in follow_up_store::teams(&state.db).await? {
        if teams.last().is_none_or(|team| team.id != id) {
            teams.push(NamedRef { id, name });
        }
    }
    Ok(Json(HandoverOptions { persons, teams }))
}

/// Hands the case over to a person or a team, with a note (the case's owner, while the case
/// is new or open). Answers the case as the owner now sees it, or 204 when handing it over
/// took away their reach (a principal who passes a case to the case office).
#[utoipa::path(post, path = "/cases/{id}/handover", tag = "cases", request_body = HandoverRequest,
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 204, description = "Handed over; the case is out of the caller's reach now"),
              (status = 401, body = shared::api::ErrorEnvelope), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope), (status = 409, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn hand_over(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<HandoverRequest>,
) -> AppResult<Response> {
    let (row, relation) = super::staff_case(&state, &user, id).await?;
    if !relation.owner {
        return Err(AppError::Forbidden);
    }
    if !matches!(row.status.as_str(), "new" | "open") {
        return Err(AppError::Conflict("the case is no longer open".into()));
    }
    let note = shared::text::checked(&request.note, HANDOVER_NOTE_MAX_CHARS, true)
        .map_err(|problem| AppError::text("note", problem))?;
    let to = match (request.to_person_id, request.to_team_id) {
        (Some(person), None) => To::Person(person),
        (None, Some(team)) => To::Team(team),
        _ => {
            return Err(AppError::field(
                "to_person_id",
                "one_recipient",
                "choose either a person or a team",
            ));
        }
    };
    let now = clock::now();
    let number = row.number();
    let from = register_store::person_name(&state.db, user.person_id).await?;
    let from = format!("{} {}", from.given_name, from.family_name);
    match to {
        To::Person(person) => {
            if person == user.person_id {
                return Err(AppError::field(
                    "to_person_id",
                    "already_owner",
                    "you are the case's owner already",
                ));
            }
            let access = crate::access::CaseAccess::with(&state, &user, &row, relation).await?;
            if !candidates(&state, &row, access.sees_subject)
                .await?
                .iter()
                .any(|candidate| candidate.id == person)
            {
                return Err(AppError::field(
                    "to_person_id",
                    "not_handler",
                    "choose a person who may handle or decide the case",
                ));
            }
            let mut tx = state.db.begin().await?;
            store::assign(&mut tx, id, person, row.deadline, now).await?;
            let detail = format!("to_person={person}\n{note}");
            store::record_event(
                &mut tx,
                id,
                Some(user.person_id),
                "handed_over",
                None,
                &detail,
                now,
            )
            .await?;
            let subject = (
                format!("Ärende {number} har lämnats över till dig"),
                format!("Case {number} has been handed over to you"),
            );
            let body = (
                format!("{from} lämnade över ärendet till dig med anteckningen:\n\n{note}"),
                format!("{from} handed the case over to you with the note:\n\n{note}"),
            );
            let message = NewMessage {
                person_id: person,
                case_id: Some(id),
                subject: (&subject.0, &subject.1),
                body: (&body.0, &body.1),
            };
            crate::messages::deliver(&mut tx, &state, &message).await?;
            tx.commit().await?;
        }
        To::Team(team) => {
            if !follow_up_store::team_exists(&state.db, team).await? {
                return Err(AppError::field(
                    "to_team_id",
                    "unknown_team",
                    "choose a team",
                ));
            }
            // The queue is the case office's: without a case worker for the type, nobody
            // could take the case from it.
            if store::case_workers_for(&state.db, clock::today(), &row.case_type)
                .await?
                .is_empty()
            {
                return Err(AppError::field(
                    "to_team_id",
                    "no_case_worker",
                    "no case worker handles cases of this type: hand it to a person",
                ));
            }
            let mut tx = state.db.begin().await?;
            store::release(&mut tx, id, now).await?;
            let detail = format!("to_team={team}\n{note}");
            store::record_event(
                &mut tx,
                id,
                Some(user.person_id),
                "handed_over",
                None,
                &detail,
                now,
            )
            .await?;
            let title = format!("Ärende {number} har lämnats över till teamet");
            // The note stays in the case's history, which only those who reach the case read.
            let details = format!(
                "{from} lämnade över ärendet. Det ligger i fördelningskön tills någon tilldelas \
                 det; anteckningen finns i ärendets historik."
            );
            let task = follow_up_store::NewFollowUp {
                kind: FollowUpKind::Task.as_str(),
                title: &title,
                details: &details,
                due_date: Some(row.due_date),
                owner: Some(user.person_id),
                assignee_person: None,
                assignee_team: Some(team),
                case_id: Some(id),
                job_id: None,
            };
            follow_up_store::create(&mut tx, &task, Some(user.person_id), now).await?;
            tx.commit().await?;
        }
    }
    let relation = store::relation(&state.db, user.person_id, id, clock::today()).await?;
    if relation.is_staff() || relation.registrar {
        Ok(super::reload(&state, &user, id).await?.into_response())
    } else {
        Ok(StatusCode::NO_CONTENT.into_response())
    }
}

enum To {
    Person(Uuid),
    Team(Uuid),
}

/// The persons a case can go to: the case workers whose duty covers its type, and whoever its
/// process says may decide it (leave: the pupil's mentor and principal), by name. An owner
/// who sees the subject masked is offered the case workers only: the names of the pupil's
/// principal and mentor would tell the pupil's school and class.
async fn candidates(
    state: &AppState,
    row: &CaseRow,
    sees_subject: bool,
) -> AppResult<Vec<HandoverPerson>> {
    let today = clock::today();
    let process = state.processes.of(&row.case_type);
    let mut persons = Vec::new();
    for (id, given, family) in store::case_workers_for(&state.db, today, &row.case_type).await? {
        persons.push(HandoverPerson {
            id,
            name: format!("{given} {family}"),
            may_decide: process.may_decide(state, row, id, today).await?,
        });
    }
    let deciders = if sees_subject {
        process.deciders(state, row, today).await?
    } else {
        Vec::new()
    };
    for id in deciders {
        if persons.iter().any(|person| person.id == id) {
            continue;
        }
        let person = register_store::person_name(&state.db, id).await?;
        persons.push(HandoverPerson {
            id,
            name: format!("{} {}", person.given_name, person.family_name),
            may_decide: process.may_decide(state, row, id, today).await?,
        });
    }
    Ok(persons)
}
