//! Follow-ups: exceptions raised by failed automated steps, tasks someone must act on, and
//! notifications. Assigned to a person or a team, shared while the owner keeps them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::register::NamedRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    Exception,
    Task,
    Notification,
}

impl FollowUpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpKind::Exception => "exception",
            FollowUpKind::Task => "task",
            FollowUpKind::Notification => "notification",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Exception, Self::Task, Self::Notification]
            .into_iter()
            .find(|k| k.as_str() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    Active,
    Processed,
    Closed,
}

impl FollowUpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpStatus::Active => "active",
            FollowUpStatus::Processed => "processed",
            FollowUpStatus::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Active, Self::Processed, Self::Closed]
            .into_iter()
            .find(|k| k.as_str() == code)
    }
}

/// A person or a team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Party {
    Person(NamedRef),
    Team(NamedRef),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpEvent {
    pub at: DateTime<Utc>,
    pub actor: Option<NamedRef>,
    pub kind: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub id: Uuid,
    pub kind: FollowUpKind,
    pub title: String,
    pub details: String,
    pub due_date: Option<NaiveDate>,
    pub overdue: bool,
    pub owner: Option<NamedRef>,
    pub assignee: Option<Party>,
    pub shares: Vec<Party>,
    pub case_id: Option<Uuid>,
    pub status: FollowUpStatus,
    pub created_at: DateTime<Utc>,
    pub history: Vec<FollowUpEvent>,
    /// Exceptions whose failed step can be run again.
    pub can_retry: bool,
    /// The reader owns it or is its assignee: they may assign, share, set status and due date.
    /// A follow-up shared with the reader is theirs to read and comment on only.
    #[serde(default)]
    pub can_handle: bool,
}

/// `POST /api/follow-ups/{id}/comments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentRequest {
    pub body: String,
}

/// Either a person or a team (exactly one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyRequest {
    pub person_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// `POST /api/follow-ups`: a manual task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTask {
    pub title: String,
    /// Never sensitive personal data (health, certificates): those belong in a case's documents.
    pub details: String,
    pub due_date: Option<NaiveDate>,
    pub assignee: Option<PartyRequest>,
    pub case_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusRequest {
    pub status: FollowUpStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueDateRequest {
    pub due_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    pub id: Uuid,
    pub name: String,
    pub members: Vec<NamedRef>,
}

/// Longest title, and longest details.
pub const TITLE_MAX_CHARS: usize = 200;
pub const DETAILS_MAX_CHARS: usize = 4000;

/// What a subscription waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionEvent {
    /// A case was created for a pupil (of the unit, of the case type).
    CaseCreated,
}

impl SubscriptionEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionEvent::CaseCreated => "case_created",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        (code == "case_created").then_some(SubscriptionEvent::CaseCreated)
    }
}

/// A standing "notify me when …": each matching event becomes a notification follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscription {
    pub id: Uuid,
    pub event: SubscriptionEvent,
    /// `None`: every case type.
    pub case_type: Option<String>,
    pub case_type_name: Option<crate::cases::Names>,
    /// `None`: every unit the subscriber reaches.
    pub unit: Option<NamedRef>,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/follow-ups/subscriptions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSubscription {
    pub event: SubscriptionEvent,
    pub case_type: Option<String>,
    pub unit_id: Option<Uuid>,
}

/// A case type one may subscribe to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseTypeOption {
    pub code: String,
    pub name: crate::cases::Names,
}
