//! Sign-in, sign-out and the signed-in person.

use gloo_net::http::Request;
use shared::auth::{Locale, LocaleUpdate, LoginRequest, Me};

use super::{ApiError, ensure_ok, get_json, send_json, with_csrf};

/// `POST /api/auth/login`: 401 `invalid_credentials`, 429 `too_many_attempts`.
pub async fn login(credentials: &LoginRequest) -> Result<Me, ApiError> {
    let response = send_json(Request::post("/api/auth/login"), credentials).await?;
    Ok(response.json().await?)
}

/// `POST /api/auth/logout`.
pub async fn logout(csrf_token: &str) -> Result<(), ApiError> {
    let request = with_csrf(Request::post("/api/auth/logout"), csrf_token).build()?;
    ensure_ok(request.send().await?).await?;
    Ok(())
}

/// `GET /api/me`: 401 `unauthenticated` when there is no session.
pub async fn me() -> Result<Me, ApiError> {
    get_json(Request::get("/api/me")).await
}

/// `PUT /api/me/locale`.
pub async fn update_locale(csrf_token: &str, locale: Locale) -> Result<(), ApiError> {
    let request = with_csrf(Request::put("/api/me/locale"), csrf_token);
    send_json(request, &LocaleUpdate { locale }).await?;
    Ok(())
}
