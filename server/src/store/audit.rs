//! The append-only access log: who read which person's data, what, and when.
//!
//! Each logged read is one event (`access_events`) naming every person read; `access_subjects`
//! and `access_actors` index the events by person read and by reader. A read is answered only
//! after its event is committed.
//!
//! On SQLite the events are a file of their own ([`file_beside`]) with a writer of its own: one
//! thread ([`AccessLog`]) writes the events of all the requests queued at that moment in one
//! transaction — one commit for many requests (group commit) — and then tells each of them.
//! It never waits for the main file's writer. The index is a third file, filled in behind
//! the events in sorted rounds by a thread of its own ([`AccessIndex`]), so that a request
//! writes one row at the end of one table instead of one row per person into a person index
//! at 50 random places; a reader of the log first has the index catch up. That file is
//! derived from the events: without it, it is built again from them. PostgreSQL commits
//! concurrent transactions together by itself, so there each request writes its event and
//! its index rows in one statement.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior};
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

/// Logs one read of each subject's data; returns once the event is committed.
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
                .record(Event {
                    at: sqlite::time_text(now),
                    actor: access.actor,
                    action: access.action.to_owned(),
                    detail: access.detail.to_owned(),
                    subjects: subjects.iter().flat_map(|s| *s.as_bytes()).collect(),
                })
                .await
        }
        Db::Postgres(pool) => insert_postgres(pool, access, subjects, now).await,
    }
}

/// The event and its index rows in one statement (atomic by itself).
async fn insert_postgres(
    pool: &PgPool,
    access: Access<'_>,
    subjects: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH event AS ( \
             INSERT INTO access_events (at, actor_person_id, action, detail, subjects) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id \
         ), subject AS ( \
             INSERT INTO access_subjects (subject_person_id, event_id) \
             SELECT DISTINCT subject, event.id FROM event, UNNEST($5::uuid[]) AS subject \
         ) \
         INSERT INTO access_actors (actor_person_id, event_id) SELECT $2, id FROM event",
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

/// One request's event, as SQLite stores it.
#[derive(Debug)]
struct Event {
    /// As sqlx writes a `DateTime<Utc>` to SQLite, so that these sort with the other rows.
    at: String,
    actor: Uuid,
    action: String,
    detail: String,
    /// The subjects' ids, 16 bytes each, one after another.
    subjects: Vec<u8>,
}

/// Requests waiting for the writer before new ones wait to queue.
const QUEUE: usize = 1024;
/// Requests per transaction, at most.
const BATCH: usize = 256;

/// SQLite's access log for every request of the process: the thread that writes the events
/// and the index filled in behind them (see the module documentation). The writer stops when
/// the last handle is dropped (the checkpointer's goes at [`Db::close`]); the indexer within
/// a second after that.
#[derive(Debug, Clone)]
pub struct AccessLog {
    queue: mpsc::Sender<Pending>,
    copied: Arc<AtomicBool>,
    index: Arc<AccessIndex>,
}

struct Pending {
    event: Event,
    committed: oneshot::Sender<sqlx::Result<()>>,
}

impl AccessLog {
    /// Starts the writer of the events' file `log` and the indexer that keeps `index` up with
    /// it. The files are opened at the first write, after the migrations have made the tables.
    pub fn spawn(log: String, index: String) -> AccessLog {
        let (queue, requests) = mpsc::channel(QUEUE);
        let copied = Arc::new(AtomicBool::new(false));
        let told = copied.clone();
        let file = log.clone();
        std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || write_batches(&file, requests, &told))
            .expect("the access-log thread starts");
        let index = Arc::new(AccessIndex {
            log,
            index,
            connection: Mutex::new(None),
        });
        let behind = Arc::downgrade(&index);
        std::thread::Builder::new()
            .name("access-index".into())
            .spawn(move || index_behind(&behind))
            .expect("the access-index thread starts");
        AccessLog {
            queue,
            copied,
            index,
        }
    }

    /// Tells the writer that the checkpointer has copied the events' write-ahead log back
    /// (see `store::checkpoint`). The writer then copies what came since itself: a log starts
    /// again from its beginning only at a write that follows a complete copy, and a copy on
    /// another connection nearly always loses that race against a busy writer (the benchmark's
    /// access log grew a 6 GB write-ahead log in a few minutes that way). What is left to copy
    /// by then is a few commits' worth, but the requests waiting for the writer wait for that
    /// copy and its fsync too.
    pub fn log_copied(&self) {
        self.copied.store(true, Ordering::Release);
    }

    /// Makes the index file's tables where they are missing (after the migrations, which make
    /// the events' table), so that the log can be read at once.
    pub async fn open_index(&self) -> sqlx::Result<()> {
        let index = self.index.clone();
        blocking(move || index.with_connection(|_| Ok(()))).await
    }

    async fn record(&self, event: Event) -> sqlx::Result<()> {
        let (committed, done) = oneshot::channel();
        self.queue
            .send(Pending { event, committed })
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
        let result = insert_sqlite(&mut connection, file, batch.iter().map(|p| &p.event));
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
                        insert_sqlite(&mut connection, file, std::iter::once(&pending.event));
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

/// The events in one transaction, on the writer's connection (opened if need be; dropped
/// after a failure so the next write starts afresh).
fn insert_sqlite<'e>(
    connection: &mut Option<Connection>,
    file: &str,
    events: impl Iterator<Item = &'e Event>,
) -> sqlx::Result<()> {
    let open = match connection {
        Some(open) => open,
        None => connection.insert(sqlite::open_writer(file).map_err(sqlite::error)?),
    };
    let result = (|| {
        let transaction = open.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO access_events (at, actor_person_id, action, detail, subjects) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for event in events {
                insert.execute((
                    &event.at,
                    Id(event.actor),
                    &event.action,
                    &event.detail,
                    &event.subjects,
                ))?;
            }
        }
        transaction.commit()
    })();
    if result.is_err() {
        *connection = None;
    }
    result.map_err(sqlite::error)
}

