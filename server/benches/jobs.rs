//! Job-queue throughput: `cargo bench -p skolflyt --bench jobs`.
//!
//! Enqueues `SKOLFLYT_BENCH_JOBS` (default 50,000) no-op jobs into a fresh database, then times
//! Skolflyt's runners (the same `jobs::run_due` the server runs) until every job is done, with 1
//! runner and, on PostgreSQL, with several. With `SKOLFLYT_BENCH_POSTGRES_URL` (an admin URL) it
//! does the same on PostgreSQL and then, on the same server in the same run, times the npm
//! package graphile-worker draining the same number of no-op jobs (installed on first use into
//! `server/benches/jobs_graphile/node_modules` with `npm ci`; skipped with a note when Node.js
//! is missing), with the tuning its authors recommend for throughput. The table goes to stdout
//! and into docs/PERFORMANCE.md between its markers (`SKOLFLYT_BENCH_DOCS=0` leaves the file).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, ensure};
use skolflyt::config::Config;
use skolflyt::documents::blob_store::BlobStore;
use skolflyt::state::AppState;
use skolflyt::store::Db;
use skolflyt::store::jobs::{self as job_store, NewJob};
use skolflyt::{clock, jobs, with_db};
use tokio::sync::Notify;
use uuid::Uuid;

const DEFAULT_JOBS: usize = 50_000;
/// Enqueued per transaction while filling the queue.
const ENQUEUE_CHUNK: usize = 2_000;
/// graphile-worker's settings for throughput: its own perf test runs 24 concurrent jobs; a
/// local queue of 500 and completions batched without delay (BUILD-NOTES: ~10,500 jobs/s here).
const GRAPHILE_CONCURRENCY: usize = 24;
const GRAPHILE_LOCAL_QUEUE: usize = 500;

struct Row {
    database: &'static str,
    queue: String,
    runners: String,
    jobs: usize,
    seconds: f64,
}

impl Row {
    fn per_second(&self) -> f64 {
        self.jobs as f64 / self.seconds
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let count: usize = match std::env::var("SKOLFLYT_BENCH_JOBS") {
        Ok(value) if !value.is_empty() => value.parse().context("SKOLFLYT_BENCH_JOBS")?,
        _ => DEFAULT_JOBS,
    };
    let postgres_admin = std::env::var("SKOLFLYT_BENCH_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty());
    let mut rows = Vec::new();

    let dir = tempfile::tempdir()?;
    for workers in [1, 2] {
        let url = format!(
            "sqlite://{}",
            dir.path().join(format!("jobs-{workers}.db")).display()
        );
        rows.push(skolflyt_run(&url, "SQLite", count, workers).await?);
    }
    if let Some(admin) = &postgres_admin {
        for workers in [1, 2, 4] {
            let (url, name) = create_postgres_database(admin).await?;
            let row = skolflyt_run(&url, "PostgreSQL", count, workers).await;
            drop_postgres_database(admin, &name).await?;
            rows.push(row?);
        }
        let (url, name) = create_postgres_database(admin).await?;
        let row = graphile_run(&url, count);
        drop_postgres_database(admin, &name).await?;
        match row {
            Ok(row) => rows.push(row),
            Err(error) => eprintln!("graphile-worker skipped: {error:#}"),
        }
    }

    let markdown = table(&rows, count, postgres_admin.is_some());
    println!("{markdown}");
    if std::env::var("SKOLFLYT_BENCH_DOCS").as_deref() != Ok("0") {
        update_docs(&markdown)?;
    }
    Ok(())
}

/// Fills the queue, then runs `workers` runners until it is empty; times only the draining.
async fn skolflyt_run(
    url: &str,
    database: &'static str,
    count: usize,
    workers: usize,
) -> anyhow::Result<Row> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let now = clock::now();
    for chunk in (0..count).collect::<Vec<_>>().chunks(ENQUEUE_CHUNK) {
        let mut tx = db.begin().await?;
        for n in chunk {
            let job = NewJob {
                kind: <jobs::Noop as jobs::JobStep>::KIND,
                payload: format!("{{\"n\":{n}}}"),
                idempotency_key: format!("bench:{n}"),
                run_after: now,
                max_attempts: 3,
            };
            job_store::enqueue(&mut tx, &job, now).await?;
        }
        tx.commit().await?;
    }
    let state = AppState {
        db: db.clone(),
        config: Arc::new(Config::default()),
        dummy_hash: "".into(),
        blobs: BlobStore::from_url(
            &std::env::temp_dir()
                .join("skolflyt-bench-jobs")
                .display()
                .to_string(),
        )?,
        jobs_wakeup: Arc::new(Notify::new()),
        mailer: None,
        cursors: skolflyt::pagination::CursorKey::load(&db).await?,
        steps: Arc::new(skolflyt::registry::job_steps()),
        processes: Arc::new(skolflyt::registry::case_processes()),
    };
    let started = Instant::now();
    let mut runners = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let state = state.clone();
        runners.spawn(async move { jobs::run_due(&state).await });
    }
    let mut ran = 0;
    while let Some(result) = runners.join_next().await {
        ran += result??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let done: i64 = with_db!(&db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'done' AND attempts = 1")
            .fetch_one(pool)
            .await
    })?;
    ensure!(
        ran == count && done == count as i64,
        "{database}: ran {ran}, done once {done}, of {count}"
    );
    db.close().await;
    let row = Row {
        database,
        queue: "Skolflyt".to_owned(),
        runners: format!("{workers} runner{}", if workers == 1 { "" } else { "s" }),
        jobs: count,
        seconds,
    };
    eprintln!(
        "{database} {}: {count} jobs in {seconds:.2} s = {:.0}/s",
        row.runners,
        row.per_second()
    );
    Ok(row)
}

