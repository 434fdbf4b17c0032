use std::net::SocketAddr;

use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use shared::auth::{CSRF_HEADER, Me};
use skolflyt::config::Config;
use skolflyt::demo::{self, DemoAccount, DemoOptions};
use skolflyt::startup::Application;
use skolflyt::store::Db;
use uuid::Uuid;

/// Which database a test runs on.
pub enum Backend {
    Sqlite,
    /// An admin URL of a PostgreSQL server; each test creates its own database there.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL when `SKOLFLYT_TEST_POSTGRES_URL` is set. With `SKOLFLYT_REQUIRE_POSTGRES=1`
    /// (CI) a missing URL fails the test instead of skipping it.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("SKOLFLYT_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ if std::env::var("SKOLFLYT_REQUIRE_POSTGRES").as_deref() == Ok("1") => {
                panic!("SKOLFLYT_REQUIRE_POSTGRES=1 but SKOLFLYT_TEST_POSTGRES_URL is not set")
            }
            _ => {
                eprintln!("PostgreSQL variant skipped: SKOLFLYT_TEST_POSTGRES_URL is not set");
                None
            }
        }
    }
}

/// Runs each named `async fn(Backend)` as two tests, `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(backend) = $crate::helpers::Backend::postgres() {
                        super::$name(backend).await
                    }
                }
            }
        )*
    };
}

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub db: Db,
    pub accounts: Vec<DemoAccount>,
    pub today: chrono::NaiveDate,
    /// The app's shared state, for running job steps directly.
    pub state: skolflyt::state::AppState,
    _dir: tempfile::TempDir,
}

/// Small enough to be quick, large enough for every demo relation.
pub const TEST_PUPILS: u32 = 150;

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with the configuration adjusted first (e.g. an SMTP server).
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("test.db").display()),
        Backend::Postgres(admin_url) => fresh_postgres_database(&admin_url).await,
    };
    let mut config = Config {
        database_url: database_url.clone(),
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        dist_dir: dir.path().join("no-dist"),
        // Cheap hashes: these tests are about the flow, not the hash cost.
        argon2_memory_kib: 256,
        blob_store_url: dir.path().join("blobs").display().to_string(),
        ..Config::default()
    };
    configure(&mut config);
    let argon2_memory_kib = config.argon2_memory_kib;
    let app = Application::build(config).await.expect("app builds");
    let db = app.db().clone();
    let state = app.state();
    let today = skolflyt::clock::today();
    demo::generate(
        &db,
        &DemoOptions {
            pupils: TEST_PUPILS,
            seed: 7,
            today,
            argon2_memory_kib,
            logins_per_role: 0,
        },
    )
    .await
    .expect("demo municipality");
    let accounts = demo::accounts(&db, today).await.expect("demo accounts");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        database_url,
        db,
        accounts,
        today,
        state,
        _dir: dir,
    }
}

pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = format!("skolflyt_t_{}", Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to the PostgreSQL admin URL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let (base, _) = admin_url.rsplit_once('/').expect("URL has a database part");
    format!("{base}/{name}")
}

/// A browser-like client: keeps cookies, remembers its CSRF token.
pub struct Session {
    pub client: Client,
    pub base: String,
    pub me: Option<Me>,
}

impl TestApp {
    pub fn client(&self) -> Session {
        Session {
            client: Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            base: self.address.clone(),
            me: None,
        }
    }

    pub fn account(&self, username: &str) -> &DemoAccount {
        self.accounts
            .iter()
            .find(|a| a.username == username)
            .unwrap_or_else(|| panic!("demo account {username}"))
    }

    /// Signs a demo account in.
    pub async fn login(&self, username: &str) -> Session {
        let account = self.account(username);
        let mut session = self.client();
        let response = session.login(username, &account.password).await;
        assert_eq!(response.status(), StatusCode::OK, "login as {username}");
        session.me = Some(response.json().await.expect("Me"));
        session
    }

    /// Every pupil in the register: persons with a current class/group or placement.
    pub async fn all_pupils(&self) -> Vec<Uuid> {
        self.query_ids(
            "SELECT DISTINCT person_id FROM group_memberships \
             UNION SELECT DISTINCT child_id FROM placements",
        )
        .await
    }

