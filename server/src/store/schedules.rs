//! Stored schedules and the claim of each slot.

use chrono::{DateTime, Utc};

use super::{Db, Tx};
use crate::{with_db, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScheduleRow {
    pub code: String,
    pub description_sv: String,
    pub description_en: String,
    pub cron: String,
    pub time_zone: String,
    pub job_kind: String,
    pub enabled: bool,
    pub next_run_at: DateTime<Utc>,
    pub last_slot_at: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_outcome: Option<String>,
}

const COLUMNS: &str = "code, description_sv, description_en, cron, time_zone, job_kind, enabled, \
    next_run_at, last_slot_at, last_run_at, last_outcome";

pub struct NewSchedule<'a> {
    pub code: &'a str,
    pub description: (&'a str, &'a str),
    pub cron: &'a str,
    pub time_zone: &'a str,
    pub job_kind: &'a str,
    pub next_run_at: DateTime<Utc>,
}

/// Adds the schedule unless it exists (existing ones keep their edits and their next slot).
pub async fn seed(db: &Db, schedule: &NewSchedule<'_>, now: DateTime<Utc>) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO schedules (code, description_sv, description_en, cron, time_zone, job_kind, \
             next_run_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(schedule.code)
        .bind(schedule.description.0)
        .bind(schedule.description.1)
        .bind(schedule.cron)
        .bind(schedule.time_zone)
        .bind(schedule.job_kind)
        .bind(schedule.next_run_at)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    tx.commit().await
}

pub async fn all(db: &Db) -> sqlx::Result<Vec<ScheduleRow>> {
    let sql = format!("SELECT {COLUMNS} FROM schedules ORDER BY code");
    with_db!(db, |pool| sqlx::query_as(&sql).fetch_all(pool).await)
}

pub async fn due(db: &Db, now: DateTime<Utc>) -> sqlx::Result<Vec<ScheduleRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM schedules WHERE enabled AND next_run_at <= $1 ORDER BY next_run_at"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(now)
        .fetch_all(pool)
        .await)
}

/// Takes the slot `slot` for this instance by moving the schedule on to `next`; false when
/// another instance took it first. Exactly one instance wins each slot.
pub async fn claim_slot(
    tx: &mut Tx,
    code: &str,
    slot: DateTime<Utc>,
    next: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    with_tx!(tx, |conn| {
        let changed = sqlx::query(
            "UPDATE schedules SET next_run_at = $3, last_slot_at = $2, updated_at = $4 \
             WHERE code = $1 AND next_run_at = $2 AND enabled",
        )
        .bind(code)
        .bind(slot)
        .bind(next)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok(changed == 1)
    })
}

pub async fn record_outcome(
    tx: &mut Tx,
    code: &str,
    outcome: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE schedules SET last_run_at = $3, last_outcome = $2, updated_at = $3 WHERE code = $1")
            .bind(code)
            .bind(outcome)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}
