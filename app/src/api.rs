//! The client for the server's JSON API under `/api`: one function per endpoint, and the only
//! place in the app that does HTTP (docs/API.md describes the envelopes).

pub mod applications;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod e_services;
pub mod follow_ups;
pub mod jobs;
pub mod messages;
pub mod register;

use gloo_net::http::{RequestBuilder, Response};
use serde::{Serialize, de::DeserializeOwned};
use shared::api::{ErrorBody, ErrorEnvelope};

/// A failed call: the HTTP status (0 when the server could not be reached) and the error
/// envelope's body. Failures without an envelope get a synthetic body whose `code` the UI
/// translates like any other (`network`, `bad_response`).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub error: ErrorBody,
}

impl ApiError {
    fn synthetic(status: u16, code: &str, message: String) -> Self {
        Self {
            status,
            error: ErrorBody {
                code: code.to_owned(),
                message,
                fields: Vec::new(),
            },
        }
    }

    pub fn code(&self) -> &str {
        &self.error.code
    }

    pub fn is_unauthenticated(&self) -> bool {
        self.status == 401
    }

    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }
}

impl From<gloo_net::Error> for ApiError {
    fn from(error: gloo_net::Error) -> Self {
        match error {
            gloo_net::Error::SerdeError(error) => {
                Self::synthetic(0, "bad_response", error.to_string())
            }
            other => Self::synthetic(0, "network", other.to_string()),
        }
    }
}

/// Turns a non-2xx response into an [`ApiError`], reading the envelope when there is one.
async fn ensure_ok(response: Response) -> Result<Response, ApiError> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    match response.json::<ErrorEnvelope>().await {
        Ok(envelope) => Err(ApiError {
            status,
            error: envelope.error,
        }),
        Err(_) => Err(ApiError::synthetic(
            status,
            "bad_response",
            format!("HTTP {status} without an error envelope"),
        )),
    }
}

async fn get_json<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ApiError> {
    let response = ensure_ok(request.send().await?).await?;
    Ok(response.json().await?)
}

/// Sends a state-changing request; every one except login carries the session's CSRF token.
fn with_csrf(request: RequestBuilder, csrf_token: &str) -> RequestBuilder {
    request.header(shared::auth::CSRF_HEADER, csrf_token)
}

/// A state-changing request without a body (confirm, withdraw, close).
async fn send_empty(request: RequestBuilder, csrf_token: &str) -> Result<Response, ApiError> {
    ensure_ok(with_csrf(request, csrf_token).build()?.send().await?).await
}

async fn send_json<B: Serialize + ?Sized>(
    request: RequestBuilder,
    body: &B,
) -> Result<Response, ApiError> {
    ensure_ok(request.json(body)?.send().await?).await
}
