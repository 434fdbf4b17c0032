//! A case worker's case list with a million cases: `cargo bench -p skolflyt --bench case_list`.
//!
//! Builds a fresh database (SQLite in a temp dir; PostgreSQL when `SKOLFLYT_BENCH_POSTGRES_URL`
//! names an admin URL, in a database created and dropped here), fills it with the demo
//! municipality and `SKOLFLYT_BENCH_CASES` cases (default 1 000 000) written straight into
//! `cases`, then starts the real app on port 0 and times `GET /api/cases` as `case_worker1` at
//! 1 and 16 clients. It also times the list query and the access-log insert in-process, to show
//! where a request's time goes. The tables go to stdout and into docs/PERFORMANCE.md
//! (`SKOLFLYT_BENCH_DOCS=0` leaves the file alone); `SKOLFLYT_BENCH_KEEP=1` keeps the database
//! for `EXPLAIN`; `SKOLFLYT_BENCH_REQUESTS` sets the requests per scenario (default 2000).
//! `SKOLFLYT_BENCH_DATABASE=<url>` measures a database an earlier run kept instead of building
//! one (minutes saved per try; the report says so, and the data is the same). It is left as
//! the run leaves it: its access log grows.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::{Client, StatusCode};
use serde::Deserialize;
use skolflyt::config::Config;
use skolflyt::demo::{self, DemoOptions};
use skolflyt::startup::Application;
use skolflyt::store::audit::{self, Access};
use skolflyt::store::cases::{self as case_store, CaseFilter, CasePosition, CaseView};
use skolflyt::store::{Db, DbKind};
use skolflyt::{cases, clock, with_db, with_tx};
use tokio::task::JoinSet;
use uuid::Uuid;

const DEFAULT_CASES: u64 = 1_000_000;
const DEFAULT_REQUESTS: usize = 2_000;
const PUPILS: u32 = 15_000;
/// Cheap hashes: the logins are not what is measured.
const ARGON2_MEMORY_KIB: u32 = 256;
const PAGE_SIZE: usize = 50;
/// How far the deep cursor is: this many pages of 50 in.
const DEEP_PAGES: usize = 200;
const CONCURRENCY: [usize; 2] = [1, 16];
/// Each scenario stops at its request count or after this long, whichever comes first.
const MAX_SCENARIO_TIME: Duration = Duration::from_secs(10);
const WARMUP_PER_CLIENT: usize = 10;

const CASE_INSERT: &str = "INSERT INTO cases (id, year, serial, case_type, status, title, \
    applicant_id, subject_id, owner_id, deadline, due_date, publicity_class, outcome, \
    created_at, updated_at, closed_at) ";
const CASE_INSERT_COLUMNS: usize = 16;
/// SQLite allows 32 766 bind parameters per statement (PostgreSQL 65 535).
const ROWS_PER_INSERT: usize = 2_000;
const _: () = assert!(ROWS_PER_INSERT * CASE_INSERT_COLUMNS <= 32_766);
const ROWS_PER_TRANSACTION: u64 = 100_000;

/// The case types the cases get, with their share in percent and a title.
const CASE_TYPES: [(&str, u32, &str); 4] = [
    ("leave", 55, "Ansökan om ledighet"),
    ("placement_change", 20, "Byte av placering"),
    ("school_choice", 15, "Skolval"),
    ("ike", 10, "Interkommunal ersättning"),
];

struct Settings {
    postgres_admin_url: Option<String>,
    /// A database kept by an earlier run, measured as it is.
    reuse_url: Option<String>,
    cases: u64,
    requests: usize,
    write_docs: bool,
    keep: bool,
}

impl Settings {
    fn from_env() -> anyhow::Result<Settings> {
        fn var(name: &str) -> Option<String> {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        }
        fn number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
        where
            T::Err: std::error::Error + Send + Sync + 'static,
        {
            var(name).map_or(Ok(default), |v| {
                v.parse()
                    .with_context(|| format!("{name}={v:?} is not a number"))
            })
        }
        let settings = Settings {
            postgres_admin_url: var("SKOLFLYT_BENCH_POSTGRES_URL"),
            reuse_url: var("SKOLFLYT_BENCH_DATABASE"),
            cases: number("SKOLFLYT_BENCH_CASES", DEFAULT_CASES)?,
            requests: number("SKOLFLYT_BENCH_REQUESTS", DEFAULT_REQUESTS)?,
            write_docs: var("SKOLFLYT_BENCH_DOCS").as_deref() != Some("0"),
            keep: var("SKOLFLYT_BENCH_KEEP").as_deref() == Some("1"),
        };
        ensure!(settings.requests > 0, "SKOLFLYT_BENCH_REQUESTS must be > 0");
        Ok(settings)
    }

    /// The command line that reproduces this run (without secrets).
    fn command(&self) -> String {
        let mut command = String::new();
        if let Some(url) = &self.reuse_url {
            write!(command, "SKOLFLYT_BENCH_DATABASE={} ", redacted(url)).unwrap();
        } else if let Some(url) = &self.postgres_admin_url {
            write!(command, "SKOLFLYT_BENCH_POSTGRES_URL={} ", redacted(url)).unwrap();
        }
        if self.cases != DEFAULT_CASES {
            write!(command, "SKOLFLYT_BENCH_CASES={} ", self.cases).unwrap();
        }
        if self.requests != DEFAULT_REQUESTS {
            write!(command, "SKOLFLYT_BENCH_REQUESTS={} ", self.requests).unwrap();
        }
        command + "cargo bench -p skolflyt --bench case_list"
    }
}

fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let dir = tempfile::tempdir()?;
    if let Some(url) = &settings.reuse_url {
        return run(&settings, url, dir.path()).await;
    }
    let postgres = match &settings.postgres_admin_url {
        Some(admin_url) => Some(create_postgres_database(admin_url).await?),
        None => None,
    };
    let database_url = match &postgres {
        Some((url, _)) => url.clone(),
        None => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let result = run(&settings, &database_url, dir.path()).await;
    match (postgres, settings.keep) {
        (Some((url, _)), true) => eprintln!("kept the database {}", redacted(&url)),
        (Some((_, name)), false) => {
            let admin_url = settings.postgres_admin_url.as_deref().unwrap_or_default();
            drop_postgres_database(admin_url, &name).await?;
        }
        (None, true) => eprintln!("kept the database in {}", dir.keep().display()),
        (None, false) => {}
    }
    result
}

/// Creates `skolflyt_bench_<random>` next to the admin URL's database; returns its URL and name.
async fn create_postgres_database(admin_url: &str) -> anyhow::Result<(String, String)> {
    use sqlx::Connection;
    let name = format!("skolflyt_bench_{}", Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .context("connect to SKOLFLYT_BENCH_POSTGRES_URL")?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let (base, _) = admin_url
        .rsplit_once('/')
        .context("the PostgreSQL URL names no database")?;
    Ok((format!("{base}/{name}"), name))
}

async fn drop_postgres_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    Ok(())
}

async fn run(settings: &Settings, database_url: &str, dir: &Path) -> anyhow::Result<()> {
    let today = clock::today();
    // Fill the database through pools of its own and close them, so that the app's connections
    // open afterwards and plan with ANALYZE's statistics.
    let db = Db::connect(database_url).await?;
    db.migrate().await?;
    case_store::seed_case_types(&db, cases::case_types::SEEDS, clock::now()).await?;
    let database = database_version(&db).await?;
    eprintln!("database: {database}");
    let built = if settings.reuse_url.is_some() {
        None
    } else {
        let started = Instant::now();
        let options = DemoOptions {
            pupils: PUPILS,
            seed: 1,
            today,
            argon2_memory_kib: ARGON2_MEMORY_KIB,
            logins_per_role: 0,
        };
        demo::generate(&db, &options).await?;
        Some(started.elapsed())
    };
    let accounts = demo::accounts(&db, today).await?;
    let worker = accounts
        .iter()
        .find(|a| a.username == "case_worker1")
        .context("the demo has no case_worker1")?;
    let (cases, loaded, built) = match built {
        Some(demo_time) => {
            eprintln!("demo municipality ({PUPILS} pupils) in {demo_time:.1?}");
            let started = Instant::now();
            let loaded = load_cases(&db, settings.cases, worker.person_id, today).await?;
            let load_time = started.elapsed();
            let started = Instant::now();
            analyze(&db).await?;
            let analyze_time = started.elapsed();
            eprintln!(
                "{} cases in {load_time:.1?} ({:.0}/s), ANALYZE in {analyze_time:.1?}",
                settings.cases,
                settings.cases as f64 / load_time.as_secs_f64()
            );
            let built = Built {
                demo_time,
                load_time,
                analyze_time,
            };
            (settings.cases, loaded, Some(built))
        }
        None => {
            let (cases, loaded) = count_cases(&db, worker.person_id).await?;
            eprintln!("reusing {cases} cases");
            (cases, loaded, None)
        }
    };
    db.close().await;

    let app = Application::build(Config {
        database_url: database_url.to_owned(),
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        dist_dir: dir.join("no-dist"),
        argon2_memory_kib: ARGON2_MEMORY_KIB,
        blob_store_url: dir.join("blobs").display().to_string(),
        ..Config::default()
    })
    .await?;
    let db = app.db().clone();
    let base = format!("http://127.0.0.1:{}", app.port());
    let server = tokio::spawn(app.run_until_stopped());
    let measured = measure(settings, &db, &base, &worker.password, worker.person_id).await;
    server.abort();
    db.close().await;
    let measured = measured?;

    let report = Report {
        command: settings.command(),
        requests: settings.requests,
        machine: Machine::here(),
        database,
        kind: db.kind(),
        cases,
        loaded,
        built,
        measured,
    };
    let markdown = report.markdown();
    println!("{markdown}");
    if settings.write_docs {
        let path = update_docs(report.kind, &markdown)?;
        eprintln!("updated {}", path.display());
    }
    Ok(())
}

async fn database_version(db: &Db) -> anyhow::Result<String> {
    let sql = match db.kind() {
        DbKind::Sqlite => "SELECT 'SQLite ' || sqlite_version()",
        DbKind::Postgres => "SELECT 'PostgreSQL ' || current_setting('server_version')",
    };
    let version: String = with_db!(db, |pool| sqlx::query_scalar(sql).fetch_one(pool).await)?;
    Ok(version)
}

async fn analyze(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query("ANALYZE").execute(&mut *conn).await?;
    });
    tx.commit().await?;
    // The load's write-ahead log (the whole database) copied back now, not by the app's or
    // PostgreSQL's checkpointer while the scenarios run: what a server started after an
    // import sees. (PostgreSQL's checkpoint after the load gave p99s of 200–400 ms.)
    let result = match db {
        Db::Sqlite { write, .. } => sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(write)
            .await
            .map(drop),
        Db::Postgres(pool) => sqlx::query("CHECKPOINT").execute(pool).await.map(drop),
    };
    if let Err(error) = result {
        eprintln!("the checkpoint failed ({error}): measuring during the load's checkpoint");
    }
    Ok(())
}

