//! Sign-in with local accounts, server-side sessions, CSRF protection and roles.
//!
//! The session cookie holds a random token; the database keeps only its SHA-256, so a leaked
//! database cannot be replayed. Every state-changing request carries the session's CSRF token
//! in `x-csrf-token` (checked by [`session_layer`]); sign-in itself, which has no session yet,
//! refuses cross-origin requests by their `Origin` header. Login methods other than passwords
//! (OIDC e-ID) plug in by calling [`start_session`] once they know the account.

pub mod password;

use std::net::{IpAddr, SocketAddr};

use axum::Extension;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use rand::RngCore;
use sha2::{Digest, Sha256};
use shared::api::FieldError;
use shared::auth::{CSRF_HEADER, Locale, LocaleUpdate, LoginRequest, Me, Role};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::{AppError, AppResult, Json};
use crate::state::AppState;
use crate::store::register::{self as register_store, Reader};
use crate::store::{self, Db};
use crate::{clock, error};

pub const SESSION_COOKIE: &str = "skolflyt_session";

/// The signed-in user of this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account_id: Uuid,
    pub person_id: Uuid,
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    pub locale: Locale,
    pub csrf_token: String,
    token_hash: String,
}

impl CurrentUser {
    /// The register as this user may read it today.
    pub fn reader(&self) -> Reader {
        Reader {
            person_id: self.person_id,
            today: clock::today(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(set_locale))
}

/// Resolves the session cookie into a [`CurrentUser`] extension and enforces CSRF.
pub async fn session_layer(
    State(state): State<AppState>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        match resolve_session(&state, cookie.value()).await {
            Ok(Some(user)) => {
                if unsafe_method && !csrf_matches(request.headers(), &user.csrf_token) {
                    return AppError::Csrf.into_response();
                }
                request.extensions_mut().insert(user);
            }
            Ok(None) => {}
            Err(error) => return error.into_response(),
        }
    }
    if unsafe_method && !same_origin(request.headers()) {
        return error::envelope(
            StatusCode::FORBIDDEN,
            "csrf",
            "cross-origin request refused",
        );
    }
    next.run(request).await
}

async fn resolve_session(state: &AppState, token: &str) -> AppResult<Option<CurrentUser>> {
    let now = clock::now();
    let idle = Duration::minutes(state.config.session_idle_minutes);
    let token_hash = hash_token(token);
    let Some(row) = store::auth::live_session(&state.db, &token_hash, now, now - idle).await?
    else {
        return Ok(None);
    };
    // Refresh the idle clock at most once a minute rather than writing on every request.
    if now - row.last_seen_at > Duration::minutes(1) {
        store::auth::touch_session(&state.db, &token_hash, now).await?;
    }
    Ok(Some(CurrentUser {
        account_id: row.account_id,
        person_id: row.person_id,
        username: row.username,
        given_name: row.given_name,
        family_name: row.family_name,
        locale: Locale::parse(&row.locale).unwrap_or_default(),
        csrf_token: row.csrf_token,
        token_hash,
    }))
}

fn csrf_matches(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(CSRF_HEADER)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|sent| constant_time_eq(sent.as_bytes(), expected.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A browser's `Origin`, when sent, must name the host the request went to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, origin_host)| origin_host == host)
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sign in with username and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = Me),
        (status = 401, description = "Wrong username or password", body = shared::api::ErrorEnvelope),
        (status = 422, description = "Empty fields", body = shared::api::ErrorEnvelope),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = shared::api::ErrorEnvelope),
    ))]
