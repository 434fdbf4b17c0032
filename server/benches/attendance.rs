//! Attendance at municipal scale (issue 13): `cargo bench -p skolflyt --bench attendance`.
//!
//! Builds a fresh database (SQLite in a temp dir; PostgreSQL when `SKOLFLYT_BENCH_POSTGRES_URL`
//! names an admin URL, in a database created and dropped here) with the demo municipality
//! (`SKOLFLYT_BENCH_PUPILS`, default 15 000, and 16 teacher logins). It imports one whole school
//! day of marks for the municipality and the term so far for principal1's school straight into
//! `attendance_marks` (multi-row INSERTs, timed), then starts the real app on port 0 and times
//! 16 teachers saving registers of their own (read, change one or two marks, save) at 1 and 16
//! clients, and principal1's term statistics. The tables go to stdout and into
//! docs/PERFORMANCE.md (`SKOLFLYT_BENCH_DOCS=0` leaves it alone); `SKOLFLYT_BENCH_KEEP=1` keeps
//! the database; `SKOLFLYT_BENCH_REQUESTS` sets the saves per scenario (default 2000, ≤ 10 s).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use chrono::{Datelike, Days, NaiveDate, NaiveTime, Utc};
use chrono_tz::Europe::Stockholm;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::{Client, StatusCode};
use shared::attendance::{AttendanceStatistics, Lesson, LessonRegister, MarkInput, RegisterInput};
use shared::auth::Role;
use skolflyt::config::Config;
use skolflyt::demo::{self, DemoOptions};
use skolflyt::startup::Application;
use skolflyt::store::attendance as store;
use skolflyt::store::{Db, DbKind, placeholders};
use skolflyt::{clock, with_db, with_tx};
use tokio::task::JoinSet;
use uuid::Uuid;

const DEFAULT_PUPILS: u32 = 15_000;
const DEFAULT_REQUESTS: usize = 2_000;
const STATISTICS_REQUESTS: usize = 200;
const TEACHERS: usize = 16;
/// Registers of at least this many pupils are preferred.
const GROUP_MIN: usize = 20;
/// Cheap hashes: the logins are not what is measured.
const ARGON2_MEMORY_KIB: u32 = 256;
const MAX_SCENARIO_TIME: Duration = Duration::from_secs(10);
const WARMUP_PER_CLIENT: usize = 5;
const MARK_INSERT: &str = "INSERT INTO attendance_marks (lesson_id, pupil_id, attendance_minutes, \
    valid_absence_minutes, invalid_absence_minutes, other_activity_minutes, reason, reported, \
    source, marked_by, marked_at, version, created_at, updated_at) ";
/// SQLite allows 32 766 bind parameters per statement: 2 000 rows of 14 columns.
const ROWS_PER_INSERT: usize = 2_000;
const _: () = assert!(ROWS_PER_INSERT * 14 <= 32_766);
const ROWS_PER_TRANSACTION: usize = 100_000;

