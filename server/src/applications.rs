//! E-services: what families and students apply for, and follow in "My cases".
//! Each application becomes a case (see `cases`); the leave of absence is the first.

pub mod confirmation;
pub mod ike;
pub mod leave;

use axum::extract::State;
use shared::cases::{DeclineRequest, MyCase, MyCaseDetail, Names, Outcome, PublicStatusChange};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::access;
use crate::auth::CurrentUser;
use crate::cases::process::FactsReader;
use crate::cases::{self, party_may_read};
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path};
use crate::state::AppState;
use crate::store::cases::{self as case_store, CaseRow};
use crate::store::messages;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(leave::submit))
        .routes(routes!(leave::confirm))
        .routes(routes!(leave::pupil_leave_history))
        .routes(routes!(my_cases))
        .routes(routes!(my_case))
        .routes(routes!(confirm))
        .routes(routes!(withdraw))
        .routes(routes!(decline))
        // A 5 MB attachment is about 6.7 MB in base64.
        .layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024))
}

/// The cases where I am the applicant or a co-applicant, newest first.
#[utoipa::path(get, path = "/my/cases", tag = "applications",
    responses((status = 200, body = Vec<MyCase>), (status = 401, body = shared::api::ErrorEnvelope)))]
async fn my_cases(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<MyCase>>> {
    let rows = case_store::cases_of_party(&state.db, user.reader()).await?;
    let subjects: Vec<Uuid> = rows.iter().filter_map(|row| row.subject_id).collect();
    access::log_read(&state.db, &user, "my_case.list", "", &subjects).await?;
    Ok(Json(rows.iter().map(my_case_of).collect()))
}

fn my_case_of(row: &CaseRow) -> MyCase {
    MyCase {
        id: row.id,
        number: row.number(),
        case_type_name: Names {
            sv: row.type_name_sv.clone(),
            en: row.type_name_en.clone(),
        },
        status_name: Names {
            sv: row.public_name_sv.clone(),
            en: row.public_name_en.clone(),
        },
        subject: cases::subject_ref(row, true),
        created_at: row.created_at,
        outcome: row.outcome.as_deref().and_then(Outcome::parse),
    }
}

/// One of my cases as an applicant sees it: public status names, my documents, the decision.
#[utoipa::path(get, path = "/my/cases/{id}", tag = "applications",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = MyCaseDetail), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn my_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<MyCaseDetail>> {
    let row = party_case(&state, &user, id).await?;
    Ok(Json(my_case_detail(&state, &user, &row).await?))
}

async fn my_case_detail(
    state: &AppState,
    user: &CurrentUser,
    row: &CaseRow,
) -> AppResult<MyCaseDetail> {
    let db = &state.db;
    let subjects: Vec<Uuid> = row.subject_id.into_iter().collect();
    access::log_read(
        db,
        user,
        "my_case.read",
        &format!("case={}", row.id),
        &subjects,
    )
    .await?;
    let names = case_store::status_names(db, &row.case_type).await?;
    let public_name = |code: &str| {
        names
            .iter()
            .find(|(c, ..)| c == code)
            .map(|(_, sv, en, _)| Names {
                sv: sv.clone(),
                en: en.clone(),
            })
    };
    let history = case_store::events(db, row.id)
        .await?
        .into_iter()
        .filter_map(|e| {
            let status = match e.kind.as_str() {
                "created" => e.detail.strip_prefix("status=").map(str::to_owned),
                "status" => e.to_status.clone(),
                _ => None,
            }?;
            Some(PublicStatusChange {
                at: e.at,
                status_name: public_name(&status)?,
            })
        })
        .collect();
    let documents = case_store::documents(db, row.id)
        .await?
        .into_iter()
        .filter(party_may_read)
        .map(|d| cases::document(row, d))
        .collect();
    let decision = case_store::decision(db, row.id).await?.map(cases::decision);
    let process = state.processes.of(&row.case_type);
    let reader = FactsReader {
        person_id: user.person_id,
        // An applicant's own application: they know whom it is about.
        sees_subject: true,
    };
    let told = process.applicant_facts(state, row, reader).await?;
    let waiting = confirmation::waiting(state, row, user.person_id).await?;
    let applicant = case_store::party_role(db, row.id, user.person_id)
        .await?
        .is_some_and(|role| role == "applicant");
    Ok(MyCaseDetail {
        can_decline: waiting.on_me,
        case: my_case_of(row),
        history,
        documents,
        decision,
        awaiting_my_confirmation: waiting.on_me,
        awaiting_other_party: waiting.on_others,
        can_withdraw: applicant
            && matches!(
                row.status.as_str(),
                "awaiting_confirmation" | "new" | "open"
            ),
        facts: told.facts,
    })
}