/// What was loaded: the case list sizes the scenarios page through.
struct Loaded {
    /// Cases owned by case_worker1 …
    owned: u64,
    /// … of which not closed: the "mine" list.
    mine: u64,
    /// New cases without an owner: the queue.
    queue: u64,
}

struct CaseTypeInfo {
    code: &'static str,
    share: u32,
    title: &'static str,
    handling_days: u64,
    publicity_class: String,
}

/// One generated case; the row is written as is.
struct NewCase<'a> {
    id: Uuid,
    serial: i32,
    case_type: &'a CaseTypeInfo,
    status: &'static str,
    applicant: Uuid,
    subject: Uuid,
    owner: Option<Uuid>,
    deadline: Option<NaiveDate>,
    due_date: NaiveDate,
    outcome: Option<&'static str>,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
}

/// The cases' ingredients from the demo register.
struct CasePlan {
    /// (guardian, child): the applicant and the case's subject.
    families: Vec<(Uuid, Uuid)>,
    worker: Uuid,
    other_workers: Vec<Uuid>,
    types: Vec<CaseTypeInfo>,
    today: NaiveDate,
    now: DateTime<Utc>,
}

impl CasePlan {
    /// A case: a fifth owned by case_worker1, three fifths by the other case workers, a fifth
    /// by nobody. Owned cases are mostly open, the rest decided or closed; unowned ones are new
    /// (the queue) or withdrawn. Due dates spread over a year either side of today.
    fn case(&self, rng: &mut ChaCha8Rng, serial: i32) -> NewCase<'_> {
        let id = uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid();
        let (applicant, subject) = self.families[rng.gen_range(0..self.families.len())];
        let mut pick = rng.gen_range(0..100);
        let case_type = self
            .types
            .iter()
            .find(|t| {
                let hit = pick < t.share;
                pick = pick.saturating_sub(t.share);
                hit
            })
            .unwrap_or(&self.types[0]);
        let owner = match rng.gen_range(0..5) {
            0 => Some(self.worker),
            4 => None,
            _ => Some(self.other_workers[rng.gen_range(0..self.other_workers.len())]),
        };
        let due_date = shift(self.today, rng.gen_range(-365..=365));
        let created_on = shift(due_date, -(case_type.handling_days as i64)).min(self.today);
        let created_at = created_on
            .and_hms_opt(
                rng.gen_range(7..17),
                rng.gen_range(0..60),
                rng.gen_range(0..60),
            )
            .expect("a valid time")
            .and_utc()
            .min(self.now);
        let closed_at = |rng: &mut ChaCha8Rng| {
            let days = rng.gen_range(1..=case_type.handling_days);
            Some((created_at + chrono::Duration::days(days as i64)).min(self.now))
        };
        let (status, outcome, closed_at, deadline) = match (owner, rng.gen_range(0..100)) {
            (None, 0..92) => ("new", None, None, None),
            (None, _) => ("withdrawn", Some("withdrawn"), closed_at(rng), None),
            (Some(_), roll) => {
                let deadline = (roll % 2 == 0).then(|| shift(due_date, -rng.gen_range(0..7)));
                let outcome = if rng.gen_range(0..5) == 0 {
                    "rejected"
                } else {
                    "approved"
                };
                match roll {
                    0..60 => ("open", None, None, deadline),
                    60..72 => ("decided", Some(outcome), None, deadline),
                    _ => ("closed", Some(outcome), closed_at(rng), deadline),
                }
            }
        };
        NewCase {
            id,
            serial,
            case_type,
            status,
            applicant,
            subject,
            owner,
            deadline,
            due_date,
            outcome,
            created_at,
            closed_at,
        }
    }
}

fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        date + Days::new(days as u64)
    } else {
        date - Days::new(days.unsigned_abs())
    }
}

