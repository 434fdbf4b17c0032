//! The append-only access log: who read which person's data, what, and when.
//!
//! A read is answered only after its log rows are committed. On SQLite the log is a file of
//! its own ([`file_beside`]) with a writer of its own: one thread ([`AccessLogWriter`]) writes
//! the rows of all the requests queued at that moment in one transaction — one commit for many
//! requests (group commit) — and then tells each of them; it also checkpoints that file. It
//! never waits for the main file's writer. PostgreSQL commits concurrent transactions
//! together by itself, so there each request writes its own rows.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::Db;
use super::sqlite::{self, Id};
use crate::with_db;

/// What was read, e.g. `pupil.read`, `pupil.list`, `placement.list`.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    pub actor: Uuid,
    pub action: &'a str,
    pub detail: &'a str,
}

/// Logs one read of each subject's data; returns once the rows are committed.
pub async fn record(
    db: &Db,
    access: Access<'_>,
    subjects: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    if subjects.is_empty() {
        return Ok(());
    }
    match db {
        Db::Sqlite { access_log, .. } => {
            access_log
                .record(Entry {
                    at: sqlite::time_text(now),
                    actor: access.actor,
                    action: access.action.to_owned(),
                    detail: access.detail.to_owned(),
                    subjects: subjects.to_vec(),
                })
                .await
        }
        Db::Postgres(pool) => insert_postgres(pool, access, subjects, now).await,
    }
}

/// One statement for any number of subjects (atomic by itself: no transaction to open).
async fn insert_postgres(
    pool: &PgPool,
    access: Access<'_>,
    subjects: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_person_id, subject_person_id, action, detail) \
         SELECT $1, $2, subject, $3, $4 FROM UNNEST($5::uuid[]) AS subject",
    )
    .bind(now)
    .bind(access.actor)
    .bind(access.action)
    .bind(access.detail)
    .bind(subjects)
    .execute(pool)
    .await?;
    Ok(())
}

/// One request's rows.
#[derive(Debug)]
struct Entry {
    /// As sqlx writes a `DateTime<Utc>` to SQLite, so that these sort with the other rows.
    at: String,
    actor: Uuid,
    action: String,
    detail: String,
    subjects: Vec<Uuid>,
}

/// Requests waiting for the writer before new ones wait to queue.
const QUEUE: usize = 1024;
/// Requests per transaction, at most.
const BATCH: usize = 256;

/// The thread that writes SQLite's access log for every request of the process (see the
/// module documentation). It stops when the last handle is dropped (the checkpointer's goes
/// at [`Db::close`]).
#[derive(Debug, Clone)]
pub struct AccessLogWriter {
    queue: mpsc::Sender<Pending>,
    copied: Arc<AtomicBool>,
}

struct Pending {
    entry: Entry,
    committed: oneshot::Sender<sqlx::Result<()>>,
}

