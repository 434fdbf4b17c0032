//! Follow-ups: dashboards, tasks, what one does with a follow-up, teams and subscriptions.

use gloo_net::http::Request;
use shared::follow_ups::{
    CaseTypeOption, CommentRequest, DueDateRequest, FollowUp, FollowUpStatus, NewSubscription,
    NewTask, PartyRequest, StatusRequest, Subscription, Team,
};
use uuid::Uuid;

use super::{ApiError, get_json, send_empty, send_json, with_csrf};

/// The dashboard's three lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dashboard {
    Mine,
    Teams,
    Overdue,
}

impl Dashboard {
    pub const ALL: [Dashboard; 3] = [Dashboard::Mine, Dashboard::Teams, Dashboard::Overdue];

    pub fn code(self) -> &'static str {
        match self {
            Dashboard::Mine => "mine",
            Dashboard::Teams => "teams",
            Dashboard::Overdue => "overdue",
        }
    }
}

/// `GET /api/follow-ups?view=…`: active follow-ups.
pub async fn dashboard(view: Dashboard) -> Result<Vec<FollowUp>, ApiError> {
    get_json(Request::get("/api/follow-ups").query([("view", view.code())])).await
}

/// `GET /api/follow-ups/{id}`: 404 unless mine, my team's or shared with me.
pub async fn follow_up(id: Uuid) -> Result<FollowUp, ApiError> {
    get_json(Request::get(&format!("/api/follow-ups/{id}"))).await
}

/// `POST /api/follow-ups`: a task (staff).
pub async fn create_task(csrf_token: &str, task: &NewTask) -> Result<FollowUp, ApiError> {
    let response = send_json(
        with_csrf(Request::post("/api/follow-ups"), csrf_token),
        task,
    )
    .await?;
    Ok(response.json().await?)
}

async fn post<B: serde::Serialize>(
    csrf_token: &str,
    id: Uuid,
    action: &str,
    body: &B,
) -> Result<FollowUp, ApiError> {
    let path = format!("/api/follow-ups/{id}/{action}");
    let response = send_json(with_csrf(Request::post(&path), csrf_token), body).await?;
    Ok(response.json().await?)
}

/// `POST /api/follow-ups/{id}/assignment`: to a person or a team.
pub async fn assign(csrf_token: &str, id: Uuid, to: &PartyRequest) -> Result<FollowUp, ApiError> {
    post(csrf_token, id, "assignment", to).await
}

/// `POST /api/follow-ups/{id}/shares`: let a person or team see it; the owner stays.
pub async fn share(csrf_token: &str, id: Uuid, with: &PartyRequest) -> Result<FollowUp, ApiError> {
    post(csrf_token, id, "shares", with).await
}

/// `POST /api/follow-ups/{id}/comments`: anyone who sees the follow-up (shares too).
pub async fn comment(csrf_token: &str, id: Uuid, body: &str) -> Result<FollowUp, ApiError> {
    let request = CommentRequest {
        body: body.to_owned(),
    };
    post(csrf_token, id, "comments", &request).await
}

/// `POST /api/follow-ups/{id}/status`.
pub async fn set_status(
    csrf_token: &str,
    id: Uuid,
    status: FollowUpStatus,
) -> Result<FollowUp, ApiError> {
    post(csrf_token, id, "status", &StatusRequest { status }).await
}

/// `POST /api/follow-ups/{id}/due-date`.
pub async fn set_due_date(
    csrf_token: &str,
    id: Uuid,
    due_date: Option<chrono::NaiveDate>,
) -> Result<FollowUp, ApiError> {
    post(csrf_token, id, "due-date", &DueDateRequest { due_date }).await
}

/// `POST /api/follow-ups/{id}/retry`: run an exception's failed step again.
pub async fn retry(csrf_token: &str, id: Uuid) -> Result<FollowUp, ApiError> {
    let path = format!("/api/follow-ups/{id}/retry");
    Ok(send_empty(Request::post(&path), csrf_token)
        .await?
        .json()
        .await?)
}

/// `GET /api/teams`.
pub async fn teams() -> Result<Vec<Team>, ApiError> {
    get_json(Request::get("/api/teams")).await
}

/// `GET /api/follow-ups/subscriptions`: mine.
pub async fn subscriptions() -> Result<Vec<Subscription>, ApiError> {
    get_json(Request::get("/api/follow-ups/subscriptions")).await
}

/// `GET /api/follow-ups/subscriptions/case-types`.
pub async fn subscription_case_types() -> Result<Vec<CaseTypeOption>, ApiError> {
    get_json(Request::get("/api/follow-ups/subscriptions/case-types")).await
}

/// `POST /api/follow-ups/subscriptions`.
pub async fn subscribe(csrf_token: &str, new: &NewSubscription) -> Result<Subscription, ApiError> {
    let request = with_csrf(Request::post("/api/follow-ups/subscriptions"), csrf_token);
    Ok(send_json(request, new).await?.json().await?)
}

/// `DELETE /api/follow-ups/subscriptions/{id}`.
pub async fn unsubscribe(csrf_token: &str, id: Uuid) -> Result<(), ApiError> {
    let path = format!("/api/follow-ups/subscriptions/{id}");
    send_empty(Request::delete(&path), csrf_token).await?;
    Ok(())
}