/// The index file's tables (made where missing: the file is built again from the events).
/// Like the events, the index refuses updates and deletes.
const INDEX_TABLES: &str = "
CREATE TABLE IF NOT EXISTS access_subjects (
    subject_person_id BLOB NOT NULL,
    event_id INTEGER NOT NULL,
    PRIMARY KEY (subject_person_id, event_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS access_actors (
    actor_person_id BLOB NOT NULL,
    event_id INTEGER NOT NULL,
    PRIMARY KEY (actor_person_id, event_id)
) WITHOUT ROWID;
-- The last event the two tables above hold.
CREATE TABLE IF NOT EXISTS access_indexed (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    event_id INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS access_subjects_no_update BEFORE UPDATE ON access_subjects
BEGIN SELECT RAISE(ABORT, 'access_subjects is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access_subjects_no_delete BEFORE DELETE ON access_subjects
BEGIN SELECT RAISE(ABORT, 'access_subjects is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access_actors_no_update BEFORE UPDATE ON access_actors
BEGIN SELECT RAISE(ABORT, 'access_actors is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access_actors_no_delete BEFORE DELETE ON access_actors
BEGIN SELECT RAISE(ABORT, 'access_actors is append-only'); END;
";

/// How long the indexer lets events gather before it indexes them.
const INDEX_EVERY: Duration = Duration::from_secs(1);
/// Events indexed per transaction, at most.
const ROUND: usize = 10_000;

/// SQLite's index of the access log by person read and by reader (`access_subjects`,
/// `access_actors`), in a file of its own, filled in from the events in id order.
#[derive(Debug)]
struct AccessIndex {
    log: String,
    index: String,
    /// The index file's only writer, with the events' file attached as `audit`.
    connection: Mutex<Option<Connection>>,
}

impl AccessIndex {
    /// Indexes every event committed before the call.
    fn catch_up(&self) -> rusqlite::Result<()> {
        self.with_connection(|connection| {
            while index_round(connection)? == ROUND {}
            Ok(())
        })
    }

    /// Runs `work` on the index's connection, opened (and its tables made) if need be, and
    /// dropped after a failure so that the next round starts afresh.
    fn with_connection<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let mut connection = self.connection.lock().unwrap_or_else(|e| e.into_inner());
        let open = match &mut *connection {
            Some(open) => open,
            None => {
                let opened = sqlite::open_indexer(&self.index, &self.log)?;
                opened.execute_batch(INDEX_TABLES)?;
                connection.insert(opened)
            }
        };
        let result = work(open);
        if result.is_err() {
            *connection = None;
        }
        result
    }
}

/// Until the log is dropped: every [`INDEX_EVERY`], the events since the last round.
fn index_behind(index: &Weak<AccessIndex>) {
    loop {
        std::thread::sleep(INDEX_EVERY);
        let Some(index) = index.upgrade() else {
            return;
        };
        if let Err(error) = index.catch_up() {
            tracing::warn!(%error, "indexing the access log failed");
        }
    }
}

/// Indexes up to [`ROUND`] events after the last indexed one, in one transaction: their rows
/// sorted, so that each page of the index is written once per round. Returns how many.
fn index_round(connection: &mut Connection) -> rusqlite::Result<usize> {
    // Deferred: it writes only the index file, and an immediate transaction would take the
    // events' writer lock too (it locks every attached file).
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
    let last: i64 = transaction.query_row(
        "SELECT coalesce(max(event_id), 0) FROM access_indexed",
        [],
        |row| row.get(0),
    )?;
    let mut subjects: Vec<([u8; 16], i64)> = Vec::new();
    let mut actors: Vec<([u8; 16], i64)> = Vec::new();
    let mut newest = last;
    {
        let mut events = transaction.prepare_cached(
            "SELECT id, actor_person_id, subjects FROM access_events \
             WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let mut rows = events.query((last, ROUND as i64))?;
        while let Some(row) = rows.next()? {
            newest = row.get(0)?;
            actors.push((row.get::<_, Id>(1)?.0.into_bytes(), newest));
            for subject in row.get_ref(2)?.as_blob()?.chunks_exact(16) {
                let subject = subject.try_into().expect("chunks of 16 bytes");
                subjects.push((subject, newest));
            }
        }
    }
    let events = actors.len();
    if events == 0 {
        return Ok(0);
    }
    subjects.sort_unstable();
    actors.sort_unstable();
    for (table, rows) in [("access_subjects", subjects), ("access_actors", actors)] {
        let mut insert = transaction
            .prepare_cached(&format!("INSERT OR IGNORE INTO {table} VALUES (?1, ?2)"))?;
        for (person, event) in rows {
            insert.execute((&person[..], event))?;
        }
    }
    transaction.execute(
        "INSERT INTO access_indexed (id, event_id) VALUES (1, ?1) \
         ON CONFLICT (id) DO UPDATE SET event_id = excluded.event_id",
        [newest],
    )?;
    transaction.commit()?;
    Ok(events)
}

/// Runs `work` on a thread for blocking work (the index waits for its round and writes).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> rusqlite::Result<T> + Send + 'static,
) -> sqlx::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?
        .map_err(sqlite::error)
}

/// Attaches the access log's files to a new SQLite connection: the events as `audit`, their
/// index as `audit_index`.
pub(super) fn attach(
    log: String,
    index: String,
) -> impl for<'c> Fn(
    &'c mut sqlx::SqliteConnection,
    sqlx::pool::PoolConnectionMetadata,
) -> futures_util::future::BoxFuture<'c, sqlx::Result<()>>
+ Clone
+ Send
+ Sync
+ 'static {
    move |conn, _| {
        let files = [(log.clone(), "audit"), (index.clone(), "audit_index")];
        Box::pin(async move {
            for (file, schema) in files {
                sqlx::query(&format!("ATTACH DATABASE $1 AS {schema}"))
                    .bind(file)
                    .execute(&mut *conn)
                    .await?;
                for pragma in ["journal_mode = WAL", "synchronous = NORMAL"] {
                    sqlx::query(&format!("PRAGMA {schema}.{pragma}"))
                        .execute(&mut *conn)
                        .await?;
                }
            }
            Ok(())
        })
    }
}

/// SQLite keeps the access log in files of its own beside the database (`skolflyt.db` →
/// `skolflyt.audit.db`, the events, and `skolflyt.audit-index.db`, their index), attached to
/// every connection as `audit` and `audit_index`. Nearly every read writes an event, and a
/// commit to the main file would empty every other connection's page cache and grow the file
/// under their memory maps; commits to the log's files leave the main file's readers warm.
/// Back up the main file and the events' file; the index is built again where it is missing
/// (it goes with the events' file: delete neither or both).
pub(super) fn file_beside(database: &std::path::Path, kind: &str) -> String {
    let name = database.to_string_lossy();
    if name.is_empty() || name == ":memory:" {
        return ":memory:".to_owned();
    }
    match database.extension() {
        Some(extension) => database
            .with_extension(format!("{kind}.{}", extension.to_string_lossy()))
            .to_string_lossy()
            .into_owned(),
        None => format!("{name}.{kind}"),
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
    if let Db::Sqlite { access_log, .. } = db {
        let index = access_log.index.clone();
        blocking(move || index.catch_up()).await?;
    }
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT e.at, e.actor_person_id, s.subject_person_id, e.action, e.detail \
             FROM access_subjects s JOIN access_events e ON e.id = s.event_id \
             WHERE s.subject_person_id = $1 ORDER BY s.event_id",
        )
        .bind(subject)
        .fetch_all(pool)
        .await
    })
}
