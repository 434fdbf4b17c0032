//! Automation for operators: schedules and the job queue (administrators).

use gloo_net::http::Request;
use shared::jobs::{JobQueueSummary, ScheduleView};

use super::{ApiError, get_json};

/// `GET /api/jobs/schedules`: 403 for others than administrators.
pub async fn schedules() -> Result<Vec<ScheduleView>, ApiError> {
    get_json(Request::get("/api/jobs/schedules")).await
}

/// `GET /api/jobs/summary`.
pub async fn summary() -> Result<JobQueueSummary, ApiError> {
    get_json(Request::get("/api/jobs/summary")).await
}
