//! The municipality's school calendar as an administrator edits it, a school year at a time,
//! and what a changed calendar does to the lessons of the days it changes.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Db, Tx, placeholders};
use crate::{with_db, with_tx};

/// A period of the municipality's calendar (not a school's own).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PeriodRow {
    pub kind: String,
    pub code: String,
    pub name_sv: String,
    pub name_en: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub updated_at: DateTime<Utc>,
}

/// The periods of `school_year` (`2026/27`), terms first, then by first day.
pub async fn periods(db: &Db, school_year: &str) -> sqlx::Result<Vec<PeriodRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT kind, code, name_sv, name_en, start_date, end_date, updated_at \
               FROM calendar_periods WHERE school_year = $1 AND organisation_id IS NULL \
              ORDER BY CASE kind WHEN 'term' THEN 0 ELSE 1 END, start_date, code",
        )
        .bind(school_year)
        .fetch_all(pool)
        .await
    })
}

/// A period to write.
pub struct NewPeriod<'a> {
    pub kind: &'a str,
    pub code: &'a str,
    pub name_sv: &'a str,
    pub name_en: &'a str,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

/// Replaces the municipality's periods of `school_year` with `periods`.
pub async fn replace_year(
    tx: &mut Tx,
    school_year: &str,
    periods: &[NewPeriod<'_>],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "DELETE FROM calendar_periods WHERE school_year = $1 AND organisation_id IS NULL",
        )
        .bind(school_year)
        .execute(&mut *conn)
        .await?;
        for period in periods {
            sqlx::query(
                "INSERT INTO calendar_periods (school_year, kind, code, name_sv, name_en, \
                 start_date, end_date, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(school_year)
            .bind(period.kind)
            .bind(period.code)
            .bind(period.name_sv)
            .bind(period.name_en)
            .bind(period.start_date)
            .bind(period.end_date)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    })
}

/// What leaving school days did to their lessons.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cancelled {
    pub cancelled: u64,
    /// Lessons whose register is taken: left as they are.
    pub kept: u64,
}

/// Cancels the lessons on `days` (no longer school days) whose register has not been taken.
pub async fn cancel_lessons_on(
    tx: &mut Tx,
    days: &[NaiveDate],
    now: DateTime<Utc>,
) -> sqlx::Result<Cancelled> {
    let mut result = Cancelled::default();
    for chunk in days.chunks(300) {
        let list = placeholders(2, chunk.len());
        let cancel = format!(
            "UPDATE lessons SET cancelled = TRUE, updated_at = $1 \
             WHERE date IN ({list}) AND NOT cancelled AND register_taken_at IS NULL \
               AND NOT EXISTS (SELECT 1 FROM attendance_marks a WHERE a.lesson_id = lessons.id)"
        );
        let kept = format!(
            "SELECT COUNT(*) FROM lessons WHERE date IN ({}) AND NOT cancelled",
            placeholders(1, chunk.len())
        );
        let (cancelled, kept): (u64, i64) = with_tx!(tx, |conn| {
            let mut query = sqlx::query(&cancel).bind(now);
            for day in chunk {
                query = query.bind(*day);
            }
            let cancelled = query.execute(&mut *conn).await?.rows_affected();
            let mut query = sqlx::query_scalar(&kept);
            for day in chunk {
                query = query.bind(*day);
            }
            (cancelled, query.fetch_one(&mut *conn).await?)
        });
        result.cancelled += cancelled;
        result.kept += kept as u64;
    }
    Ok(result)
}

/// Restores the cancelled lessons on `days` (school days again); returns how many.
pub async fn restore_lessons_on(
    tx: &mut Tx,
    days: &[NaiveDate],
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let mut restored = 0;
    for chunk in days.chunks(300) {
        let sql = format!(
            "UPDATE lessons SET cancelled = FALSE, updated_at = $1 \
             WHERE date IN ({}) AND cancelled",
            placeholders(2, chunk.len())
        );
        restored += with_tx!(tx, |conn| {
            let mut query = sqlx::query(&sql).bind(now);
            for day in chunk {
                query = query.bind(*day);
            }
            query.execute(&mut *conn).await?.rows_affected()
        });
    }
    Ok(restored)
}

/// The first and last day that lessons have been generated for, if any.
pub async fn lesson_span(tx: &mut Tx) -> sqlx::Result<Option<(NaiveDate, NaiveDate)>> {
    let (first, last): (Option<NaiveDate>, Option<NaiveDate>) = with_tx!(tx, |conn| {
        sqlx::query_as("SELECT MIN(date), MAX(date) FROM lessons")
            .fetch_one(&mut *conn)
            .await?
    });
    Ok(first.zip(last))
}

/// The days among `days` that have no lesson at all (not even a cancelled one).
pub async fn days_without_lessons(tx: &mut Tx, days: &[NaiveDate]) -> sqlx::Result<Vec<NaiveDate>> {
    let mut found = Vec::new();
    for chunk in days.chunks(300) {
        let sql = format!(
            "SELECT DISTINCT date FROM lessons WHERE date IN ({})",
            placeholders(1, chunk.len())
        );
        let with: Vec<NaiveDate> = with_tx!(tx, |conn| {
            let mut query = sqlx::query_scalar(&sql);
            for day in chunk {
                query = query.bind(*day);
            }
            query.fetch_all(&mut *conn).await?
        });
        found.extend(chunk.iter().filter(|day| !with.contains(day)));
    }
    Ok(found)
}