/// Writes `count` cases straight into `cases`, numbered on from the year's series, with
/// multi-row INSERTs in transactions of [`ROWS_PER_TRANSACTION`].
async fn load_cases(db: &Db, count: u64, worker: Uuid, today: NaiveDate) -> anyhow::Result<Loaded> {
    let families: Vec<(Uuid, Uuid)> = with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT guardian_id, child_id FROM guardianships ORDER BY child_id, guardian_id",
        )
        .fetch_all(pool)
        .await
    })?;
    ensure!(!families.is_empty(), "the demo has no guardianships");
    let other_workers: Vec<Uuid> = case_store::case_workers(db, today)
        .await?
        .into_iter()
        .map(|(id, ..)| id)
        .filter(|id| *id != worker)
        .collect();
    ensure!(
        !other_workers.is_empty(),
        "the demo has no case workers but case_worker1"
    );
    let mut types = Vec::new();
    for (code, share, title) in CASE_TYPES {
        let (handling_days, publicity_class): (i32, String) = with_db!(db, |pool| {
            sqlx::query_as("SELECT handling_days, publicity_class FROM case_types WHERE code = $1")
                .bind(code)
                .fetch_one(pool)
                .await
        })?;
        types.push(CaseTypeInfo {
            code,
            share,
            title,
            handling_days: handling_days as u64,
            publicity_class,
        });
    }
    let year = today.year();
    let last_serial: Option<i32> = with_db!(db, |pool| {
        sqlx::query_scalar("SELECT last_serial FROM case_number_series WHERE year = $1")
            .bind(year)
            .fetch_optional(pool)
            .await
    })?;
    let first_serial = last_serial.unwrap_or(0) + 1;
    let last_serial = i32::try_from(i64::from(first_serial) + count as i64 - 1)
        .context("too many cases for one year's series")?;

    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let plan = CasePlan {
        families,
        worker,
        other_workers,
        types,
        today,
        now: clock::now(),
    };
    let mut loaded = Loaded {
        owned: 0,
        mine: 0,
        queue: 0,
    };
    let started = Instant::now();
    let mut serial = first_serial;
    let mut written = 0;
    while written < count {
        let in_transaction = ROWS_PER_TRANSACTION.min(count - written);
        let mut tx = db.begin().await?;
        let mut in_this = 0;
        while in_this < in_transaction {
            let rows = (in_transaction - in_this).min(ROWS_PER_INSERT as u64);
            let mut cases = Vec::with_capacity(rows as usize);
            for _ in 0..rows {
                let case = plan.case(&mut rng, serial);
                serial += 1;
                if case.owner == Some(worker) {
                    loaded.owned += 1;
                    loaded.mine += u64::from(case.closed_at.is_none());
                }
                loaded.queue += u64::from(case.owner.is_none() && case.status == "new");
                cases.push(case);
            }
            with_tx!(&mut tx, |conn| {
                sqlx::QueryBuilder::new(CASE_INSERT)
                    .push_values(&cases, |mut row, case| {
                        row.push_bind(case.id)
                            .push_bind(year)
                            .push_bind(case.serial)
                            .push_bind(case.case_type.code)
                            .push_bind(case.status)
                            .push_bind(case.case_type.title)
                            .push_bind(case.applicant)
                            .push_bind(case.subject)
                            .push_bind(case.owner)
                            .push_bind(case.deadline)
                            .push_bind(case.due_date)
                            .push_bind(case.case_type.publicity_class.as_str())
                            .push_bind(case.outcome)
                            .push_bind(case.created_at)
                            .push_bind(case.closed_at.unwrap_or(case.created_at))
                            .push_bind(case.closed_at);
                    })
                    .build()
                    .execute(&mut *conn)
                    .await?;
            });
            in_this += rows;
        }
        tx.commit().await?;
        written += in_transaction;
        eprintln!("  {written}/{count} cases ({:.0?})", started.elapsed());
    }
    // Later registrations continue the series.
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO case_number_series (year, last_serial) VALUES ($1, $2) \
             ON CONFLICT (year) DO UPDATE SET last_serial = excluded.last_serial",
        )
        .bind(year)
        .bind(last_serial)
        .execute(&mut *conn)
        .await?;
    });
    tx.commit().await?;
    Ok(loaded)
}

/// The list sizes of a database an earlier run loaded.
async fn count_cases(db: &Db, worker: Uuid) -> anyhow::Result<(u64, Loaded)> {
    let (cases, owned, mine, queue): (i64, i64, i64, i64) = with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT COUNT(*), \
                    COALESCE(SUM(CASE WHEN owner_id = $1 THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN owner_id = $1 AND closed_at IS NULL THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN owner_id IS NULL AND status = 'new' THEN 1 ELSE 0 END), 0) \
             FROM cases",
        )
        .bind(worker)
        .fetch_one(pool)
        .await
    })?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let loaded = Loaded {
        owned: count(owned),
        mine: count(mine),
        queue: count(queue),
    };
    Ok((count(cases), loaded))
}

/// What a response must be for the request to count.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// 200 and a full page whose every case has this owner (`None`: unowned).
    Page { owner: Option<Uuid> },
    /// 200.
    Ok,
}