/// Runs `run.mjs` (graphile-worker through its library API) and reads its elapsed seconds.
fn graphile_run(url: &str, count: usize) -> anyhow::Result<Row> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/jobs_graphile");
    let node = Command::new("node").arg("--version").output();
    ensure!(
        node.is_ok_and(|o| o.status.success()),
        "Node.js is not installed"
    );
    if !dir.join("node_modules/graphile-worker").is_dir() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .context("npm ci")?;
        ensure!(status.success(), "npm ci failed in {}", dir.display());
    }
    let output = Command::new("node")
        .arg("run.mjs")
        .env("DATABASE_URL", url)
        .env("JOBS", count.to_string())
        .env("CONCURRENCY", GRAPHILE_CONCURRENCY.to_string())
        .env("LOCAL_QUEUE", GRAPHILE_LOCAL_QUEUE.to_string())
        .current_dir(&dir)
        .output()
        .context("node run.mjs")?;
    ensure!(
        output.status.success(),
        "graphile-worker run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout)?;
    let result: serde_json::Value = serde_json::from_str(
        stdout
            .lines()
            .last()
            .context("graphile-worker printed nothing")?,
    )?;
    let seconds = result["seconds"].as_f64().context("no seconds")?;
    let version = result["version"].as_str().unwrap_or("?");
    let row = Row {
        database: "PostgreSQL",
        queue: format!("graphile-worker {version} (npm)"),
        runners: format!(
            "{GRAPHILE_CONCURRENCY} concurrent, local queue {GRAPHILE_LOCAL_QUEUE}, batched completion"
        ),
        jobs: count,
        seconds,
    };
    eprintln!(
        "graphile-worker: {count} jobs in {seconds:.2} s = {:.0}/s",
        row.per_second()
    );
    Ok(row)
}

async fn create_postgres_database(admin_url: &str) -> anyhow::Result<(String, String)> {
    use sqlx::Connection;
    let name = format!("skolflyt_bench_jobs_{}", Uuid::new_v4().simple());
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

fn table(rows: &[Row], count: usize, postgres: bool) -> String {
    let mut text = String::new();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    writeln!(
        text,
        "Measured {} with `{}cargo bench -p skolflyt --bench jobs` (release build), {count} \
         no-op jobs per run, {} CPUs, load average at the end {load}.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        if postgres {
            "SKOLFLYT_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres "
        } else {
            ""
        },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    )
    .unwrap();
    text.push_str("| database | queue | runners | jobs | seconds | jobs/s |\n");
    text.push_str("|---|---|---|---:|---:|---:|\n");
    for row in rows {
        writeln!(
            text,
            "| {} | {} | {} | {} | {:.2} | {:.0} |",
            row.database,
            row.queue,
            row.runners,
            row.jobs,
            row.seconds,
            row.per_second()
        )
        .unwrap();
    }
    text
}

/// Replaces the generated part of docs/PERFORMANCE.md's job-queue section.
fn update_docs(markdown: &str) -> anyhow::Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/PERFORMANCE.md");
    let start = "<!-- jobs (written by the benchmark) -->\n";
    let end = "<!-- /jobs -->";
    let section = format!("{start}{markdown}{end}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Performance\n".to_owned());
    let text = match (text.find(start), text.find(end)) {
        (Some(from), Some(to)) if from < to => {
            format!("{}{section}{}", &text[..from], &text[to + end.len()..])
        }
        _ => format!("{}\n\n## Job queue\n\n{section}\n", text.trim_end()),
    };
    std::fs::write(&path, text)?;
    Ok(())
}
