//! The in-app inbox: messages to persons, in each language.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Db, Tx};
use crate::{with_db, with_tx};

pub struct NewMessage<'a> {
    pub person_id: Uuid,
    pub case_id: Option<Uuid>,
    pub subject: (&'a str, &'a str),
    pub body: (&'a str, &'a str),
}

/// Puts the message in the person's inbox; returns its id.
pub async fn send(tx: &mut Tx, message: &NewMessage<'_>, now: DateTime<Utc>) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO inbox_messages (id, person_id, case_id, subject_sv, subject_en, body_sv, body_en, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(id)
        .bind(message.person_id)
        .bind(message.case_id)
        .bind(message.subject.0)
        .bind(message.subject.1)
        .bind(message.body.0)
        .bind(message.body.1)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(id)
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: Uuid,
    pub case_id: Option<Uuid>,
    pub subject_sv: String,
    pub subject_en: String,
    pub body_sv: String,
    pub body_en: String,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Whom the message's case is about (for the access log).
    pub subject_id: Option<Uuid>,
    pub case_year: Option<i32>,
    pub case_serial: Option<i32>,
}

/// The person's newest messages.
pub async fn inbox(db: &Db, person: Uuid, limit: u32) -> sqlx::Result<Vec<MessageRow>> {
    let sql = format!(
        "SELECT m.id, m.case_id, m.subject_sv, m.subject_en, m.body_sv, m.body_en, m.read_at, \
                m.created_at, c.subject_id, c.year AS case_year, c.serial AS case_serial \
         FROM inbox_messages m LEFT JOIN cases c ON c.id = m.case_id \
         WHERE m.person_id = $1 ORDER BY m.created_at DESC, m.id LIMIT {limit}"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(person)
        .fetch_all(pool)
        .await)
}

/// Where and whether a person takes e-mail: (address, e-mail wanted), read in the transaction.
pub async fn email_contact(tx: &mut Tx, person: Uuid) -> sqlx::Result<(Option<String>, bool)> {
    with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT p.email, COALESCE(c.email_enabled, TRUE) FROM persons p \
             LEFT JOIN contact_preferences c ON c.person_id = p.id WHERE p.id = $1",
        )
        .bind(person)
        .fetch_one(&mut *conn)
        .await
    })
}

pub async fn contact(db: &Db, person: Uuid) -> sqlx::Result<(Option<String>, bool)> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT p.email, COALESCE(c.email_enabled, TRUE) FROM persons p \
             LEFT JOIN contact_preferences c ON c.person_id = p.id WHERE p.id = $1",
        )
        .bind(person)
        .fetch_one(pool)
        .await
    })
}

pub async fn set_email_enabled(
    db: &Db,
    person: Uuid,
    enabled: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO contact_preferences (person_id, email_enabled, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (person_id) DO UPDATE SET email_enabled = $2, updated_at = $3",
        )
        .bind(person)
        .bind(enabled)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    tx.commit().await
}

pub async fn add_delivery(
    tx: &mut Tx,
    message: Uuid,
    person: Uuid,
    address: Option<&str>,
    status: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO message_deliveries (id, message_id, person_id, channel, address, status, created_at, updated_at) \
             VALUES ($1, $2, $3, 'email', $4, $5, $6, $6)",
        )
        .bind(id)
        .bind(message)
        .bind(person)
        .bind(address)
        .bind(status)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(DELIVERY_EVENT)
            .bind(id)
            .bind(status)
            .bind(None::<&str>)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(id)
    })
}

/// A queued e-mail with its message and the recipient's language.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub status: String,
    pub address: Option<String>,
    pub case_id: Option<Uuid>,
    pub subject_sv: String,
    pub subject_en: String,
    pub body_sv: String,
    pub body_en: String,
    pub locale: Option<String>,
}

pub async fn delivery(db: &Db, id: Uuid) -> sqlx::Result<Option<DeliveryRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT d.id, d.status, d.address, m.case_id, m.subject_sv, m.subject_en, m.body_sv, m.body_en, a.locale \
             FROM message_deliveries d JOIN inbox_messages m ON m.id = d.message_id \
             LEFT JOIN accounts a ON a.person_id = d.person_id WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

pub async fn set_delivery_status(
    tx: &mut Tx,
    id: Uuid,
    status: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE message_deliveries SET status = $2, error = $3, updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(error)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(DELIVERY_EVENT)
            .bind(id)
            .bind(status)
            .bind(error)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

/// Appends to a delivery's history; run with every status it gets.
const DELIVERY_EVENT: &str =
    "INSERT INTO message_delivery_events (delivery_id, status, detail, at) VALUES ($1, $2, $3, $4)";

/// A delivery's statuses in order: (status, detail).
pub async fn delivery_history(db: &Db, id: Uuid) -> sqlx::Result<Vec<(String, Option<String>)>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT status, detail FROM message_delivery_events WHERE delivery_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(pool)
        .await
    })
}

/// Delivery statuses of the messages about a case: (person, status).
pub async fn deliveries_for_case(db: &Db, case_id: Uuid) -> sqlx::Result<Vec<(Uuid, String)>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT d.person_id, d.status FROM message_deliveries d JOIN inbox_messages m ON m.id = d.message_id \
             WHERE m.case_id = $1 ORDER BY d.created_at",
        )
        .bind(case_id)
        .fetch_all(pool)
        .await
    })
}

/// Marks the person's own message read; false if it is not theirs.
/// Marks every unread message of `person`'s read; how many were.
pub async fn mark_all_read(db: &Db, person: Uuid, now: DateTime<Utc>) -> sqlx::Result<u64> {
    with_db!(db, |pool| Ok(sqlx::query(
        "UPDATE inbox_messages SET read_at = $2, updated_at = $2 \
         WHERE person_id = $1 AND read_at IS NULL"
    )
    .bind(person)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected()))
}

pub async fn mark_read(db: &Db, person: Uuid, id: Uuid, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let changed = with_tx!(&mut tx, |conn| {
        sqlx::query(
            "UPDATE inbox_messages SET read_at = COALESCE(read_at, $3), updated_at = $3 \
             WHERE id = $1 AND person_id = $2",
        )
        .bind(id)
        .bind(person)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    tx.commit().await?;
    Ok(changed == 1)
}
