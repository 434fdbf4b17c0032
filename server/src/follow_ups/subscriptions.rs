//! Subscriptions: "notify me when a case of type X is created for a pupil of my unit". Each
//! matching event becomes a notification follow-up for the subscriber, made by an automated
//! step enqueued in the transaction that created the case, and only for subscribers who reach
//! the pupil's unit. Notifications name the case and the unit, never the pupil.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::cases::Names;
use shared::follow_ups::{FollowUpKind, NewSubscription, Subscription, SubscriptionEvent};
use shared::register::NamedRef;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path};
use crate::jobs::{self, BatchStep, JobStep};
use crate::state::AppState;
use crate::store::follow_ups::subscriptions::{self as store, SubscriptionRow};
use crate::store::follow_ups::{self as follow_up_store, NewFollowUp};
use crate::store::register::{self as register_store, Reader};
use crate::store::{Db, Tx, cases as case_store};

/// The step that turns a created case into notifications.
pub const CASE_CREATED: &str = "follow_ups.case_created";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, subscribe))
        .routes(routes!(unsubscribe))
        .routes(routes!(case_types))
}

/// Enqueues the notification step for a new case, in the transaction that creates it.
pub async fn case_created(tx: &mut Tx, case_id: Uuid) -> sqlx::Result<()> {
    jobs::enqueue(tx, &CaseCreated { case_id }).await
}

/// Automated step: a notification follow-up for each subscriber who matches the new case and
/// still reaches the pupil's unit (or, subscribed to every unit, handles cases centrally).
/// Its effects are all in `tx`, so it shares its batch's transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseCreated {
    pub case_id: Uuid,
}

impl JobStep for CaseCreated {
    const KIND: &'static str = CASE_CREATED;

    fn key(&self) -> String {
        format!("{CASE_CREATED}:{}", self.case_id)
    }
}

impl BatchStep for CaseCreated {
    async fn run(&self, state: &AppState, tx: &mut Tx) -> anyhow::Result<()> {
        notify_case_created(&state.db, tx, self.case_id).await
    }
}

async fn notify_case_created(db: &Db, tx: &mut Tx, case_id: Uuid) -> anyhow::Result<()> {
    let today = clock::today();
    let Some(case) = store::created_case(tx, case_id, today).await? else {
        anyhow::bail!("no case {case_id}");
    };
    let unit_ids: Vec<Uuid> = case.units.iter().map(|(id, _)| *id).collect();
    let matches = store::matching_case_created(tx, &case.case_type, &unit_ids).await?;
    let mut notified = BTreeSet::new();
    let number = format!("{}/{:05}", case.year, case.serial);
    let now = clock::now();
    for (_, person, unit) in matches {
        if notified.contains(&person) {
            continue;
        }
        let reader = Reader {
            person_id: person,
            today,
        };
        // A protected pupil's case is tied to no unit: only the case office hears of it.
        if case.subject_protected && unit.is_some() {
            continue;
        }
        let reached_unit = match unit {
            _ if case.subject_protected => None,
            Some(unit) => reaches(db, reader, unit).await?.then_some(unit),
            None => first_reached(db, reader, &unit_ids).await?,
        };
        let office = case_store::relation(db, person, case_id, today)
            .await?
            .case_office;
        if reached_unit.is_none() && !office {
            continue;
        }
        let unit_name = reached_unit
            .and_then(|u| case.units.iter().find(|(id, _)| *id == u))
            .map(|(_, name)| name.as_str());
        let title = format!("Nytt ärende {number}: {}", case.case_type_sv);
        let details = match unit_name {
            Some(unit) => format!(
                "Ett ärende av typen {} har registrerats för en elev vid {unit}. \
                 Du får den här notisen eftersom du bevakar nya ärenden.",
                case.case_type_sv
            ),
            None => format!(
                "Ett ärende av typen {} har registrerats. \
                 Du får den här notisen eftersom du bevakar nya ärenden.",
                case.case_type_sv
            ),
        };
        let new = NewFollowUp {
            kind: FollowUpKind::Notification.as_str(),
            title: &title,
            details: &details,
            due_date: None,
            owner: Some(person),
            assignee_person: Some(person),
            assignee_team: None,
            case_id: Some(case_id),
            job_id: None,
        };
        follow_up_store::create(tx, &new, None, now).await?;
        notified.insert(person);
    }
    Ok(())
}

