//! Case handling (Flyt): the distributors' queue, case owners' lists and case pages, notes,
//! subtasks for specialists, decisions and documents.

pub mod case_types;
pub mod handover;
pub mod notices;
pub mod process;

pub use process::APPEAL_INFORMATION;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use shared::api::{FieldError, Page};
use shared::auth::Role;
use shared::cases::{
    AssignmentRequest, CaseActions, CaseDetail, CaseDocument, CaseEvent, CaseNote, CaseNumber,
    CaseOwnerOption, CaseSummary, Decision, DecisionRequest, IdentityDisclosureRequest, LegalBasis,
    Names, NoteRequest, Outcome, PublicityClass, StatusView, Subtask, SubtaskRequest,
    SubtaskStatus, SubtaskUpdate, TEXT_MAX_CHARS,
};
use shared::register::{NamedRef, PupilRef};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::access::{self, CaseAccess};
use crate::auth::CurrentUser;
use crate::cases::process::{DecisionInput, FactsReader};
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path, Query};
use crate::pagination::{ListScope, next_cursor, page_limit};
use crate::state::AppState;
use crate::store::cases::{
    self as store, CaseFilter, CasePosition, CaseRelation, CaseRow, CaseView, DocumentRow,
    Transition,
};
use crate::store::register as register_store;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases))
        .routes(routes!(case_owners))
        .routes(routes!(get_case))
        .routes(routes!(assign_case))
        .routes(routes!(disclose_identity))
        .routes(routes!(add_note))
        .routes(routes!(add_subtask))
        .routes(routes!(my_subtasks))
        .routes(routes!(update_subtask))
        .routes(routes!(decide_case))
        .routes(routes!(close_case))
        .routes(routes!(download_document))
        .routes(routes!(legal_basis, set_legal_basis))
        .routes(routes!(case_types))
        .merge(handover::router())
}

/// The case types with their document types (staff and administrators): what an e-service's
/// intake can register a submission as.
#[utoipa::path(get, path = "/case-types", tag = "cases",
    responses((status = 200, body = Vec<shared::e_services::CaseTypeInfo>),
              (status = 401, body = shared::api::ErrorEnvelope), (status = 403, body = shared::api::ErrorEnvelope)))]
