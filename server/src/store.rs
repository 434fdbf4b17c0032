//! The store: one SQLite or PostgreSQL database behind the same functions.
//!
//! Each domain has a module here (`store::register`, `store::auth`, `store::audit`) whose
//! functions run the same SQL text on either database through [`with_db!`] and [`with_tx!`];
//! where the dialects differ the module says so. Migrations live in `migrations/sqlite` and
//! `migrations/postgres` and are kept table-for-table alike.

pub mod applications;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod e_services;
pub mod follow_ups;
pub mod ike;
pub mod jobs;
pub mod keys;
pub mod messages;
pub mod placements;
pub mod register;
pub mod schedules;
pub mod sqlite;
pub mod statistics;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// A pool on one of the two databases.
///
/// SQLite gets a separate single-connection pool for writes: SQLite allows one writer at a
/// time, and queueing writers in the pool is faster and never fails with `SQLITE_BUSY`,
/// unlike several connections racing to upgrade their locks. The access log has files and
/// writers of its own (see [`audit`]); the reads on every request's path call SQLite directly
/// (see [`sqlite`]).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        direct: std::sync::Arc<sqlite::Readers>,
        access_log: audit::AccessLog,
    },
    Postgres(PgPool),
}

/// An open write transaction on either database.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the read pool of whichever database `$db` is.
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite { read: $conn, .. } => $body,
            $crate::store::Db::Postgres($conn) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection (`&mut Connection`).
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::store::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// How much of a SQLite database file is read through a memory map (address space, not memory).
const MMAP_SIZE: u64 = 1 << 34;

/// How often SQLite's write-ahead logs are copied back into their database files.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies SQLite's write-ahead logs (main file and access log) back into the files, on a
/// connection of its own and without waiting for readers or the writer (`PASSIVE`), until
/// `write` is closed. Left to SQLite, the commit that fills the log does it and its request
/// waits for the copy and the fsync (the 1-client p99 of the case list, docs/PERFORMANCE.md).
/// The access log's writer then copies the last few commits itself, so that its log starts
/// again from the beginning (see [`audit::AccessLog::log_copied`]).
async fn checkpoint(pool: SqlitePool, write: SqlitePool, access_log: audit::AccessLog) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if write.is_closed() {
            pool.close().await;
            return;
        }
        for schema in ["main", "audit"] {
            let statement = format!("PRAGMA {schema}.wal_checkpoint(PASSIVE)");
            if let Err(error) = sqlx::query(&statement).execute(&pool).await {
                tracing::warn!(%error, schema, "SQLite checkpoint failed");
            }
        }
        access_log.log_copied();
    }
}

impl Db {
    /// Connects to `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            return Ok(Db::Postgres(pool));
        }
        if !url.starts_with("sqlite:") {
            anyhow::bail!("the database URL must start with sqlite:// or postgres://");
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Pages are read from a memory map instead of copied in by read(2): every commit
            // empties the other connections' page caches, so a reader after a write would
            // otherwise copy each page it touches again (most of a list request's system time).
            .pragma("mmap_size", MMAP_SIZE.to_string());
        let checkpoints = options.clone();
        // Checkpoints are the checkpointer's (below), not the committing request's.
        let options = options.pragma("wal_autocheckpoint", "0");
        if let Some(dir) = options.get_filename().parent() {
            std::fs::create_dir_all(dir)?;
        }
        let direct = std::sync::Arc::new(sqlite::Readers::new(options.get_filename()));
        let log_file = audit::file_beside(options.get_filename(), "audit");
        let index_file = audit::file_beside(options.get_filename(), "audit-index");
        let access_log = audit::AccessLog::spawn(log_file.clone(), index_file.clone());
        let attach = audit::attach(log_file, index_file);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .after_connect(attach.clone())
            .connect_with(options.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .after_connect(attach.clone())
            .connect_with(options)
            .await?;
        let checkpoints = SqlitePoolOptions::new()
            .max_connections(1)
            .after_connect(attach)
            .connect_with(checkpoints)
            .await?;
        tokio::spawn(checkpoint(checkpoints, write.clone(), access_log.clone()));
        Ok(Db::Sqlite {
            read,
            write,
            direct,
            access_log,
        })
    }

    pub fn kind(&self) -> DbKind {
        match self {
            Db::Sqlite { .. } => DbKind::Sqlite,
            Db::Postgres(_) => DbKind::Postgres,
        }
    }

    /// Applies the migrations this binary carries that the database lacks.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite {
                write, access_log, ..
            } => {
                sqlx::migrate!("./migrations/sqlite").run(write).await?;
                access_log.open_index().await?;
            }
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Rolls back now (a dropped transaction rolls back only when its connection is next used,
    /// holding its locks until then).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// `$first, $first+1, …` for an `IN (…)` list of `count` binds.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