impl AccessLogWriter {
    /// Starts the writer of the access-log file `file`. The file is opened at the first write,
    /// after the migrations have made its table.
    pub fn spawn(file: String) -> AccessLogWriter {
        let (queue, requests) = mpsc::channel(QUEUE);
        let copied = Arc::new(AtomicBool::new(false));
        let told = copied.clone();
        std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || write_batches(&file, requests, &told))
            .expect("the access-log thread starts");
        AccessLogWriter { queue, copied }
    }

    /// Tells the writer that the checkpointer has copied the file's write-ahead log back
    /// (see `store::checkpoint`). The writer then copies what came since itself: a log starts
    /// again from its beginning only at a write that follows a complete copy, and a copy on
    /// another connection nearly always loses that race against a busy writer (the benchmark's
    /// access log grew a 6 GB write-ahead log in a few minutes that way). What is left to copy
    /// by then is a few commits' worth, but the requests waiting for the writer wait for that
    /// copy and its fsync too: the 16-client p99 in docs/PERFORMANCE.md.
    pub fn log_copied(&self) {
        self.copied.store(true, Ordering::Release);
    }

    async fn record(&self, entry: Entry) -> sqlx::Result<()> {
        let (committed, done) = oneshot::channel();
        self.queue
            .send(Pending { entry, committed })
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        done.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

/// Takes whatever has queued while the previous transaction ran, writes it in one
/// transaction and answers each request. If that fails, the requests are written one by one,
/// so each gets its own result.
fn write_batches(file: &str, mut requests: mpsc::Receiver<Pending>, copied: &AtomicBool) {
    let mut connection: Option<Connection> = None;
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = requests.blocking_recv() {
        batch.push(first);
        while batch.len() < BATCH {
            match requests.try_recv() {
                Ok(pending) => batch.push(pending),
                Err(_) => break,
            }
        }
        let result = insert_sqlite(&mut connection, file, batch.iter().map(|p| &p.entry));
        match result {
            Ok(()) => {
                for pending in batch.drain(..) {
                    let _ = pending.committed.send(Ok(()));
                }
            }
            Err(error) if batch.len() == 1 => {
                let _ = batch.remove(0).committed.send(Err(error));
            }
            Err(_) => {
                for pending in batch.drain(..) {
                    let result =
                        insert_sqlite(&mut connection, file, std::iter::once(&pending.entry));
                    let _ = pending.committed.send(result);
                }
            }
        }
        if copied.swap(false, Ordering::AcqRel)
            && let Some(open) = &connection
            && let Err(error) = open.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        {
            tracing::warn!(%error, "access-log checkpoint failed");
        }
    }
}

/// All the entries' rows in one transaction, on the writer's connection (opened if need be;
/// dropped after a failure so the next write starts afresh).
fn insert_sqlite<'e>(
    connection: &mut Option<Connection>,
    file: &str,
    entries: impl Iterator<Item = &'e Entry>,
) -> sqlx::Result<()> {
    let open = match connection {
        Some(open) => open,
        None => connection.insert(sqlite::open_writer(file).map_err(sqlite::error)?),
    };
    let result = (|| {
        let transaction =
            open.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO audit_log (at, actor_person_id, subject_person_id, action, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for entry in entries {
                for subject in &entry.subjects {
                    insert.execute((
                        &entry.at,
                        Id(entry.actor),
                        Id(*subject),
                        &entry.action,
                        &entry.detail,
                    ))?;
                }
            }
        }
        transaction.commit()
    })();
    if result.is_err() {
        *connection = None;
    }
    result.map_err(sqlite::error)
}

/// Attaches the access-log file as `audit` to a new SQLite connection.
pub(super) fn attach(
    file: String,
) -> impl for<'c> Fn(
    &'c mut sqlx::SqliteConnection,
    sqlx::pool::PoolConnectionMetadata,
) -> futures_util::future::BoxFuture<'c, sqlx::Result<()>>
+ Clone
+ Send
+ Sync
+ 'static {
    move |conn, _| {
        let file = file.clone();
        Box::pin(async move {
            sqlx::query("ATTACH DATABASE $1 AS audit")
                .bind(file)
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA audit.journal_mode = WAL")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA audit.synchronous = NORMAL")
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }
}

/// SQLite keeps the access log in a file of its own beside the database (`skolflyt.db` →
/// `skolflyt.audit.db`), attached to every connection as `audit`. Nearly every read writes
/// log rows, and a commit to the main file would empty every other connection's page cache
/// and grow the file under their memory maps; commits to the log file leave the main
/// file's readers warm. Back up both files.
pub(super) fn file_beside(database: &std::path::Path) -> String {
    let name = database.to_string_lossy();
    if name.is_empty() || name == ":memory:" {
        return ":memory:".to_owned();
    }
    match database.extension() {
        Some(extension) => database
            .with_extension(format!("audit.{}", extension.to_string_lossy()))
            .to_string_lossy()
            .into_owned(),
        None => format!("{name}.audit"),
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor_person_id: Uuid,
    pub subject_person_id: Uuid,
    pub action: String,
    pub detail: String,
}

/// Everything logged about one subject, oldest first.
pub async fn entries_for_subject(db: &Db, subject: Uuid) -> sqlx::Result<Vec<AuditEntry>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT at, actor_person_id, subject_person_id, action, detail FROM audit_log \
             WHERE subject_person_id = $1 ORDER BY id",
        )
        .bind(subject)
        .fetch_all(pool)
        .await
    })
}