async fn case_types(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<shared::e_services::CaseTypeInfo>>> {
    use shared::e_services::{CaseTypeInfo, DocumentTypeInfo};
    let roles = crate::auth::roles_of(&state.db, user.person_id).await?;
    if !(roles.contains(&Role::Admin)
        || store::is_staff(&state.db, user.person_id, clock::today()).await?)
    {
        return Err(AppError::Forbidden);
    }
    let class = |code: &str| {
        PublicityClass::parse(code).ok_or_else(|| anyhow::anyhow!("unknown publicity class {code}"))
    };
    let mut types = Vec::new();
    for (code, sv, en, publicity, documents) in
        crate::store::e_services::case_types_with_documents(&state.db).await?
    {
        let document_types = documents
            .into_iter()
            .map(|(code, sv, en, publicity)| {
                Ok(DocumentTypeInfo {
                    code,
                    name: Names { sv, en },
                    publicity_class: class(&publicity)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        types.push(CaseTypeInfo {
            code,
            name: Names { sv, en },
            publicity_class: class(&publicity)?,
            document_types,
        });
    }
    Ok(Json(types))
}

/// The legal basis a case type's decisions cite (staff and administrators).
#[utoipa::path(get, path = "/case-types/{code}/legal-basis", tag = "cases",
    params(("code" = String, Path, description = "Case type code")),
    responses((status = 200, body = LegalBasis), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn legal_basis(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<Json<LegalBasis>> {
    let roles = crate::auth::roles_of(&state.db, user.person_id).await?;
    if !(roles.contains(&Role::Admin)
        || store::is_staff(&state.db, user.person_id, clock::today()).await?)
    {
        return Err(AppError::NotFound);
    }
    let text = store::legal_basis(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(LegalBasis {
        case_type: code,
        text,
    }))
}

/// Edit the legal basis a case type's decisions cite (administrators); decisions already made
/// keep theirs.
#[utoipa::path(put, path = "/case-types/{code}/legal-basis", tag = "cases", request_body = LegalBasis,
    params(("code" = String, Path, description = "Case type code")),
    responses((status = 200, body = LegalBasis), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope), (status = 422, body = shared::api::ErrorEnvelope)))]
async fn set_legal_basis(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(request): Json<LegalBasis>,
) -> AppResult<Json<LegalBasis>> {
    access::require_admin(&state, &user).await?;
    let text = required_text("text", &request.text)?.to_owned();
    if !crate::store::e_services::case_type_exists(&state.db, &code).await? {
        return Err(AppError::NotFound);
    }
    let mut tx = state.db.begin().await?;
    store::set_legal_basis(
        &mut tx,
        &code,
        &text,
        Some(user.person_id),
        true,
        clock::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(LegalBasis {
        case_type: code,
        text,
    }))
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListView {
    /// New cases waiting for an owner (distributors only).
    Queue,
    /// Open cases I own.
    Mine,
}

impl ListView {
    fn as_str(self) -> &'static str {
        match self {
            ListView::Queue => "queue",
            ListView::Mine => "mine",
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListParams {
    view: ListView,
    /// Case type code, e.g. `leave`.
    #[serde(rename = "type")]
    case_type: Option<String>,
    status: Option<String>,
    /// Only cases past their due date.
    #[serde(default)]
    overdue: bool,
    cursor: Option<String>,
    limit: Option<u32>,
}

/// The distribution queue or the reader's own cases, by due date.
#[utoipa::path(get, path = "/cases", tag = "cases", params(CaseListParams),
    responses((status = 200, body = Page<CaseSummary>),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, description = "The queue is for distributors", body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn list_cases(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<CaseListParams>,
) -> AppResult<Json<Page<CaseSummary>>> {
    let limit = page_limit(params.limit)?;
    let list = ListScope::new("cases", user.person_id)
        .with("view", Some(params.view.as_str()))
        .with("type", params.case_type.as_deref())
        .with("status", params.status.as_deref())
        .with("overdue", Some(params.overdue));
    let after: Option<CasePosition> = state.cursors.open(&list, params.cursor.as_deref())?;
    let today = clock::today();
    let view = match params.view {
        ListView::Queue => {
            if !store::office_duties(&state.db, user.person_id, today)
                .await?
                .any()
            {
                return Err(AppError::Forbidden);
            }
            CaseView::Queue(user.person_id, today)
        }
        ListView::Mine => CaseView::Mine(user.person_id),
    };
    let filter = CaseFilter {
        case_type: params.case_type,
        status: params.status,
        overdue_on: params.overdue.then_some(today),
    };
    let rows = store::list(&state.db, view, &filter, after, limit).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        // The owner of an unprotected subject's case sees them; anything else asks the seam.
        let sees_subject = match params.view {
            ListView::Mine if row.subject_protected != Some(true) => true,
            _ => CaseAccess::of(&state, &user, row).await?.sees_subject,
        };
        items.push(summary(row, sees_subject, today));
    }
    let subjects: Vec<Uuid> = rows.iter().filter_map(|row| row.subject_id).collect();
    access::log_read(&state.db, &user, "case.list", "", &subjects).await?;
    let next_cursor = next_cursor(&state.cursors, &list, &rows, limit, CasePosition::of);
    Ok(Json(Page { items, next_cursor }))
}

/// Case workers a distributor may make owner of a case.
#[utoipa::path(get, path = "/cases/owners", tag = "cases",
    responses((status = 200, body = Vec<CaseOwnerOption>),
              (status = 403, body = shared::api::ErrorEnvelope)))]
async fn case_owners(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<CaseOwnerOption>>> {
    if !store::office_duties(&state.db, user.person_id, clock::today())
        .await?
        .case_worker
    {
        return Err(AppError::Forbidden);
    }
    let workers = store::case_workers(&state.db, clock::today()).await?;
    Ok(Json(
        workers
            .into_iter()
            .map(|(id, given, family)| CaseOwnerOption {
                id,
                name: format!("{given} {family}"),
            })
            .collect(),
    ))
}

/// One case with its history, notes, documents, subtasks and decision (staff with a
/// relation to the case only; otherwise 404).
#[utoipa::path(get, path = "/cases/{id}", tag = "cases",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn get_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<CaseDetail>> {
    let (row, access) = readable_case(&state, &user, id).await?;
    Ok(Json(detail(&state, &user, &row, access).await?))
}

/// Distribute: set the owner and an advisory deadline (distributors only).
#[utoipa::path(post, path = "/cases/{id}/assignment", tag = "cases", request_body = AssignmentRequest,
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope), (status = 409, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn assign_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<AssignmentRequest>,
) -> AppResult<Json<CaseDetail>> {
    let (row, relation) = staff_case(&state, &user, id).await?;
    // Distributors assign; the owner may not move their own deadline.
    if !relation.case_office || relation.owner {
        return Err(AppError::Forbidden);
    }
    let today = clock::today();
    let owners = store::case_workers(&state.db, today).await?;
    if !owners.iter().any(|(owner, ..)| *owner == request.owner_id) {
        return Err(AppError::field(
            "owner_id",
            "not_case_worker",
            "choose a case worker",
        ));
    }
    if let Some(deadline) = request.deadline
        && deadline < today
    {
        return Err(AppError::field(
            "deadline",
            "in_past",
            "the deadline has passed",
        ));
    }
    if !matches!(row.status.as_str(), "new" | "open") {
        return Err(AppError::Conflict("the case is no longer open".into()));
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    store::assign(&mut tx, id, request.owner_id, request.deadline, now).await?;
    let detail_text = format!(
        "owner={}{}",
        request.owner_id,
        request
            .deadline
            .map(|d| format!(" deadline={d}"))
            .unwrap_or_default()
    );
    store::record_event(
        &mut tx,
        id,
        Some(user.person_id),
        "assigned",
        None,
        &detail_text,
        now,
    )
    .await?;
    if row.status == "new" {
        require_transition(
            store::transition(&mut tx, id, "open", Some(user.person_id), "", now).await?,
        )?;
        crate::cases::notices::notify_status(&mut tx, &state, id, "open").await?;
    }
    tx.commit().await?;
    reload(&state, &user, id).await
}

/// The owner states their need to see the protected subject's identity to handle the case
/// (owning a case alone does not unmask them). The reason goes into the case history, the
/// step into the access log; the answer is the case as the owner now sees it.
#[utoipa::path(post, path = "/cases/{id}/identity-disclosure", tag = "cases",
    request_body = IdentityDisclosureRequest,
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope), (status = 409, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn disclose_identity(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<IdentityDisclosureRequest>,
) -> AppResult<Json<CaseDetail>> {
    let (row, relation) = staff_case(&state, &user, id).await?;
    if !relation.owner {
        return Err(AppError::Forbidden);
    }
    let Some(subject) = row
        .subject_id
        .filter(|_| row.subject_protected == Some(true))
    else {
        return Err(AppError::Conflict(
            "the case's subject has no protected identity".into(),
        ));
    };
    let reason = required_text("reason", &request.reason)?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    if store::disclose_identity(&mut tx, id, user.person_id, reason, now).await? {
        store::record_event(
            &mut tx,
            id,
            Some(user.person_id),
            "identity_disclosed",
            None,
            reason,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    access::log_read(
        &state.db,
        &user,
        "case.identity.disclose",
        &format!("case={id}"),
        &[subject],
    )
    .await?;
    reload(&state, &user, id).await
}

/// A note on the case; internal notes are for staff only.
#[utoipa::path(post, path = "/cases/{id}/notes", tag = "cases", request_body = NoteRequest,
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn add_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<NoteRequest>,
) -> AppResult<Json<CaseDetail>> {
    staff_case(&state, &user, id).await?;
    let body = required_text("body", &request.body)?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    store::add_note(&mut tx, id, user.person_id, request.internal, body, now).await?;
    let kind = if request.internal {
        "internal"
    } else {
        "public"
    };
    store::record_event(&mut tx, id, Some(user.person_id), "note", None, kind, now).await?;
    tx.commit().await?;
    reload(&state, &user, id).await
}

/// A subtask for a specialist (case owner or distributors).
#[utoipa::path(post, path = "/cases/{id}/subtasks", tag = "cases", request_body = SubtaskRequest,
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope), (status = 422, body = shared::api::ErrorEnvelope)))]
async fn add_subtask(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<SubtaskRequest>,
) -> AppResult<Json<CaseDetail>> {
    let (row, relation) = staff_case(&state, &user, id).await?;
    if !(relation.owner || relation.case_office) {
        return Err(AppError::Forbidden);
    }
    if row.closed_or_decided() {
        return Err(AppError::Conflict("the case is decided".into()));
    }
    let today = clock::today();
    let mut problems = Vec::new();
    if let Err(AppError::Validation(mut fields)) =
        required_text("description", &request.description)
    {
        problems.append(&mut fields);
    }
    if !store::is_staff(&state.db, request.assignee_id, today).await? {
        problems.push(FieldError::new(
            "assignee_id",
            "not_staff",
            "choose a member of staff",
        ));
    }
    if let Some(due) = request.due_date
        && due < today
    {
        problems.push(FieldError::new(
            "due_date",
            "in_past",
            "the due date has passed",
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let subtask = store::add_subtask(
        &mut tx,
        id,
        request.assignee_id,
        request.description.trim(),
        request.due_date,
        user.person_id,
        now,
    )
    .await?;
    store::record_event(
        &mut tx,
        id,
        Some(user.person_id),
        "subtask",
        None,
        &format!("created {subtask}"),
        now,
    )
    .await?;
    tx.commit().await?;
    reload(&state, &user, id).await
}

/// The signed-in specialist's subtasks that are not solved, by due date.
#[utoipa::path(get, path = "/subtasks", tag = "cases",
    responses((status = 200, body = Vec<Subtask>), (status = 401, body = shared::api::ErrorEnvelope)))]
async fn my_subtasks(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<Subtask>>> {
    let rows = store::open_subtasks_of(&state.db, user.person_id).await?;
    Ok(Json(rows.into_iter().map(subtask).collect()))
}

/// Open or solve one of my subtasks (solving needs an answer).
#[utoipa::path(post, path = "/subtasks/{id}/status", tag = "cases", request_body = SubtaskUpdate,
    params(("id" = Uuid, Path, description = "Subtask id")),
    responses((status = 200, body = Subtask), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 409, body = shared::api::ErrorEnvelope), (status = 422, body = shared::api::ErrorEnvelope)))]
async fn update_subtask(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(update): Json<SubtaskUpdate>,
) -> AppResult<Json<Subtask>> {
    let row = store::subtask(&state.db, id)
        .await?
        .filter(|s| s.assignee_id == user.person_id)
        .ok_or(AppError::NotFound)?;
    let answer = match update.status {
        SubtaskStatus::Solved => Some(required_text(
            "answer",
            update.answer.as_deref().unwrap_or(""),
        )?),
        SubtaskStatus::Open => None,
        SubtaskStatus::New => {
            return Err(AppError::field(
                "status",
                "invalid",
                "a subtask cannot go back to new",
            ));
        }
    };
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    if !store::update_subtask(&mut tx, id, update.status.as_str(), answer, now).await? {
        return Err(AppError::Conflict(format!(
            "the subtask is already {}",
            row.status
        )));
    }
    let detail_text = format!("{} {id}", update.status.as_str());
    store::record_event(
        &mut tx,
        row.case_id,
        Some(user.person_id),
        "subtask",
        None,
        &detail_text,
        now,
    )
    .await?;
    tx.commit().await?;
    let row = store::subtask(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(subtask(row)))
}

/// The owner's decision. The case type's process may refuse the decider or set the legal
/// basis, and may run automated steps after it (a leave: register, letter, notice, closing);
/// a case that does not close itself is closed by its owner.
#[utoipa::path(post, path = "/cases/{id}/decision", tag = "cases", request_body = DecisionRequest,
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope), (status = 409, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn decide_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<DecisionRequest>,
) -> AppResult<Json<CaseDetail>> {
    let (row, relation) = staff_case(&state, &user, id).await?;
    if !relation.owner {
        return Err(AppError::Forbidden);
    }
    if row.status != "open" {
        return Err(AppError::Conflict(
            "only an open case can be decided".into(),
        ));
    }
    let motivation = required_text("motivation", &request.motivation)?;
    if matches!(request.outcome, Outcome::Withdrawn) {
        return Err(AppError::field(
            "outcome",
            "invalid",
            "the applicant withdraws, not the owner",
        ));
    }
    if let (Some(from), Some(to)) = (request.valid_from, request.valid_to)
        && to < from
    {
        return Err(AppError::field(
            "valid_to",
            "before_from",
            "the period ends before it starts",
        ));
    }
    let now = clock::now();
    let today = clock::today();
    let process = state.processes.of(&row.case_type);
    let decision = process
        .decision(DecisionInput {
            state: &state,
            decider: &user,
            case: &row,
            request: &request,
            motivation,
            today,
        })
        .await?;
    let mut tx = state.db.begin().await?;
    store::record_decision(&mut tx, id, &decision, now).await?;
    store::record_event(
        &mut tx,
        id,
        Some(user.person_id),
        "decision",
        None,
        decision.outcome,
        now,
    )
    .await?;
    require_transition(
        store::transition(&mut tx, id, "decided", Some(user.person_id), "", now).await?,
    )?;
    if !process.tells_decision() {
        crate::cases::notices::notify_status(&mut tx, &state, id, "decided").await?;
    }
    process.after_decision(&mut tx, id).await?;
    tx.commit().await?;
    state.jobs_wakeup.notify_one();
    reload(&state, &user, id).await
}

