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
    the_nightly_cleanup_deletes_old_done_jobs_and_keeps_their_keys,
    a_retried_step_that_fails_again_reopens_its_exception,
    the_demo_starts_with_one_honest_failure_that_a_retry_tries_again,
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
            "attendance_planning_export",
            "case_status_sync",
            "job_cleanup",
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
        let description = schedule["description"]["en"].as_str().unwrap();
        if schedule["code"] == "job_cleanup" {
            assert_eq!(schedule["cron"], "15 3 * * *");
        } else if schedule["code"] == "attendance_planning_export" {
            assert_eq!(schedule["cron"], "0 18 * * *");
            assert!(description.contains("planning module"), "{description}");
        } else {
            assert!(description.contains("no-op"), "{description}");
        }
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
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE idempotency_key LIKE 'schedule:%'")
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
    assert!(won <= 6);
    assert_eq!(scheduled_jobs(&app.db).await - before, 6);
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
            kind: <skolflyt::jobs::Noop as skolflyt::jobs::JobStep>::KIND,
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
            (
                <skolflyt::jobs::Noop as skolflyt::jobs::JobStep>::KIND,
                "{}",
            )
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

/// Enqueues a no-op job under `key` and sets it to `status` as of `days_ago`.
async fn job_with_status(app: &TestApp, key: &str, status: &str, days_ago: i64) -> uuid::Uuid {
    let now = clock::now();
    let mut tx = app.db.begin().await.unwrap();
    let job = NewJob {
        kind: <skolflyt::jobs::Noop as skolflyt::jobs::JobStep>::KIND,
        payload: "{}".into(),
        idempotency_key: key.into(),
        run_after: now,
        max_attempts: 1,
    };
    jobs::enqueue(&mut tx, &job, now).await.unwrap();
    let id = with_tx!(&mut tx, |conn| {
        sqlx::query_scalar(
            "UPDATE jobs SET status = $2, attempts = 1, updated_at = $3 \
             WHERE idempotency_key = $1 RETURNING id",
        )
        .bind(key)
        .bind(status)
        .bind(now - chrono::Duration::days(days_ago))
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    });
    tx.commit().await.unwrap();
    id
}

async fn jobs_with_key(db: &Db, key: &str) -> Vec<String> {
    with_db!(db, |pool| {
        sqlx::query_scalar("SELECT status FROM jobs WHERE idempotency_key = $1")
            .bind(key)
            .fetch_all(pool)
            .await
    })
    .unwrap()
}

async fn kept_key(db: &Db, key: &str) -> bool {
    let n: i64 = with_db!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM job_keys WHERE idempotency_key = $1")
            .bind(key)
            .fetch_one(pool)
            .await
    })
    .unwrap();
    n == 1
}

