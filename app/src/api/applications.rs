//! E-services and "My cases": what families and students apply for, and follow.

use gloo_net::http::Request;
use shared::applications::{LeaveApplicationForm, LeaveSummary, Submitted};
use shared::cases::{DeclineRequest, MyCase, MyCaseDetail};
use uuid::Uuid;

use super::{ApiError, get_json, send_empty, send_json, with_csrf};

/// `POST /api/applications/leave`: 422 with field codes (see `shared::applications`).
pub async fn submit_leave(
    csrf_token: &str,
    form: &LeaveApplicationForm,
) -> Result<Submitted, ApiError> {
    let request = with_csrf(Request::post("/api/applications/leave"), csrf_token);
    Ok(send_json(request, form).await?.json().await?)
}

/// `POST /api/my/cases/{id}/confirmation`: a guardian asked to sign confirms; 409 when
/// already confirmed, withdrawn or declined.
pub async fn confirm(csrf_token: &str, id: Uuid) -> Result<MyCaseDetail, ApiError> {
    let path = format!("/api/my/cases/{id}/confirmation");
    Ok(send_empty(Request::post(&path), csrf_token)
        .await?
        .json()
        .await?)
}

/// `GET /api/pupils/{id}/leave`: a pupil's leave applications.
pub async fn pupil_leave(pupil_id: Uuid) -> Result<Vec<LeaveSummary>, ApiError> {
    get_json(Request::get(&format!("/api/pupils/{pupil_id}/leave"))).await
}

/// `GET /api/my/cases`: the cases I applied for (or must confirm), newest first.
pub async fn my_cases() -> Result<Vec<MyCase>, ApiError> {
    get_json(Request::get("/api/my/cases")).await
}

/// `GET /api/my/cases/{id}`: 404 when it is not my case.
pub async fn my_case(id: Uuid) -> Result<MyCaseDetail, ApiError> {
    get_json(Request::get(&format!("/api/my/cases/{id}"))).await
}

/// `POST /api/my/cases/{id}/withdrawal`: 409 once decided.
pub async fn withdraw(csrf_token: &str, id: Uuid) -> Result<MyCaseDetail, ApiError> {
    let path = format!("/api/my/cases/{id}/withdrawal");
    Ok(send_empty(Request::post(&path), csrf_token)
        .await?
        .json()
        .await?)
}

/// `POST /api/my/cases/{id}/declination`: a co-applicant declines, with a reason; 409 when the
/// application no longer waits for them.
pub async fn decline(
    csrf_token: &str,
    id: Uuid,
    request: &DeclineRequest,
) -> Result<MyCaseDetail, ApiError> {
    let path = format!("/api/my/cases/{id}/declination");
    let response = send_json(with_csrf(Request::post(&path), csrf_token), request).await?;
    Ok(response.json().await?)
}