#[derive(Deserialize)]
struct PageBody {
    items: Vec<ItemBody>,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct ItemBody {
    id: Uuid,
    owner: Option<OwnerBody>,
}

#[derive(Deserialize)]
struct OwnerBody {
    id: Uuid,
}

impl Expect {
    fn check(self, body: &[u8]) -> anyhow::Result<()> {
        let Expect::Page { owner } = self else {
            return Ok(());
        };
        let page: PageBody = serde_json::from_slice(body)?;
        ensure!(
            page.items.len() == PAGE_SIZE,
            "{} items, not {PAGE_SIZE}",
            page.items.len()
        );
        ensure!(
            page.next_cursor.is_some(),
            "a full page without next_cursor"
        );
        if let Some(item) = page
            .items
            .iter()
            .find(|item| item.owner.as_ref().map(|o| o.id) != owner)
        {
            bail!("case {} has another owner than {owner:?}", item.id);
        }
        Ok(())
    }
}

/// One caller's way of doing the measured thing once.
#[derive(Clone)]
enum Probe {
    Http {
        client: Client,
        url: Arc<str>,
        expect: Expect,
    },
    /// `store::cases::list` for the "mine" view, without HTTP, session or access log.
    List {
        db: Db,
        worker: Uuid,
        after: Option<CasePosition>,
    },
    /// `audit::record` of one page's subjects, as the list handler does it.
    Audit {
        db: Db,
        worker: Uuid,
        subjects: Arc<[Uuid]>,
    },
}

impl Probe {
    async fn once(&self) -> anyhow::Result<Duration> {
        let started = Instant::now();
        match self {
            Probe::Http {
                client,
                url,
                expect,
            } => {
                let response = client.get(&**url).send().await?;
                let status = response.status();
                let body = response.bytes().await?;
                let latency = started.elapsed();
                ensure!(
                    status == StatusCode::OK,
                    "GET {url}: {status} {}",
                    String::from_utf8_lossy(&body)
                );
                expect.check(&body).with_context(|| format!("GET {url}"))?;
                Ok(latency)
            }
            Probe::List { db, worker, after } => {
                let filter = CaseFilter::default();
                let view = CaseView::Mine(*worker);
                let rows = case_store::list(db, view, &filter, *after, PAGE_SIZE as u32).await?;
                let latency = started.elapsed();
                ensure!(rows.len() == PAGE_SIZE, "{} rows", rows.len());
                ensure!(rows.iter().all(|r| r.owner_id == Some(*worker)));
                Ok(latency)
            }
            Probe::Audit {
                db,
                worker,
                subjects,
            } => {
                let access = Access {
                    actor: *worker,
                    action: "case.list",
                    detail: "",
                };
                audit::record(db, access, subjects, clock::now()).await?;
                Ok(started.elapsed())
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Stats {
    requests: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
    per_second: f64,
    /// CPU time of this whole process (server, client, SQLite) per request.
    cpu_per_request: Duration,
}

/// User and system CPU time of this process so far (`/proc/self/stat`, in 1/100 s).
fn process_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat(5); `fields` starts at field 3.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

impl Stats {
    fn of(mut latencies: Vec<Duration>, wall: Duration, cpu: Duration) -> Stats {
        latencies.sort_unstable();
        // Nearest rank.
        let rank = |p: usize| latencies[(latencies.len() * p).div_ceil(100).max(1) - 1];
        Stats {
            requests: latencies.len(),
            p50: rank(50),
            p99: rank(99),
            max: *latencies.last().expect("at least one request"),
            per_second: latencies.len() as f64 / wall.as_secs_f64(),
            cpu_per_request: cpu / latencies.len() as u32,
        }
    }
}

/// Each probe is one concurrent caller: a warm-up, then `requests` calls shared among them
/// (or as many as fit in [`MAX_SCENARIO_TIME`]).
async fn drive(probes: &[Probe], requests: usize) -> anyhow::Result<Stats> {
    async fn callers(
        probes: &[Probe],
        per_caller: usize,
        deadline: Option<Instant>,
    ) -> anyhow::Result<Vec<Duration>> {
        let mut tasks = JoinSet::new();
        for probe in probes {
            let probe = probe.clone();
            tasks.spawn(async move {
                let mut latencies = Vec::with_capacity(per_caller);
                for _ in 0..per_caller {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    latencies.push(probe.once().await?);
                }
                anyhow::Ok(latencies)
            });
        }
        let mut all = Vec::new();
        while let Some(latencies) = tasks.join_next().await {
            all.extend(latencies??);
        }
        Ok(all)
    }
    callers(probes, WARMUP_PER_CLIENT, None).await?;
    let (started, cpu) = (Instant::now(), process_cpu_time());
    let per_caller = requests.div_ceil(probes.len());
    let latencies = callers(probes, per_caller, Some(started + MAX_SCENARIO_TIME)).await?;
    let cpu = process_cpu_time().saturating_sub(cpu);
    Ok(Stats::of(latencies, started.elapsed(), cpu))
}

struct Row {
    scenario: String,
    clients: usize,
    stats: Stats,
    /// A case list over HTTP, which the target is about.
    case_list: bool,
}

struct Measured {
    http: Vec<Row>,
    /// The same requests from `wrk` in a process of its own; empty where wrk is missing.
    wrk: Vec<Row>,
    in_process: Vec<Row>,
    deep_pages: usize,
    /// `/proc/loadavg` before and after: other work on the machine shares its CPUs.
    load_average: (String, String),
}

fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Posts the sign-in form with `client`; fails unless it is accepted.
async fn sign_in(
    client: &Client,
    base: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<reqwest::Response> {
    let response = client
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await?;
    ensure!(
        response.status() == StatusCode::OK,
        "login as {username}: {}",
        response.status()
    );
    Ok(response)
}

async fn login(base: &str, username: &str, password: &str) -> anyhow::Result<Client> {
    let client = Client::builder().cookie_store(true).build()?;
    sign_in(&client, base, username, password).await?;
    Ok(client)
}

/// Signs in and returns the session cookie (`name=value`) for a client that is not reqwest.
async fn session_cookie(base: &str, username: &str, password: &str) -> anyhow::Result<String> {
    let response = sign_in(&Client::new(), base, username, password).await?;
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("skolflyt_session="))
        .context("no session cookie")?;
    Ok(cookie.split(';').next().unwrap_or_default().to_owned())
}

/// Follows `next_cursor` until the page after `pages` pages (or the last full page before the
/// end); returns that page's cursor, the last case before it, and how many pages it skips.
async fn deep_cursor(
    client: &Client,
    base: &str,
    pages: usize,
) -> anyhow::Result<(String, Uuid, usize)> {
    let first = format!("{base}/api/cases?view=mine&limit={PAGE_SIZE}");
    let mut cursor: Option<(String, Uuid, usize)> = None;
    let mut deepest_full = None;
    for depth in 1..=pages + 1 {
        let url = match &cursor {
            Some((next, ..)) => format!("{first}&cursor={next}"),
            None => first.clone(),
        };
        let page: PageBody = client
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let (Some(next), Some(last), PAGE_SIZE) =
            (page.next_cursor, page.items.last(), page.items.len())
        else {
            break;
        };
        deepest_full = cursor.take().or(deepest_full);
        cursor = Some((next, last.id, depth));
    }
    deepest_full.context("case_worker1 has less than two full pages of cases")
}

async fn measure(
    settings: &Settings,
    db: &Db,
    base: &str,
    password: &str,
    worker: Uuid,
) -> anyhow::Result<Measured> {
    let load_before = load_average();
    let max_clients = CONCURRENCY.into_iter().max().unwrap_or(1);
    let mut clients = Vec::new();
    for _ in 0..max_clients {
        clients.push(login(base, "case_worker1", password).await?);
    }
    let (cursor, after, deep_pages) = deep_cursor(&clients[0], base, DEEP_PAGES).await?;
    let after = CasePosition::of(
        &case_store::get(db, after)
            .await?
            .context("the deep page's last case")?,
    );
    let list = format!("{base}/api/cases?limit={PAGE_SIZE}");
    let mine = Expect::Page {
        owner: Some(worker),
    };
    let scenarios = [
        (
            "`GET /api/me` (session and roles only)".to_owned(),
            format!("{base}/api/me"),
            Expect::Ok,
        ),
        (
            "mine, first page".to_owned(),
            format!("{list}&view=mine"),
            mine,
        ),
        (
            format!(
                "mine, page {} (cursor {} cases deep)",
                deep_pages + 1,
                deep_pages * PAGE_SIZE
            ),
            format!("{list}&view=mine&cursor={cursor}"),
            mine,
        ),
        (
            "queue, first page".to_owned(),
            format!("{list}&view=queue"),
            Expect::Page { owner: None },
        ),
    ];
    let mut http = Vec::new();
    let mut wrk_scenarios = Vec::new();
    for (scenario, url, expect) in scenarios {
        wrk_scenarios.push((
            scenario.clone(),
            url.clone(),
            matches!(expect, Expect::Page { .. }),
        ));
        let url: Arc<str> = url.into();
        for concurrency in CONCURRENCY {
            let probes: Vec<Probe> = clients[..concurrency]
                .iter()
                .map(|client| Probe::Http {
                    client: client.clone(),
                    url: url.clone(),
                    expect,
                })
                .collect();
            let stats = drive(&probes, settings.requests).await?;
            eprintln!("{scenario} × {concurrency}: {stats:?}");
            http.push(Row {
                scenario: scenario.clone(),
                clients: concurrency,
                stats,
                case_list: matches!(expect, Expect::Page { .. }),
            });
        }
    }

    let wrk = if wrk::available() {
        let mut cookies = Vec::new();
        for _ in 0..max_clients {
            cookies.push(session_cookie(base, "case_worker1", password).await?);
        }
        let mut rows = Vec::new();
        for (scenario, url, case_list) in wrk_scenarios {
            for concurrency in CONCURRENCY {
                let stats = wrk::run(&url, &cookies, concurrency).await?;
                eprintln!("wrk: {scenario} × {concurrency}: {stats:?}");
                rows.push(Row {
                    scenario: scenario.clone(),
                    clients: concurrency,
                    stats,
                    case_list,
                });
            }
        }
        rows
    } else {
        eprintln!("wrk is not installed: the HTTP scenarios run from in-process clients only");
        Vec::new()
    };

    let first_page = case_store::list(
        db,
        CaseView::Mine(worker),
        &CaseFilter::default(),
        None,
        PAGE_SIZE as u32,
    )
    .await?;
    let subjects: Arc<[Uuid]> = first_page.iter().filter_map(|r| r.subject_id).collect();
    let steps = [
        (
            "`store::cases::list`, mine, first page".to_owned(),
            Probe::List {
                db: db.clone(),
                worker,
                after: None,
            },
        ),
        (
            format!("`store::cases::list`, mine, page {}", deep_pages + 1),
            Probe::List {
                db: db.clone(),
                worker,
                after: Some(after),
            },
        ),
        (
            format!(
                "`audit::record`, one event of {} people (one page's access log)",
                subjects.len()
            ),
            Probe::Audit {
                db: db.clone(),
                worker,
                subjects,
            },
        ),
    ];
    let mut in_process = Vec::new();
    for (scenario, probe) in steps {
        for concurrency in CONCURRENCY {
            let stats = drive(&vec![probe.clone(); concurrency], settings.requests).await?;
            eprintln!("{scenario} × {concurrency}: {stats:?}");
            in_process.push(Row {
                scenario: scenario.clone(),
                clients: concurrency,
                stats,
                case_list: false,
            });
        }
    }
    Ok(Measured {
        http,
        wrk,
        in_process,
        deep_pages,
        load_average: (load_before, load_average()),
    })
}

struct Machine {
    cpus: usize,
    cpu_model: String,
    memory: String,
    os: String,
    rustc: String,
}

impl Machine {
    fn here() -> Machine {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let field = |text: &str, name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name))
                .map(|rest| {
                    rest.trim_start_matches([' ', '\t', ':', '='])
                        .trim_matches('"')
                })
                .unwrap_or("unknown")
                .to_owned()
        };
        let memory_kib: f64 = field(&read("/proc/meminfo"), "MemTotal")
            .trim_end_matches(" kB")
            .parse()
            .unwrap_or(0.0);
        let rustc = std::process::Command::new(std::env::var("RUSTC").unwrap_or("rustc".into()))
            .arg("--version")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .map_or("unknown".to_owned(), |v| v.trim().to_owned());
        Machine {
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model: field(&read("/proc/cpuinfo"), "model name"),
            memory: format!("{:.1} GiB", memory_kib / 1024.0 / 1024.0),
            os: format!(
                "{}, Linux {}",
                field(&read("/etc/os-release"), "PRETTY_NAME"),
                read("/proc/sys/kernel/osrelease").trim()
            ),
            rustc,
        }
    }
}

struct Report {
    command: String,
    /// Requests per scenario, unless [`MAX_SCENARIO_TIME`] ran out first.
    requests: usize,
    machine: Machine,
    database: String,
    kind: DbKind,
    cases: u64,
    loaded: Loaded,
    /// `None`: an earlier run's database, measured again.
    built: Option<Built>,
    measured: Measured,
}

/// How long building the database took.
struct Built {
    demo_time: Duration,
    load_time: Duration,
    analyze_time: Duration,
}

/// Milliseconds with two decimals.
fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

impl Report {
    fn markdown(&self) -> String {
        let m = &self.machine;
        let where_ = match self.kind {
            DbKind::Sqlite => {
                "a file in a temp dir, WAL; sqlx pools (8 readers, 1 writer), the session and the \
                 list read directly (rusqlite), the access log's events in a file and on a thread of \
                 their own, its person index filled in behind in a third file; SQLite built \
                 without STAT4; mimalloc"
            }
            DbKind::Postgres => "localhost, a fresh database, the app's pool (16 connections)",
        };
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        line(format!(
            "Measured on {} with `{}` (release build).\n",
            clock::today(),
            self.command
        ));
        line("| | |\n|---|---|".to_owned());
        line(format!(
            "| Machine | {} CPUs (`nproc`), {}, {} RAM |",
            m.cpus, m.cpu_model, m.memory
        ));
        line(format!("| OS | {} |", m.os));
        line(format!("| Rust | {} |", m.rustc));
        line(format!("| Database | {} ({where_}) |", self.database));
        let cases = format!(
            "{} ({} owned by case_worker1, {} of them not closed = \"mine\"; {} in the queue)",
            thousands(self.cases),
            thousands(self.loaded.owned),
            thousands(self.loaded.mine),
            thousands(self.loaded.queue)
        );
        match &self.built {
            Some(built) => {
                line(format!(
                    "| Register | demo generator, {} pupils, seed 1: {:.1} s |",
                    thousands(PUPILS.into()),
                    built.demo_time.as_secs_f64()
                ));
                line(format!("| Cases | {cases} |"));
                line(format!(
                    "| Load | {:.1} s ({} cases/s, {} rows per INSERT, {} per transaction); ANALYZE {:.1} s |",
                    built.load_time.as_secs_f64(),
                    thousands((self.cases as f64 / built.load_time.as_secs_f64()) as u64),
                    thousands(ROWS_PER_INSERT as u64),
                    thousands(ROWS_PER_TRANSACTION),
                    built.analyze_time.as_secs_f64()
                ));
            }
            None => {
                line(format!(
                    "| Register | demo generator, {} pupils, seed 1 (an earlier run's database) |",
                    thousands(PUPILS.into())
                ));
                line(format!("| Cases | {cases} (an earlier run's database) |"));
            }
        }
        line(format!(
            "| Load average (1, 5, 15 min) | {} before, {} after the measurements |",
            self.measured.load_average.0, self.measured.load_average.1
        ));
        line(String::new());
        line(format!(
            "HTTP as `case_worker1` (one signed-in client per concurrent caller, in the same process \
             as the server; `limit={PAGE_SIZE}`; each scenario {} requests or {} s, after a warm-up; \
             latency until the whole body has arrived; every response checked: 200, {PAGE_SIZE} \
             items, the expected owner; CPU ms/request is the user and system time of this whole \
             process — server, clients and, on SQLite, the database engine — per request):\n",
            thousands(self.requests as u64),
            MAX_SCENARIO_TIME.as_secs()
        ));
        line(table(&self.measured.http));
        line(verdicts(&self.measured.http));
        if !self.measured.wrk.is_empty() {
            line(format!(
                "The same requests from `wrk` in a process of its own (`wrk -t 1|2 -c 1|16 \
                 --latency`, {} s per scenario after a 1 s warm-up, the clients' sessions taken \
                 in turn; any non-2xx answer fails the run; CPU ms/request is this process's — \
                 the server's — user and system time per request):\n",
                wrk::SECONDS
            ));
            line(table(&self.measured.wrk));
            line(verdicts(&self.measured.wrk));
        }
        line(format!(
            "In-process, the parts of a list request (same database, the app's pools; the deep \
             page is page {}):\n",
            self.measured.deep_pages + 1
        ));
        line(table(&self.measured.in_process));
        out
    }
}

/// Whether the case lists among `rows` meet the target, at each concurrency.
fn verdicts(rows: &[Row]) -> String {
    let verdicts: Vec<String> = CONCURRENCY
        .into_iter()
        .map(|clients| {
            let lists = rows.iter().filter(|r| r.case_list && r.clients == clients);
            let p50 = lists.clone().map(|r| r.stats.p50).max().unwrap_or_default();
            let p99 = lists.map(|r| r.stats.p99).max().unwrap_or_default();
            let met = p50 <= Duration::from_millis(5) && p99 <= Duration::from_millis(20);
            format!(
                "at {clients} client{}: **{}** (worst p50 {} ms, worst p99 {} ms)",
                if clients == 1 { "" } else { "s" },
                if met { "met" } else { "not met" },
                ms(p50),
                ms(p99)
            )
        })
        .collect();
    format!(
        "Target p50 ≤ 5 ms, p99 ≤ 20 ms for the case lists {}.\n",
        verdicts.join("; ")
    )
}

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| Scenario | Clients | Requests | p50 ms | p99 ms | max ms | Requests/s | CPU ms/request |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        let s = &row.stats;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            row.scenario,
            row.clients,
            thousands(s.requests as u64),
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            thousands(s.per_second.round() as u64),
            ms(s.cpu_per_request)
        )
        .unwrap();
    }
    out
}