/// The `job_cleanup` schedule deletes done jobs past the retention time (30 days by default),
/// batch by batch, and keeps their keys: enqueueing one again adds no job. Recent done jobs,
/// failed jobs and jobs that an active exception refers to stay.
async fn the_nightly_cleanup_deletes_old_done_jobs_and_keeps_their_keys(backend: Backend) {
    use skolflyt::store::follow_ups::{self as follow_up_store, NewFollowUp};
    // The test runs the steps itself.
    let app = spawn_app_with(backend, |config| config.job_workers = 0).await;
    let old = job_with_status(&app, "cleanup:old", "done", 31).await;
    job_with_status(&app, "cleanup:recent", "done", 29).await;
    job_with_status(&app, "cleanup:failed", "failed", 400).await;
    let excepted = job_with_status(&app, "cleanup:exception", "done", 400).await;
    let mut tx = app.db.begin().await.unwrap();
    let exception = NewFollowUp {
        kind: "exception",
        title: "Automatiskt steg misslyckades: jobs.noop",
        details: "",
        due_date: None,
        owner: None,
        assignee_person: None,
        assignee_team: None,
        case_id: None,
        job_id: Some(excepted),
    };
    follow_up_store::create(&mut tx, &exception, None, clock::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = app.db.begin().await.unwrap();
    let past = clock::now() - chrono::Duration::minutes(1);
    with_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE schedules SET next_run_at = $1 WHERE code = 'job_cleanup'")
            .bind(past)
            .execute(&mut *conn)
            .await
            .unwrap();
    });
    tx.commit().await.unwrap();
    // This call or the app's own scheduler enqueues the slot; the step runs here.
    schedules::enqueue_due(&app.db).await.unwrap();
    skolflyt::jobs::run_due(&app.state).await.unwrap();
    let cleanup: Vec<String> = with_db!(&app.db, |pool| {
        sqlx::query_scalar("SELECT status FROM jobs WHERE kind = $1")
            .bind(schedules::JOB_CLEANUP)
            .fetch_all(pool)
            .await
    })
    .unwrap();
    assert_eq!(cleanup, ["done"]);
    let outcome: Option<String> = with_db!(&app.db, |pool| {
        sqlx::query_scalar("SELECT last_outcome FROM schedules WHERE code = 'job_cleanup'")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    let outcome = outcome.expect("the cleanup recorded its outcome");
    assert!(
        outcome.starts_with("ok: ") && outcome.contains("deleted"),
        "{outcome}"
    );

    assert!(jobs_with_key(&app.db, "cleanup:old").await.is_empty());
    assert!(kept_key(&app.db, "cleanup:old").await);
    let remaining: i64 = with_db!(&app.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE id = $1")
            .bind(old)
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(remaining, 0);
    for (key, status) in [
        ("cleanup:recent", "done"),
        ("cleanup:failed", "failed"),
        ("cleanup:exception", "done"),
    ] {
        assert_eq!(jobs_with_key(&app.db, key).await, [status], "{key} stays");
        assert!(!kept_key(&app.db, key).await, "{key}");
    }

    // The deleted job's key still makes a repeat a no-op: nothing is added, nothing runs.
    let mut tx = app.db.begin().await.unwrap();
    let repeat = NewJob {
        kind: "no.such.step",
        payload: "{}".into(),
        idempotency_key: "cleanup:old".into(),
        run_after: clock::now(),
        max_attempts: 1,
    };
    jobs::enqueue(&mut tx, &repeat, clock::now()).await.unwrap();
    tx.commit().await.unwrap();
    skolflyt::jobs::run_due(&app.state).await.unwrap();
    assert!(jobs_with_key(&app.db, "cleanup:old").await.is_empty());
    let summary = app
        .login("admin1")
        .await
        .get_json("/api/jobs/summary")
        .await;
    assert_eq!(
        summary["failed"], 1,
        "only cleanup:failed: the repeat never ran"
    );

    // Many old jobs go in several short transactions, every key kept.
    for n in 0..5 {
        job_with_status(&app, &format!("cleanup:batch:{n}"), "done", 45).await;
    }
    let before = clock::now() - chrono::Duration::days(30);
    assert_eq!(jobs::delete_done(&app.db, before, 2).await.unwrap(), 5);
    for n in 0..5 {
        let key = format!("cleanup:batch:{n}");
        assert!(jobs_with_key(&app.db, &key).await.is_empty(), "{key}");
        assert!(kept_key(&app.db, &key).await, "{key}");
    }
    assert_eq!(jobs::delete_done(&app.db, before, 2).await.unwrap(), 0);
    assert_eq!(jobs_with_key(&app.db, "cleanup:exception").await, ["done"]);
}

/// A step that fails for good, is retried by the operator and fails again reopens its one
/// exception, with both failures in the history, instead of raising a second exception.
async fn a_retried_step_that_fails_again_reopens_its_exception(backend: Backend) {
    // The test runs the steps itself, so that each state can be seen.
    let app = spawn_app_with(backend, |config| config.job_workers = 0).await;
    let mut tx = app.db.begin().await.unwrap();
    let job = NewJob {
        kind: "no.such.step",
        payload: "{}".into(),
        idempotency_key: "test:fails-twice".into(),
        run_after: clock::now(),
        max_attempts: 1,
    };
    jobs::enqueue(&mut tx, &job, clock::now()).await.unwrap();
    tx.commit().await.unwrap();
    let exceptions = || async {
        app.query_ids(
            "SELECT f.id FROM follow_ups f JOIN jobs j ON j.id = f.job_id \
             WHERE j.idempotency_key = 'test:fails-twice'",
        )
        .await
    };
    skolflyt::jobs::run_due(&app.state).await.unwrap();
    assert_eq!(jobs_with_key(&app.db, "test:fails-twice").await, ["failed"]);
    assert_eq!(
        exceptions().await.len(),
        1,
        "the failure raised an exception"
    );
    let id = exceptions().await[0];

    let admin = app.login("admin1").await;
    let retried = admin
        .post_json(
            &format!("/api/follow-ups/{id}/retry"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
    let retried: Value = retried.json().await.unwrap();
    assert_eq!(retried["status"], "processed");

    assert_eq!(
        jobs_with_key(&app.db, "test:fails-twice").await,
        ["pending"]
    );
    skolflyt::jobs::run_due(&app.state).await.unwrap();
    assert_eq!(exceptions().await, [id], "still one exception for the job");
    assert_eq!(jobs_with_key(&app.db, "test:fails-twice").await, ["failed"]);
    let exception = admin.get_json(&format!("/api/follow-ups/{id}")).await;
    assert_eq!(exception["status"], "active", "reopened");
    assert_eq!(exception["can_retry"], true);
    assert!(
        exception["details"]
            .as_str()
            .unwrap()
            .contains("no handler for job kind no.such.step")
    );
    let history: Vec<(&str, &str)> = exception["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["detail"].as_str().unwrap()))
        .collect();
    let kinds: Vec<&str> = history.iter().map(|(kind, _)| *kind).collect();
    // The first failure raised it ("created"), the second reopened it ("failed_again").
    assert_eq!(kinds, ["created", "retried", "failed_again"]);
    assert!(history[2].1.contains("no handler"), "{history:?}");
    let teams = admin.get_json("/api/follow-ups?view=teams").await;
    let listed = teams
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "exception")
        .count();
    assert_eq!(listed, 1, "one exception on the operations dashboard");
}

/// PostgreSQL: an enqueue that meets the cleanup mid-transaction (the job's key moved to
/// `job_keys` and the job deleted, not yet committed) waits for it and then adds no job,
/// although its own snapshot did not see the key yet (see `store::jobs::enqueue`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeat_racing_the_cleanup_is_still_a_no_op() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app_with(backend, |config| config.job_workers = 0).await;
    job_with_status(&app, "race:key", "done", 40).await;
    let mut cleanup = app.db.begin().await.unwrap();
    with_tx!(&mut cleanup, |conn| {
        sqlx::query(
            "INSERT INTO job_keys (idempotency_key, done_at) \
             SELECT idempotency_key, updated_at FROM jobs WHERE idempotency_key = 'race:key'",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query("DELETE FROM jobs WHERE idempotency_key = 'race:key'")
            .execute(&mut *conn)
            .await
            .unwrap();
    });
    let db = app.db.clone();
    let repeat = tokio::spawn(async move {
        let mut tx = db.begin().await.unwrap();
        let job = NewJob {
            kind: <skolflyt::jobs::Noop as skolflyt::jobs::JobStep>::KIND,
            payload: "{}".into(),
            idempotency_key: "race:key".into(),
            run_after: clock::now(),
            max_attempts: 1,
        };
        jobs::enqueue(&mut tx, &job, clock::now()).await.unwrap();
        tx.commit().await.unwrap();
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!repeat.is_finished(), "the repeat waits for the cleanup");
    cleanup.commit().await.unwrap();
    repeat.await.unwrap();
    assert!(jobs_with_key(&app.db, "race:key").await.is_empty());
    assert!(kept_key(&app.db, "race:key").await);
}

async fn the_demo_starts_with_one_honest_failure_that_a_retry_tries_again(backend: Backend) {
    // No mail server is configured (the demo's default): the welcome e-mail cannot go out.
    let app = spawn_app_with(backend, |config| config.job_workers = 0).await;
    skolflyt::demo::failed_step(&app.db).await.unwrap();
    skolflyt::jobs::run_due(&app.state).await.unwrap();
    let failed: Vec<(String, String, Option<String>)> = with_db!(&app.db, |pool| {
        sqlx::query_as("SELECT kind, idempotency_key, last_error FROM jobs WHERE status = 'failed'")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "messages.email");
    assert_eq!(failed[0].2.as_deref(), Some("e-mail is not configured"));
    // The message itself is in admin1's inbox and says why.
    let admin = app.login("admin1").await;
    let inbox = admin.get_json("/api/inbox").await;
    let welcome = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"] == "Välkommen till demokommunen")
        .expect("the welcome message");
    assert!(
        welcome["body"]
            .as_str()
            .unwrap()
            .contains("SKOLFLYT_SMTP_HOST")
    );
    // Run again, it fails again (a given-up e-mail is tried, not skipped as if sent).
    let exception = app
        .query_ids(
            "SELECT f.id FROM follow_ups f JOIN jobs j ON j.id = f.job_id \
             WHERE j.idempotency_key = 'demo:failed-step'",
        )
        .await;
    assert_eq!(exception.len(), 1);
    let retried = admin
        .post_json(
            &format!("/api/follow-ups/{}/retry", exception[0]),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
    skolflyt::jobs::run_due(&app.state).await.unwrap();
    assert_eq!(jobs_with_key(&app.db, "demo:failed-step").await, ["failed"]);
}
