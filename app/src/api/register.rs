//! The student register: pupils, units and groups.

use gloo_net::http::{Request, RequestBuilder};
use shared::api::Page;
use shared::register::{
    GroupSummary, PupilDetail, PupilSummary, StaffMember, UnitDetail, UnitSummary,
};
use uuid::Uuid;

use super::{ApiError, get_json};

fn with_cursor(request: RequestBuilder, cursor: Option<&str>) -> RequestBuilder {
    match cursor {
        Some(cursor) => request.query([("cursor", cursor)]),
        None => request,
    }
}

/// `GET /api/pupils`: the pupils the reader may see, optionally only one group's.
pub async fn pupils(
    group: Option<Uuid>,
    cursor: Option<String>,
) -> Result<Page<PupilSummary>, ApiError> {
    let mut request = Request::get("/api/pupils");
    if let Some(group) = group {
        request = request.query([("group", group.to_string())]);
    }
    get_json(with_cursor(request, cursor.as_deref())).await
}

/// `GET /api/pupils/{id}`: 404 when missing or not visible to the reader.
pub async fn pupil(id: Uuid) -> Result<PupilDetail, ApiError> {
    get_json(Request::get(&format!("/api/pupils/{id}"))).await
}

/// `GET /api/units`.
pub async fn units(cursor: Option<String>) -> Result<Page<UnitSummary>, ApiError> {
    get_json(with_cursor(Request::get("/api/units"), cursor.as_deref())).await
}

/// `GET /api/units/{id}`: 404 when missing or not visible to the reader.
pub async fn unit(id: Uuid) -> Result<UnitDetail, ApiError> {
    get_json(Request::get(&format!("/api/units/{id}"))).await
}

/// `GET /api/groups`: the groups the reader works with.
pub async fn groups(cursor: Option<String>) -> Result<Page<GroupSummary>, ApiError> {
    get_json(with_cursor(Request::get("/api/groups"), cursor.as_deref())).await
}

/// `GET /api/staff`: colleagues with a current duty (staff only), e.g. for a subtask.
pub async fn staff() -> Result<Vec<StaffMember>, ApiError> {
    get_json(Request::get("/api/staff")).await
}