    /// Polls `check` until it is true or ten seconds have passed (automated steps run in the
    /// background job runner).
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for _ in 0..100 {
            if check().await {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("timed out waiting for: {what}");
    }

    pub async fn query_ids(&self, sql: &str) -> Vec<Uuid> {
        skolflyt::with_db!(&self.db, |pool| {
            sqlx::query_scalar(sql).fetch_all(pool).await
        })
        .expect("query ids")
    }

    pub async fn query_ids_for(&self, sql: &str, id: Uuid) -> Vec<Uuid> {
        skolflyt::with_db!(&self.db, |pool| {
            sqlx::query_scalar(sql).bind(id).fetch_all(pool).await
        })
        .expect("query ids")
    }
}

impl Session {
    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.client
            .post(format!("{}/api/auth/login", self.base))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, Some(body), true)
            .await
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("JSON")
    }

    /// A state-changing request carrying the CSRF token (when `with_csrf`).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        with_csrf: bool,
    ) -> Response {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if with_csrf {
            let token = &self.me.as_ref().expect("signed in").csrf_token;
            request = request.header(CSRF_HEADER, token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    /// All pages of a list, following `next_cursor`.
    pub async fn get_all(&self, path: &str, limit: u32) -> Vec<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{separator}limit={limit}&cursor={c}"),
                None => format!("{path}{separator}limit={limit}"),
            };
            let page = self.get_json(&url).await;
            items.extend(page["items"].as_array().expect("items").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return items,
            }
        }
    }
}

pub fn ids(items: &[Value]) -> Vec<Uuid> {
    items
        .iter()
        .map(|item| item["id"].as_str().expect("id").parse().expect("uuid"))
        .collect()
}

pub async fn error_code(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("error envelope");
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
    )
}

/// A one-page PDF that parses (catalog, page tree, cross-reference table), made with lopdf:
/// what an attachment must be to be accepted as `application/pdf`.
pub fn minimal_pdf() -> Vec<u8> {
    pdf_with_content(b"BT ET".to_vec())
}

/// A valid PDF of exactly `size` bytes (its page's content stream padded with spaces).
pub fn pdf_of_size(size: usize) -> Vec<u8> {
    let mut padding = size.saturating_sub(minimal_pdf().len());
    loop {
        let mut content = b"BT ET".to_vec();
        content.resize(content.len() + padding, b' ');
        let pdf = pdf_with_content(content);
        match pdf.len().cmp(&size) {
            std::cmp::Ordering::Equal => return pdf,
            std::cmp::Ordering::Less => padding += size - pdf.len(),
            std::cmp::Ordering::Greater => {
                padding = padding
                    .checked_sub(pdf.len() - size)
                    .expect("a size above the smallest PDF's")
            }
        }
    }
}

fn pdf_with_content(content: Vec<u8>) -> Vec<u8> {
    use lopdf::{Object, Stream, dictionary};
    let mut document = lopdf::Document::with_version("1.7");
    let pages_id = document.new_object_id();
    let content_id = document.add_object(Stream::new(dictionary! {}, content));
    let page_id = document.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
    });
    let pages = dictionary! {
        "Type" => "Pages",
        "Kids" => vec![page_id.into()],
        "Count" => 1,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    };
    document.objects.insert(pages_id, Object::Dictionary(pages));
    let catalog_id = document.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    document.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).expect("a PDF in memory");
    bytes
}

/// The Monday after `today` (a week ahead when today is a Monday).
pub fn next_monday(today: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    let ahead = 7 - today.weekday().num_days_from_monday() as u64;
    today + chrono::Days::new(ahead)
}

/// The first Monday after today whose whole week (Monday to Friday) is school days by the
/// school calendar: a leave in it counts five school days, whatever the date the tests run.
pub async fn school_week(app: &TestApp) -> chrono::NaiveDate {
    let mut monday = next_monday(app.today);
    loop {
        let days = skolflyt::store::attendance::school_days_in(
            &app.db,
            monday,
            monday + chrono::Days::new(4),
        )
        .await
        .unwrap();
        if days.len() == 5 {
            return monday;
        }
        monday = monday + chrono::Days::new(7);
    }
}

/// The `n`th school day (1 = the first) from `from` on, by the school calendar.
pub async fn school_days_from(
    app: &TestApp,
    from: chrono::NaiveDate,
    n: usize,
) -> chrono::NaiveDate {
    let days = skolflyt::store::attendance::school_days_in(
        &app.db,
        from,
        from + chrono::Days::new(n as u64 * 3 + 60),
    )
    .await
    .unwrap();
    days[n - 1]
}

/// The `(field, code)` pairs of a 422's field errors, in the order given (empty for another
/// answer).
pub fn field_codes(body: &serde_json::Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap().to_owned(),
                        f["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
