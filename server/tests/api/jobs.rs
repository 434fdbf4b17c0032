//! Automation: schedules claimed once per slot across instances, retries, the operator view.

use reqwest::StatusCode;
use serde_json::Value;
use skolflyt::jobs::schedules;
use skolflyt::store::Db;
use skolflyt::store::jobs::{self, NewJob};
use skolflyt::{clock, with_db, with_tx};

use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};
use crate::on_both_databases;
use crate::smtp_sink::start_sink;

on_both_databases!(
    administrators_see_the_seeded_schedules,
    two_instances_run_each_due_slot_once,
    a_job_that_keeps_failing_is_marked_failed_for_the_operator,
    a_server_killed_mid_queue_sends_every_email_and_repeats_at_most_the_one_in_flight,
    a_failing_step_in_a_shared_batch_does_not_hold_back_the_others,
);

async fn administrators_see_the_seeded_schedules(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin1").await;
    let schedules = admin.get_json("/api/jobs/schedules").await;
    let codes: Vec<&str> = schedules
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "case_status_sync",
            "results_delta_import",
            "results_full_import",
            "users_units_sync"
        ]
    );
    for schedule in schedules.as_array().unwrap() {
        assert_eq!(schedule["time_zone"], "Europe/Stockholm");
        let next: chrono::DateTime<chrono::Utc> =
            schedule["next_run_at"].as_str().unwrap().parse().unwrap();
        assert!(next > clock::now());
        assert!(
            schedule["description"]["en"]
                .as_str()
                .unwrap()
                .contains("no-op")
        );
    }
    for username in ["case_worker1", "teacher1", "guardian1"] {
        let session = app.login(username).await;
        assert_eq!(
            session.get("/api/jobs/schedules").await.status(),
            StatusCode::FORBIDDEN,
            "{username}"
        );
        assert_eq!(
            session.get("/api/jobs/summary").await.status(),
            StatusCode::FORBIDDEN,
            "{username}"
        );
    }
}

async fn make_all_schedules_due(app: &TestApp) {
    let mut tx = app.db.begin().await.unwrap();
    let past = clock::now() - chrono::Duration::minutes(1);
    with_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE schedules SET next_run_at = $1")
            .bind(past)
            .execute(&mut *conn)
            .await
            .unwrap();
    });
    tx.commit().await.unwrap();
}

async fn scheduled_jobs(db: &Db) -> i64 {
    with_db!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind LIKE 'schedule.%'")
            .fetch_one(pool)
            .await
    })
    .unwrap()
}

async fn two_instances_run_each_due_slot_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = scheduled_jobs(&app.db).await;
    make_all_schedules_due(&app).await;
    let (first, second) = (
        Db::connect(&app.database_url).await.unwrap(),
        Db::connect(&app.database_url).await.unwrap(),
    );
    let (a, b) = tokio::join!(
        schedules::enqueue_due(&first),
        schedules::enqueue_due(&second)
    );
    let won = a.unwrap() + b.unwrap();
    // The test app's own runner may have taken some slots too; together exactly one per schedule.
    assert!(won <= 4);
    assert_eq!(scheduled_jobs(&app.db).await - before, 4);
    let again = schedules::enqueue_due(&first).await.unwrap();
    assert_eq!(again, 0, "every schedule moved on to its next slot");

    app.eventually("the scheduled jobs ran", || async {
        let admin = app.login("admin1").await;
        let schedules: Value = admin.get_json("/api/jobs/schedules").await;
        schedules.as_array().unwrap().iter().all(|s| {
            s["last_outcome"]
                .as_str()
                .is_some_and(|o| o.starts_with("ok"))
        })
    })
    .await;
}

async fn a_job_that_keeps_failing_is_marked_failed_for_the_operator(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut tx = app.db.begin().await.unwrap();
    let job = NewJob {
        kind: "no.such.kind",
        payload: "{}".into(),
        idempotency_key: "test:failing".into(),
        run_after: clock::now(),
        max_attempts: 1,
    };
    jobs::enqueue(&mut tx, &job, clock::now()).await.unwrap();
    tx.commit().await.unwrap();
    app.eventually("the job failed for good", || async {
        let summary = app
            .login("admin1")
            .await
            .get_json("/api/jobs/summary")
            .await;
        summary["failed"] == 1
    })
    .await;
    let summary = app
        .login("admin1")
        .await
        .get_json("/api/jobs/summary")
        .await;
    let failure = &summary["recent_failures"][0];
    assert_eq!(failure["kind"], "no.such.kind");
    assert_eq!(failure["attempts"], 1);
    assert!(
        failure["last_error"]
            .as_str()
            .unwrap()
            .contains("no handler")
    );
}