/// Replaces this database's generated section of docs/PERFORMANCE.md (between its markers),
/// leaving the hand-written text around it alone; appends the section if it is missing.
fn update_docs(kind: DbKind, markdown: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/PERFORMANCE.md");
    let (name, title) = match kind {
        DbKind::Sqlite => ("sqlite", "SQLite"),
        DbKind::Postgres => ("postgres", "PostgreSQL"),
    };
    let start = format!("<!-- case_list:{name} (written by the benchmark) -->\n");
    let end = format!("<!-- /case_list:{name} -->");
    let section = format!("{start}{markdown}{end}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Performance\n".to_owned());
    let text = match (text.find(&start), text.find(&end)) {
        (Some(from), Some(to)) if from < to => {
            format!("{}{section}{}", &text[..from], &text[to + end.len()..])
        }
        _ => format!(
            "{}\n### Case list on {title}\n\n{section}\n",
            text.trim_end()
        ),
    };
    std::fs::write(&path, text)?;
    Ok(path)
}

/// The HTTP scenarios again, from `wrk` (Debian package `wrk`) in a process of its own: the
/// in-process clients above parse every page and share the two CPUs with the server, so they
/// understate it. Here this process's CPU time is the server's alone.
mod wrk {
    use std::time::Duration;

    use anyhow::{Context, bail, ensure};
    use tokio::process::Command;

