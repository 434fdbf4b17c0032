//! The in-app inbox.

use gloo_net::http::Request;
use shared::messages::InboxMessage;

use super::{ApiError, get_json};

/// `GET /api/inbox`: my messages, newest first, in my language.
pub async fn inbox() -> Result<Vec<InboxMessage>, ApiError> {
    get_json(Request::get("/api/inbox")).await
}
