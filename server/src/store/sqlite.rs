//! SQLite called directly (rusqlite), without sqlx, for the statements on nearly every
//! request's path: the session lookup, the case list, the case relation and the access log.
//!
//! sqlx-sqlite runs each connection on a thread of its own and hands every statement, and its
//! rows, across with channels; for a read that SQLite answers in 0.1–0.3 ms the hand-offs cost
//! more CPU than the statement (docs/PERFORMANCE.md, "Case list with a million cases"). These
//! reads run on the calling thread instead. That is safe on the async runtime because they are
//! short and never wait: in WAL mode a reader does not wait for the writer or for checkpoints.
//! Everything else, and every write to the main file, stays with sqlx.
//!
//! Values are written the way sqlx writes them, so both see the same rows: ids as 16-byte
//! BLOBs, dates as `YYYY-MM-DD`, times as RFC 3339 text.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, Row, Statement, ToSql};
use uuid::Uuid;

use super::MMAP_SIZE;

/// A reader never waits in WAL mode except while a crashed writer's log is recovered.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle connections kept. A read never awaits, so no more are open at once than threads
/// calling [`Readers::read`] (the runtime's workers).
const IDLE: usize = 16;

/// Read-only connections to the main database file, opened as needed and reused.
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers").field("path", &self.path).finish()
    }
}

impl Readers {
    pub fn new(path: &Path) -> Readers {
        Readers {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on an idle connection (or a new one) on this thread.
    fn read<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> sqlx::Result<T> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.open().map_err(error)?,
        };
        let result = read(&connection);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < IDLE {
            idle.push(connection);
        }
        result.map_err(error)
    }

    /// Every row `sql` gives, each made into a `T` by `row`. `sql` is written as for sqlx:
    /// `$n` is the n-th of `values` wherever it appears.
    pub fn all<T>(
        &self,
        sql: &str,
        values: &[&dyn ToSql],
        mut row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> sqlx::Result<Vec<T>> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(sql)?;
            bind(&mut statement, values)?;
            let mut rows = statement.raw_query();
            let mut all = Vec::new();
            while let Some(next) = rows.next()? {
                all.push(row(next)?);
            }
            Ok(all)
        })
    }

    /// The first row `sql` gives, if any (see [`Readers::all`]).
    pub fn optional<T>(
        &self,
        sql: &str,
        values: &[&dyn ToSql],
        row: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> sqlx::Result<Option<T>> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(sql)?;
            bind(&mut statement, values)?;
            statement.raw_query().next()?.map(row).transpose()
        })
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.pragma_update(None, "query_only", true)?;
        connection.pragma_update(None, "mmap_size", MMAP_SIZE as i64)?;
        Ok(connection)
    }
}

/// Binds the way sqlx-sqlite does: a parameter named `$n` takes the n-th value (SQLite itself
/// numbers named parameters by first appearance, so `$2 … $1` would swap them).
fn bind(statement: &mut Statement<'_>, values: &[&dyn ToSql]) -> rusqlite::Result<()> {
    for index in 1..=statement.parameter_count() {
        let name = statement.parameter_name(index).unwrap_or("?");
        let value = name
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| values.get(n.checked_sub(1)?))
            .ok_or_else(|| rusqlite::Error::InvalidParameterName(name.to_owned()))?;
        statement.raw_bind_parameter(index, value)?;
    }
    Ok(())
}

/// Page cache of the access log's writer and of its indexer.
const LOG_CACHE_KIB: i64 = 64 << 10;

/// Opens the access log's events file for its writer (see `audit::AccessLog`).
pub fn open_writer(path: &str) -> rusqlite::Result<Connection> {
    let connection = open_log_file(path)?;
    // The checkpointer in `store` copies the log back (see `checkpoint` there).
    connection.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(connection)
}

/// Opens the access log's index file for its only writer, with the events' file attached as
/// `audit` (see `audit::AccessIndex`). It copies its own write-ahead log back as it goes.
pub fn open_indexer(index: &str, log: &str) -> rusqlite::Result<Connection> {
    let connection = open_log_file(index)?;
    connection.execute("ATTACH DATABASE ?1 AS audit", [log])?;
    connection.pragma_update(
        Some(rusqlite::DatabaseName::Attached("audit")),
        "mmap_size",
        MMAP_SIZE as i64,
    )?;
    Ok(connection)
}