/// Two `skolflyt serve` processes on one PostgreSQL drain 10,000 jobs; every job is claimed
/// once (a second claim would have raised its attempt count).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_run_ten_thousand_jobs_exactly_once() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app(backend).await;
    let mut servers: Vec<std::process::Child> = (0..2)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_skolflyt"))
                .arg("serve")
                .env("SKOLFLYT_DATABASE_URL", &app.database_url)
                .env("SKOLFLYT_BIND", "127.0.0.1:0")
                .env(
                    "SKOLFLYT_BLOB_STORE_URL",
                    std::env::temp_dir().join("skolflyt-two-processes"),
                )
                .env("SKOLFLYT_LOG", "warn")
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("start skolflyt serve")
        })
        .collect();
    let now = clock::now();
    let mut tx = app.db.begin().await.unwrap();
    for n in 0..10_000 {
        let job = NewJob {
            kind: skolflyt::jobs::NOOP,
            payload: "{}".into(),
            idempotency_key: format!("two-processes:{n}"),
            run_after: now,
            max_attempts: 3,
        };
        jobs::enqueue(&mut tx, &job, now).await.unwrap();
    }
    tx.commit().await.unwrap();

    let done = || async {
        with_db!(&app.db, |pool| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'jobs.noop' AND status = 'done'",
            )
            .fetch_one(pool)
            .await
        })
        .unwrap()
    };
    for _ in 0..1200 {
        if done().await == 10_000 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for server in &mut servers {
        let _ = server.kill();
        let _ = server.wait();
    }
    assert_eq!(done().await, 10_000, "every job ran");
    let claimed_twice: i64 = with_db!(&app.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'jobs.noop' AND attempts <> 1")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(claimed_twice, 0, "no job was claimed twice");
}

const CRASH_EMAILS: usize = 1_000;

/// 1,000 e-mail steps; `skolflyt serve` is killed with SIGKILL while sending them and started
/// again. Every e-mail reaches the SMTP server under the Message-ID derived from its delivery;
/// only the one send the kill interrupted (sent, not yet committed) may arrive twice; and each
/// delivery is recorded sent exactly once, because that effect commits with the job.
async fn a_server_killed_mid_queue_sends_every_email_and_repeats_at_most_the_one_in_flight(
    backend: Backend,
) {
    use skolflyt::store::messages::{self as message_store, NewMessage};
    let (received, smtp_port) = start_sink();
    // The test's own app runs no jobs: the `serve` processes below do.
    let app = spawn_app_with(backend, |config| config.job_workers = 0).await;
    let person = app.account("guardian1").person_id;
    let now = clock::now();
    let mut deliveries = Vec::new();
    let mut tx = app.db.begin().await.unwrap();
    for n in 0..CRASH_EMAILS {
        let subject = format!("Meddelande {n}");
        let message = NewMessage {
            person_id: person,
            case_id: None,
            subject: (&subject, &subject),
            body: ("Hej", "Hello"),
        };
        let message = message_store::send(&mut tx, &message, now).await.unwrap();
        let delivery = message_store::add_delivery(
            &mut tx,
            message,
            person,
            Some("guardian1@example.test"),
            "queued",
            now,
        )
        .await
        .unwrap();
        let job = NewJob {
            kind: skolflyt::messages::EMAIL,
            payload: serde_json::json!({ "delivery_id": delivery }).to_string(),
            idempotency_key: format!("crash-test:{delivery}"),
            run_after: now,
            max_attempts: 8,
        };
        jobs::enqueue(&mut tx, &job, now).await.unwrap();
        deliveries.push(delivery);
    }
    tx.commit().await.unwrap();

    let blobs = tempfile::tempdir().unwrap();
    let serve = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_skolflyt"))
            .arg("serve")
            .env("SKOLFLYT_DATABASE_URL", &app.database_url)
            .env("SKOLFLYT_BIND", "127.0.0.1:0")
            .env("SKOLFLYT_BLOB_STORE_URL", blobs.path())
            .env("SKOLFLYT_SMTP_HOST", "127.0.0.1")
            .env("SKOLFLYT_SMTP_PORT", smtp_port.to_string())
            .env("SKOLFLYT_SMTP_SECURITY", "none")
            .env(
                "SKOLFLYT_SMTP_FROM",
                "Skolflyt <skolflyt@norrfjarden.example>",
            )
            .env("SKOLFLYT_JOB_LEASE_SECONDS", "3")
            .env("SKOLFLYT_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start skolflyt serve")
    };
    let received_count = || received.lock().unwrap().len();
    let wait_for = |what: &'static str, done: &dyn Fn() -> bool| {
        let started = std::time::Instant::now();
        while !done() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(180),
                "timed out waiting for {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    };

    let clock_started = std::time::Instant::now();
    let mut first = serve();
    wait_for("the first e-mails", &|| {
        received_count() >= CRASH_EMAILS / 4
    });
    first.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix
    first.wait().unwrap();
    let at_kill = received_count();
    eprintln!("kill at {:.1?}", clock_started.elapsed());
    assert!(
        at_kill < CRASH_EMAILS,
        "the kill came after the last e-mail"
    );

    let mut second = serve();
    let done_jobs = || async {
        with_db!(&app.db, |pool| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'messages.email' AND status = 'done'",
            )
            .fetch_one(pool)
            .await
        })
        .unwrap()
    };
    let started = std::time::Instant::now();
    while done_jobs().await < CRASH_EMAILS as i64 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(180),
            "every step completes after the restart ({} done)",
            done_jobs().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();

    let mails = received.lock().unwrap().clone();
    let mut per_id = std::collections::HashMap::<String, usize>::new();
    for mail in &mails {
        let id = mail.message_id().expect("every e-mail has a Message-ID");
        *per_id.entry(id.to_owned()).or_default() += 1;
    }
    for delivery in &deliveries {
        let id = format!("<{delivery}@norrfjarden.example>");
        assert!(per_id.contains_key(&id), "{id} never arrived");
    }
    assert_eq!(
        per_id.len(),
        CRASH_EMAILS,
        "only the queued e-mails arrived"
    );
    let duplicates = mails.len() - CRASH_EMAILS;
    eprintln!(
        "killed after {at_kill} e-mails; {duplicates} sent twice; {:.1?} in all",
        clock_started.elapsed()
    );
    assert!(
        duplicates <= 1,
        "one kill may repeat one send, got {duplicates} repeats (killed after {at_kill})"
    );

    for delivery in &deliveries {
        let history = message_store::delivery_history(&app.db, *delivery)
            .await
            .unwrap();
        let statuses: Vec<&str> = history.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(statuses, ["queued", "sent"], "{delivery}");
    }
}