async fn reaches(db: &Db, reader: Reader, unit: Uuid) -> sqlx::Result<bool> {
    Ok(register_store::visible_unit(db, reader, unit)
        .await?
        .is_some())
}

async fn first_reached(db: &Db, reader: Reader, units: &[Uuid]) -> sqlx::Result<Option<Uuid>> {
    for unit in units {
        if reaches(db, reader, *unit).await? {
            return Ok(Some(*unit));
        }
    }
    Ok(None)
}

fn view(row: SubscriptionRow) -> Subscription {
    Subscription {
        id: row.id,
        event: SubscriptionEvent::parse(&row.event).unwrap_or(SubscriptionEvent::CaseCreated),
        case_type_name: match (&row.case_type_sv, &row.case_type_en) {
            (Some(sv), Some(en)) => Some(Names {
                sv: sv.clone(),
                en: en.clone(),
            }),
            _ => None,
        },
        case_type: row.case_type,
        unit: row
            .unit_id
            .zip(row.unit_name)
            .map(|(id, name)| NamedRef { id, name }),
        created_at: row.created_at,
    }
}

/// My subscriptions.
#[utoipa::path(get, path = "/follow-ups/subscriptions", tag = "follow_ups",
    responses((status = 200, body = Vec<Subscription>), (status = 401, body = shared::api::ErrorEnvelope)))]
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<Subscription>>> {
    let rows = store::of_person(&state.db, user.person_id).await?;
    Ok(Json(rows.into_iter().map(view).collect()))
}

/// Subscribe (staff): to new cases, of one type or all, in one of my units or all I reach.
/// Subscribing again to the same returns the existing subscription.
#[utoipa::path(post, path = "/follow-ups/subscriptions", tag = "follow_ups", request_body = NewSubscription,
    responses((status = 201, body = Subscription), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn subscribe(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(new): Json<NewSubscription>,
) -> AppResult<(StatusCode, Json<Subscription>)> {
    let reader = user.reader();
    if !case_store::is_staff(&state.db, user.person_id, reader.today).await? {
        return Err(AppError::Forbidden);
    }
    let case_type = new
        .case_type
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(code) = case_type {
        let known = store::case_types(&state.db).await?;
        if !known.iter().any(|(c, _, _)| c == code) {
            return Err(AppError::field("case_type", "unknown", "no such case type"));
        }
    }
    if let Some(unit) = new.unit_id
        && !reaches(&state.db, reader, unit).await?
    {
        return Err(AppError::field(
            "unit_id",
            "not_found",
            "not one of your units",
        ));
    }
    let mut tx = state.db.begin().await?;
    let id = store::add(
        &mut tx,
        &store::NewSubscription {
            person_id: user.person_id,
            event: new.event.as_str(),
            case_type,
            unit_id: new.unit_id,
        },
        clock::now(),
    )
    .await?;
    tx.commit().await?;
    let row = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view(row))))
}

#[utoipa::path(delete, path = "/follow-ups/subscriptions/{id}", tag = "follow_ups",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses((status = 204, description = "Removed"), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn unsubscribe(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    if store::remove(&state.db, user.person_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

/// The case types one can subscribe to: code and names.
#[utoipa::path(get, path = "/follow-ups/subscriptions/case-types", tag = "follow_ups",
    responses((status = 200, body = Vec<shared::follow_ups::CaseTypeOption>)))]
async fn case_types(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> AppResult<Json<Vec<shared::follow_ups::CaseTypeOption>>> {
    let rows = store::case_types(&state.db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(code, sv, en)| shared::follow_ups::CaseTypeOption {
                code,
                name: Names { sv, en },
            })
            .collect(),
    ))
}