struct Settings {
    postgres_admin_url: Option<String>,
    pupils: u32,
    requests: usize,
    write_docs: bool,
    keep: bool,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Settings {
    fn from_env() -> anyhow::Result<Settings> {
        let number = |name: &str, default: usize| -> anyhow::Result<usize> {
            var(name).map_or(Ok(default), |v| {
                v.parse().with_context(|| format!("{name}={v:?}"))
            })
        };
        let settings = Settings {
            postgres_admin_url: var("SKOLFLYT_BENCH_POSTGRES_URL"),
            pupils: u32::try_from(number("SKOLFLYT_BENCH_PUPILS", DEFAULT_PUPILS as usize)?)?,
            requests: number("SKOLFLYT_BENCH_REQUESTS", DEFAULT_REQUESTS)?,
            write_docs: var("SKOLFLYT_BENCH_DOCS").as_deref() != Some("0"),
            keep: var("SKOLFLYT_BENCH_KEEP").as_deref() == Some("1"),
        };
        ensure!(settings.requests > 0, "SKOLFLYT_BENCH_REQUESTS must be > 0");
        Ok(settings)
    }

    /// The command line that reproduces this run.
    fn command(&self) -> String {
        let mut command = String::new();
        if let Some(url) = &self.postgres_admin_url {
            let mut url = url::Url::parse(url).map_or(url.clone(), |mut parsed| {
                if parsed.password().is_some() {
                    let _ = parsed.set_password(Some("***"));
                }
                parsed.to_string()
            });
            url = url.trim_end_matches('/').to_owned();
            write!(command, "SKOLFLYT_BENCH_POSTGRES_URL={url} ").unwrap();
        }
        if self.pupils != DEFAULT_PUPILS {
            write!(command, "SKOLFLYT_BENCH_PUPILS={} ", self.pupils).unwrap();
        }
        if self.requests != DEFAULT_REQUESTS {
            write!(command, "SKOLFLYT_BENCH_REQUESTS={} ", self.requests).unwrap();
        }
        command + "cargo bench -p skolflyt --bench attendance"
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use sqlx::Connection;
    let settings = Settings::from_env()?;
    let dir = tempfile::tempdir()?;
    let Some(admin_url) = &settings.postgres_admin_url else {
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let result = run(&settings, &url, dir.path()).await;
        if settings.keep {
            eprintln!("kept the database in {}", dir.keep().display());
        }
        return result;
    };
    let name = format!("skolflyt_bench_{}", Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let (base, _) = admin_url
        .rsplit_once('/')
        .context("the URL names no database")?;
    let result = run(&settings, &format!("{base}/{name}"), dir.path()).await;
    if settings.keep {
        eprintln!("kept the database {name}");
    } else {
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
    }
    result
}

/// A bind parameter of an import's row query.
#[derive(Clone, Copy)]
enum Arg {
    Date(NaiveDate),
    Id(Uuid),
}

/// One generated mark: minutes are (present, valid absence, invalid absence).
struct NewMark {
    lesson: Uuid,
    pupil: Uuid,
    minutes: (i32, i32, i32),
    reason: Option<&'static str>,
    by: Uuid,
}

/// What an import wrote, and how long its INSERTs, UPDATE and commits took.
struct Import {
    marks: usize,
    lessons: usize,
    took: Duration,
}

/// Every pupil of the lessons without marks that `condition` picks, with a mark: 90 % present,
/// 5 % ill, 2 % absent without a valid reason, 3 % ten minutes late; marked by the teacher.
async fn marks_for(
    db: &Db,
    condition: &str,
    args: &[Arg],
    rng: &mut ChaCha8Rng,
    fallback: Uuid,
) -> anyhow::Result<Vec<NewMark>> {
    let sql = format!(
        "SELECT l.id, m.person_id, l.start_time, l.end_time, (SELECT t.person_id \
           FROM lesson_teachers t WHERE t.lesson_id = l.id ORDER BY t.person_id LIMIT 1) \
         FROM lessons l JOIN group_memberships m ON m.group_id = l.group_id \
          AND m.valid_from <= l.date AND (m.valid_to IS NULL OR m.valid_to >= l.date) \
         WHERE NOT l.cancelled AND {condition} \
          AND NOT EXISTS (SELECT 1 FROM attendance_marks a WHERE a.lesson_id = l.id) \
         ORDER BY l.date, l.id, m.person_id"
    );
    let rows: Vec<(Uuid, Uuid, NaiveTime, NaiveTime, Option<Uuid>)> = with_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql);
        for arg in args {
            query = match *arg {
                Arg::Date(date) => query.bind(date),
                Arg::Id(id) => query.bind(id),
            };
        }
        query.fetch_all(pool).await
    })?;
    let marks = rows
        .into_iter()
        .map(|(lesson, pupil, start, end, teacher)| {
            let length = i32::try_from((end - start).num_minutes()).unwrap_or(0);
            let (minutes, reason) = match rng.gen_range(0..100) {
                90..95 => ((0, length, 0), Some("illness")),
                95..97 => ((0, 0, length), Some("other")),
                97.. if length > 10 => ((length - 10, 0, 10), Some("late")),
                _ => ((length, 0, 0), None),
            };
            NewMark {
                lesson,
                pupil,
                minutes,
                reason,
                by: teacher.unwrap_or(fallback),
            }
        });
    Ok(marks.collect())
}