fn open_log_file(path: &str) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(Duration::from_secs(10))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "cache_size", -LOG_CACHE_KIB)?;
    connection.pragma_update(None, "mmap_size", MMAP_SIZE as i64)?;
    // The write-ahead log's file is cut back to this after it has grown.
    connection.pragma_update(None, "journal_size_limit", 64 << 20)?;
    Ok(connection)
}

pub fn error(error: rusqlite::Error) -> sqlx::Error {
    sqlx::Error::AnyDriverError(Box::new(error))
}

/// An id as sqlx stores it in SQLite: its 16 bytes.
pub struct Id(pub Uuid);

impl ToSql for Id {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Blob(self.0.as_bytes())))
    }
}

impl FromSql for Id {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        Uuid::from_slice(value.as_blob()?)
            .map(Id)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// A date as sqlx stores it in SQLite: `YYYY-MM-DD`.
pub struct Date(pub NaiveDate);

impl ToSql for Date {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(date_text(self.0)))
    }
}

impl FromSql for Date {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        // `YYYY-MM-DD` (`FromStr`; a `"%F"` format string is parsed again on every call).
        value
            .as_str()?
            .parse::<NaiveDate>()
            .map(Date)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// The text sqlx writes for a date in SQLite.
fn date_text(date: NaiveDate) -> String {
    date.format("%F").to_string()
}

/// A point in time as sqlx stores a `DateTime<Utc>` in SQLite: RFC 3339 text.
pub struct Time(pub DateTime<Utc>);

impl ToSql for Time {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(time_text(self.0)))
    }
}

impl FromSql for Time {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        // RFC 3339 as sqlx writes it; SQLite's own `datetime()` form as sqlx also reads it.
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%F %T%.f").map(|t| t.and_utc()))
            .map(Time)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// The text sqlx writes for a `DateTime<Utc>` in SQLite (rows compare as text).
pub fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built as `.cargo/config.toml` asks: without STAT4, which planned the case list again
    /// on every request once ANALYZE had run.
    #[test]
    fn sqlite_is_built_without_stat4() {
        let connection = Connection::open_in_memory().unwrap();
        let mut options = connection.prepare("PRAGMA compile_options").unwrap();
        let options: Vec<String> = options
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(options.iter().any(|o| o.starts_with("THREADSAFE")));
        assert!(!options.iter().any(|o| o == "ENABLE_STAT4"), "{options:?}");
    }

    #[test]
    fn values_read_back_as_they_were_written() {
        let connection = Connection::open_in_memory().unwrap();
        let id = Uuid::new_v4();
        let date = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let at = DateTime::parse_from_rfc3339("2026-12-03T08:15:30.123456+00:00")
            .unwrap()
            .with_timezone(&Utc);
        let (read_id, read_date, read_at, text): (Id, Date, Time, String) = connection
            .query_row(
                "SELECT ?1, ?2, ?3, ?3",
                (Id(id), Date(date), Time(at)),
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .unwrap();
        assert_eq!((read_id.0, read_date.0, read_at.0), (id, date, at));
        assert_eq!(text, "2026-12-03T08:15:30.123456+00:00");
    }

    #[test]
    fn numbered_parameters_take_their_values_wherever_they_appear() {
        // An empty file is an empty database.
        let file = tempfile::NamedTempFile::new().unwrap();
        let readers = Readers::new(file.path());
        let rows = readers
            .all(
                "SELECT $2, $1 UNION ALL SELECT $1, $2",
                &[&"one", &"two"],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
            .unwrap();
        assert_eq!(
            rows,
            [("two".into(), "one".into()), ("one".into(), "two".into())]
        );
        let missing = readers.optional("SELECT $2", &[&1], |row| row.get::<_, i64>(0));
        assert!(missing.is_err(), "$2 without a second value is refused");
    }

    #[test]
    fn sqlite_datetime_text_reads_as_utc() {
        let connection = Connection::open_in_memory().unwrap();
        let at: Time = connection
            .query_row("SELECT '2026-12-03 08:15:30'", [], |row| row.get(0))
            .unwrap();
        assert_eq!(time_text(at.0), "2026-12-03T08:15:30+00:00");
    }
}
