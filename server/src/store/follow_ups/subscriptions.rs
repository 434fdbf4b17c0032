//! Subscriptions: a person's standing wish to be notified of an event.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::store::{Db, Tx};
use crate::{with_db, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub event: String,
    pub case_type: Option<String>,
    pub case_type_sv: Option<String>,
    pub case_type_en: Option<String>,
    pub unit_id: Option<Uuid>,
    pub unit_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "s.id, s.person_id, s.event, s.case_type, ct.name_sv AS case_type_sv, \
    ct.name_en AS case_type_en, s.unit_id, u.name AS unit_name, s.created_at";
const JOINS: &str = "follow_up_subscriptions s LEFT JOIN case_types ct ON ct.code = s.case_type \
    LEFT JOIN organisations u ON u.id = s.unit_id";

pub async fn of_person(db: &Db, person: Uuid) -> sqlx::Result<Vec<SubscriptionRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM {JOINS} WHERE s.person_id = $1 ORDER BY s.created_at, s.id");
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(person)
        .fetch_all(pool)
        .await)
}

pub async fn get(db: &Db, id: Uuid) -> sqlx::Result<Option<SubscriptionRow>> {
    let sql = format!("SELECT {COLUMNS} FROM {JOINS} WHERE s.id = $1");
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

pub struct NewSubscription<'a> {
    pub person_id: Uuid,
    pub event: &'a str,
    pub case_type: Option<&'a str>,
    pub unit_id: Option<Uuid>,
}

/// Adds the subscription, or returns the person's identical one.
pub async fn add(tx: &mut Tx, new: &NewSubscription<'_>, now: DateTime<Utc>) -> sqlx::Result<Uuid> {
    with_tx!(tx, |conn| {
        let existing: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM follow_up_subscriptions WHERE person_id = $1 AND event = $2 \
               AND COALESCE(case_type, '') = COALESCE($3, '') \
               AND (unit_id = $4 OR (unit_id IS NULL AND $4 IS NULL))",
        )
        .bind(new.person_id)
        .bind(new.event)
        .bind(new.case_type)
        .bind(new.unit_id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO follow_up_subscriptions (id, person_id, event, case_type, unit_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(new.person_id)
        .bind(new.event)
        .bind(new.case_type)
        .bind(new.unit_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(id)
    })
}

/// Removes the person's own subscription; false if there is none such.
pub async fn remove(db: &Db, person: Uuid, id: Uuid) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let removed = with_tx!(&mut tx, |conn| {
        sqlx::query("DELETE FROM follow_up_subscriptions WHERE id = $1 AND person_id = $2")
            .bind(id)
            .bind(person)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    tx.commit().await?;
    Ok(removed == 1)
}

/// Every case type: (code, Swedish name, English name).
pub async fn case_types(db: &Db) -> sqlx::Result<Vec<(String, String, String)>> {
    with_db!(db, |pool| {
        sqlx::query_as("SELECT code, name_sv, name_en FROM case_types ORDER BY name_sv")
            .fetch_all(pool)
            .await
    })
}

/// The case a `case_created` event is about: its type, number, subject pupil and the units
/// the pupil belongs to today (through their groups).
#[derive(Debug, Clone)]
pub struct CreatedCase {
    pub case_type: String,
    pub case_type_sv: String,
    pub year: i32,
    pub serial: i32,
    pub units: Vec<(Uuid, String)>,
    /// The subject has a protected identity: no notice may tie the case to a unit.
    pub subject_protected: bool,
}

/// Type, Swedish type name, year, serial, subject and whether the subject is protected.
type CreatedCaseRow = (String, String, i32, i32, Option<Uuid>, Option<bool>);

pub async fn created_case(
    tx: &mut Tx,
    case_id: Uuid,
    today: NaiveDate,
) -> sqlx::Result<Option<CreatedCase>> {
    with_tx!(tx, |conn| {
        let case: Option<CreatedCaseRow> = sqlx::query_as(
            "SELECT c.case_type, ct.name_sv, c.year, c.serial, c.subject_id, s.protected_identity \
             FROM cases c JOIN case_types ct ON ct.code = c.case_type \
             LEFT JOIN persons s ON s.id = c.subject_id WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((case_type, case_type_sv, year, serial, subject, protected)) = case else {
            return Ok(None);
        };
        let units: Vec<(Uuid, String)> = match subject {
            Some(pupil) => {
                sqlx::query_as(
                    "SELECT DISTINCT u.id, u.name FROM group_memberships m \
                       JOIN groups g ON g.id = m.group_id JOIN organisations u ON u.id = g.unit_id \
                     WHERE m.person_id = $1 AND m.valid_from <= $2 \
                       AND (m.valid_to IS NULL OR m.valid_to >= $2) ORDER BY u.name",
                )
                .bind(pupil)
                .bind(today)
                .fetch_all(&mut *conn)
                .await?
            }
            None => Vec::new(),
        };
        Ok(Some(CreatedCase {
            case_type,
            case_type_sv,
            year,
            serial,
            units,
            subject_protected: protected.unwrap_or(false),
        }))
    })
}

/// Subscriptions to `case_created` that match the case type and one of the units (or any unit).
pub async fn matching_case_created(
    tx: &mut Tx,
    case_type: &str,
    units: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, Uuid, Option<Uuid>)>> {
    let unit_filter = if units.is_empty() {
        "s.unit_id IS NULL".to_owned()
    } else {
        format!(
            "(s.unit_id IS NULL OR s.unit_id IN ({}))",
            crate::store::placeholders(2, units.len())
        )
    };
    let sql = format!(
        "SELECT s.id, s.person_id, s.unit_id FROM follow_up_subscriptions s \
         WHERE s.event = 'case_created' AND (s.case_type IS NULL OR s.case_type = $1) \
           AND {unit_filter} ORDER BY s.person_id, s.id"
    );
    with_tx!(tx, |conn| {
        let mut query = sqlx::query_as(&sql).bind(case_type);
        for unit in units {
            query = query.bind(*unit);
        }
        query.fetch_all(&mut *conn).await
    })
}
