//! Job steps as types. Each kind of automated step is a payload type (serde) with its name and
//! its way of committing: a [`BatchStep`] has all its effects in the database and runs inside
//! its batch's transaction; a [`SoloStep`] has an effect outside it (an e-mail) or heavy work,
//! and commits alone, right after the effect. Every step is registered once at start-up
//! (`crate::registry`) — the model is crates.io's `BackgroundJob` and `register_job_type` — so
//! the runner knows the kinds from the registry, not from a list kept by hand, and a handler
//! receives its payload typed.

use std::collections::BTreeMap;
use std::future::Future;

use futures_util::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::clock;
use crate::state::AppState;
use crate::store::Tx;
use crate::store::jobs as job_store;

/// Attempts before a step becomes an exception follow-up for the operators.
pub const MAX_ATTEMPTS: i32 = 8;

/// What a step is: its kind (stored in `jobs.kind`) and its payload, the type itself.
pub trait JobStep: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The kind stored with the job, e.g. `leave.route`; never renamed once jobs exist.
    const KIND: &'static str;

    /// What makes a repeat of this step a no-op (the job's idempotency key).
    fn key(&self) -> String;
}

/// A step whose effects are all in the database: it reads and writes through the batch's
/// transaction (earlier steps of the batch may have written what it reads), and one commit
/// completes the batch.
pub trait BatchStep: JobStep {
    fn run<'a>(
        &'a self,
        state: &'a AppState,
        tx: &'a mut Tx,
    ) -> impl Future<Output = anyhow::Result<()>> + Send + 'a;
}

/// A step that commits alone: it does its work, then returns the open transaction with its
/// database effects for the runner to complete the job in.
pub trait SoloStep: JobStep {
    fn run<'a>(
        &'a self,
        state: &'a AppState,
    ) -> impl Future<Output = anyhow::Result<Tx>> + Send + 'a;

    /// Runs once when the step has used up its attempts, before the exception follow-up is
    /// raised (an e-mail's delivery is marked failed, say).
    fn give_up<'a>(
        &'a self,
        _state: &'a AppState,
        _error: &'a str,
    ) -> impl Future<Output = anyhow::Result<()>> + Send + 'a {
        async { Ok(()) }
    }
}

/// Enqueues a step inside the caller's transaction; its key makes a repeat a no-op.
pub async fn enqueue<S: JobStep>(tx: &mut Tx, step: &S) -> sqlx::Result<()> {
    enqueue_kind(tx, S::KIND, step, step.key(), MAX_ATTEMPTS).await
}

/// Enqueues a step that waits until `run_after` (a notice that a correction may cancel).
pub async fn enqueue_at<S: JobStep>(
    tx: &mut Tx,
    step: &S,
    run_after: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<()> {
    let payload = serde_json::to_string(step).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let job = job_store::NewJob {
        kind: S::KIND,
        payload,
        idempotency_key: step.key(),
        run_after,
        max_attempts: MAX_ATTEMPTS,
    };
    job_store::enqueue(tx, &job, clock::now()).await
}

/// Enqueues a payload under a kind named by data (a schedule's `job_kind`).
pub async fn enqueue_kind<P: Serialize>(
    tx: &mut Tx,
    kind: &str,
    payload: &P,
    key: String,
    max_attempts: i32,
) -> sqlx::Result<()> {
    let now = clock::now();
    let payload = serde_json::to_string(payload).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let job = job_store::NewJob {
        kind,
        payload,
        idempotency_key: key,
        run_after: now,
        max_attempts,
    };
    job_store::enqueue(tx, &job, now).await
}

type RunInBatch =
    for<'a> fn(&'a AppState, &'a mut Tx, &'a str) -> BoxFuture<'a, anyhow::Result<()>>;
type RunSolo = for<'a> fn(&'a AppState, &'a str) -> BoxFuture<'a, anyhow::Result<Tx>>;
type GiveUp = for<'a> fn(&'a AppState, &'a str, &'a str) -> BoxFuture<'a, anyhow::Result<()>>;

/// How the runner runs one kind.
#[derive(Clone, Copy)]
pub enum Handler {
    Batch(RunInBatch),
    Solo { run: RunSolo, give_up: GiveUp },
}

/// Every registered kind with its handler.
#[derive(Default)]
pub struct JobSteps {
    handlers: BTreeMap<String, Handler>,
    batch_kinds: Vec<String>,
}

impl JobSteps {
    /// Registers a step that shares its batch's transaction.
    pub fn batch<S: BatchStep>(&mut self) -> &mut Self {
        self.batch_as::<S>(S::KIND)
    }

    /// Registers a batch step under a kind named by data as well (the schedules name theirs).
    pub fn batch_as<S: BatchStep>(&mut self, kind: &str) -> &mut Self {
        self.insert(kind, Handler::Batch(run_in_batch::<S>));
        self.batch_kinds.push(kind.to_owned());
        self
    }

    /// Registers a step that commits alone.
    pub fn solo<S: SoloStep>(&mut self) -> &mut Self {
        self.solo_as::<S>(S::KIND)
    }

    /// Registers a solo step under a kind named by data as well.
    pub fn solo_as<S: SoloStep>(&mut self, kind: &str) -> &mut Self {
        self.insert(
            kind,
            Handler::Solo {
                run: run_solo::<S>,
                give_up: give_up::<S>,
            },
        );
        self
    }

    fn insert(&mut self, kind: &str, handler: Handler) {
        let previous = self.handlers.insert(kind.to_owned(), handler);
        assert!(previous.is_none(), "job kind {kind} registered twice");
    }

    pub fn handler(&self, kind: &str) -> Option<Handler> {
        self.handlers.get(kind).copied()
    }

    /// The kinds that share a batch's transaction (the runner takes them together).
    pub fn batch_kinds(&self) -> Vec<&str> {
        self.batch_kinds.iter().map(String::as_str).collect()
    }

    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.handlers.keys().map(String::as_str)
    }
}

fn payload<S: JobStep>(payload: &str) -> anyhow::Result<S> {
    serde_json::from_str(payload)
        .map_err(|error| anyhow::anyhow!("the payload of a {} step: {error}", S::KIND))
}

fn run_in_batch<'a, S: BatchStep>(
    state: &'a AppState,
    tx: &'a mut Tx,
    raw: &'a str,
) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(async move { payload::<S>(raw)?.run(state, tx).await })
}

fn run_solo<'a, S: SoloStep>(
    state: &'a AppState,
    raw: &'a str,
) -> BoxFuture<'a, anyhow::Result<Tx>> {
    Box::pin(async move { payload::<S>(raw)?.run(state).await })
}

fn give_up<'a, S: SoloStep>(
    state: &'a AppState,
    raw: &'a str,
    error: &'a str,
) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(async move {
        match payload::<S>(raw) {
            Ok(step) => step.give_up(state, error).await,
            // An unreadable payload has nothing to give up; the exception says why it failed.
            Err(_) => Ok(()),
        }
    })
}

/// The step that does nothing: for measuring the queue itself (benchmarks, tests).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Noop {}

impl JobStep for Noop {
    const KIND: &'static str = "jobs.noop";

    fn key(&self) -> String {
        format!("{}:{}", Self::KIND, uuid::Uuid::new_v4())
    }
}

impl BatchStep for Noop {
    async fn run(&self, _state: &AppState, _tx: &mut Tx) -> anyhow::Result<()> {
        Ok(())
    }
}