/// Close a decided case (owner).
#[utoipa::path(post, path = "/cases/{id}/closure", tag = "cases",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope), (status = 409, body = shared::api::ErrorEnvelope)))]
async fn close_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<CaseDetail>> {
    let (row, relation) = staff_case(&state, &user, id).await?;
    if !relation.owner {
        return Err(AppError::Forbidden);
    }
    if state.processes.of(&row.case_type).closes_itself() {
        return Err(AppError::Conflict(
            "cases of this type close by themselves after the decision".into(),
        ));
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    require_transition(
        store::transition(&mut tx, id, "closed", Some(user.person_id), "", now).await?,
    )?;
    tx.commit().await?;
    reload(&state, &user, id).await
}

/// A document's content. Staff with a relation to the case get every document; the applicant
/// gets the documents of their own application (receipt, attachments, decision letter).
#[utoipa::path(get, path = "/cases/{id}/documents/{document_id}", tag = "cases",
    params(("id" = Uuid, Path, description = "Case id"), ("document_id" = Uuid, Path, description = "Document id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
              (status = 404, body = shared::api::ErrorEnvelope)))]
async fn download_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, document_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let case = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let access = CaseAccess::of(&state, &user, &case).await?;
    let relation = access.relation;
    let document = store::document(&state.db, id, document_id)
        .await?
        .filter(|doc| {
            relation.is_staff() || relation.registrar || (relation.party && party_may_read(doc))
        })
        .ok_or(AppError::NotFound)?;
    if !access.sees_subject {
        // A document names whom the case is about: none for a reader who sees them masked.
        return Err(AppError::ProtectedIdentity);
    }
    if access.metadata_only() && document.publicity_class != "public" {
        return Err(AppError::Forbidden);
    }
    let bytes = state.blobs.get(&document.blob_key).await?;
    let subjects: Vec<Uuid> = case.subject_id.into_iter().collect();
    access::log_read(
        &state.db,
        &user,
        "case.document.read",
        &format!("case={id} document={document_id}"),
        &subjects,
    )
    .await?;
    let disposition = crate::documents::disposition::attachment(&document.file_name);
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, document.media_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

