//! Automation as operators see it: schedules and the job queue.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cases::Names;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleView {
    pub code: String,
    pub description: Names,
    /// Cron expression, evaluated in `time_zone`.
    pub cron: String,
    pub time_zone: String,
    pub enabled: bool,
    pub next_run_at: DateTime<Utc>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobQueueSummary {
    pub pending: i64,
    pub running: i64,
    pub done: i64,
    pub failed: i64,
    /// The most recent jobs that failed for good, newest first.
    pub recent_failures: Vec<FailedJob>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailedJob {
    pub kind: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
}