/// Confirm an application I was asked to sign as the child's other guardian (any e-service
/// whose every acting guardian must agree). The last confirmation sends it on to handling.
#[utoipa::path(post, path = "/my/cases/{id}/confirmation", tag = "applications",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = MyCaseDetail),
              (status = 404, description = "Not a case I was asked to confirm", body = shared::api::ErrorEnvelope),
              (status = 409, description = "Already confirmed, or no longer waiting (withdrawn, declined)", body = shared::api::ErrorEnvelope)))]
async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<MyCaseDetail>> {
    party_case(&state, &user, id).await?;
    confirmation::confirm(&state, id, user.person_id).await?;
    let row = case_store::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(my_case_detail(&state, &user, &row).await?))
}

/// Withdraw my application before it is decided.
#[utoipa::path(post, path = "/my/cases/{id}/withdrawal", tag = "applications",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = MyCaseDetail), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 409, description = "Already decided", body = shared::api::ErrorEnvelope)))]
async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<MyCaseDetail>> {
    let row = party_case(&state, &user, id).await?;
    if case_store::party_role(&state.db, id, user.person_id)
        .await?
        .as_deref()
        != Some("applicant")
    {
        return Err(AppError::Forbidden);
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    match case_store::transition(&mut tx, id, "withdrawn", Some(user.person_id), "", now).await? {
        case_store::Transition::Done { .. } => {}
        case_store::Transition::NotAllowed { .. } => {
            return Err(AppError::Conflict(
                "the case can no longer be withdrawn".into(),
            ));
        }
    }
    case_store::set_outcome(&mut tx, id, Outcome::Withdrawn.as_str(), now).await?;
    crate::cases::notices::notify_status(&mut tx, &state, id, "withdrawn").await?;
    tx.commit().await?;
    let row = case_store::get(&state.db, row.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(my_case_detail(&state, &user, &row).await?))
}

/// A co-applicant declines an application they have not agreed to, with a reason: the case
/// ends as withdrawn and the applicant is told why.
#[utoipa::path(post, path = "/my/cases/{id}/declination", tag = "applications",
    request_body = DeclineRequest,
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = MyCaseDetail), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope),
              (status = 409, description = "No longer waiting for the co-applicant", body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn decline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<DeclineRequest>,
) -> AppResult<Json<MyCaseDetail>> {
    let row = party_case(&state, &user, id).await?;
    if case_store::party_role(&state.db, id, user.person_id)
        .await?
        .as_deref()
        != Some("co_applicant")
    {
        return Err(AppError::Forbidden);
    }
    let reason = shared::text::checked(&request.reason, shared::cases::TEXT_MAX_CHARS, true)
        .map_err(|problem| AppError::text("reason", problem))?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let detail = format!("declined by a co-applicant: {reason}");
    match case_store::transition(&mut tx, id, "withdrawn", Some(user.person_id), &detail, now)
        .await?
    {
        case_store::Transition::Done { from } if from == "awaiting_confirmation" => {}
        _ => {
            return Err(AppError::Conflict(
                "the application no longer waits for your answer".into(),
            ));
        }
    }
    case_store::set_outcome(&mut tx, id, Outcome::Withdrawn.as_str(), now).await?;
    let number = row.number();
    let subject_sv = format!("Ärende {number}: den andra vårdnadshavaren sa nej");
    let subject_en = format!("Case {number}: the other guardian declined");
    let body_sv = format!(
        "Den andra vårdnadshavaren godkände inte ansökan {number}, som därför är återkallad. \
         Skäl: {reason}"
    );
    let body_en = format!(
        "The other guardian did not agree to application {number}, which is therefore \
         withdrawn. Reason: {reason}"
    );
    let message = messages::NewMessage {
        person_id: row.applicant_id,
        case_id: Some(id),
        subject: (&subject_sv, &subject_en),
        body: (&body_sv, &body_en),
    };
    crate::messages::deliver(&mut tx, &state, &message).await?;
    tx.commit().await?;
    let row = case_store::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(my_case_detail(&state, &user, &row).await?))
}

/// The case, if the reader is its applicant or a co-applicant; otherwise 404.
async fn party_case(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<CaseRow> {
    let relation = case_store::relation(&state.db, user.person_id, id, clock::today()).await?;
    if !relation.party {
        return Err(AppError::NotFound);
    }
    case_store::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}