async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    connection: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Json(request): Json<LoginRequest>,
) -> AppResult<(CookieJar, Json<Me>)> {
    let username = request.username.trim().to_lowercase();
    let mut problems = Vec::new();
    if username.is_empty() {
        problems.push(FieldError::new(
            "username",
            "required",
            "enter your username",
        ));
    }
    if request.password.is_empty() {
        problems.push(FieldError::new(
            "password",
            "required",
            "enter your password",
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }

    let now = clock::now();
    let client = client_address(&headers, connection.map(|c| (c.0).0));
    throttle(&state, &username, &client, now).await?;

    let account = store::auth::account_by_username(&state.db, &username).await?;
    let stored_hash = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.to_string());
    let password = request.password;
    let matches = tokio::task::spawn_blocking(move || password::verify(&password, &stored_hash))
        .await
        .map_err(anyhow::Error::from)?;
    let account = match account {
        Some(account) if matches => account,
        other => {
            store::auth::record_failure(&state.db, &username, &client, now).await?;
            if let Some(account) = other {
                tell_of_throttling(&state, &username, &client, account.person_id, now).await?;
            }
            return Err(AppError::InvalidCredentials);
        }
    };
    store::auth::clear_failures(&state.db, &username, &client).await?;
    let (jar, me) = start_session(&state, jar, &account).await?;
    Ok((jar, Json(me)))
}

/// The address a login comes from: the peer's, or behind a proxy on a private or loopback
/// address the last `X-Forwarded-For` hop (the one the proxy appended, not the client's own).
fn client_address(headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    let peer_ip = peer.map(|p| p.ip());
    let behind_proxy = peer_ip.is_none_or(|ip| match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local(),
    });
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|hop| hop.trim().parse::<IpAddr>().ok());
    match (behind_proxy, forwarded, peer_ip) {
        (true, Some(forwarded), _) => forwarded.to_string(),
        (_, _, Some(ip)) => ip.to_string(),
        _ => String::new(),
    }
}

/// Refuses a login while `username` has had too many failures from `client` lately, or too
/// many from anywhere within the hour (the backstop).
async fn throttle(
    state: &AppState,
    username: &str,
    client: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let window = Duration::minutes(state.config.login_window_minutes);
    let hour = Duration::hours(1);
    let limits = [
        (Some(client), window, state.config.login_max_failures),
        (None, hour, state.config.login_max_failures_per_hour),
    ];
    for (client, window, max) in limits {
        let (failures, oldest) =
            store::auth::recent_failures(&state.db, username, client, now - window).await?;
        if failures >= max {
            let retry_at = oldest.unwrap_or(now) + window;
            return Err(AppError::TooManyAttempts {
                retry_after_seconds: (retry_at - now).num_seconds().max(1) as u64,
            });
        }
    }
    Ok(())
}

/// Tells the account holder, once per window, that sign-ins to their account were paused
/// after failed attempts (so that they know if it was not them).
async fn tell_of_throttling(
    state: &AppState,
    username: &str,
    client: &str,
    person: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let window = Duration::minutes(state.config.login_window_minutes);
    let (failures, _) =
        store::auth::recent_failures(&state.db, username, Some(client), now - window).await?;
    if failures < state.config.login_max_failures {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    if !store::auth::claim_throttle_notice(&mut tx, username, now - window, now).await? {
        return Ok(());
    }
    let minutes = state.config.login_window_minutes;
    let subject_sv = "Inloggningen till ditt konto pausades".to_owned();
    let subject_en = "Sign-in to your account was paused".to_owned();
    let body_sv = format!(
        "Någon försökte logga in på ditt konto {username} med fel lösenord {failures} gånger \
         (från adressen {client}). Inloggning därifrån är pausad i {minutes} minuter. Var det \
         inte du behöver du inte göra något; byt lösenord om du tror att någon känner till det."
    );
    let body_en = format!(
        "Someone tried to sign in to your account {username} with a wrong password {failures} \
         times (from the address {client}). Sign-in from there is paused for {minutes} minutes. \
         If it was not you, you need not do anything; change your password if you think \
         someone knows it."
    );
    let message = crate::store::messages::NewMessage {
        person_id: person,
        case_id: None,
        subject: (&subject_sv, &subject_en),
        body: (&body_sv, &body_en),
    };
    crate::messages::deliver(&mut tx, state, &message).await?;
    tx.commit().await?;
    Ok(())
}

/// Opens a session for an account whose identity has been established.
pub async fn start_session(
    state: &AppState,
    jar: CookieJar,
    account: &store::auth::AccountRow,
) -> AppResult<(CookieJar, Me)> {
    let now = clock::now();
    let token = random_token();
    let csrf_token = random_token();
    let expires_at = now + Duration::minutes(state.config.session_max_minutes);
    store::auth::create_session(
        &state.db,
        &hash_token(&token),
        account.id,
        &csrf_token,
        now,
        expires_at,
    )
    .await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .path("/")
        .build();
    let person = register_store::person_name(&state.db, account.person_id).await?;
    let me = Me {
        person_id: account.person_id,
        username: account.username.clone(),
        given_name: person.given_name,
        family_name: person.family_name,
        roles: roles_of(&state.db, account.person_id).await?,
        locale: Locale::parse(&account.locale).unwrap_or_default(),
        csrf_token,
    };
    Ok((jar.add(cookie), me))
}

/// Sign out: ends the session and clears the cookie.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    params(("x-csrf-token" = String, Header, description = "The session's CSRF token")),
    responses((status = 204, description = "Signed out"),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, description = "Missing CSRF token", body = shared::api::ErrorEnvelope)))]