    use super::{Stats, process_cpu_time};

    /// Seconds per scenario, after a one-second warm-up.
    pub const SECONDS: u64 = 5;

    pub fn available() -> bool {
        std::process::Command::new("wrk")
            .arg("--version")
            .output()
            .is_ok()
    }

    /// `clients` connections without think time; the requests take the sessions in turn.
    pub async fn run(url: &str, cookies: &[String], clients: usize) -> anyhow::Result<Stats> {
        let script = tempfile::Builder::new().suffix(".lua").tempfile()?;
        let quoted: Vec<String> = cookies.iter().map(|c| format!("{c:?}")).collect();
        std::fs::write(
            script.path(),
            format!(
                "local cookies = {{ {} }}\nlocal n = 0\nrequest = function()\n  \
                 n = n % #cookies + 1\n  return wrk.format(nil, nil, {{ Cookie = cookies[n] }})\nend\n",
                quoted.join(", ")
            ),
        )?;
        let threads = clients.min(2).to_string();
        let clients = clients.to_string();
        let wrk = |seconds: u64| {
            let mut command = Command::new("wrk");
            command
                .args(["-t", &threads, "-c", &clients, "-d", &format!("{seconds}s")])
                .args(["--latency", "-s"])
                .arg(script.path())
                .arg(url);
            command
        };
        wrk(1).output().await.context("wrk warm-up")?;
        let cpu = process_cpu_time();
        let output = wrk(SECONDS).output().await.context("wrk")?;
        let cpu = process_cpu_time().saturating_sub(cpu);
        let text = String::from_utf8_lossy(&output.stdout);
        ensure!(output.status.success(), "wrk failed: {text}");
        parse(&text, cpu).with_context(|| format!("wrk's report:\n{text}"))
    }

