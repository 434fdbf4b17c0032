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
use crate::store::{self, Db};
use crate::{
    applications, auth, cases, clock, error, follow_ups, jobs, messages, openapi, register,
};

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Verified against when a username is unknown, so timing does not reveal accounts.
    pub dummy_hash: Arc<str>,
    /// Case documents.
    pub blobs: BlobStore,
    /// Wakes this process's job runner when a job was enqueued here.
    pub jobs_wakeup: Arc<Notify>,
    /// Outgoing e-mail, when configured.
    pub mailer: Option<messages::Mailer>,
    /// Seals list cursors (the same key on every instance).
    pub cursors: CursorKey,
}

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
        axum::serve(self.listener, self.router)
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
                .merge(jobs::router())
                .merge(follow_ups::router())
                .merge(messages::router()),
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

    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", spec))
        .fallback_service(spa)
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
        ))
        .layer(TraceLayer::new_for_http())
}

async fn api_not_found() -> axum::response::Response {
    error::envelope(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}