/// Writes the marks with multi-row INSERTs and sets the lessons' `register_taken_at`.
async fn import(db: &Db, marks: &[NewMark]) -> anyhow::Result<Import> {
    let now = Utc::now();
    let mut lessons: Vec<Uuid> = marks.iter().map(|m| m.lesson).collect();
    lessons.sort();
    lessons.dedup();
    let started = Instant::now();
    for batch in marks.chunks(ROWS_PER_TRANSACTION) {
        let mut tx = db.begin().await?;
        for chunk in batch.chunks(ROWS_PER_INSERT) {
            with_tx!(&mut tx, |conn| {
                sqlx::QueryBuilder::new(MARK_INSERT)
                    .push_values(chunk, |mut row, m| {
                        row.push_bind(m.lesson)
                            .push_bind(m.pupil)
                            .push_bind(m.minutes.0)
                            .push_bind(m.minutes.1)
                            .push_bind(m.minutes.2)
                            .push_bind(0_i32)
                            .push_bind(m.reason)
                            .push_bind(true)
                            .push_bind("teacher")
                            .push_bind(m.by)
                            .push_bind(now)
                            .push_bind(1_i32)
                            .push_bind(now)
                            .push_bind(now);
                    })
                    .build()
                    .execute(&mut *conn)
                    .await?;
            });
        }
        tx.commit().await?;
    }
    let mut tx = db.begin().await?;
    for chunk in lessons.chunks(10_000) {
        let sql = format!(
            "UPDATE lessons SET register_taken_at = $1, updated_at = $1, register_taken_by = \
             (SELECT a.marked_by FROM attendance_marks a WHERE a.lesson_id = lessons.id LIMIT 1) \
             WHERE id IN ({})",
            placeholders(2, chunk.len())
        );
        with_tx!(&mut tx, |conn| {
            let mut query = sqlx::query(&sql).bind(now);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *conn).await?;
        });
    }
    tx.commit().await?;
    Ok(Import {
        marks: marks.len(),
        lessons: lessons.len(),
        took: started.elapsed(),
    })
}

/// `ANALYZE`, then the loads' write-ahead log copied back, as after an import (case_list).
async fn analyze(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query("ANALYZE").execute(&mut *conn).await?;
    });
    tx.commit().await?;
    match db {
        Db::Sqlite { write, .. } => sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(write)
            .await
            .map(drop)?,
        Db::Postgres(pool) => sqlx::query("CHECKPOINT").execute(pool).await.map(drop)?,
    };
    Ok(())
}

/// The register, and how long the fills and imports took.
struct Built {
    database: String,
    pupils: u64,
    lessons: u64,
    demo_time: Duration,
    day: (NaiveDate, Import),
    term: (NaiveDate, NaiveDate, Import),
    /// The unit of principal1's school with the most marks, and their count.
    unit: (Uuid, i64),
    term_start: NaiveDate,
    window_start: NaiveDate,
}

