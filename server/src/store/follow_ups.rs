//! Follow-ups, teams, shares and their history.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Db, Tx};
use crate::{with_db, with_tx};

pub mod subscriptions;

/// The team that receives exceptions from failed automated steps.
pub const OPERATIONS_TEAM: &str = "Drift";
/// The municipality's case workers: cases that the register gives nobody to decide go here.
pub const CASE_OFFICE_TEAM: &str = "Elevhandläggning";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowUpRow {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub details: String,
    pub due_date: Option<NaiveDate>,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub assignee_person_id: Option<Uuid>,
    pub assignee_person_name: Option<String>,
    pub assignee_team_id: Option<Uuid>,
    pub assignee_team_name: Option<String>,
    pub case_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// The reader (`$1`) owns it or is its assignee, in person or through a team; a share
    /// only lets them read and comment.
    pub handles: bool,
}

/// Selects [`FollowUpRow`]s as the person `$1` sees them.
const SELECT: &str = "SELECT f.id, f.kind, f.title, f.details, f.due_date, f.owner_id, \
    o.given_name || ' ' || o.family_name AS owner_name, f.assignee_person_id, \
    a.given_name || ' ' || a.family_name AS assignee_person_name, f.assignee_team_id, \
    t.name AS assignee_team_name, f.case_id, f.job_id, f.status, f.created_at, \
    COALESCE(f.owner_id = $1 OR f.assignee_person_id = $1 \
     OR f.assignee_team_id IN (SELECT team_id FROM team_members WHERE person_id = $1), FALSE) AS handles \
    FROM follow_ups f LEFT JOIN persons o ON o.id = f.owner_id \
    LEFT JOIN persons a ON a.id = f.assignee_person_id LEFT JOIN teams t ON t.id = f.assignee_team_id";

/// The reader may see it: owner, assignee (in person or through a team), or shared with them.
const VISIBLE: &str = "(f.owner_id = $1 OR f.assignee_person_id = $1 \
    OR f.assignee_team_id IN (SELECT team_id FROM team_members WHERE person_id = $1) \
    OR EXISTS (SELECT 1 FROM follow_up_shares s WHERE s.follow_up_id = f.id AND (s.person_id = $1 \
        OR s.team_id IN (SELECT team_id FROM team_members WHERE person_id = $1))))";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dashboard {
    /// Owned by or assigned to me in person.
    Mine,
    /// Assigned or shared to my teams.
    Teams,
    /// Any visible one past its due date.
    Overdue,
}

/// Active follow-ups on a dashboard, by due date (none last), newest first.
pub async fn dashboard(
    db: &Db,
    person: Uuid,
    view: Dashboard,
    today: NaiveDate,
) -> sqlx::Result<Vec<FollowUpRow>> {
    let condition = match view {
        Dashboard::Mine => "(f.owner_id = $1 OR f.assignee_person_id = $1) AND $2 = $2",
        Dashboard::Teams => {
            "(f.assignee_team_id IN (SELECT team_id FROM team_members WHERE person_id = $1) \
             OR EXISTS (SELECT 1 FROM follow_up_shares s WHERE s.follow_up_id = f.id \
                AND s.team_id IN (SELECT team_id FROM team_members WHERE person_id = $1))) AND $2 = $2"
        }
        Dashboard::Overdue => "f.due_date < $2",
    };
    let sql = format!(
        "{SELECT} WHERE f.status = 'active' AND {VISIBLE} AND {condition} \
         ORDER BY f.due_date IS NULL, f.due_date, f.created_at DESC LIMIT 500"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(person)
        .bind(today)
        .fetch_all(pool)
        .await)
}

pub async fn visible(db: &Db, person: Uuid, id: Uuid) -> sqlx::Result<Option<FollowUpRow>> {
    let sql = format!("{SELECT} WHERE f.id = $2 AND {VISIBLE}");
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(person)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

pub struct NewFollowUp<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub details: &'a str,
    pub due_date: Option<NaiveDate>,
    pub owner: Option<Uuid>,
    pub assignee_person: Option<Uuid>,
    pub assignee_team: Option<Uuid>,
    pub case_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
}

pub async fn create(
    tx: &mut Tx,
    new: &NewFollowUp<'_>,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    with_tx!(&mut *tx, |conn| {
        sqlx::query(
            "INSERT INTO follow_ups (id, kind, title, details, due_date, owner_id, assignee_person_id, \
             assignee_team_id, case_id, job_id, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', $11, $11)",
        )
        .bind(id)
        .bind(new.kind)
        .bind(new.title)
        .bind(new.details)
        .bind(new.due_date)
        .bind(new.owner)
        .bind(new.assignee_person)
        .bind(new.assignee_team)
        .bind(new.case_id)
        .bind(new.job_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    record_event(tx, id, actor, "created", new.kind, now).await?;
    Ok(id)
}

pub async fn record_event(
    tx: &mut Tx,
    id: Uuid,
    actor: Option<Uuid>,
    kind: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO follow_up_events (id, follow_up_id, at, actor_id, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::new_v4())
        .bind(id)
        .bind(now)
        .bind(actor)
        .bind(kind)
        .bind(detail)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

/// The exception raised for the job, if there is one (the first, were there several).
pub async fn exception_of_job(tx: &mut Tx, job: Uuid) -> sqlx::Result<Option<Uuid>> {
    with_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT id FROM follow_ups WHERE job_id = $1 AND kind = 'exception' \
             ORDER BY created_at, id LIMIT 1",
        )
        .bind(job)
        .fetch_optional(&mut *conn)
        .await
    })
}

