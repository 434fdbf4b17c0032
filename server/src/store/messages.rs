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

pub async fn send(tx: &mut Tx, message: &NewMessage<'_>, now: DateTime<Utc>) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO inbox_messages (id, person_id, case_id, subject_sv, subject_en, body_sv, body_en, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(Uuid::new_v4())
        .bind(message.person_id)
        .bind(message.case_id)
        .bind(message.subject.0)
        .bind(message.subject.1)
        .bind(message.body.0)
        .bind(message.body.1)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
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
}

/// The person's newest messages.
pub async fn inbox(db: &Db, person: Uuid, limit: u32) -> sqlx::Result<Vec<MessageRow>> {
    let sql = format!(
        "SELECT id, case_id, subject_sv, subject_en, body_sv, body_en, read_at, created_at \
         FROM inbox_messages WHERE person_id = $1 ORDER BY created_at DESC, id LIMIT {limit}"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(person)
        .fetch_all(pool)
        .await)
}
