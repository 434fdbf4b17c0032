//! Crash test of the whole leave flow: `SKOLFLYT_CRASH_APPLICATIONS` (default 200) leave
//! applications driven over HTTP from submission to closed case against the real binary
//! (`skolflyt serve` as child processes), while a killer sends SIGKILL to the server at random
//! moments (seeded) and starts it again on the same port. Afterwards every case must be closed
//! with exactly one decision, one decision letter, one register entry for a granted leave and
//! exactly one notice of each kind per recipient: nothing lost, nothing twice.
//!
//! - `sqlite`: one instance on a SQLite file.
//! - `postgres`: two instances at once on one PostgreSQL database, killed at different moments
//!   (only when `SKOLFLYT_TEST_POSTGRES_URL` is set; `SKOLFLYT_REQUIRE_POSTGRES=1` makes a
//!   missing URL a failure, as in the API tests).
//!
//! `SKOLFLYT_CRASH_SEED` picks another sequence of kills (the default is fixed). The two
//! variants take turns, so that each has the machine's cores to itself.
//!
//! The test data: the demo municipality (`skolflyt demo`), plus accounts the test adds for the
//! guardians and mentors it needs (the demo has logins for one family only), with the password
//! of the demo account `guardian1`.

mod crash {
    pub mod cluster;
    pub mod driver;
    pub mod invariants;
    pub mod plan;
}

use std::time::{Duration, Instant};

use crash::cluster::{self, Cluster};
use crash::driver::{Api, Flow};
use crash::{invariants, plan};
use skolflyt::store::Db;

/// The variants take turns (see the module documentation).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Kills at least this many times in all, and each instance at least twice.
const MIN_KILLS: usize = 5;
const MIN_KILLS_PER_INSTANCE: usize = 2;
/// Pupils in the demo municipality.
const DEMO_PUPILS: u32 = 400;
/// The driving (submission to the last decision) must end within this.
const DRIVE_LIMIT: Duration = Duration::from_secs(300);
/// And the automated steps after it within this.
const DRAIN_LIMIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    crash_test("sqlite", &url, 1, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    let admin_url = match std::env::var("SKOLFLYT_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var("SKOLFLYT_REQUIRE_POSTGRES").as_deref() == Ok("1") => {
            panic!("SKOLFLYT_REQUIRE_POSTGRES=1 but SKOLFLYT_TEST_POSTGRES_URL is not set")
        }
        _ => {
            eprintln!("PostgreSQL crash test skipped: SKOLFLYT_TEST_POSTGRES_URL is not set");
            return;
        }
    };
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, name) = cluster::fresh_postgres_database(&admin_url).await;
    crash_test("postgres", &url, 2, dir.path()).await;
    // Kept when the test fails, for a look at what went wrong.
    let dropping = Instant::now();
    cluster::drop_postgres_database(&admin_url, &name).await;
    eprintln!(
        "[postgres] test database dropped in {:.1} s",
        dropping.elapsed().as_secs_f64()
    );
}

fn applications() -> usize {
    match std::env::var("SKOLFLYT_CRASH_APPLICATIONS") {
        Ok(count) if !count.is_empty() => count
            .parse()
            .expect("SKOLFLYT_CRASH_APPLICATIONS is a number"),
        _ => 200,
    }
}

fn seed() -> u64 {
    match std::env::var("SKOLFLYT_CRASH_SEED") {
        Ok(seed) if !seed.is_empty() => seed.parse().expect("SKOLFLYT_CRASH_SEED is a number"),
        _ => 20_261_207,
    }
}

async fn crash_test(name: &str, database_url: &str, instances: usize, dir: &std::path::Path) {
    let started = Instant::now();
    let count = applications();
    let seed = seed();
    eprintln!("[{name}] {count} applications, {instances} instance(s), seed {seed}");
    let mut cluster = Cluster::new(database_url, dir, instances);
    cluster.demo(DEMO_PUPILS).await;
    let demo_accounts = cluster.demo_accounts().await;

    // The families, mentors and applications, and the accounts they need, before any server
    // runs (a SQLite file is then opened by one process at a time).
    let today = skolflyt::clock::today();
    let db = Db::connect(database_url).await.expect("open the database");
    let setup = plan::prepare(&db, &demo_accounts, today, count).await;
    db.close().await;
    eprintln!(
        "[{name}] set up in {:.1} s: {} children of {} families, {} mentors",
        started.elapsed().as_secs_f64(),
        setup.children,
        setup.families,
        setup.mentors
    );

    for instance in 0..instances {
        cluster.start(instance).await;
    }
    let api = Api::new(cluster.base_urls());
    let sessions = api.login_all(&setup.logins).await;
    // A killed SQLite server has committed all it will; a killed PostgreSQL client's last
    // COMMIT may still be under way in the database.
    let settle = Duration::from_millis(if instances > 1 { 1000 } else { 100 });
    let flow = std::sync::Arc::new(Flow::new(
        api,
        sessions,
        setup.applications,
        setup.admin,
        settle,
    ));

    let killing = cluster::Killer::start(
        cluster,
        seed,
        MIN_KILLS,
        MIN_KILLS_PER_INSTANCE,
        name.to_owned(),
    );
    let driving = Instant::now();
    if tokio::time::timeout(DRIVE_LIMIT, flow.clone().drive())
        .await
        .is_err()
    {
        panic!(
            "[{name}] the driving did not end within {DRIVE_LIMIT:?}; not decided: {}",
            flow.undecided()
        );
    }
    let driven = driving.elapsed();
    let (mut cluster, kills) = killing.stop().await;
    eprintln!(
        "[{name}] driven in {:.1} s with {} kills ({}); {}",
        driven.as_secs_f64(),
        kills.total(),
        kills.describe(),
        flow.stats()
    );

    let draining = Instant::now();
    flow.wait_for_jobs(DRAIN_LIMIT).await;
    eprintln!(
        "[{name}] automated steps done {:.1} s after the last decision",
        draining.elapsed().as_secs_f64()
    );
    cluster.kill_all().await;
    for (message, count) in cluster.logged_problems() {
        eprintln!("[{name}] logged {count}×: {message}");
    }

    let db = Db::connect(database_url).await.expect("open the database");
    let report = invariants::check(&db, flow.applications(), &cluster.blob_dir()).await;
    db.close().await;
    let server_errors = flow.server_errors();
    if !server_errors.is_empty() {
        eprintln!(
            "[{name}] {} server errors (5xx), first ones:\n  {}",
            server_errors.len(),
            server_errors
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    if !report.problems.is_empty() {
        panic!(
            "[{name}] {} problems after the crashes (server logs: {}):\n  {}",
            report.problems.len(),
            cluster.log_paths(),
            report
                .problems
                .iter()
                .take(40)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    assert!(
        kills.total() >= MIN_KILLS,
        "[{name}] only {} kills",
        kills.total()
    );
    eprintln!(
        "[{name}] OK in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        report.summary
    );
}
