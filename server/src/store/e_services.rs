//! E-services as data: drafts, published versions (never changed once written), applicants'
//! saved answers and submissions. Definitions and answers are stored as JSON text.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Db, Tx};
use crate::{with_db, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EServiceRow {
    pub code: String,
    pub draft: String,
    pub published_version: Option<i32>,
    pub updated_at: DateTime<Utc>,
}

pub async fn service(db: &Db, code: &str) -> sqlx::Result<Option<EServiceRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT code, draft, published_version, updated_at FROM e_services WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(pool)
        .await
    })
}

/// Every e-service, published or not, by code (the editor's list).
pub async fn services(db: &Db) -> sqlx::Result<Vec<EServiceRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT code, draft, published_version, updated_at FROM e_services ORDER BY code",
        )
        .fetch_all(pool)
        .await
    })
}

/// Writes the draft; returns whether the e-service is new.
pub async fn save_draft(
    tx: &mut Tx,
    code: &str,
    draft: &str,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    with_tx!(tx, |conn| {
        let existed: Option<String> =
            sqlx::query_scalar("SELECT code FROM e_services WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *conn)
                .await?;
        sqlx::query(
            "INSERT INTO e_services (code, draft, published_version, created_at, updated_at, updated_by) \
             VALUES ($1, $2, NULL, $3, $3, $4) \
             ON CONFLICT (code) DO UPDATE SET draft = $2, updated_at = $3, updated_by = $4",
        )
        .bind(code)
        .bind(draft)
        .bind(now)
        .bind(by)
        .execute(&mut *conn)
        .await?;
        Ok(existed.is_none())
    })
}

/// The latest version ever published (published or not now).
pub async fn latest_version(tx: &mut Tx, code: &str) -> sqlx::Result<Option<i32>> {
    with_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT MAX(version) FROM e_service_versions WHERE code = $1")
            .bind(code)
            .fetch_one(&mut *conn)
            .await
    })
}

/// Writes a new version, never to change, and publishes it.
pub async fn publish(
    tx: &mut Tx,
    code: &str,
    version: i32,
    definition: &str,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO e_service_versions (code, version, definition, published_at, published_by) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(code)
        .bind(version)
        .bind(definition)
        .bind(now)
        .bind(by)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE e_services SET published_version = $2, updated_at = $3 WHERE code = $1",
        )
        .bind(code)
        .bind(version)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

/// Publishes an earlier version again, or none (`None`: unpublished).
pub async fn set_published(
    tx: &mut Tx,
    code: &str,
    version: Option<i32>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    with_tx!(tx, |conn| {
        let changed = sqlx::query(
            "UPDATE e_services SET published_version = $2, updated_at = $3 WHERE code = $1",
        )
        .bind(code)
        .bind(version)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok(changed == 1)
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub code: String,
    pub version: i32,
    pub definition: String,
}

/// The published version of every published e-service, by code.
pub async fn published(db: &Db) -> sqlx::Result<Vec<VersionRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT v.code, v.version, v.definition FROM e_services s \
             JOIN e_service_versions v ON v.code = s.code AND v.version = s.published_version \
             ORDER BY v.code",
        )
        .fetch_all(pool)
        .await
    })
}

pub async fn published_version(db: &Db, code: &str) -> sqlx::Result<Option<VersionRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT v.code, v.version, v.definition FROM e_services s \
             JOIN e_service_versions v ON v.code = s.code AND v.version = s.published_version \
             WHERE s.code = $1",
        )
        .bind(code)
        .fetch_optional(pool)
        .await
    })
}

/// An e-service's draft with the definition of its published version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceWithPublishedRow {
    pub code: String,
    pub draft: String,
    pub published_version: Option<i32>,
    pub updated_at: DateTime<Utc>,
    /// `None` when it has no published version.
    pub published: Option<String>,
}

/// Every e-service's draft with the definition of its published version, in one query: the
/// editor's list.
pub async fn services_with_published(db: &Db) -> sqlx::Result<Vec<ServiceWithPublishedRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT s.code, s.draft, s.published_version, s.updated_at, v.definition AS published \
             FROM e_services s LEFT JOIN e_service_versions v \
               ON v.code = s.code AND v.version = s.published_version \
             ORDER BY s.code",
        )
        .fetch_all(pool)
        .await
    })
}

pub async fn version(db: &Db, code: &str, version: i32) -> sqlx::Result<Option<VersionRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT code, version, definition FROM e_service_versions WHERE code = $1 AND version = $2",
        )
        .bind(code)
        .bind(version)
        .fetch_optional(pool)
        .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SavedAnswersRow {
    pub version: i32,
    pub answers: String,
    pub step: i32,
    pub expires_at: DateTime<Utc>,
}

/// The person's saved answers for the e-service, unless they have expired.
pub async fn saved_answers(
    db: &Db,
    person: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<SavedAnswersRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT version, answers, step, expires_at FROM e_service_drafts \
             WHERE person_id = $1 AND code = $2 AND expires_at > $3",
        )
        .bind(person)
        .bind(code)
        .bind(now)
        .fetch_optional(pool)
        .await
    })
}

pub struct NewSavedAnswers<'a> {
    pub person: Uuid,
    pub code: &'a str,
    pub version: i32,
    pub answers: &'a str,
    pub step: i32,
    pub expires_at: DateTime<Utc>,
}

