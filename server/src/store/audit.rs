//! The append-only access log: who read which person's data, what, and when.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Db;
use crate::{with_db, with_tx};

/// What was read, e.g. `pupil.read`, `pupil.list`, `placement.list`.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    pub actor: Uuid,
    pub action: &'a str,
    pub detail: &'a str,
}

/// Subjects per INSERT (five binds each; SQLite allows 32,766).
const CHUNK: usize = 1000;

/// Logs one read of each subject's data. Up to `CHUNK` subjects (every list page) go in one
/// statement, which is atomic by itself, so there is no transaction to open and commit: on
/// SQLite each of those is another hand-off to the single writer's thread. More subjects are
/// logged in one transaction.
pub async fn record(
    db: &Db,
    access: Access<'_>,
    subjects: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    if subjects.is_empty() {
        return Ok(());
    }
    if subjects.len() <= CHUNK {
        match db {
            Db::Sqlite { write, .. } => {
                insert(access, subjects, now).build().execute(write).await?;
            }
            Db::Postgres(pool) => {
                insert(access, subjects, now).build().execute(pool).await?;
            }
        }
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for chunk in subjects.chunks(CHUNK) {
        with_tx!(&mut tx, |conn| {
            insert(access, chunk, now)
                .build()
                .execute(&mut *conn)
                .await?;
        });
    }
    tx.commit().await
}

fn insert<'a, DB>(
    access: Access<'a>,
    subjects: &'a [Uuid],
    now: DateTime<Utc>,
) -> sqlx::QueryBuilder<'a, DB>
where
    DB: sqlx::Database,
    DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let mut insert = sqlx::QueryBuilder::new(
        "INSERT INTO audit_log (at, actor_person_id, subject_person_id, action, detail) ",
    );
    insert.push_values(subjects, |mut row, subject| {
        row.push_bind(now)
            .push_bind(access.actor)
            .push_bind(*subject)
            .push_bind(access.action)
            .push_bind(access.detail);
    });
    insert
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
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT at, actor_person_id, subject_person_id, action, detail FROM audit_log \
             WHERE subject_person_id = $1 ORDER BY id",
        )
        .bind(subject)
        .fetch_all(pool)
        .await
    })
}
