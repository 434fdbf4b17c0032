//! E-services defined as data: the published forms, submitting answers to one, and the answers
//! an applicant saved to continue later.

use gloo_net::http::Request;
use shared::e_services::{
    EServiceDefinition, EServiceDraft, EServiceOverview, EServiceSummary, Published, SavedAnswers,
    SavedAnswersRequest, SubmissionReceipt, SubmissionRequest,
};

use super::{ApiError, get_json, send_empty, send_json, with_csrf};

/// The address of one e-service's resources. The code is `[a-z0-9_-]` on the server, but it
/// comes from the address bar here, so it is encoded all the same.
fn path(code: &str, rest: &str) -> String {
    let code = String::from(js_sys::encode_uri_component(code));
    format!("/api/e-services/{code}{rest}")
}

/// `GET /api/e-services`: the published e-services.
pub async fn list() -> Result<Vec<EServiceSummary>, ApiError> {
    get_json(Request::get("/api/e-services")).await
}

/// `GET /api/e-services/{code}`: the published version; 404 when there is none.
pub async fn definition(code: &str) -> Result<EServiceDefinition, ApiError> {
    get_json(Request::get(&path(code, ""))).await
}

/// `POST /api/e-services/{code}/submissions`: 422 with one field error per bad answer (the
/// codes of `shared::e_services::Problem`), 404 for a child that is not the applicant's.
pub async fn submit(
    csrf_token: &str,
    code: &str,
    request: &SubmissionRequest,
) -> Result<SubmissionReceipt, ApiError> {
    let request_builder = with_csrf(Request::post(&path(code, "/submissions")), csrf_token);
    Ok(send_json(request_builder, request).await?.json().await?)
}

/// `GET /api/e-services/{code}/saved-answers`: `Ok(None)` when nothing is saved (404).
pub async fn saved_answers(code: &str) -> Result<Option<SavedAnswers>, ApiError> {
    match get_json(Request::get(&path(code, "/saved-answers"))).await {
        Ok(saved) => Ok(Some(saved)),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(error),
    }
}

/// `PUT /api/e-services/{code}/saved-answers`: keeps the answers for a while (see
/// `SavedAnswers::expires_at`).
pub async fn save_answers(
    csrf_token: &str,
    code: &str,
    request: &SavedAnswersRequest,
) -> Result<SavedAnswers, ApiError> {
    let request_builder = with_csrf(Request::put(&path(code, "/saved-answers")), csrf_token);
    Ok(send_json(request_builder, request).await?.json().await?)
}

/// `DELETE /api/e-services/{code}/saved-answers`: 404 when nothing was saved.
pub async fn discard_saved_answers(csrf_token: &str, code: &str) -> Result<(), ApiError> {
    send_empty(Request::delete(&path(code, "/saved-answers")), csrf_token).await?;
    Ok(())
}

/// `GET /api/e-service-drafts` (administrators): every e-service with its state.
pub async fn overview() -> Result<Vec<EServiceOverview>, ApiError> {
    get_json(Request::get("/api/e-service-drafts")).await
}

/// `GET /api/e-services/{code}/draft` (administrators).
pub async fn draft(code: &str) -> Result<EServiceDraft, ApiError> {
    get_json(Request::get(&path(code, "/draft"))).await
}

/// `PUT /api/e-services/{code}/draft` (administrators): 201 for a new code, 422 with one field
/// error per problem (paths into the definition).
pub async fn save_draft(
    csrf_token: &str,
    code: &str,
    definition: &EServiceDefinition,
) -> Result<EServiceDraft, ApiError> {
    let request_builder = with_csrf(Request::put(&path(code, "/draft")), csrf_token);
    Ok(send_json(request_builder, definition).await?.json().await?)
}

/// `POST /api/e-services/{code}/publish` (administrators).
pub async fn publish(csrf_token: &str, code: &str) -> Result<Published, ApiError> {
    let response = send_empty(Request::post(&path(code, "/publish")), csrf_token).await?;
    Ok(response.json().await?)
}

/// `POST /api/e-services/{code}/unpublish` (administrators).
pub async fn unpublish(csrf_token: &str, code: &str) -> Result<(), ApiError> {
    send_empty(Request::post(&path(code, "/unpublish")), csrf_token).await?;
    Ok(())
}
