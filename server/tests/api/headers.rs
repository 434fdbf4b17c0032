//! Security headers on every kind of response: the SPA (with its inline loader script allowed
//! by hash), the API docs, the API and document downloads; HSTS only behind an HTTPS address.

use base64::Engine;
use chrono::{Datelike, Days};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Digest;
use uuid::Uuid;

use crate::helpers::{Backend, TestApp, spawn_app_with};

const POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const PERMISSIONS: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

/// What `trunk build` writes (trunk 0.21): the wasm is loaded by an inline module script.
const LOADER: &str = "\nimport init, * as bindings from '/skolflyt-app-0123abcd.js';\n\
    const wasm = await init({ module_or_path: '/skolflyt-app-0123abcd_bg.wasm' });\n\n\n\
    window.wasmBindings = bindings;\n\n\n\
    dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {detail: {wasm}}));\n\n";

fn index_html() -> String {
    format!(
        "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Skolflyt</title>\
         <link rel=\"stylesheet\" href=\"/main-0123abcd.css\">\
         <link rel=\"modulepreload\" href=\"/skolflyt-app-0123abcd.js\" crossorigin=\"anonymous\">\
         <script src=\"/not-inline.js\"></script></head>\
         <body><noscript>Skolflyt behöver JavaScript.</noscript>\
         <script type=\"module\">{LOADER}</script></body></html>"
    )
}

fn sha256(text: &str) -> String {
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().expect("a visible ASCII header"))
}

fn assert_common(response: &reqwest::Response, what: &str) {
    assert_eq!(
        header(response, "permissions-policy"),
        Some(PERMISSIONS),
        "{what}"
    );
    assert_eq!(header(response, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(response, "x-frame-options"), Some("DENY"));
}

/// guardian1's child in a school class, who may have a leave application.
async fn child_in_a_class(app: &TestApp) -> Uuid {
    let pupils = app
        .query_ids("SELECT DISTINCT person_id FROM group_memberships")
        .await;
    *app.account("guardian1")
        .children
        .iter()
        .find(|c| pupils.contains(c))
        .expect("a child of guardian1 in a class")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_a_content_security_policy() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), index_html()).unwrap();
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.dist_dir = dist.path().to_owned();
        config.public_url = Some("http://127.0.0.1:3000".to_owned());
    })
    .await;
    let session = app.login("guardian1").await;
    let spa_policy = POLICY.replace(
        "script-src 'self' 'wasm-unsafe-eval'",
        &format!("script-src 'self' 'wasm-unsafe-eval' {}", sha256(LOADER)),
    );

    // The SPA, also for a deep link, and the API: the inline loader allowed by its hash only.
    for path in ["/", "/arenden/123", "/api/auth/me", "/api/no-such-endpoint"] {
        let response = session.get(path).await;
        assert_eq!(
            header(&response, "content-security-policy"),
            Some(spa_policy.as_str()),
            "{path}"
        );
        assert_common(&response, path);
        assert_eq!(header(&response, "strict-transport-security"), None);
    }
    let index = session.get("/").await;
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(index.text().await.unwrap(), index_html());

    // The API docs: no inline script; one inline style (Swagger UI's logo) by its hash.
    let docs = session.get("/api/docs/").await;
    assert_eq!(docs.status(), StatusCode::OK);
    let docs_policy = POLICY.replace(
        "style-src 'self'",
        &format!(
            "style-src 'self' {}",
            sha256(".logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}")
        ),
    );
    assert_eq!(
        header(&docs, "content-security-policy"),
        Some(docs_policy.as_str())
    );
    assert_common(&docs, "/api/docs/");
    let page = docs.text().await.unwrap();
    assert!(page.contains("swagger-ui-bundle.js"));
    assert!(
        !page.contains("<script>") && !page.contains("<style"),
        "Swagger UI's page has no inline script or style: {page}"
    );
    let initializer = session.get("/api/docs/swagger-initializer.js").await;
    assert_eq!(initializer.status(), StatusCode::OK);
    assert_eq!(
        header(&initializer, "content-security-policy"),
        Some(docs_policy.as_str())
    );

    // A document download.
    let child = child_in_a_class(&app).await;
    let from = crate::helpers::school_week(&app).await;
    let submitted = session
        .post_json(
            "/api/applications/leave",
            json!({ "pupil_id": child, "from": from, "to": from + Days::new(1),
                    "reason": "Tandläkarbesök" }),
        )
        .await;
    assert_eq!(submitted.status(), StatusCode::CREATED);
    let submitted: Value = submitted.json().await.unwrap();
    let case = submitted["case_id"].as_str().unwrap();
    let mine = session.get_json(&format!("/api/my/cases/{case}")).await;
    let receipt = &mine["documents"][0];
    let download = session
        .get(&format!(
            "/api/cases/{case}/documents/{}",
            receipt["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        header(&download, "content-security-policy"),
        Some(spa_policy.as_str())
    );
    assert_common(&download, "a download");
    let number = submitted["number"].as_str().unwrap();
    let (year, serial) = number.split_once('/').unwrap();
    let file = format!("kvitto-{year}-{:05}.pdf", serial.parse::<u32>().unwrap());
    assert_eq!(
        header(&download, "content-disposition"),
        Some(format!("attachment; filename=\"{file}\"; filename*=UTF-8''{file}").as_str())
    );
    assert_eq!(year.parse::<i32>().unwrap(), app.today.year());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_only_behind_an_https_address() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.public_url = Some("https://skolflyt.norrfjarden.se".to_owned());
    })
    .await;
    let client = app.client();
    for path in ["/", "/api/openapi.json", "/api/docs/", "/api/auth/me"] {
        let response = client.get(path).await;
        assert_eq!(
            header(&response, "strict-transport-security"),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
        assert!(header(&response, "content-security-policy").is_some());
        assert_common(&response, path);
    }
    // Without the SPA built there is no inline script to allow.
    assert_eq!(
        header(&client.get("/").await, "content-security-policy"),
        Some(POLICY)
    );

    let plain = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let response = plain.client().get("/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "strict-transport-security"), None);
    assert!(header(&response, "content-security-policy").is_some());
}
