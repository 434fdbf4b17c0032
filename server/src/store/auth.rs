//! Accounts, sessions and failed-login records.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Db;
use super::sqlite::{Id, Time};
use crate::{with_db, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub username: String,
    pub password_hash: String,
    pub locale: String,
}

/// The account and person behind a live session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub account_id: Uuid,
    pub person_id: Uuid,
    pub username: String,
    pub locale: String,
    pub csrf_token: String,
    pub last_seen_at: DateTime<Utc>,
    pub given_name: String,
    pub family_name: String,
}

pub async fn account_by_username(db: &Db, username: &str) -> sqlx::Result<Option<AccountRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, person_id, username, password_hash, locale FROM accounts WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(pool)
        .await
    })
}

pub async fn create_session(
    db: &Db,
    token_hash: &str,
    account_id: Uuid,
    csrf_token: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
        // Sweep sessions that ran out, so the table does not grow without bound.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    tx.commit().await
}

/// The live session for a token hash: not past `expires_at` and seen within the idle limit.
pub async fn live_session(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
) -> sqlx::Result<Option<SessionRow>> {
    const LIVE_SESSION: &str = "SELECT s.account_id, a.person_id, a.username, a.locale, \
            s.csrf_token, s.last_seen_at, p.given_name, p.family_name \
         FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN persons p ON p.id = a.person_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3";
    match db {
        // Every signed-in request asks this: read on this thread (see `store::sqlite`).
        Db::Sqlite { direct, .. } => direct.optional(
            LIVE_SESSION,
            &[&token_hash, &Time(now), &Time(idle_since)],
            |row| {
                Ok(SessionRow {
                    account_id: row.get::<_, Id>("account_id")?.0,
                    person_id: row.get::<_, Id>("person_id")?.0,
                    username: row.get("username")?,
                    locale: row.get("locale")?,
                    csrf_token: row.get("csrf_token")?,
                    last_seen_at: row.get::<_, Time>("last_seen_at")?.0,
                    given_name: row.get("given_name")?,
                    family_name: row.get("family_name")?,
                })
            },
        ),
        Db::Postgres(pool) => {
            sqlx::query_as(LIVE_SESSION)
                .bind(token_hash)
                .bind(now)
                .bind(idle_since)
                .fetch_optional(pool)
                .await
        }
    }
}

pub async fn touch_session(db: &Db, token_hash: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    tx.commit().await
}

pub async fn delete_session(db: &Db, token_hash: &str) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *conn)
            .await?;
    });
    tx.commit().await
}

pub async fn set_locale(
    db: &Db,
    account_id: Uuid,
    locale: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE accounts SET locale = $2, updated_at = $3 WHERE id = $1")
            .bind(account_id)
            .bind(locale)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    tx.commit().await
}

/// Failed logins for `username` since `since`, and the oldest of them; from `client` only
/// when given.
pub async fn recent_failures(
    db: &Db,
    username: &str,
    client: Option<&str>,
    since: DateTime<Utc>,
) -> sqlx::Result<(i64, Option<DateTime<Utc>>)> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT COUNT(*), MIN(at) FROM login_failures \
             WHERE username = $1 AND at > $2 AND ($3 IS NULL OR client = $3)",
        )
        .bind(username)
        .bind(since)
        .bind(client)
        .fetch_one(pool)
        .await
    })
}

pub async fn record_failure(
    db: &Db,
    username: &str,
    client: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query("INSERT INTO login_failures (username, client, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(client)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    tx.commit().await
}

/// Claims the right to tell `username`'s holder of a throttled login: true at most once per
/// window (since `since`), whichever instance asks.
pub async fn claim_throttle_notice(
    tx: &mut super::Tx,
    username: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    with_tx!(tx, |conn| {
        let claimed = sqlx::query(
            "INSERT INTO login_throttle_notices (username, notified_at) VALUES ($1, $2) \
             ON CONFLICT (username) DO UPDATE SET notified_at = excluded.notified_at \
             WHERE login_throttle_notices.notified_at <= $3",
        )
        .bind(username)
        .bind(now)
        .bind(since)
        .execute(&mut *conn)
        .await?;
        Ok(claimed.rows_affected() == 1)
    })
}

/// A successful login clears the username's failures from that client (others' stay, for the
/// per-username backstop).
pub async fn clear_failures(db: &Db, username: &str, client: &str) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query("DELETE FROM login_failures WHERE username = $1 AND client = $2")
            .bind(username)
            .bind(client)
            .execute(&mut *conn)
            .await?;
    });
    tx.commit().await
}
