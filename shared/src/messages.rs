//! Messages to persons: the in-app inbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxMessage {
    pub id: Uuid,
    pub case_id: Option<Uuid>,
    /// The number of the message's case, which the inbox groups messages by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<crate::cases::CaseNumber>,
    /// In the reader's language.
    pub subject: String,
    pub body: String,
    pub read: bool,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/inbox/read`: how many of my messages were unread and are read now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxRead {
    pub marked: u64,
}
