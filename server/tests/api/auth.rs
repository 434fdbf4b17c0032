use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use shared::auth::{Me, Role};

use crate::helpers::{Backend, error_code, spawn_app, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    login_returns_the_person_and_a_hardened_session_cookie,
    a_wrong_password_or_unknown_user_is_refused_alike,
    empty_login_fields_get_field_level_errors,
    a_malformed_body_gets_the_error_envelope,
    without_a_session_me_is_unauthenticated,
    logout_needs_the_csrf_token_and_ends_the_session,
    the_locale_is_saved_only_with_the_csrf_token,
    a_cross_origin_login_is_refused,
    repeated_failed_logins_are_rate_limited,
    failed_logins_from_elsewhere_do_not_lock_the_holder_out,
    every_demo_account_has_its_role,
    unknown_api_paths_answer_json_404,
    the_openapi_document_lists_every_endpoint,
);

async fn login_returns_the_person_and_a_hardened_session_cookie(backend: Backend) {
    let app = spawn_app(backend).await;
    let account = app.account("guardian1");
    let response = app.client().login("guardian1", &account.password).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("skolflyt_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let me: Me = response.json().await.unwrap();
    assert_eq!(me.person_id, account.person_id);
    assert!(me.roles.contains(&Role::Guardian));
    assert_eq!(me.csrf_token.len(), 43);
}

async fn a_wrong_password_or_unknown_user_is_refused_alike(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.client();
    let wrong = client.login("guardian1", "not-the-password").await;
    assert_eq!(
        error_code(wrong).await,
        (StatusCode::UNAUTHORIZED, "invalid_credentials".into())
    );
    let unknown = client.login("nobody", "whatever-it-is").await;
    assert_eq!(
        error_code(unknown).await,
        (StatusCode::UNAUTHORIZED, "invalid_credentials".into())
    );
    assert_eq!(
        client.get("/api/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn empty_login_fields_get_field_level_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.client().login("  ", "").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "password"]);
}

async fn a_malformed_body_gets_the_error_envelope(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .client()
        .client
        .post(format!("{}/api/auth/login", app.address))
        .json(&json!({ "username": "guardian1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation");
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("password"),
        "{body}"
    );
}

async fn without_a_session_me_is_unauthenticated(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, code) = error_code(app.client().get("/api/me").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    let (status, _) = error_code(app.client().get("/api/pupils").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn logout_needs_the_csrf_token_and_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.login("teacher1").await;
    let refused = session
        .send(Method::POST, "/api/auth/logout", None, false)
        .await;
    assert_eq!(
        error_code(refused).await,
        (StatusCode::FORBIDDEN, "csrf".into())
    );
    assert_eq!(session.get("/api/me").await.status(), StatusCode::OK);

    let done = session
        .send(Method::POST, "/api/auth/logout", None, true)
        .await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        session.get("/api/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn the_locale_is_saved_only_with_the_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.login("guardian2").await;
    let body = Some(json!({ "locale": "en" }));
    let refused = session
        .send(Method::PUT, "/api/me/locale", body.clone(), false)
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(session.get_json("/api/me").await["locale"], "sv");

    let saved = session
        .send(Method::PUT, "/api/me/locale", body, true)
        .await;
    assert_eq!(saved.status(), StatusCode::NO_CONTENT);
    assert_eq!(session.get_json("/api/me").await["locale"], "en");

    let invalid = session
        .send(
            Method::PUT,
            "/api/me/locale",
            Some(json!({ "locale": "xx" })),
            true,
        )
        .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_cross_origin_login_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let account = app.account("guardian1");
    let response = app
        .client()
        .client
        .post(format!("{}/api/auth/login", app.address))
        .header(header::ORIGIN, "https://elak.example")
        .json(&json!({ "username": "guardian1", "password": account.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(response).await,
        (StatusCode::FORBIDDEN, "csrf".into())
    );
}

async fn repeated_failed_logins_are_rate_limited(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = app.client();
    for _ in 0..5 {
        let response = client.login("case_worker1", "wrong-password").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Now even the right password waits, so guessing cannot go on.
    let password = &app.account("case_worker1").password;
    let limited = client.login("case_worker1", password).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = limited.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    // Another user is not affected.
    let other = &app.account("case_worker2").password;
    assert_eq!(
        client.login("case_worker2", other).await.status(),
        StatusCode::OK
    );
}

/// A login from behind the proxy (the tests' loopback peer), as from `address`.
async fn login_from(
    app: &crate::helpers::TestApp,
    address: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/auth/login", app.address))
        .header("x-forwarded-for", format!("198.51.100.77, {address}"))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn failed_logins_from_elsewhere_do_not_lock_the_holder_out(backend: Backend) {
    let app = spawn_app_with(backend, |config| config.login_max_failures_per_hour = 12).await;
    let password = app.account("guardian1").password.clone();
    for _ in 0..5 {
        let response = login_from(&app, "203.0.113.5", "guardian1", "wrong").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let attacker = login_from(&app, "203.0.113.5", "guardian1", &password).await;
    assert_eq!(attacker.status(), StatusCode::TOO_MANY_REQUESTS);
    // The holder, elsewhere, still signs in, and is told once what happened.
    for _ in 0..5 {
        login_from(&app, "203.0.113.6", "guardian1", "wrong").await;
    }
    let holder = login_from(&app, "192.0.2.10", "guardian1", &password).await;
    assert_eq!(holder.status(), StatusCode::OK);
    let session = app.login("guardian1").await;
    let inbox = session.get_json("/api/inbox").await;
    let notices: Vec<_> = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["body"].as_str().unwrap_or("").contains("203.0.113.5"))
        .collect();
    assert_eq!(notices.len(), 1, "{inbox}");
    // Past the per-username backstop every address waits.
    for _ in 0..2 {
        login_from(&app, "203.0.113.7", "guardian1", "wrong").await;
    }
    let backstopped = login_from(&app, "192.0.2.10", "guardian1", &password).await;
    assert_eq!(backstopped.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn every_demo_account_has_its_role(backend: Backend) {
    let app = spawn_app(backend).await;
    for role in Role::ALL {
        assert!(
            app.accounts.iter().any(|a| a.role == role),
            "a demo account for {role:?}"
        );
    }
    for account in &app.accounts {
        let session = app.login(&account.username).await;
        let me: Me = session.get("/api/me").await.json().await.unwrap();
        assert!(
            me.roles.contains(&account.role),
            "{} has roles {:?}",
            account.username,
            me.roles
        );
    }
}

async fn unknown_api_paths_answer_json_404(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/api/nothing-here", "/api/pupils/not-a-uuid"] {
        let session = app.login("admin1").await;
        let (status, code) = error_code(session.get(path).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{path}"
        );
    }
}

async fn the_openapi_document_lists_every_endpoint(backend: Backend) {
    let app = spawn_app(backend).await;
    let spec = app.client().get_json("/api/openapi.json").await;
    let paths = spec["paths"].as_object().unwrap();
    for path in [
        "/api/auth/login",
        "/api/auth/logout",
        "/api/me",
        "/api/me/locale",
        "/api/pupils",
        "/api/pupils/{id}",
        "/api/units",
        "/api/units/{id}",
        "/api/groups",
        "/api/staff",
        "/api/cases",
        "/api/cases/{id}",
        "/api/cases/{id}/assignment",
        "/api/cases/{id}/notes",
        "/api/cases/{id}/subtasks",
        "/api/cases/{id}/decision",
        "/api/cases/{id}/closure",
        "/api/cases/{id}/documents/{document_id}",
        "/api/cases/owners",
        "/api/subtasks",
        "/api/subtasks/{id}/status",
        "/api/applications/leave",
        "/api/applications/leave/{id}/confirmation",
        "/api/pupils/{id}/leave",
        "/api/my/cases",
        "/api/my/cases/{id}",
        "/api/my/cases/{id}/withdrawal",
        "/api/inbox",
        "/api/jobs/schedules",
        "/api/jobs/summary",
        "/api/follow-ups",
        "/api/follow-ups/{id}",
        "/api/follow-ups/{id}/assignment",
        "/api/follow-ups/{id}/shares",
        "/api/follow-ups/{id}/status",
        "/api/follow-ups/{id}/due-date",
        "/api/follow-ups/{id}/retry",
        "/api/teams",
        "/api/me/contact",
        "/api/inbox/{id}/read",
        "/api/inbox/read",
        "/api/e-services",
        "/api/e-services/{code}",
        "/api/e-services/{code}/submissions",
        "/api/e-services/{code}/draft",
        "/api/e-services/{code}/publish",
        "/api/e-services/{code}/unpublish",
        "/api/e-services/{code}/saved-answers",
        "/api/case-types/{code}/legal-basis",
    ] {
        assert!(paths.contains_key(path), "{path} in {:?}", paths.keys());
    }
    let ui = app.client().get("/api/docs/").await;
    assert_eq!(ui.status(), StatusCode::OK);
}
