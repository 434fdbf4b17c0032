//! The job runner: every automated process step is a row in `jobs`, claimed with a lease,
//! retried with exponential backoff and jitter, and completed in the same transaction as its
//! database effects, so a crash can never apply them twice.

pub mod schedules;
pub mod steps;

use std::time::Duration as StdDuration;

use chrono::Duration;
use rand::Rng;

use axum::extract::State;
use shared::cases::Names;
use shared::jobs::{FailedJob, JobQueueSummary, ScheduleView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access;
use crate::auth::CurrentUser;
use crate::error::{AppResult, Json};
use crate::state::AppState;
use crate::store::Tx;
use crate::store::jobs::{self, JobRow, Kinds};
use crate::{clock, follow_ups};
use steps::Handler;
use uuid::Uuid;

/// Steps that share a transaction taken at once: one commit per batch.
const SHARED_BATCH: u32 = 512;
/// Other steps claimed at once under one lease, then run one by one.
const CLAIM_BATCH: u32 = 64;
/// How often a runner looks for work other instances enqueued, and for due schedules.
const POLL: StdDuration = StdDuration::from_secs(1);

pub use steps::{BatchStep, JobStep, Noop, SoloStep, enqueue};

/// The kinds the runner takes together in one transaction (those registered as batch steps:
/// their effects are all in the database, and what they read they read through it), or, with
/// `named: false`, every other kind. Steps with an effect outside the database (an e-mail) or
/// heavy work commit alone, right after their effect, so a crash can repeat at most the one in
/// flight.
fn batch_kinds<'a>(kinds: &'a [&'a str], named: bool) -> Kinds<'a> {
    Kinds {
        names: kinds,
        prefixes: &[],
        named,
    }
}

/// Starts the scheduler and `config.job_workers` runners; each runs jobs until the process
/// stops, woken when this process enqueues and polling for what other instances enqueue.
pub fn spawn_runner(state: AppState) {
    let scheduler = state.db.clone();
    tokio::spawn(async move {
        loop {
            if let Err(error) = schedules::enqueue_due(&scheduler).await {
                tracing::error!(error = format!("{error:#}"), "scheduler");
            }
            tokio::time::sleep(POLL).await;
        }
    });
    for _ in 0..state.config.job_workers {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                if let Err(error) = run_due(&state).await {
                    tracing::error!(error = format!("{error:#}"), "job runner");
                }
                tokio::select! {
                    _ = state.jobs_wakeup.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        });
    }
}

/// Runs every job that is due now; returns how many ran.
pub async fn run_due(state: &AppState) -> anyhow::Result<usize> {
    let mut ran = 0;
    for round in 0_u64.. {
        let shared = run_shared_batch(state).await?;
        // Finding the other steps means reading past the waiting shared ones, so while those
        // pile up they are looked for every eighth batch; then at once.
        let alone = if shared < SHARED_BATCH as usize || round % 8 == 0 {
            run_claimed_batch(state).await?
        } else {
            0
        };
        if shared + alone == 0 {
            break;
        }
        ran += shared + alone;
    }
    Ok(ran)
}

fn lease(state: &AppState) -> Duration {
    Duration::seconds(state.config.job_lease_seconds.into())
}

/// Takes due steps that share a transaction, marked done in it, and runs them there: one
/// commit completes the batch with all its effects, and a crash undoes both. If a step fails,
/// the batch rolls back and its jobs are claimed and run one by one, so the others complete
/// and the failure is recorded against its own job.
async fn run_shared_batch(state: &AppState) -> anyhow::Result<usize> {
    let mut tx = state.db.begin().await?;
    let kinds = state.steps.batch_kinds();
    let batch = jobs::take(
        &mut tx,
        clock::now(),
        SHARED_BATCH,
        &batch_kinds(&kinds, true),
    )
    .await?;
    if batch.is_empty() {
        return Ok(0);
    }
    let mut all_ran = true;
    for job in &batch {
        if caught(run_shared_step(state, &mut tx, job)).await.is_err() {
            all_ran = false;
            break;
        }
    }
    if all_ran {
        tx.commit().await?;
        return Ok(batch.len());
    }
    tx.rollback().await?; // the jobs wait again, untouched
    let ids: Vec<Uuid> = batch.iter().map(|job| job.id).collect();
    let claim = jobs::claim_ids(&state.db, &ids, clock::now(), lease(state)).await?;
    let _renewal = Renewal::start(state.db.clone(), claim.token, lease(state));
    for job in claim.jobs {
        run_alone(state, claim.token, job).await?;
    }
    Ok(batch.len())
}

/// Claims due steps that commit alone, under one renewed lease, and runs them one by one.
async fn run_claimed_batch(state: &AppState) -> anyhow::Result<usize> {
    let kinds = state.steps.batch_kinds();
    let others = batch_kinds(&kinds, false);
    let claim = jobs::claim(&state.db, clock::now(), lease(state), CLAIM_BATCH, &others).await?;
    let count = claim.jobs.len();
    if count > 0 {
        let _renewal = Renewal::start(state.db.clone(), claim.token, lease(state));
        for job in claim.jobs {
            run_alone(state, claim.token, job).await?;
        }
    }
    Ok(count)
}

/// A step's panic as its error, so one bad step cannot stop the runner or block its batch.
async fn caught<T>(
    step: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    use futures_util::FutureExt;
    std::panic::AssertUnwindSafe(step)
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(anyhow::anyhow!("the step panicked: {message}"))
        })
}

