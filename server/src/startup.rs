//! Builds the application: database, routes, static SPA; binds the listener.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::documents::blob_store::BlobStore;
use crate::pagination::CursorKey;
use crate::state::AppState;
use crate::store::{self, Db};
use crate::{
    applications, attendance, audit, auth, cases, clock, e_services, error, follow_ups, jobs,
    messages, openapi, placements, register, registry, statistics,
};

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects to and migrates the database, then binds `config.bind` (port 0: any free port).
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        store::cases::seed_case_types(&db, cases::case_types::SEEDS, clock::now()).await?;
        jobs::schedules::seed(&db).await?;
        registry::seed(&db).await?;
        let listener = TcpListener::bind(config.bind).await?;
        let state = AppState {
            cursors: CursorKey::load(&db).await?,
            db: db.clone(),
            dummy_hash: auth::password::dummy_hash(config.argon2_memory_kib).into(),
            blobs: BlobStore::from_url(&config.blob_store_url)?,
            jobs_wakeup: Arc::new(Notify::new()),
            mailer: config
                .smtp
                .as_ref()
                .map(|smtp| messages::Mailer::from_config(smtp, config.public_url.clone()))
                .transpose()?,
            config: Arc::new(config),
            steps: Arc::new(registry::job_steps()),
            processes: Arc::new(registry::case_processes()),
        };
        jobs::spawn_runner(state.clone());
        Ok(Application {
            router: router(state.clone()),
            listener,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
            .port()
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// What the handlers and the job runner share (tests run steps with it).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then lets running requests finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        // The peer's address reaches handlers (login throttling is per client address).
        let service = self
            .router
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        self.state.db.close().await;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// The API under `/api` (JSON everywhere, also for unknown paths), its OpenAPI document and
/// browsable UI, and the SPA for everything else (deep links get `index.html`).
pub fn router(state: AppState) -> Router {
    let (api, spec) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest(
            "/api",
            OpenApiRouter::new()
                .merge(auth::router())
                .merge(register::router())
                .merge(cases::router())
                .merge(applications::router())
                .merge(attendance::router())
                .merge(e_services::router())
                .merge(audit::router())
                .merge(jobs::router())
                .merge(follow_ups::router())
                .merge(messages::router())
                .merge(placements::router())
                .merge(statistics::router()),
        )
        .split_for_parts();
    let api = api
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session_layer,
        ))
        .with_state(state.clone());

    let dist = &state.config.dist_dir;
    let spa = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(dist.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        );

    let csp = content_security_policy(&read_index_html(dist));
    let docs = Router::from(SwaggerUi::new("/api/docs").url("/api/openapi.json", spec)).layer(
        SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, docs_policy()),
    );
    let mut router = Router::new()
        .merge(api)
        .merge(docs)
        .fallback_service(spa)
        // The API docs set their own (inside this); everything else gets the SPA's.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cache-control"),
            HeaderValue::from_static("no-cache"),
        ));
    // Only where users reach us over HTTPS: over plain HTTP (development) the header is
    // meaningless, and sent for a host it would pin it to HTTPS for a year.
    if state
        .config
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"))
    {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        ));
    }
    router.layer(TraceLayer::new_for_http())
}

/// The Content-Security-Policy of every response except the API docs: the SPA loads its
/// script, style sheet, wasm and images from this origin only, and talks to this origin only.
/// `'wasm-unsafe-eval'` lets it compile its WebAssembly (it allows no JavaScript `eval`).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'self'";
pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";
/// The one inline `<style>` element Swagger UI renders: the colours of the logo in its top bar
/// (swagger-ui-standalone-preset.js). Its scripts and style sheets are files.
const SWAGGER_LOGO_STYLE: &str =
    ".logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}";

/// `dist/index.html`, if the SPA is built (the API works without it).
fn read_index_html(dist: &std::path::Path) -> String {
    std::fs::read_to_string(dist.join("index.html")).unwrap_or_default()
}

/// [`CONTENT_SECURITY_POLICY`], with the hash of each inline script of the SPA's
/// `index.html` allowed: Trunk loads the wasm with an inline `<script type="module">`. The
/// hashes are taken when the server starts, so a rebuilt SPA needs a restart.
pub fn content_security_policy(index_html: &str) -> HeaderValue {
    let hashes: String = inline_scripts(index_html)
        .into_iter()
        .map(|script| format!(" {}", csp_hash(script)))
        .collect();
    let policy = CONTENT_SECURITY_POLICY.replacen(
        "script-src 'self' 'wasm-unsafe-eval'",
        &format!("script-src 'self' 'wasm-unsafe-eval'{hashes}"),
        1,
    );
    HeaderValue::from_str(&policy).expect("a policy of ASCII and base64 is a header value")
}

/// The API docs' policy: the SPA's without its script hashes, and Swagger UI's logo style.
fn docs_policy() -> HeaderValue {
    let policy = CONTENT_SECURITY_POLICY.replacen(
        "style-src 'self'",
        &format!("style-src 'self' {}", csp_hash(SWAGGER_LOGO_STYLE)),
        1,
    );
    HeaderValue::from_str(&policy).expect("a policy of ASCII and base64 is a header value")
}

/// `'sha256-…'`: what a policy lists to allow an inline element with exactly this text.
pub fn csp_hash(text: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The text of every `<script>` element without a `src` attribute (an HTML script element's
/// text is raw: it ends at the first `</script`).
fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find("<script") {
        let tag_start = at + found;
        let after_name = tag_start + "<script".len();
        // `<scripts>` or `<script-x>` are other elements.
        if !lower[after_name..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            at = after_name;
            continue;
        }
        let Some(tag_len) = lower[after_name..].find('>') else {
            break;
        };
        let attributes = &lower[after_name..after_name + tag_len];
        let content_start = after_name + tag_len + 1;
        let Some(content_len) = lower[content_start..].find("</script") else {
            break;
        };
        let has_src = attributes
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attribute| attribute == "src" || attribute.starts_with("src="));
        if !has_src {
            scripts.push(&html[content_start..content_start + content_len]);
        }
        at = content_start + content_len;
    }
    scripts
}

async fn api_not_found() -> axum::response::Response {
    error::envelope(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_files_skipped() {
        let html = "<html><head><script src=\"/a.js\"></script>\
            <SCRIPT type=\"module\">import x from '/x.js';</SCRIPT>\
            <scripts>not one</scripts><script>\n1 < 2\n</script></head></html>";
        assert_eq!(
            inline_scripts(html),
            ["import x from '/x.js';", "\n1 < 2\n"]
        );
        assert!(inline_scripts("").is_empty());
        assert!(inline_scripts("<script>never closed").is_empty());
    }

    #[test]
    fn the_policy_allows_the_inline_scripts_by_hash() {
        // The example of CSP Level 3 §8.3: sha256 of `alert('Hello, world.');`.
        assert_eq!(
            csp_hash("alert('Hello, world.');"),
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        );
        let policy = content_security_policy("<script>alert('Hello, world.');</script>");
        assert!(
            policy.to_str().unwrap().contains(
                "script-src 'self' 'wasm-unsafe-eval' \
                 'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='; style-src 'self';"
            ),
            "{policy:?}"
        );
        assert_eq!(content_security_policy(""), CONTENT_SECURITY_POLICY);
        assert!(
            docs_policy()
                .to_str()
                .unwrap()
                .contains("script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'sha256-")
        );
    }
}
