//! What every handler and job step shares: the database, the configuration, the blob store,
//! the mailer, the cursor key and the registries of job steps and case processes. Its own
//! module so that features depend on it, not on `startup` (which depends on every feature).

use std::sync::Arc;

use tokio::sync::Notify;

use crate::cases::process::CaseProcesses;
use crate::config::Config;
use crate::documents::blob_store::BlobStore;
use crate::jobs::steps::JobSteps;
use crate::messages;
use crate::pagination::CursorKey;
use crate::store::Db;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Verified against when a username is unknown, so timing does not reveal accounts.
    pub dummy_hash: Arc<str>,
    /// Case documents.
    pub blobs: BlobStore,
    /// Wakes this process's job runner when a job was enqueued here.
    pub jobs_wakeup: Arc<Notify>,
    /// Outgoing e-mail, when configured.
    pub mailer: Option<messages::Mailer>,
    /// Seals list cursors (the same key on every instance).
    pub cursors: CursorKey,
    /// Every kind of automated step, registered at start-up (`crate::registry`).
    pub steps: Arc<JobSteps>,
    /// The process of every case type, registered at start-up (`crate::registry`).
    pub processes: Arc<CaseProcesses>,
}