pub fn party_may_read(doc: &DocumentRow) -> bool {
    matches!(
        doc.document_type.as_str(),
        "receipt" | "attachment" | "decision_letter"
    )
}

impl CaseRow {
    pub fn number(&self) -> CaseNumber {
        CaseNumber {
            year: self.year as u16,
            serial: self.serial as u32,
        }
    }

    fn closed_or_decided(&self) -> bool {
        matches!(self.status.as_str(), "decided" | "closed" | "withdrawn")
    }
}

/// The case, if the reader handles it (case worker covering it, owner or subtask assignee);
/// otherwise 404.
async fn staff_case(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(CaseRow, CaseRelation)> {
    let relation = store::relation(&state.db, user.person_id, id, clock::today()).await?;
    if !relation.is_staff() {
        return Err(AppError::NotFound);
    }
    let row = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok((row, relation))
}

/// The case, if the reader handles it or keeps the registry; otherwise 404.
async fn readable_case(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(CaseRow, CaseAccess)> {
    let relation = store::relation(&state.db, user.person_id, id, clock::today()).await?;
    if !(relation.is_staff() || relation.registrar) {
        return Err(AppError::NotFound);
    }
    let row = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let access = CaseAccess::with(state, user, &row, relation).await?;
    Ok((row, access))
}

fn require_transition(result: Transition) -> AppResult<()> {
    match result {
        Transition::Done { .. } => Ok(()),
        Transition::NotAllowed { from } => Err(AppError::Conflict(format!(
            "the case cannot change status from {from}"
        ))),
    }
}

fn required_text<'a>(field: &str, text: &'a str) -> AppResult<&'a str> {
    shared::text::checked(text, TEXT_MAX_CHARS, true)
        .map_err(|problem| AppError::text(field, problem))
}