/// Saves (or replaces) the person's answers for the e-service.
pub async fn save_answers(
    tx: &mut Tx,
    saved: &NewSavedAnswers<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO e_service_drafts (id, person_id, code, version, answers, step, created_at, \
             updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) \
             ON CONFLICT (person_id, code) DO UPDATE SET version = $4, answers = $5, step = $6, \
             updated_at = $7, expires_at = $8",
        )
        .bind(Uuid::new_v4())
        .bind(saved.person)
        .bind(saved.code)
        .bind(saved.version)
        .bind(saved.answers)
        .bind(saved.step)
        .bind(now)
        .bind(saved.expires_at)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

pub async fn delete_saved_answers(tx: &mut Tx, person: Uuid, code: &str) -> sqlx::Result<bool> {
    with_tx!(tx, |conn| {
        let deleted =
            sqlx::query("DELETE FROM e_service_drafts WHERE person_id = $1 AND code = $2")
                .bind(person)
                .bind(code)
                .execute(&mut *conn)
                .await?
                .rows_affected();
        Ok(deleted > 0)
    })
}

pub struct NewSubmission<'a> {
    pub id: Uuid,
    pub code: &'a str,
    pub version: i32,
    pub person: Uuid,
    pub answers: &'a str,
    pub case_id: Option<Uuid>,
    pub follow_up_id: Option<Uuid>,
}

pub async fn insert_submission(
    tx: &mut Tx,
    submission: &NewSubmission<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO e_service_submissions (id, code, version, person_id, answers, case_id, \
             follow_up_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(submission.id)
        .bind(submission.code)
        .bind(submission.version)
        .bind(submission.person)
        .bind(submission.answers)
        .bind(submission.case_id)
        .bind(submission.follow_up_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubmissionRow {
    pub id: Uuid,
    pub code: String,
    pub version: i32,
    pub answers: String,
    pub case_id: Option<Uuid>,
    pub follow_up_id: Option<Uuid>,
}

/// A person's submissions, newest first (tests and the applicant's history).
pub async fn submissions_of(db: &Db, person: Uuid) -> sqlx::Result<Vec<SubmissionRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, code, version, answers, case_id, follow_up_id FROM e_service_submissions \
             WHERE person_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(person)
        .fetch_all(pool)
        .await
    })
}

/// Which of `ids` are schools or units in the register.
pub async fn existing_units(db: &Db, ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id FROM organisations WHERE kind IN ('school', 'unit') AND id IN ({})",
        super::placeholders(1, ids.len())
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_scalar(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })
}

/// Whether the case type exists, and the document type if one is named (for the editor).
pub async fn case_type_exists(db: &Db, case_type: &str) -> sqlx::Result<bool> {
    with_db!(db, |pool| {
        let found: Option<String> =
            sqlx::query_scalar("SELECT code FROM case_types WHERE code = $1")
                .bind(case_type)
                .fetch_optional(pool)
                .await?;
        Ok(found.is_some())
    })
}

/// Whether a case of the type can wait for the guardians' confirmation and then go on.
pub async fn waits_for_confirmation(db: &Db, case_type: &str) -> sqlx::Result<bool> {
    with_db!(db, |pool| {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT to_status FROM case_transitions WHERE case_type = $1 \
             AND from_status = 'awaiting_confirmation' AND to_status = 'new'",
        )
        .bind(case_type)
        .fetch_optional(pool)
        .await?;
        Ok(found.is_some())
    })
}

pub async fn team_exists(db: &Db, team: Uuid) -> sqlx::Result<bool> {
    with_db!(db, |pool| {
        let found: Option<Uuid> = sqlx::query_scalar("SELECT id FROM teams WHERE id = $1")
            .bind(team)
            .fetch_optional(pool)
            .await?;
        Ok(found.is_some())
    })
}

pub async fn persons_exist(db: &Db, ids: &[Uuid]) -> sqlx::Result<bool> {
    if ids.is_empty() {
        return Ok(true);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM persons WHERE id IN ({})",
        super::placeholders(1, ids.len())
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        Ok(query.fetch_one(pool).await? == ids.len() as i64)
    })
}

/// Whether the case type has the document type (documents take their publicity from it).
pub async fn document_type_exists(db: &Db, case_type: &str, code: &str) -> sqlx::Result<bool> {
    with_db!(db, |pool| {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT code FROM document_types WHERE case_type = $1 AND code = $2",
        )
        .bind(case_type)
        .bind(code)
        .fetch_optional(pool)
        .await?;
        Ok(found.is_some())
    })
}

/// A case type with the document types of its classification plan: (code, sv, en, class)
/// each, the document types ordered by code.
pub type CaseTypeRow = (
    String,
    String,
    String,
    String,
    Vec<(String, String, String, String)>,
);

/// Every case type with its document types (the editor's intake choices).
pub async fn case_types_with_documents(db: &Db) -> sqlx::Result<Vec<CaseTypeRow>> {
    with_db!(db, |pool| {
        let types: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT code, name_sv, name_en, publicity_class FROM case_types ORDER BY code",
        )
        .fetch_all(pool)
        .await?;
        let documents: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT case_type, code, name_sv, name_en, publicity_class FROM document_types \
             ORDER BY case_type, code",
        )
        .fetch_all(pool)
        .await?;
        Ok(types
            .into_iter()
            .map(|(code, sv, en, class)| {
                let of_type = documents
                    .iter()
                    .filter(|document| document.0 == code)
                    .map(|(_, code, sv, en, class)| {
                        (code.clone(), sv.clone(), en.clone(), class.clone())
                    })
                    .collect();
                (code, sv, en, class, of_type)
            })
            .collect())
    })
}
