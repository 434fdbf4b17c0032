//! E-service applications: the leave-of-absence application and the granted-leave absences
//! its decisions write to the register.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Db, Tx};
use crate::{with_db, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LeaveRow {
    pub case_id: Uuid,
    pub pupil_id: Uuid,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub reason: String,
    pub school_days: i32,
    pub second_guardian_id: Option<Uuid>,
}

pub struct NewLeave<'a> {
    pub case_id: Uuid,
    pub pupil_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: &'a str,
    pub school_days: i32,
    pub second_guardian_id: Option<Uuid>,
}

pub async fn insert_leave(
    tx: &mut Tx,
    leave: &NewLeave<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO leave_applications (case_id, pupil_id, from_date, to_date, reason, school_days, \
             second_guardian_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(leave.case_id)
        .bind(leave.pupil_id)
        .bind(leave.from)
        .bind(leave.to)
        .bind(leave.reason)
        .bind(leave.school_days)
        .bind(leave.second_guardian_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

const LEAVE_COLUMNS: &str = "case_id, pupil_id, from_date, to_date, reason, school_days, \
    second_guardian_id";

pub async fn leave(db: &Db, case_id: Uuid) -> sqlx::Result<Option<LeaveRow>> {
    let sql = format!("SELECT {LEAVE_COLUMNS} FROM leave_applications WHERE case_id = $1");
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(case_id)
        .fetch_optional(pool)
        .await)
}

/// A pupil's leave applications with their cases' status and outcome, newest first.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LeaveHistoryRow {
    pub case_id: Uuid,
    pub year: i32,
    pub serial: i32,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub school_days: i32,
    pub status: String,
    pub outcome: Option<String>,
}

pub async fn leave_history(db: &Db, pupil: Uuid) -> sqlx::Result<Vec<LeaveHistoryRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT l.case_id, c.year, c.serial, l.from_date, l.to_date, l.school_days, c.status, c.outcome \
             FROM leave_applications l JOIN cases c ON c.id = l.case_id \
             WHERE l.pupil_id = $1 ORDER BY l.from_date DESC, c.id",
        )
        .bind(pupil)
        .fetch_all(pool)
        .await
    })
}

/// The child's leave applications that overlap `from`..=`to` and are granted or still
/// pending (not withdrawn, declined, rejected or closed undecided), by first day.
pub async fn overlapping_leaves(
    db: &Db,
    pupil: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<LeaveHistoryRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT l.case_id, c.year, c.serial, l.from_date, l.to_date, l.school_days, c.status, c.outcome \
             FROM leave_applications l JOIN cases c ON c.id = l.case_id \
             WHERE l.pupil_id = $1 AND l.from_date <= $3 AND l.to_date >= $2 \
               AND c.status <> 'withdrawn' \
               AND (c.outcome = 'approved' OR (c.outcome IS NULL AND c.status <> 'closed')) \
             ORDER BY l.from_date, c.id",
        )
        .bind(pupil)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
    })
}

/// Writes a granted-leave absence for the period (once per case).
pub async fn record_granted_leave(
    tx: &mut Tx,
    case_id: Uuid,
    person: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO absences (id, person_id, kind, from_date, to_date, case_id, created_at, updated_at) \
             SELECT $1, $2, 'granted_leave', $3, $4, $5, $6, $6 \
             WHERE NOT EXISTS (SELECT 1 FROM absences WHERE case_id = $5 AND kind = 'granted_leave')",
        )
        .bind(Uuid::new_v4())
        .bind(person)
        .bind(from)
        .bind(to)
        .bind(case_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AbsenceRow {
    pub kind: String,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub case_id: Option<Uuid>,
}

pub async fn absences(db: &Db, person: Uuid) -> sqlx::Result<Vec<AbsenceRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT kind, from_date, to_date, case_id FROM absences WHERE person_id = $1 ORDER BY from_date",
        )
        .bind(person)
        .fetch_all(pool)
        .await
    })
}