async fn build(
    settings: &Settings,
    db: &Db,
    today: NaiveDate,
) -> anyhow::Result<(Built, Vec<demo::DemoAccount>)> {
    db.migrate().await?;
    let database: String = with_db!(db, |pool| {
        let sql = match db.kind() {
            DbKind::Sqlite => "SELECT 'SQLite ' || sqlite_version()",
            DbKind::Postgres => "SELECT 'PostgreSQL ' || current_setting('server_version')",
        };
        sqlx::query_scalar(sql).fetch_one(pool).await
    })?;
    let started = Instant::now();
    let options = DemoOptions {
        pupils: settings.pupils,
        seed: 1,
        today,
        argon2_memory_kib: ARGON2_MEMORY_KIB,
        logins_per_role: TEACHERS,
    };
    let summary = demo::generate(db, &options).await?;
    let demo_time = started.elapsed();
    eprintln!("{database}; demo in {demo_time:.1?}: {summary:?}");
    let accounts = demo::accounts(db, today).await?;
    let teachers: Vec<Uuid> = accounts
        .iter()
        .filter(|a| a.role == Role::Teacher)
        .map(|a| a.person_id)
        .collect();
    ensure!(
        teachers.len() >= TEACHERS,
        "the demo has {} teacher logins",
        teachers.len()
    );
    let principal = accounts
        .iter()
        .find(|a| a.username == "principal1")
        .context("principal1")?
        .person_id;

    // The day the municipality imports: the newest school day before the editing window, so
    // that it holds none of the registers the teachers save.
    let mut tx = db.begin().await?;
    let term = store::term_around(&mut tx, today)
        .await?
        .context("no term")?;
    tx.rollback().await?;
    let window_start = today - Days::new(u64::from(Config::default().attendance_edit_days));
    let yesterday = today.pred_opt().context("yesterday")?.min(term.end_date);
    let days = store::school_days_in(db, term.start_date, yesterday).await?;
    let day = *days
        .iter()
        .rfind(|d| **d < window_start)
        .context("no school day before the window")?;
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let marks = marks_for(db, "l.date = $1", &[Arg::Date(day)], &mut rng, principal).await?;
    let day_import = import(db, &marks).await?;
    eprintln!(
        "{day}: {} marks in {:.2?}",
        day_import.marks, day_import.took
    );

    // The term so far at principal1's school, but for the registers of the teachers.
    let school: Uuid = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT organisation_id FROM duties WHERE person_id = $1 AND duty = 'principal'"
    )
    .bind(principal)
    .fetch_one(pool)
    .await)?;
    let condition = format!(
        "l.date >= $1 AND l.date <= $2 AND l.group_id IN (SELECT g.id FROM groups g \
         JOIN organisations u ON u.id = g.unit_id WHERE u.parent_id = $3) AND (l.date < $4 OR \
         NOT EXISTS (SELECT 1 FROM lesson_teachers t WHERE t.lesson_id = l.id \
         AND t.person_id IN ({})))",
        placeholders(5, TEACHERS)
    );
    let mut args = vec![
        Arg::Date(term.start_date),
        Arg::Date(yesterday),
        Arg::Id(school),
        Arg::Date(window_start),
    ];
    args.extend(teachers[..TEACHERS].iter().map(|t| Arg::Id(*t)));
    let marks = marks_for(db, &condition, &args, &mut rng, principal).await?;
    let term_import = import(db, &marks).await?;
    eprintln!(
        "the school's term: {} marks in {:.2?}",
        term_import.marks, term_import.took
    );
    let unit: (Uuid, i64) = with_db!(db, |pool| {
        sqlx::query_as(
        "SELECT g.unit_id, COUNT(*) FROM attendance_marks a JOIN lessons l ON l.id = a.lesson_id \
         JOIN groups g ON g.id = l.group_id JOIN organisations u ON u.id = g.unit_id \
         WHERE u.parent_id = $1 GROUP BY g.unit_id ORDER BY COUNT(*) DESC LIMIT 1"
    )
    .bind(school)
    .fetch_one(pool)
    .await
    })?;
    analyze(db).await?;
    let built = Built {
        database,
        pupils: summary.pupils,
        lessons: summary.lessons,
        demo_time,
        day: (day, day_import),
        term: (term.start_date, yesterday, term_import),
        unit,
        term_start: term.start_date,
        window_start,
    };
    Ok((built, accounts))
}

async fn run(settings: &Settings, database_url: &str, dir: &Path) -> anyhow::Result<()> {
    let today = clock::today();
    // Filled through pools of its own, closed before the app opens its own (case_list).
    let db = Db::connect(database_url).await?;
    let (built, accounts) = build(settings, &db, today).await?;
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
    let measured = measure(settings, &db, &base, &accounts, &built, today).await;
    server.abort();
    db.close().await;
    let report = markdown(settings, db.kind(), &built, &measured?);
    println!("{report}");
    if settings.write_docs {
        eprintln!("updated {}", update_docs(db.kind(), &report)?.display());
    }
    Ok(())
}

#[derive(Debug)]
struct Stats {
    requests: usize,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
    per_second: f64,
}

impl Stats {
    fn of(mut latencies: Vec<Duration>, wall: Duration) -> Stats {
        latencies.sort_unstable();
        // Nearest rank.
        let rank = |p: usize| latencies[(latencies.len() * p).div_ceil(100).max(1) - 1];
        Stats {
            requests: latencies.len(),
            p50: rank(50),
            p90: rank(90),
            p99: rank(99),
            max: *latencies.last().expect("at least one request"),
            per_second: latencies.len() as f64 / wall.as_secs_f64(),
        }
    }
}

struct Row {
    scenario: String,
    clients: usize,
    stats: Stats,
}