/// Makes the follow-up active again with new details (an exception whose step failed again).
pub async fn reopen(tx: &mut Tx, id: Uuid, details: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE follow_ups SET status = 'active', details = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(details)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

/// Sets one column of the follow-up (`assignee`, `status` or `due_date`).
pub async fn set_assignee(
    tx: &mut Tx,
    id: Uuid,
    person: Option<Uuid>,
    team: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE follow_ups SET assignee_person_id = $2, assignee_team_id = $3, updated_at = $4 WHERE id = $1")
            .bind(id)
            .bind(person)
            .bind(team)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

pub async fn set_status(
    tx: &mut Tx,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE follow_ups SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

pub async fn set_due_date(
    tx: &mut Tx,
    id: Uuid,
    due: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE follow_ups SET due_date = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(due)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

pub async fn add_share(
    tx: &mut Tx,
    id: Uuid,
    person: Option<Uuid>,
    team: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("INSERT INTO follow_up_shares (follow_up_id, person_id, team_id, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(person)
            .bind(team)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

/// (person id, person name, team id, team name) per share.
pub async fn shares(
    db: &Db,
    id: Uuid,
) -> sqlx::Result<Vec<(Option<Uuid>, Option<String>, Option<Uuid>, Option<String>)>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT s.person_id, p.given_name || ' ' || p.family_name, s.team_id, t.name \
             FROM follow_up_shares s LEFT JOIN persons p ON p.id = s.person_id LEFT JOIN teams t ON t.id = s.team_id \
             WHERE s.follow_up_id = $1 ORDER BY s.created_at",
        )
        .bind(id)
        .fetch_all(pool)
        .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub kind: String,
    pub detail: String,
}

pub async fn events(db: &Db, id: Uuid) -> sqlx::Result<Vec<EventRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT e.at, e.actor_id, p.given_name || ' ' || p.family_name AS actor_name, e.kind, e.detail \
             FROM follow_up_events e LEFT JOIN persons p ON p.id = e.actor_id WHERE e.follow_up_id = $1 ORDER BY e.at, e.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await
    })
}

/// The team's id, creating the team if it does not exist yet.
pub async fn ensure_team(db: &Db, name: &str, now: DateTime<Utc>) -> sqlx::Result<Uuid> {
    let mut tx = db.begin().await?;
    let id = ensure_team_in(&mut tx, name, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`ensure_team`] inside a transaction that is already writing (SQLite has one writer).
pub async fn ensure_team_in(tx: &mut Tx, name: &str, now: DateTime<Utc>) -> sqlx::Result<Uuid> {
    with_tx!(&mut *tx, |conn| {
        sqlx::query("INSERT INTO teams (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT (name) DO NOTHING")
            .bind(Uuid::new_v4())
            .bind(name)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    Ok(with_tx!(&mut *tx, |conn| sqlx::query_scalar(
        "SELECT id FROM teams WHERE name = $1"
    )
    .bind(name)
    .fetch_one(&mut *conn)
    .await?))
}

pub async fn add_member(
    tx: &mut Tx,
    team: Uuid,
    person: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO team_members (team_id, person_id, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (team_id, person_id) DO NOTHING",
        )
        .bind(team)
        .bind(person)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

/// Teams with their members: (team id, team name, member id, member name).
pub async fn teams(db: &Db) -> sqlx::Result<Vec<(Uuid, String, Option<Uuid>, Option<String>)>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT t.id, t.name, p.id, p.given_name || ' ' || p.family_name FROM teams t \
             LEFT JOIN team_members m ON m.team_id = t.id LEFT JOIN persons p ON p.id = m.person_id \
             ORDER BY t.name, t.id, p.family_name, p.given_name",
        )
        .fetch_all(pool)
        .await
    })
}

pub async fn team_name(db: &Db, id: Uuid) -> sqlx::Result<Option<String>> {
    with_db!(db, |pool| sqlx::query_scalar(
        "SELECT name FROM teams WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)
}

pub async fn team_exists(db: &Db, id: Uuid) -> sqlx::Result<bool> {
    let n: i64 = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM teams WHERE id = $1"
    )
    .bind(id)
    .fetch_one(pool)
    .await)?;
    Ok(n > 0)
}