async fn reload(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<Json<CaseDetail>> {
    let (row, access) = readable_case(state, user, id).await?;
    Ok(Json(detail(state, user, &row, access).await?))
}

/// The case's subject, named only if the reader sees them (see [`crate::access`]).
pub fn subject_ref(row: &CaseRow, sees_subject: bool) -> Option<PupilRef> {
    let subject = row.subject_id?;
    let name = format!(
        "{} {}",
        row.subject_given_name.as_deref().unwrap_or_default(),
        row.subject_family_name.as_deref().unwrap_or_default()
    );
    Some(PupilRef {
        id: subject,
        masked: !sees_subject,
        name: sees_subject.then_some(name),
    })
}

pub fn summary(row: &CaseRow, sees_subject: bool, today: NaiveDate) -> CaseSummary {
    CaseSummary {
        id: row.id,
        number: row.number(),
        case_type: row.case_type.clone(),
        case_type_name: Names {
            sv: row.type_name_sv.clone(),
            en: row.type_name_en.clone(),
        },
        status: StatusView {
            code: row.status.clone(),
            name: Names {
                sv: row.status_name_sv.clone(),
                en: row.status_name_en.clone(),
            },
            public_name: Names {
                sv: row.public_name_sv.clone(),
                en: row.public_name_en.clone(),
            },
        },
        subject: subject_ref(row, sees_subject),
        owner: row.owner_id.map(|id| NamedRef {
            id,
            name: format!(
                "{} {}",
                row.owner_given_name.as_deref().unwrap_or_default(),
                row.owner_family_name.as_deref().unwrap_or_default()
            ),
        }),
        due_date: row.due_date,
        deadline: row.deadline,
        overdue: row.due_date < today && !row.closed_or_decided(),
        publicity_class: PublicityClass::parse(&row.publicity_class)
            .unwrap_or(PublicityClass::Restricted),
        created_at: row.created_at,
    }
}

pub fn document(row: &CaseRow, doc: DocumentRow) -> CaseDocument {
    CaseDocument {
        id: doc.id,
        number: row.number().document(doc.position as u32),
        document_type: doc.document_type,
        title: doc.title,
        file_name: doc.file_name,
        media_type: doc.media_type,
        size: doc.size,
        sha256: doc.sha256,
        publicity_class: PublicityClass::parse(&doc.publicity_class)
            .unwrap_or(PublicityClass::Restricted),
        created_at: doc.created_at,
    }
}

pub fn decision(row: store::DecisionRow) -> Decision {
    Decision {
        outcome: Outcome::parse(&row.outcome).unwrap_or(Outcome::Dismissed),
        legal_basis: row.legal_basis,
        valid_from: row.valid_from,
        valid_to: row.valid_to,
        motivation: row.motivation,
        decided_by: NamedRef {
            id: row.decided_by,
            name: format!(
                "{} {}",
                row.decided_by_given_name, row.decided_by_family_name
            ),
        },
        decided_on: row.decided_on,
        appeal_information: row.appeal_information,
    }
}

fn subtask(row: store::SubtaskRow) -> Subtask {
    Subtask {
        id: row.id,
        case_id: row.case_id,
        assignee: NamedRef {
            id: row.assignee_id,
            name: format!("{} {}", row.assignee_given_name, row.assignee_family_name),
        },
        description: row.description,
        due_date: row.due_date,
        status: SubtaskStatus::parse(&row.status).unwrap_or(SubtaskStatus::New),
        answer: row.answer,
        created_at: row.created_at,
    }
}

async fn detail(
    state: &AppState,
    user: &CurrentUser,
    row: &CaseRow,
    access: CaseAccess,
) -> AppResult<CaseDetail> {
    let today = clock::today();
    let db = &state.db;
    let relation = access.relation;
    let (sees_subject, metadata_only) = (access.sees_subject, access.metadata_only());
    let events = store::events(db, row.id).await?;
    let (notes, subtasks) = if metadata_only {
        (Vec::new(), Vec::new())
    } else {
        (
            store::notes(db, row.id).await?,
            store::subtasks_of_case(db, row.id).await?,
        )
    };
    let documents = store::documents(db, row.id).await?;
    let decision_row = store::decision(db, row.id).await?;
    // Parties are named only to a reader who sees whom the case is about.
    let parties = store::parties(db, row.id).await?;
    let applicant = if sees_subject {
        let person = register_store::person_name(db, row.applicant_id).await?;
        Some(NamedRef {
            id: person.id,
            name: format!("{} {}", person.given_name, person.family_name),
        })
    } else {
        None
    };
    let process = state.processes.of(&row.case_type);
    let reader = FactsReader {
        person_id: user.person_id,
        sees_subject,
    };
    let facts = if metadata_only {
        Vec::new()
    } else {
        process.staff_facts(state, row, reader).await?
    };
    let subjects: Vec<Uuid> = row.subject_id.into_iter().collect();
    access::log_read(
        db,
        user,
        "case.read",
        &format!("case={}", row.id),
        &subjects,
    )
    .await?;
    let open = !row.closed_or_decided();
    let may_decide = relation.owner
        && row.status == "open"
        && process
            .may_decide(state, row, user.person_id, today)
            .await?;
    let mut handed_to = Vec::new();
    for event in events.iter().filter(|event| event.kind == "handed_over") {
        handed_to.push(handover_target(db, &event.detail).await?);
    }
    let mut handed_to = handed_to.into_iter();
    Ok(CaseDetail {
        summary: summary(row, sees_subject, today),
        title: row.title.clone(),
        applicant,
        events: events
            .into_iter()
            .map(|e| CaseEvent {
                at: e.at,
                actor: e
                    .actor_id
                    .filter(|id| sees_subject || !parties.contains(id))
                    .map(|id| NamedRef {
                        id,
                        name: format!(
                            "{} {}",
                            e.actor_given_name.unwrap_or_default(),
                            e.actor_family_name.unwrap_or_default()
                        ),
                    }),
                // A handover's detail is its target's id, then the owner's note.
                // A person handed to may be the pupil's principal or mentor: named only to
                // a reader who sees whom the case is about.
                to: if e.kind == "handed_over" {
                    handed_to.next().flatten().filter(|_| {
                        (sees_subject && !metadata_only) || e.detail.starts_with("to_team=")
                    })
                } else {
                    None
                },
                note: match e.detail.split_once('\n') {
                    Some((_, note)) if e.kind == "handed_over" && !metadata_only => {
                        Some(note.to_owned())
                    }
                    _ => None,
                },
                kind: e.kind,
                from_status: e.from_status,
                to_status: e.to_status,
                // The registry keeps what happened and when, not the handlers' words.
                detail: if metadata_only {
                    String::new()
                } else {
                    e.detail
                        .split_once('\n')
                        .map_or(e.detail.as_str(), |(first, _)| first)
                        .to_owned()
                },
            })
            .collect(),
        notes: notes
            .into_iter()
            .map(|n| CaseNote {
                id: n.id,
                author: NamedRef {
                    id: n.author_id,
                    name: format!("{} {}", n.author_given_name, n.author_family_name),
                },
                internal: n.internal,
                body: n.body,
                created_at: n.created_at,
            })
            .collect(),
        documents: documents
            .into_iter()
            .map(|d| {
                let mut document = document(row, d);
                if !sees_subject {
                    // An uploaded file's name is the family's words (often the child's name).
                    document.file_name = screened_file_name(&document);
                }
                document
            })
            .collect(),
        subtasks: subtasks.into_iter().map(subtask).collect(),
        decision: decision_row.map(decision),
        actions: CaseActions {
            assign: relation.case_office && !relation.owner && open,
            add_note: relation.is_staff(),
            add_subtask: (relation.owner || relation.case_office) && open,
            decide: may_decide,
            close: relation.owner && row.status == "decided" && !process.closes_itself(),
            disclose_identity: relation.owner && !sees_subject,
            hand_over: relation.owner && matches!(row.status.as_str(), "new" | "open"),
            decided_elsewhere: relation.owner && row.status == "open" && !may_decide,
        },
        facts,
        decision_hint: process.decision_hint(),
    })
}

/// The person or team a handover event names (`to_person=<id>` or `to_team=<id>` on its
/// first line), by name; `None` for one since removed.
async fn handover_target(db: &crate::store::Db, detail: &str) -> AppResult<Option<NamedRef>> {
    let first = detail.lines().next().unwrap_or_default();
    if let Some(id) = first
        .strip_prefix("to_person=")
        .and_then(|id| id.parse().ok())
    {
        let person = register_store::person_name_opt(db, id).await?;
        return Ok(person.map(|person| NamedRef {
            id,
            name: format!("{} {}", person.given_name, person.family_name),
        }));
    }
    if let Some(id) = first
        .strip_prefix("to_team=")
        .and_then(|id| id.parse().ok())
    {
        let name = crate::store::follow_ups::team_name(db, id).await?;
        return Ok(name.map(|name| NamedRef { id, name }));
    }
    Ok(None)
}

/// Stores a file as the case's next document and records it in the history; returns its
/// position (its journal number is the case number with it).
#[allow(clippy::too_many_arguments)]
pub async fn store_document(
    state: &AppState,
    tx: &mut crate::store::Tx,
    case_id: Uuid,
    document_type: &str,
    title: &str,
    file_name: &str,
    media_type: &str,
    bytes: Vec<u8>,
    created_by: Option<Uuid>,
) -> anyhow::Result<i32> {
    let stored = state.blobs.put(bytes).await?;
    let document = store::NewDocument {
        case_id,
        document_type,
        title,
        file_name,
        media_type,
        size: stored.size,
        sha256: &stored.sha256,
        blob_key: &stored.key,
        created_by,
    };
    let (_, position) = store::add_document(tx, &document, clock::now()).await?;
    store::record_event(
        tx,
        case_id,
        created_by,
        "document",
        None,
        title,
        clock::now(),
    )
    .await?;
    Ok(position)
}

/// A document's name without the uploader's words: its number and the extension of its type.
fn screened_file_name(document: &CaseDocument) -> String {
    let extension = match document.media_type.as_str() {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        _ => "bin",
    };
    format!("{}.{extension}", document.number).replace('/', "-")
}