    /// Reads wrk's `--latency` report; any error or non-2xx answer fails the run.
    fn parse(report: &str, cpu: Duration) -> anyhow::Result<Stats> {
        if let Some(line) = report
            .lines()
            .find(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
        {
            bail!("{}", line.trim());
        }
        let fields = |prefix: &str| {
            report
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with(prefix))
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
                .with_context(|| format!("no {prefix:?} line"))
        };
        let requests: usize = report
            .lines()
            .find(|l| l.contains(" requests in "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .context("no request count")?;
        ensure!(requests > 0, "no requests answered");
        let per_second: f64 = fields("Requests/sec:")?[1].parse()?;
        Ok(Stats {
            requests,
            p50: duration(fields("50%")?[1])?,
            p99: duration(fields("99%")?[1])?,
            max: duration(fields("Latency ")?[3])?,
            per_second,
            cpu_per_request: cpu / requests as u32,
        })
    }

    /// `812.00us`, `1.25ms`, `2.00s` → a duration.
    fn duration(text: &str) -> anyhow::Result<Duration> {
        let (number, unit) = text
            .find(|c: char| c.is_ascii_alphabetic())
            .map(|at| text.split_at(at))
            .context("no unit")?;
        let number: f64 = number.parse()?;
        let seconds = match unit {
            "us" => number / 1e6,
            "ms" => number / 1e3,
            "s" => number,
            "m" => number * 60.0,
            _ => bail!("unknown unit {unit:?}"),
        };
        Ok(Duration::from_secs_f64(seconds))
    }
}