async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    user: CurrentUser,
) -> AppResult<(CookieJar, StatusCode)> {
    store::auth::delete_session(&state.db, &user.token_hash).await?;
    let removal = Cookie::build((SESSION_COOKIE, "")).path("/").build();
    Ok((jar.remove(removal), StatusCode::NO_CONTENT))
}

/// The signed-in person, their roles today, locale and CSRF token.
#[utoipa::path(get, path = "/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = shared::api::ErrorEnvelope)))]
async fn me(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Me>> {
    Ok(Json(Me {
        person_id: user.person_id,
        roles: roles_of(&state.db, user.person_id).await?,
        username: user.username,
        given_name: user.given_name,
        family_name: user.family_name,
        locale: user.locale,
        csrf_token: user.csrf_token,
    }))
}

/// Remember the user's language.
#[utoipa::path(put, path = "/me/locale", tag = "auth", request_body = LocaleUpdate,
    params(("x-csrf-token" = String, Header, description = "The session's CSRF token")),
    responses((status = 204, description = "Saved"),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn set_locale(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(update): Json<LocaleUpdate>,
) -> AppResult<StatusCode> {
    store::auth::set_locale(
        &state.db,
        user.account_id,
        update.locale.as_str(),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Roles follow from the register on the day: duties, pupilship, acting guardianship.
pub async fn roles_of(db: &Db, person_id: Uuid) -> AppResult<Vec<Role>> {
    let reader = Reader {
        person_id,
        today: clock::today(),
    };
    let relations = register_store::relations_of(db, reader).await?;
    let mut roles: Vec<Role> = relations
        .duties
        .iter()
        .filter_map(|duty| match duty.as_str() {
            "teacher" | "mentor" => Some(Role::Teacher),
            "principal" => Some(Role::Principal),
            "provider_admin" => Some(Role::ProviderAdmin),
            "case_worker" => Some(Role::CaseWorker),
            "registrar" => Some(Role::Registrar),
            "administrator" => Some(Role::Admin),
            _ => None,
        })
        .collect();
    if relations.is_pupil {
        roles.push(Role::Pupil);
    }
    if relations.is_guardian {
        roles.push(Role::Guardian);
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_are_stable() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn origin_must_match_host_when_sent() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "skola.example:3000".parse().unwrap());
        assert!(same_origin(&headers));
        headers.insert(header::ORIGIN, "http://skola.example:3000".parse().unwrap());
        assert!(same_origin(&headers));
        headers.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!same_origin(&headers));
    }
}
