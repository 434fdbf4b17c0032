//! The in-app inbox.

use gloo_net::http::Request;
use shared::messages::{InboxMessage, InboxRead};
use uuid::Uuid;

use super::{ApiError, get_json, send_empty};

/// `GET /api/inbox`: my messages, newest first, in my language.
pub async fn inbox() -> Result<Vec<InboxMessage>, ApiError> {
    get_json(Request::get("/api/inbox")).await
}

/// `POST /api/inbox/{id}/read`: 404 unless the message is mine.
pub async fn mark_read(csrf_token: &str, id: Uuid) -> Result<(), ApiError> {
    send_empty(Request::post(&format!("/api/inbox/{id}/read")), csrf_token).await?;
    Ok(())
}

/// `POST /api/inbox/read`: every unread message of mine read.
pub async fn mark_all_read(csrf_token: &str) -> Result<InboxRead, ApiError> {
    Ok(send_empty(Request::post("/api/inbox/read"), csrf_token)
        .await?
        .json()
        .await?)
}
