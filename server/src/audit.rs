//! The access log as the people in it see it: a person, or an acting guardian for their child,
//! asks who has read their data (GDPR art. 15), as a page and as a PDF/A extract.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono_tz::Europe::Stockholm;
use serde::Deserialize;
use shared::audit::{AccessLogEntry, AccessLogExtract};
use shared::cases::Names;
use shared::personal_number::age_on;
use shared::register::NamedRef;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::access;
use crate::auth::CurrentUser;
use crate::clock;
use crate::documents::{disposition, pdf};
use crate::error::{AppError, AppResult, Json, Query};
use crate::state::AppState;
use crate::store::{audit as store, register as register_store};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(access_log))
        .routes(routes!(access_log_pdf))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExtractParams {
    /// A child the reader is an acting guardian of; the reader themselves when absent.
    person: Option<Uuid>,
}

/// Who has read my data, or my child's, oldest first.
#[utoipa::path(get, path = "/my/access-log", tag = "audit", params(ExtractParams),
    responses((status = 200, body = AccessLogExtract),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, description = "Not yourself or your child", body = shared::api::ErrorEnvelope)))]
async fn access_log(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ExtractParams>,
) -> AppResult<Json<AccessLogExtract>> {
    Ok(Json(extract(&state, &user, params.person).await?))
}

/// The same extract as a PDF/A-2b document.
#[utoipa::path(get, path = "/my/access-log/pdf", tag = "audit", params(ExtractParams),
    responses((status = 200, description = "The extract", content_type = "application/pdf"),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope)))]
async fn access_log_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ExtractParams>,
) -> AppResult<Response> {
    let extract = extract(&state, &user, params.person).await?;
    let document = pdf::AccessLogExtract {
        sender: crate::municipality::sender(&state).await?,
        date: clock::today(),
        person: extract.person.name.clone(),
        entries: extract
            .entries
            .iter()
            .map(|entry| {
                [
                    entry
                        .at
                        .with_timezone(&Stockholm)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                    entry.reader.name.clone(),
                    entry.what.sv.clone(),
                ]
            })
            .collect(),
    };
    let bytes = tokio::task::spawn_blocking(move || pdf::render_access_log(&document))
        .await
        .map_err(anyhow::Error::from)??;
    let file_name = format!("logg-{}.pdf", clock::today());
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                disposition::attachment(&file_name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// The extract for `person` (the reader by default), if it is the reader or a child under 18
/// they are an acting guardian of; otherwise 404. Reading it is logged too.
async fn extract(
    state: &AppState,
    user: &CurrentUser,
    person: Option<Uuid>,
) -> AppResult<AccessLogExtract> {
    let db = &state.db;
    let today = clock::today();
    let person = person.unwrap_or(user.person_id);
    if person != user.person_id {
        let child = register_store::person_basic(db, person)
            .await?
            .ok_or(AppError::NotFound)?;
        let guardian = register_store::has_guardianship(db, user.person_id, person, today).await?;
        if !guardian || age_on(child.birth_date, today) >= 18 {
            return Err(AppError::NotFound);
        }
    }
    let rows = store::entries_for_subject(db, person).await?;
    let mut readers: HashMap<Uuid, String> = HashMap::new();
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let reader = match readers.get(&row.actor_person_id) {
            Some(name) => name.clone(),
            None if row.actor_person_id == access::AUTOMATION => {
                "Skolflyt (automatisk överföring / automatic transfer)".to_owned()
            }
            None => {
                let named = register_store::person_name(db, row.actor_person_id).await?;
                let name = format!("{} {}", named.given_name, named.family_name);
                readers.insert(row.actor_person_id, name.clone());
                name
            }
        };
        entries.push(AccessLogEntry {
            at: row.at,
            reader: NamedRef {
                id: row.actor_person_id,
                name: reader,
            },
            what: what_was_read(&row.action),
            action: row.action,
        });
    }
    let named = register_store::person_name(db, person).await?;
    access::log_read(db, user, "access_log.read", "", &[person]).await?;
    Ok(AccessLogExtract {
        person: NamedRef {
            id: person,
            name: format!("{} {}", named.given_name, named.family_name),
        },
        entries,
    })
}

/// A logged action in words, as the person read about reads it.
fn what_was_read(action: &str) -> Names {
    let (sv, en) = match action {
        "pupil.read" => ("läste elevuppgifterna", "read the pupil's details"),
        "pupil.list" => (
            "såg eleven i en elevlista",
            "saw the pupil in a list of pupils",
        ),
        "placement.list" => (
            "såg placeringen vid en enhet",
            "saw the placement at a unit",
        ),
        "leave.list" => ("läste tidigare ledigheter", "read earlier leave"),
        "case.read" => ("läste ett ärende", "read a case"),
        "case.list" => (
            "såg ett ärende i en ärendelista",
            "saw a case in a list of cases",
        ),
        "case.document.read" => (
            "öppnade ett dokument i ett ärende",
            "opened a case document",
        ),
        "case.identity.disclose" => (
            "angav behov av att se den skyddade identiteten",
            "stated the need to see the protected identity",
        ),
        "my_case.list" => ("såg ärendet i Mina ärenden", "saw the case in My cases"),
        "my_case.read" => ("läste ärendet i Mina ärenden", "read the case in My cases"),
        "inbox.list" => (
            "såg ett meddelande om ärendet",
            "saw a message about the case",
        ),
        "access_log.read" => ("läste loggen över åtkomst", "read the access log"),
        "attendance.planning_export" => (
            "lämnade dagens närvarosiffror (utan namn) till planeringssystemet",
            "passed the day's attendance figures (without names) to the planning system",
        ),
        _ => ("läste uppgifter", "read data"),
    };
    Names {
        sv: sv.to_owned(),
        en: en.to_owned(),
    }
}