/// Renews a claim's lease every third of it until dropped.
struct Renewal(tokio::task::JoinHandle<()>);

impl Renewal {
    fn start(db: crate::store::Db, token: Uuid, lease: Duration) -> Renewal {
        let every = (lease / 3).to_std().unwrap_or(POLL);
        Renewal(tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if let Err(error) = jobs::renew(&db, token, clock::now() + lease).await {
                    tracing::warn!(error = format!("{error:#}"), "renewing a job lease");
                }
            }
        }))
    }
}

impl Drop for Renewal {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs one step in its own transaction and completes it there, or records the failure.
async fn run_alone(state: &AppState, token: Uuid, job: JobRow) -> anyhow::Result<()> {
    match caught(dispatch(state, &job)).await {
        Ok(mut tx) => {
            if jobs::complete(&mut tx, token, &[job.id], clock::now()).await? {
                tx.commit().await?;
            } else {
                tx.rollback().await?;
                tracing::warn!(
                    kind = job.kind,
                    "lost the lease; another runner has the job"
                );
            }
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
            let recorded =
                jobs::fail(&state.db, token, job.id, &message, retry_at, clock::now()).await?;
            if recorded && retry_at.is_none() {
                if let Some(Handler::Solo { give_up, .. }) = state.steps.handler(&job.kind) {
                    give_up(state, &job.payload, &message).await?;
                }
                follow_ups::raise_exception(&state.db, &job, &message).await?;
            }
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

/// Runs a step that shares its batch's transaction.
async fn run_shared_step(state: &AppState, tx: &mut Tx, job: &JobRow) -> anyhow::Result<()> {
    match state.steps.handler(&job.kind) {
        Some(Handler::Batch(run)) => run(state, tx, &job.payload).await,
        Some(Handler::Solo { .. }) => anyhow::bail!("{} commits alone", job.kind),
        None => anyhow::bail!("no handler for job kind {}", job.kind),
    }
}

/// Runs the step; returns the open transaction with its effects for the runner to complete.
async fn dispatch(state: &AppState, job: &JobRow) -> anyhow::Result<Tx> {
    match state.steps.handler(&job.kind) {
        Some(Handler::Batch(run)) => {
            let mut tx = state.db.begin().await?;
            run(state, &mut tx, &job.payload).await?;
            Ok(tx)
        }
        Some(Handler::Solo { run, .. }) => run(state, &job.payload).await,
        None => anyhow::bail!("no handler for job kind {}", job.kind),
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_schedules))
        .routes(routes!(queue_summary))
}

/// The schedules with their last run, outcome and next run (administrators).
#[utoipa::path(get, path = "/jobs/schedules", tag = "jobs",
    responses((status = 200, body = Vec<ScheduleView>), (status = 403, body = shared::api::ErrorEnvelope)))]
async fn list_schedules(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<ScheduleView>>> {
    access::require_admin(&state, &user).await?;
    let rows = crate::store::schedules::all(&state.db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| ScheduleView {
                code: s.code,
                description: Names {
                    sv: s.description_sv,
                    en: s.description_en,
                },
                cron: s.cron,
                time_zone: s.time_zone,
                enabled: s.enabled,
                next_run_at: s.next_run_at,
                last_run_at: s.last_run_at,
                last_outcome: s.last_outcome,
            })
            .collect(),
    ))
}

/// Jobs per status and the latest that failed for good (administrators).
#[utoipa::path(get, path = "/jobs/summary", tag = "jobs",
    responses((status = 200, body = JobQueueSummary), (status = 403, body = shared::api::ErrorEnvelope)))]
async fn queue_summary(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<JobQueueSummary>> {
    access::require_admin(&state, &user).await?;
    let counts = jobs::counts(&state.db).await?;
    let count = |status: &str| {
        counts
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    };
    Ok(Json(JobQueueSummary {
        pending: count("pending"),
        running: count("running"),
        done: count("done"),
        failed: count("failed"),
        recent_failures: jobs::recent_failures(&state.db, 20)
            .await?
            .into_iter()
            .map(|f| FailedJob {
                kind: f.kind,
                attempts: f.attempts,
                last_error: f.last_error,
                updated_at: f.updated_at,
            })
            .collect(),
    }))
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
