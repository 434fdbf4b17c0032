//! Inter-municipal compensation (IKE): the other municipalities, the IKE applications with what
//! was read from the register, and the register's record of IKE decisions; and the editable
//! legal basis of a case type's decisions.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Db, Tx};
use crate::{with_db, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MunicipalityRow {
    pub code: String,
    pub name: String,
    pub email: String,
}

/// Adds the municipalities that are missing (existing rows, perhaps edited, stay).
pub async fn seed_municipalities(
    db: &Db,
    rows: &[(&str, &str, &str)],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| {
        for (code, name, email) in rows {
            sqlx::query(
                "INSERT INTO municipalities (code, name, email, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) ON CONFLICT (code) DO NOTHING",
            )
            .bind(code)
            .bind(name)
            .bind(email)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    tx.commit().await
}

pub async fn municipality(db: &Db, code: &str) -> sqlx::Result<Option<MunicipalityRow>> {
    with_db!(db, |pool| {
        sqlx::query_as("SELECT code, name, email FROM municipalities WHERE code = $1")
            .bind(code)
            .fetch_optional(pool)
            .await
    })
}

pub struct NewApplication<'a> {
    pub case_id: Uuid,
    pub student_id: Uuid,
    pub municipality_code: &'a str,
    pub provider: &'a str,
    pub course: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

pub async fn insert_application(
    tx: &mut Tx,
    application: &NewApplication<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO ike_applications (case_id, student_id, municipality_code, provider, course, \
             from_date, to_date, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(application.case_id)
        .bind(application.student_id)
        .bind(application.municipality_code)
        .bind(application.provider)
        .bind(application.course)
        .bind(application.from)
        .bind(application.to)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    pub case_id: Uuid,
    pub student_id: Uuid,
    pub municipality_code: String,
    pub municipality_name: String,
    pub municipality_email: String,
    pub provider: String,
    pub course: String,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub age: Option<i32>,
    pub residence: Option<String>,
    pub studies: Option<String>,
    pub register_read_at: Option<DateTime<Utc>>,
}

pub async fn application(db: &Db, case_id: Uuid) -> sqlx::Result<Option<ApplicationRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT a.case_id, a.student_id, a.municipality_code, m.name AS municipality_name, \
             m.email AS municipality_email, a.provider, a.course, a.from_date, a.to_date, a.age, \
             a.residence, a.studies, a.register_read_at \
             FROM ike_applications a JOIN municipalities m ON m.code = a.municipality_code \
             WHERE a.case_id = $1",
        )
        .bind(case_id)
        .fetch_optional(pool)
        .await
    })
}

/// What the automated step read from the register (once).
pub async fn record_register_facts(
    tx: &mut Tx,
    case_id: Uuid,
    age: i32,
    residence: &str,
    studies: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    with_tx!(tx, |conn| {
        let changed = sqlx::query(
            "UPDATE ike_applications SET age = $2, residence = $3, studies = $4, register_read_at = $5 \
             WHERE case_id = $1 AND register_read_at IS NULL",
        )
        .bind(case_id)
        .bind(age)
        .bind(residence)
        .bind(studies)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok(changed == 1)
    })
}

/// Records the decision in the register, once per case.
pub async fn record_decision(
    tx: &mut Tx,
    application: &ApplicationRow,
    outcome: &str,
    decided_on: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO ike_decisions (case_id, student_id, municipality_code, outcome, from_date, \
             to_date, decided_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (case_id) DO NOTHING",
        )
        .bind(application.case_id)
        .bind(application.student_id)
        .bind(&application.municipality_code)
        .bind(outcome)
        .bind(application.from_date)
        .bind(application.to_date)
        .bind(decided_on)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DecisionRow {
    pub case_id: Uuid,
    pub municipality_code: String,
    pub outcome: String,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
}

pub async fn decisions_of(db: &Db, student: Uuid) -> sqlx::Result<Vec<DecisionRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT case_id, municipality_code, outcome, from_date, to_date FROM ike_decisions \
             WHERE student_id = $1 ORDER BY from_date",
        )
        .bind(student)
        .fetch_all(pool)
        .await
    })
}

/// The names of the student's groups today (komvux courses and classes).
pub async fn current_studies(
    db: &Db,
    student: Uuid,
    today: NaiveDate,
) -> sqlx::Result<Vec<String>> {
    with_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT g.name FROM group_memberships m JOIN groups g ON g.id = m.group_id \
             WHERE m.person_id = $1 AND m.valid_from <= $2 AND (m.valid_to IS NULL OR m.valid_to >= $2) \
             ORDER BY g.name",
        )
        .bind(student)
        .bind(today)
        .fetch_all(pool)
        .await
    })
}

/// Where the person is registered: postal code and town.
pub async fn residence(db: &Db, person: Uuid) -> sqlx::Result<String> {
    let (postal_code, city): (String, String) = with_db!(db, |pool| {
        sqlx::query_as("SELECT postal_code, city FROM persons WHERE id = $1")
            .bind(person)
            .fetch_one(pool)
            .await
    })?;
    Ok(format!("{postal_code} {city}"))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StudentRow {
    pub given_name: String,
    pub family_name: String,
    pub personal_number: String,
}

/// The student as the other municipality's invoice needs them.
pub async fn student(db: &Db, person: Uuid) -> sqlx::Result<StudentRow> {
    with_db!(db, |pool| {
        sqlx::query_as("SELECT given_name, family_name, personal_number FROM persons WHERE id = $1")
            .bind(person)
            .fetch_one(pool)
            .await
    })
}