struct Measured {
    lessons: usize,
    mean_group: f64,
    saves: Vec<Row>,
    /// Over HTTP and `store::attendance::aggregates` in-process.
    statistics: Vec<Row>,
    /// Rows and bytes of one statistics answer.
    answer: (usize, usize),
    months: (String, String),
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

/// Signs in; the client sends the session cookie and, with every request, its CSRF token.
async fn login(base: &str, username: &str, password: &str) -> anyhow::Result<Client> {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = Client::builder().cookie_provider(jar.clone()).build()?;
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
    let me: shared::auth::Me = response.json().await?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(shared::auth::CSRF_HEADER, me.csrf_token.parse()?);
    Ok(Client::builder()
        .cookie_provider(jar)
        .default_headers(headers)
        .build()?)
}

async fn get_json<T: serde::de::DeserializeOwned>(client: &Client, url: &str) -> anyhow::Result<T> {
    let response = client.get(url).send().await?;
    ensure!(
        response.status() == StatusCode::OK,
        "GET {url}: {}",
        response.status()
    );
    Ok(response.json().await?)
}

/// A teacher's session and the lessons of theirs that the bench saves.
#[derive(Clone)]
struct Teacher {
    client: Client,
    lessons: Vec<Uuid>,
}

/// Each teacher's lessons in the editing window that have begun, each lesson given to one
/// teacher only; registers of [`GROUP_MIN`] pupils or more where the teacher has any.
async fn registers(
    base: &str,
    clients: Vec<Client>,
    from: NaiveDate,
    today: NaiveDate,
) -> anyhow::Result<(Vec<Teacher>, Vec<usize>)> {
    let now = Utc::now();
    let mut taken = std::collections::HashSet::new();
    let (mut teachers, mut sizes) = (Vec::new(), Vec::new());
    for client in clients {
        let mut found: Vec<(Uuid, usize)> = Vec::new();
        for date in from.iter_days().take_while(|d| *d <= today) {
            let lessons: Vec<Lesson> =
                get_json(&client, &format!("{base}/api/lessons?date={date}")).await?;
            for lesson in lessons {
                if lesson.starts_at.with_timezone(&Utc) > now || !taken.insert(lesson.id) {
                    continue;
                }
                let url = format!("{base}/api/lessons/{}/attendance", lesson.id);
                let register: LessonRegister = get_json(&client, &url).await?;
                if register.editable && !register.marks.is_empty() {
                    found.push((lesson.id, register.marks.len()));
                }
            }
        }
        if found.iter().any(|(_, n)| *n >= GROUP_MIN) {
            found.retain(|(_, n)| *n >= GROUP_MIN);
        }
        ensure!(
            !found.is_empty(),
            "a teacher without a lesson in the editing window"
        );
        sizes.extend(found.iter().map(|(_, n)| *n));
        teachers.push(Teacher {
            client,
            lessons: found.into_iter().map(|(id, _)| id).collect(),
        });
    }
    Ok((teachers, sizes))
}

/// Reads the register and saves it back with every mark and the versions read: as read
/// (`pass` None: the first take) or with one pupil (two on odd passes) switched between present
/// and ten minutes late. Returns the read's and the save's latency.
async fn save(
    client: &Client,
    url: &str,
    pass: Option<usize>,
) -> anyhow::Result<(Duration, Duration)> {
    let started = Instant::now();
    let response = client.get(url).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    let read = started.elapsed();
    ensure!(status == StatusCode::OK, "GET {url}: {status}");
    let register: LessonRegister = serde_json::from_slice(&body)?;
    let minutes = register.lesson.minutes;
    let mut marks: Vec<MarkInput> = register
        .marks
        .iter()
        .map(|m| MarkInput {
            pupil_id: m.pupil.id,
            attendance_minutes: m.attendance_minutes,
            valid_absence_minutes: m.valid_absence_minutes,
            invalid_absence_minutes: m.invalid_absence_minutes,
            other_activity_minutes: m.other_activity_minutes,
            reason: m.reason.clone(),
            version: Some(m.version),
        })
        .collect();
    let n = marks.len();
    let changed = match pass {
        None => Vec::new(),
        Some(pass) if pass % 2 == 1 && n > 1 => vec![pass % n, (pass + n / 2) % n],
        Some(pass) => vec![pass % n],
    };
    for &i in &changed {
        let late = marks[i].attendance_minutes == minutes;
        marks[i] = MarkInput {
            attendance_minutes: if late { minutes - 10 } else { minutes },
            valid_absence_minutes: 0,
            invalid_absence_minutes: if late { 10 } else { 0 },
            other_activity_minutes: 0,
            reason: late.then(|| "late".to_owned()),
            ..marks[i].clone()
        };
    }
    let started = Instant::now();
    let response = client
        .put(url)
        .json(&RegisterInput {
            marks: marks.clone(),
        })
        .send()
        .await?;
    let status = response.status();
    let body = response.bytes().await?;
    let saved = started.elapsed();
    let text = || String::from_utf8_lossy(&body).into_owned();
    if status == StatusCode::CONFLICT {
        bail!("PUT {url}: 409, so the bench is wrong: {}", text());
    }
    ensure!(status == StatusCode::OK, "PUT {url}: {status} {}", text());
    let register: LessonRegister = serde_json::from_slice(&body)?;
    ensure!(
        register.marks.len() == n && register.marks.iter().all(|m| m.reported),
        "PUT {url}: a mark not saved"
    );
    for sent in changed.iter().map(|&i| &marks[i]) {
        let mark = register
            .marks
            .iter()
            .find(|m| m.pupil.id == sent.pupil_id)
            .context("a pupil gone")?;
        let wanted = (
            sent.attendance_minutes,
            sent.invalid_absence_minutes,
            sent.version.unwrap_or(0) + 1,
        );
        ensure!(
            (
                mark.attendance_minutes,
                mark.invalid_absence_minutes,
                mark.version
            ) == wanted,
            "PUT {url}: the change did not stick"
        );
    }
    Ok((read, saved))
}

/// Each teacher saves their lessons in turn from a task of its own: `per_teacher` saves each
/// (`None`: every lesson once, as read), or as many as fit before `deadline`.
async fn saves(
    base: &str,
    teachers: &[Teacher],
    per_teacher: Option<usize>,
    deadline: Option<Instant>,
) -> anyhow::Result<Vec<(Duration, Duration)>> {
    let mut tasks = JoinSet::new();
    for teacher in teachers.iter().cloned() {
        let base = base.to_owned();
        tasks.spawn(async move {
            let count = per_teacher.unwrap_or(teacher.lessons.len());
            let mut latencies = Vec::with_capacity(count);
            for turn in 0..count {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let lesson = teacher.lessons[turn % teacher.lessons.len()];
                let url = format!("{base}/api/lessons/{lesson}/attendance");
                let pass = per_teacher.map(|_| turn / teacher.lessons.len());
                latencies.push(save(&teacher.client, &url, pass).await?);
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

async fn measure(
    settings: &Settings,
    db: &Db,
    base: &str,
    accounts: &[demo::DemoAccount],
    built: &Built,
    today: NaiveDate,
) -> anyhow::Result<Measured> {
    let load_before = load_average();
    let mut clients = Vec::new();
    for teacher in accounts
        .iter()
        .filter(|a| a.role == Role::Teacher)
        .take(TEACHERS)
    {
        clients.push(login(base, &teacher.username, &teacher.password).await?);
    }
    let (teachers, sizes) = registers(base, clients, built.window_start, today).await?;
    let row = |scenario: &str, clients, latencies: Vec<Duration>, wall| {
        let stats = Stats::of(latencies, wall);
        eprintln!("{scenario} × {clients}: {stats:?}");
        Row {
            scenario: scenario.to_owned(),
            clients,
            stats,
        }
    };
    let started = Instant::now();
    let first = saves(base, &teachers, None, None).await?;
    let mut rows = vec![row(
        "save, first take (every mark new)",
        TEACHERS,
        first.iter().map(|t| t.1).collect(),
        started.elapsed(),
    )];
    for clients in [1, TEACHERS] {
        let teachers = &teachers[..clients];
        saves(base, teachers, Some(WARMUP_PER_CLIENT), None).await?;
        let started = Instant::now();
        let deadline = started + MAX_SCENARIO_TIME;
        let timed = saves(
            base,
            teachers,
            Some(settings.requests.div_ceil(clients)),
            Some(deadline),
        )
        .await?;
        let wall = started.elapsed();
        rows.push(row(
            "read (`GET`)",
            clients,
            timed.iter().map(|t| t.0).collect(),
            wall,
        ));
        rows.push(row(
            "save, 1–2 marks changed (`PUT`)",
            clients,
            timed.iter().map(|t| t.1).collect(),
            wall,
        ));
    }

    let principal = accounts
        .iter()
        .find(|a| a.username == "principal1")
        .context("principal1")?;
    let client = login(base, "principal1", &principal.password).await?;
    let (from, to) = (
        built.term_start.format("%Y-%m").to_string(),
        today.format("%Y-%m").to_string(),
    );
    let url = format!(
        "{base}/api/statistics/attendance?unit_id={}&from={from}&to={to}",
        built.unit.0
    );
    let mut answer = (0, 0);
    for _ in 0..3 {
        answer = statistics_once(&client, &url).await?.1;
    }
    let mut latencies = Vec::new();
    let started = Instant::now();
    while latencies.len() < STATISTICS_REQUESTS && started.elapsed() < MAX_SCENARIO_TIME {
        latencies.push(statistics_once(&client, &url).await?.0);
    }
    let mut statistics = vec![row(
        "`GET /api/statistics/attendance`",
        1,
        latencies,
        started.elapsed(),
    )];
    let first_day = built.term_start.with_day(1).unwrap_or(built.term_start);
    let last_day = today
        .with_day(1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    let time = clock::now().with_timezone(&Stockholm).time();
    let mut latencies = Vec::new();
    let started = Instant::now();
    while latencies.len() < 50 && started.elapsed() < MAX_SCENARIO_TIME {
        let sent = Instant::now();
        store::aggregates(db, built.unit.0, None, first_day, last_day, today, time).await?;
        latencies.push(sent.elapsed());
    }
    statistics.push(row(
        "`store::attendance::aggregates` in-process (the query alone)",
        1,
        latencies,
        started.elapsed(),
    ));
    Ok(Measured {
        lessons: sizes.len(),
        mean_group: sizes.iter().sum::<usize>() as f64 / sizes.len() as f64,
        saves: rows,
        statistics,
        answer,
        months: (from, to),
        load_average: (load_before, load_average()),
    })
}

/// One statistics request, checked: its latency, rows and bytes.
async fn statistics_once(client: &Client, url: &str) -> anyhow::Result<(Duration, (usize, usize))> {
    let sent = Instant::now();
    let response = client.get(url).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    let latency = sent.elapsed();
    ensure!(
        status == StatusCode::OK,
        "GET {url}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    let statistics: AttendanceStatistics = serde_json::from_slice(&body)?;
    ensure!(!statistics.rows.is_empty(), "GET {url}: no rows");
    Ok((latency, (statistics.rows.len(), body.len())))
}

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

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| Scenario | Clients | Requests | p50 ms | p90 ms | p99 ms | max ms | Per second |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for Row {
        scenario,
        clients,
        stats: s,
    } in rows
    {
        let per_second = thousands(s.per_second.round() as u64);
        let (p50, p90, p99, max) = (ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max));
        writeln!(
            out,
            "| {scenario} | {clients} | {} | {p50} | {p90} | {p99} | {max} | {per_second} |",
            thousands(s.requests as u64)
        )
        .unwrap();
    }
    out
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "not met" }
}

fn markdown(settings: &Settings, kind: DbKind, built: &Built, m: &Measured) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map_or("unknown", |r| r.trim_start_matches([' ', '\t', ':']));
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let where_ = match kind {
        DbKind::Sqlite => "a file in a temp dir, WAL, the app's pools (8 readers, 1 writer)",
        DbKind::Postgres => "localhost, a fresh database, the app's pool (16 connections)",
    };
    let mut out = String::new();
    let now = Utc::now().format("%Y-%m-%d %H:%M UTC");
    writeln!(
        out,
        "Measured {now} with `{}` (release build).\n",
        settings.command()
    )
    .unwrap();
    writeln!(
        out,
        "| | |\n|---|---|\n| Machine | {cpus} CPUs (`nproc`), {model} |"
    )
    .unwrap();
    writeln!(out, "| Database | {} ({where_}) |", built.database).unwrap();
    writeln!(out, "| Register | demo generator, {} pupils, seed 1, {TEACHERS} teacher logins; {} lessons this term; {:.1} s |", thousands(built.pupils), thousands(built.lessons), built.demo_time.as_secs_f64()).unwrap();
    writeln!(
        out,
        "| Load average (1, 5, 15 min) | {} before, {} after the measurements |\n",
        m.load_average.0, m.load_average.1
    )
    .unwrap();
    let ((day, d), (from, to, t)) = (&built.day, &built.term);
    let rate = |i: &Import| thousands((i.marks as f64 / i.took.as_secs_f64()) as u64);
    writeln!(out, "Imports straight into `attendance_marks` (multi-row INSERTs of {} rows, {} rows per transaction, then one `UPDATE lessons SET register_taken_at` per 10,000 lessons; the time of the INSERTs, the UPDATEs and the commits, not of reading lessons and pupils; no history rows):\n", thousands(ROWS_PER_INSERT as u64), thousands(ROWS_PER_TRANSACTION as u64)).unwrap();
    writeln!(
        out,
        "| Import | Marks | Lessons | Seconds | Marks/s |\n|---|---:|---:|---:|---:|"
    )
    .unwrap();
    writeln!(
        out,
        "| one school day ({day}), every lesson of the municipality | {} | {} | {:.2} | {} |",
        thousands(d.marks as u64),
        thousands(d.lessons as u64),
        d.took.as_secs_f64(),
        rate(d)
    )
    .unwrap();
    writeln!(out, "| principal1's school, {from} to {to}, but the day above and the {TEACHERS} teachers' registers in the editing window | {} | {} | {:.2} | {} |\n", thousands(t.marks as u64), thousands(t.lessons as u64), t.took.as_secs_f64(), rate(t)).unwrap();
    let ninety = Duration::from_secs_f64(90_000.0 * d.took.as_secs_f64() / d.marks.max(1) as f64);
    writeln!(out, "Target: a whole school day for a 15,000-pupil municipality, about 90,000 marks, in ≤ 2 s: **{}** (the demo's day has {} marks, {:.2} s; 90,000 at that rate: {:.2} s).\n", verdict(ninety <= Duration::from_secs(2)), thousands(d.marks as u64), d.took.as_secs_f64(), ninety.as_secs_f64()).unwrap();
    writeln!(out, "Registers: `teacher1`…`teacher{TEACHERS}`, one client each, on lessons of their own that have begun, in the editing window ({} lessons; mean group {:.1} pupils). A cycle reads a register (`GET /api/lessons/{{id}}/attendance`) and saves it back (`PUT`) with every mark and the versions read; the first take saves each register once as read (every mark new), then each save switches one pupil (two every other pass) between present and 10 minutes late (`late`, 10 invalid minutes). Each scenario after a warm-up of {WARMUP_PER_CLIENT} cycles per client, {} cycles or {} s; every answer checked: 200 (a 409 fails the run), every mark saved, the change there with version + 1; latency until the whole body has arrived; per second: cycles per second of the scenario.\n", m.lessons, m.mean_group, thousands(settings.requests as u64), MAX_SCENARIO_TIME.as_secs()).unwrap();
    out.push_str(&table(&m.saves));
    let p99 = m
        .saves
        .iter()
        .filter(|r| r.clients == TEACHERS && r.scenario.contains("PUT"))
        .map(|r| r.stats.p99)
        .max()
        .unwrap_or_default();
    writeln!(out, "\nTarget p99 ≤ 20 ms for a save at {TEACHERS} concurrent teachers (SQLite, 2 cores): **{}** (p99 {} ms).\n", verdict(p99 <= Duration::from_millis(20)), ms(p99)).unwrap();
    writeln!(out, "Statistics: `GET /api/statistics/attendance?unit_id=…&from={}&to={}` as `principal1` for the unit of the school with the marks ({} marks), 1 client, after 3 warm-up requests; answer {} rows, {} KB of JSON:\n", m.months.0, m.months.1, thousands(built.unit.1 as u64), thousands(m.answer.0 as u64), thousands(m.answer.1 as u64 / 1024)).unwrap();
    out.push_str(&table(&m.statistics));
    let http = &m.statistics[0].stats;
    writeln!(
        out,
        "\nTarget ≤ 50 ms: **{}** (p50 {} ms, p99 {} ms).",
        verdict(http.p99 <= Duration::from_millis(50)),
        ms(http.p50),
        ms(http.p99)
    )
    .unwrap();
    out
}

/// Replaces this database's generated section of docs/PERFORMANCE.md (between its markers);
/// appends the section if it is missing.
fn update_docs(kind: DbKind, markdown: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/PERFORMANCE.md");
    let (name, title) = match kind {
        DbKind::Sqlite => ("sqlite", "SQLite"),
        DbKind::Postgres => ("postgres", "PostgreSQL"),
    };
    let start = format!("<!-- attendance:{name} (written by the benchmark) -->\n");
    let end = format!("<!-- /attendance:{name} -->");
    let section = format!("{start}{markdown}{end}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Performance\n".to_owned());
    let text = match (text.find(&start), text.find(&end)) {
        (Some(from), Some(to)) if from < to => {
            format!("{}{section}{}", &text[..from], &text[to + end.len()..])
        }
        _ if !text.contains("\n## Attendance") => {
            format!(
                "{}\n\n## Attendance\n\n### Results: {title}\n\n{section}\n",
                text.trim_end()
            )
        }
        _ => format!("{}\n\n### Results: {title}\n\n{section}\n", text.trim_end()),
    };
    std::fs::write(&path, text)?;
    Ok(path)
}
