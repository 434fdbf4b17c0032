//! The job runner: every automated process step is a row in `jobs`, claimed with a lease,
//! retried with exponential backoff and jitter, and completed in the same transaction as its
//! database effects, so a crash can never apply them twice.

use std::time::Duration as StdDuration;

use chrono::Duration;
use rand::Rng;

use crate::startup::AppState;
use crate::store::jobs::{self, JobRow};
use crate::store::{Db, Tx};
use crate::{applications, clock};

/// How long a claimed job is held before another runner may take it over.
const LEASE: Duration = Duration::minutes(5);
/// How often a runner looks for work other instances enqueued.
const POLL: StdDuration = StdDuration::from_secs(1);

/// Enqueues a step inside the caller's transaction; `key` makes a repeat a no-op.
pub async fn enqueue(
    tx: &mut Tx,
    kind: &str,
    payload: &serde_json::Value,
    key: String,
) -> sqlx::Result<()> {
    let now = clock::now();
    let job = jobs::NewJob {
        kind,
        payload: payload.to_string(),
        idempotency_key: key,
        run_after: now,
        max_attempts: 8,
    };
    jobs::enqueue(tx, &job, now).await
}

/// Runs jobs until the process stops: wakes when this process enqueues, and polls for others'.
pub fn spawn_runner(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match run_due(&state).await {
                Ok(_) => {}
                Err(error) => tracing::error!(error = format!("{error:#}"), "job runner"),
            }
            tokio::select! {
                _ = state.jobs_wakeup.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    })
}

/// Runs every job that is due now; returns how many ran.
pub async fn run_due(state: &AppState) -> anyhow::Result<usize> {
    let mut ran = 0;
    while let Some(job) = jobs::claim(&state.db, clock::now(), LEASE).await? {
        run_one(state, job).await?;
        ran += 1;
    }
    Ok(ran)
}

async fn run_one(state: &AppState, job: JobRow) -> anyhow::Result<()> {
    match dispatch(state, &job).await {
        Ok(mut tx) => {
            jobs::complete(&mut tx, job.id, clock::now()).await?;
            tx.commit().await?;
        }
        Err(error) => {
            let message = format!("{error:#}");
            tracing::warn!(
                kind = job.kind,
                attempt = job.attempts,
                error = message,
                "job failed"
            );
            let retry_at =
                (job.attempts < job.max_attempts).then(|| clock::now() + backoff(job.attempts));
            jobs::fail(&state.db, job.id, &message, retry_at, clock::now()).await?;
        }
    }
    Ok(())
}

/// 2 s, 4 s, 8 s … capped at an hour, plus up to a quarter more so retries spread out.
fn backoff(attempt: i32) -> Duration {
    let base = 2_i64.saturating_pow(attempt.clamp(1, 30) as u32).min(3600);
    let jitter = rand::thread_rng().gen_range(0..=base * 250);
    Duration::seconds(base) + Duration::milliseconds(jitter)
}

/// Runs the step; returns the open transaction with its effects for the runner to complete.
async fn dispatch(state: &AppState, job: &JobRow) -> anyhow::Result<Tx> {
    let payload: serde_json::Value = serde_json::from_str(&job.payload)?;
    match job.kind.as_str() {
        applications::leave::ROUTE => applications::leave::route(state, &payload).await,
        applications::leave::FINISH => applications::leave::finish(state, &payload).await,
        other => anyhow::bail!("no handler for job kind {other}"),
    }
}

/// Jobs not done yet, for tests and operators.
pub async fn pending_count(db: &Db) -> sqlx::Result<i64> {
    crate::with_db!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status IN ('pending', 'running')")
            .fetch_one(pool)
            .await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        for attempt in 1..=40 {
            let delay = backoff(attempt).num_milliseconds();
            let base = 2_i64.pow(attempt.min(30) as u32).min(3600) * 1000;
            assert!(
                delay >= base && delay <= base + base / 4,
                "{attempt}: {delay}"
            );
        }
    }
}