/// Steps that share a transaction: one that fails rolls the batch back, then each runs alone,
/// so the others complete once and only the failing one is retried and, in the end, failed.
async fn a_failing_step_in_a_shared_batch_does_not_hold_back_the_others(backend: Backend) {
    let app = spawn_app_with(backend, |config| config.job_workers = 0).await;
    let now = clock::now();
    let mut tx = app.db.begin().await.unwrap();
    for n in 0..20 {
        let (kind, payload) = if n == 7 {
            // A scheduled step without its schedule: fails every time.
            ("schedule.broken", "{}")
        } else {
            (skolflyt::jobs::NOOP, "{}")
        };
        let job = NewJob {
            kind,
            payload: payload.into(),
            idempotency_key: format!("shared-batch:{n}"),
            run_after: now,
            max_attempts: 1,
        };
        jobs::enqueue(&mut tx, &job, now).await.unwrap();
    }
    tx.commit().await.unwrap();
    let ran = skolflyt::jobs::run_due(&app.state).await.unwrap();
    assert_eq!(ran, 20);
    let statuses: Vec<(String, String, i32)> = with_db!(&app.db, |pool| {
        sqlx::query_as(
            "SELECT kind, status, attempts FROM jobs WHERE idempotency_key LIKE 'shared-batch:%'",
        )
        .fetch_all(pool)
        .await
    })
    .unwrap();
    for (kind, status, attempts) in statuses {
        let expected = if kind == "schedule.broken" {
            "failed"
        } else {
            "done"
        };
        assert_eq!((status.as_str(), attempts), (expected, 1), "{kind}");
    }
    let summary = app
        .login("admin1")
        .await
        .get_json("/api/jobs/summary")
        .await;
    assert!(
        summary["recent_failures"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("schedule")
    );
}
