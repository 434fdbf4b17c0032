//! Case handling: lists, the case page and what handlers do on it, subtasks.

use gloo_net::http::Request;
use shared::api::Page;
use shared::cases::{
    AssignmentRequest, CaseDetail, CaseOwnerOption, CaseSummary, DecisionRequest, HandoverOptions,
    HandoverRequest, IdentityDisclosureRequest, NoteRequest, Subtask, SubtaskRequest,
    SubtaskUpdate,
};
use uuid::Uuid;

use super::{ApiError, get_json, send_empty, send_json, with_csrf};

/// Which cases `GET /api/cases` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseView {
    /// New cases waiting for an owner (distributors only; 403 for others).
    Queue,
    /// Open cases the reader owns.
    Mine,
}

/// The filters of `GET /api/cases`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseQuery {
    pub view: CaseView,
    pub case_type: Option<String>,
    pub status: Option<String>,
    pub overdue: bool,
}

impl CaseQuery {
    pub fn new(view: CaseView) -> Self {
        Self {
            view,
            case_type: None,
            status: None,
            overdue: false,
        }
    }
}

/// `GET /api/cases`: one page, by due date.
pub async fn cases(
    query: &CaseQuery,
    cursor: Option<String>,
) -> Result<Page<CaseSummary>, ApiError> {
    let view = match query.view {
        CaseView::Queue => "queue",
        CaseView::Mine => "mine",
    };
    let mut params = vec![("view", view.to_owned())];
    if let Some(case_type) = &query.case_type {
        params.push(("type", case_type.clone()));
    }
    if let Some(status) = &query.status {
        params.push(("status", status.clone()));
    }
    if query.overdue {
        params.push(("overdue", "true".to_owned()));
    }
    if let Some(cursor) = cursor {
        params.push(("cursor", cursor));
    }
    get_json(Request::get("/api/cases").query(params)).await
}

/// `GET /api/cases/owners`: case workers a distributor may assign.
pub async fn owners() -> Result<Vec<CaseOwnerOption>, ApiError> {
    get_json(Request::get("/api/cases/owners")).await
}

/// `GET /api/cases/{id}`: 404 unless the reader handles the case.
pub async fn case(id: Uuid) -> Result<CaseDetail, ApiError> {
    get_json(Request::get(&format!("/api/cases/{id}"))).await
}

/// `POST /api/cases/{id}/assignment`.
pub async fn assign(
    csrf_token: &str,
    id: Uuid,
    request: &AssignmentRequest,
) -> Result<CaseDetail, ApiError> {
    let path = format!("/api/cases/{id}/assignment");
    let response = send_json(with_csrf(Request::post(&path), csrf_token), request).await?;
    Ok(response.json().await?)
}

/// `GET /api/cases/{id}/handover-options`: whom the owner may hand the case to.
pub async fn handover_options(id: Uuid) -> Result<HandoverOptions, ApiError> {
    get_json(Request::get(&format!("/api/cases/{id}/handover-options"))).await
}

/// `POST /api/cases/{id}/handover`: the case as the former owner sees it now, or `None` when
/// it left their reach (204).
pub async fn hand_over(
    csrf_token: &str,
    id: Uuid,
    request: &HandoverRequest,
) -> Result<Option<CaseDetail>, ApiError> {
    let path = format!("/api/cases/{id}/handover");
    let response = send_json(with_csrf(Request::post(&path), csrf_token), request).await?;
    if response.status() == 204 {
        return Ok(None);
    }
    Ok(Some(response.json().await?))
}

/// `POST /api/cases/{id}/identity-disclosure`.
pub async fn disclose_identity(
    csrf_token: &str,
    id: Uuid,
    request: &IdentityDisclosureRequest,
) -> Result<CaseDetail, ApiError> {
    let path = format!("/api/cases/{id}/identity-disclosure");
    let response = send_json(with_csrf(Request::post(&path), csrf_token), request).await?;
    Ok(response.json().await?)
}

/// `POST /api/cases/{id}/notes`.
pub async fn add_note(
    csrf_token: &str,
    id: Uuid,
    request: &NoteRequest,
) -> Result<CaseDetail, ApiError> {
    let path = format!("/api/cases/{id}/notes");
    let response = send_json(with_csrf(Request::post(&path), csrf_token), request).await?;
    Ok(response.json().await?)
}

/// `POST /api/cases/{id}/subtasks`.
pub async fn add_subtask(
    csrf_token: &str,
    id: Uuid,
    request: &SubtaskRequest,
) -> Result<CaseDetail, ApiError> {
    let path = format!("/api/cases/{id}/subtasks");
    let response = send_json(with_csrf(Request::post(&path), csrf_token), request).await?;
    Ok(response.json().await?)
}

/// `GET /api/subtasks`: my subtasks that are not solved, by due date.
pub async fn my_subtasks() -> Result<Vec<Subtask>, ApiError> {
    get_json(Request::get("/api/subtasks")).await
}

/// `POST /api/subtasks/{id}/status`: open, or solve with an answer.
pub async fn update_subtask(
    csrf_token: &str,
    id: Uuid,
    update: &SubtaskUpdate,
) -> Result<Subtask, ApiError> {
    let path = format!("/api/subtasks/{id}/status");
    let response = send_json(with_csrf(Request::post(&path), csrf_token), update).await?;
    Ok(response.json().await?)
}

/// `POST /api/cases/{id}/decision`.
pub async fn decide(
    csrf_token: &str,
    id: Uuid,
    request: &DecisionRequest,
) -> Result<CaseDetail, ApiError> {
    let path = format!("/api/cases/{id}/decision");
    let response = send_json(with_csrf(Request::post(&path), csrf_token), request).await?;
    Ok(response.json().await?)
}

/// `POST /api/cases/{id}/closure`.
pub async fn close(csrf_token: &str, id: Uuid) -> Result<CaseDetail, ApiError> {
    let path = format!("/api/cases/{id}/closure");
    Ok(send_empty(Request::post(&path), csrf_token)
        .await?
        .json()
        .await?)
}

/// `GET /api/cases/{id}/documents/{document_id}`: a plain link downloads it with the session
/// cookie (parties and staff alike).
pub fn document_href(case_id: Uuid, document_id: Uuid) -> String {
    format!("/api/cases/{case_id}/documents/{document_id}")
}

/// `GET /api/case-types`: the case types with their document types (staff, administrators).
pub async fn case_types() -> Result<Vec<shared::e_services::CaseTypeInfo>, ApiError> {
    get_json(Request::get("/api/case-types")).await
}
