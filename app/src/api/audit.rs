//! The access log as the people in it see it.

use gloo_net::http::Request;
use shared::audit::AccessLogExtract;
use uuid::Uuid;

use super::{ApiError, get_json};

/// `GET /api/my/access-log`: who has read my data, or my child's (`person`).
pub async fn access_log(person: Option<Uuid>) -> Result<AccessLogExtract, ApiError> {
    let mut request = Request::get("/api/my/access-log");
    if let Some(person) = person {
        request = request.query([("person", person.to_string())]);
    }
    get_json(request).await
}

/// The address of the same extract as a PDF.
pub fn access_log_pdf_href(person: Option<Uuid>) -> String {
    match person {
        Some(person) => format!("/api/my/access-log/pdf?person={person}"),
        None => "/api/my/access-log/pdf".to_owned(),
    }
}
