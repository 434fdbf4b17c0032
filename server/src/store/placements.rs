//! Placements as providers report them: their units, the children's placements, the writes a
//! report makes, and the reports' history.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Db, Tx, placeholders};
use crate::{with_db, with_tx};

/// `d` (a duty) is in effect on `$2`.
const DUTY_ACTIVE: &str = "d.valid_from <= $2 AND (d.valid_to IS NULL OR d.valid_to >= $2)";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderUnit {
    pub id: Uuid,
    pub name: String,
    pub school_form: Option<String>,
}

/// The unit, if `person` is a provider admin of the provider that runs it (on `today`).
pub async fn provider_unit(
    db: &Db,
    person: Uuid,
    today: NaiveDate,
    unit: Uuid,
) -> sqlx::Result<Option<ProviderUnit>> {
    let sql = format!(
        "SELECT u.id, u.name, u.school_form FROM organisations u \
           JOIN organisations s ON s.id = u.parent_id \
           JOIN duties d ON d.organisation_id = s.parent_id \
         WHERE d.person_id = $1 AND d.duty = 'provider_admin' AND {DUTY_ACTIVE} \
           AND u.id = $3 AND u.kind = 'unit' LIMIT 1"
    );
    with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(person)
            .bind(today)
            .bind(unit)
            .fetch_optional(pool)
            .await
    })
}

/// The provider admins of the provider that runs `unit` (on `today`).
pub async fn provider_admins_of(db: &Db, unit: Uuid, today: NaiveDate) -> sqlx::Result<Vec<Uuid>> {
    let sql = format!(
        "SELECT DISTINCT d.person_id FROM organisations u \
           JOIN organisations s ON s.id = u.parent_id \
           JOIN duties d ON d.organisation_id = s.parent_id \
         WHERE u.id = $1 AND d.duty = 'provider_admin' AND {DUTY_ACTIVE}"
    );
    with_db!(db, |pool| {
        sqlx::query_scalar(&sql)
            .bind(unit)
            .bind(today)
            .fetch_all(pool)
            .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChildRow {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub protected_identity: bool,
}

pub async fn person_by_number(db: &Db, number: &str) -> sqlx::Result<Option<ChildRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, given_name, family_name, birth_date, protected_identity FROM persons \
             WHERE personal_number = $1",
        )
        .bind(number)
        .fetch_optional(pool)
        .await
    })
}

pub async fn person(db: &Db, id: Uuid) -> sqlx::Result<Option<ChildRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, given_name, family_name, birth_date, protected_identity FROM persons \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GuardianRow {
    pub id: Uuid,
    pub personal_number: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
}

/// The persons among `numbers` that the register holds.
pub async fn persons_by_numbers(db: &Db, numbers: &[String]) -> sqlx::Result<Vec<GuardianRow>> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, personal_number, street, postal_code, city FROM persons \
         WHERE personal_number IN ({})",
        placeholders(1, numbers.len())
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql);
        for number in numbers {
            query = query.bind(number);
        }
        query.fetch_all(pool).await
    })
}

/// Whether `group` is a group of `unit` in effect on `date`.
pub async fn group_of_unit(
    db: &Db,
    group: Uuid,
    unit: Uuid,
    date: NaiveDate,
) -> sqlx::Result<bool> {
    let n: i64 = with_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM groups WHERE id = $1 AND unit_id = $2 AND valid_from <= $3 \
             AND (valid_to IS NULL OR valid_to >= $3)",
        )
        .bind(group)
        .bind(unit)
        .bind(date)
        .fetch_one(pool)
        .await
    })?;
    Ok(n > 0)
}

pub struct NewPerson<'a> {
    pub id: Uuid,
    pub personal_number: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub birth_date: NaiveDate,
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
}

/// A child new to the register, with their guardians from `since`.
pub async fn add_child(
    tx: &mut Tx,
    child: &NewPerson<'_>,
    guardians: &[Uuid],
    since: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO persons (id, personal_number, given_name, family_name, birth_date, \
             protected_identity, street, postal_code, city, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, FALSE, $6, $7, $8, $9, $9)",
        )
        .bind(child.id)
        .bind(child.personal_number)
        .bind(child.given_name)
        .bind(child.family_name)
        .bind(child.birth_date)
        .bind(child.street)
        .bind(child.postal_code)
        .bind(child.city)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        for guardian in guardians {
            sqlx::query(
                "INSERT INTO guardianships (id, guardian_id, child_id, valid_from, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(Uuid::new_v4())
            .bind(*guardian)
            .bind(child.id)
            .bind(since)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    })
}

/// Holds the child's row until `tx` ends, so that two reports for one child are checked
/// against each other's placements one after the other.
pub async fn lock_child(tx: &mut Tx, child: Uuid, now: DateTime<Utc>) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE persons SET updated_at = $2 WHERE id = $1")
            .bind(child)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SpanRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub group_id: Option<Uuid>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub hours_per_week: f64,
    pub reason: Option<String>,
}

/// Every placement of the child in the form (`preschool`, `after_school`), in date order.
pub async fn spans_in(tx: &mut Tx, child: Uuid, kind: &str) -> sqlx::Result<Vec<SpanRow>> {
    with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT id, unit_id, group_id, start_date, end_date, hours_per_week, reason \
             FROM placements WHERE child_id = $1 AND kind = $2 ORDER BY start_date, id",
        )
        .bind(child)
        .bind(kind)
        .fetch_all(&mut *conn)
        .await
    })
}

pub struct NewPlacement<'a> {
    pub id: Uuid,
    pub child_id: Uuid,
    pub unit_id: Uuid,
    pub group_id: Option<Uuid>,
    pub kind: &'a str,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub hours_per_week: f64,
    pub reason: Option<&'a str>,
    pub continues: Option<Uuid>,
}

pub async fn add_placement(
    tx: &mut Tx,
    placement: &NewPlacement<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO placements (id, child_id, unit_id, group_id, kind, start_date, end_date, \
             hours_per_week, reason, continues_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(placement.id)
        .bind(placement.child_id)
        .bind(placement.unit_id)
        .bind(placement.group_id)
        .bind(placement.kind)
        .bind(placement.start_date)
        .bind(placement.end_date)
        .bind(placement.hours_per_week)
        .bind(placement.reason)
        .bind(placement.continues)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

pub async fn set_end(
    tx: &mut Tx,
    placement: Uuid,
    end: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE placements SET end_date = $2, updated_at = $3 WHERE id = $1")
            .bind(placement)
            .bind(end)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

pub async fn set_hours(
    tx: &mut Tx,
    placement: Uuid,
    hours: f64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE placements SET hours_per_week = $2, updated_at = $3 WHERE id = $1")
            .bind(placement)
            .bind(hours)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

pub struct NewReport<'a> {
    pub id: Uuid,
    pub kind: &'a str,
    pub unit_id: Uuid,
    pub child_id: Uuid,
    pub placement_id: Uuid,
    pub case_id: Uuid,
    pub date: NaiveDate,
    pub hours_per_week: Option<f64>,
    pub reason: Option<&'a str>,
    pub previous: Option<String>,
    pub reported_by: Uuid,
}

pub async fn add_report(
    tx: &mut Tx,
    report: &NewReport<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO placement_reports (id, kind, unit_id, child_id, placement_id, case_id, \
             report_date, hours_per_week, reason, previous, reported_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(report.id)
        .bind(report.kind)
        .bind(report.unit_id)
        .bind(report.child_id)
        .bind(report.placement_id)
        .bind(report.case_id)
        .bind(report.date)
        .bind(report.hours_per_week)
        .bind(report.reason)
        .bind(&report.previous)
        .bind(report.reported_by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: Uuid,
    pub kind: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub child_id: Uuid,
    pub child_given_name: String,
    pub child_family_name: String,
    pub child_protected: bool,
    pub report_date: NaiveDate,
    pub hours_per_week: Option<f64>,
    pub reason: Option<String>,
    pub previous: Option<String>,
    pub case_id: Uuid,
    pub case_year: i32,
    pub case_serial: i32,
    pub status_sv: String,
    pub status_en: String,
    pub reported_by: String,
    pub created_at: DateTime<Utc>,
}

const REPORT_SELECT: &str = "SELECT r.id, r.kind, r.unit_id, u.name AS unit_name, r.child_id, \
    ch.given_name AS child_given_name, ch.family_name AS child_family_name, \
    ch.protected_identity AS child_protected, \
    r.report_date, r.hours_per_week, r.reason, r.previous, r.case_id, c.year AS case_year, \
    c.serial AS case_serial, st.public_name_sv AS status_sv, st.public_name_en AS status_en, \
    p.given_name || ' ' || p.family_name AS reported_by, r.created_at \
    FROM placement_reports r JOIN organisations u ON u.id = r.unit_id \
    JOIN cases c ON c.id = r.case_id \
    JOIN case_statuses st ON st.case_type = c.case_type AND st.code = c.status \
    JOIN persons p ON p.id = r.reported_by JOIN persons ch ON ch.id = r.child_id";

/// The newest reports for the units of the providers `person` is an admin of, newest first.
pub async fn reports_for(
    db: &Db,
    person: Uuid,
    today: NaiveDate,
    unit: Option<Uuid>,
    limit: u32,
) -> sqlx::Result<Vec<ReportRow>> {
    let sql = format!(
        "{REPORT_SELECT} WHERE r.unit_id IN (SELECT un.id FROM organisations un \
           JOIN organisations s ON s.id = un.parent_id JOIN duties d ON d.organisation_id = s.parent_id \
           WHERE d.person_id = $1 AND d.duty = 'provider_admin' AND {DUTY_ACTIVE}) \
           AND ($3 IS NULL OR r.unit_id = $3) \
         ORDER BY r.created_at DESC, r.id LIMIT {limit}"
    );
    with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(person)
            .bind(today)
            .bind(unit)
            .fetch_all(pool)
            .await
    })
}

/// The report that opened `case`.
pub async fn report_of_case(db: &Db, case: Uuid) -> sqlx::Result<Option<ReportRow>> {
    let sql = format!("{REPORT_SELECT} WHERE r.case_id = $1");
    with_db!(db, |pool| {
        sqlx::query_as(&sql).bind(case).fetch_optional(pool).await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitPlacementRow {
    pub id: Uuid,
    pub child_id: Uuid,
    pub child_given_name: String,
    pub child_family_name: String,
    pub child_protected: bool,
    pub kind: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub group_id: Option<Uuid>,
    pub group_name: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub hours_per_week: f64,
    pub reason: Option<String>,
}

/// The placements at `unit` on `as_of`.
pub async fn at_unit_on(
    db: &Db,
    unit: Uuid,
    as_of: NaiveDate,
) -> sqlx::Result<Vec<UnitPlacementRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT pl.id, pl.child_id, ch.given_name AS child_given_name, \
                    ch.family_name AS child_family_name, ch.protected_identity AS child_protected, \
                    pl.kind, u.id AS unit_id, u.name AS unit_name, \
                    pl.group_id, gr.name AS group_name, pl.start_date, pl.end_date, \
                    pl.hours_per_week, pl.reason \
             FROM placements pl JOIN organisations u ON u.id = pl.unit_id \
               JOIN persons ch ON ch.id = pl.child_id LEFT JOIN groups gr ON gr.id = pl.group_id \
             WHERE pl.unit_id = $1 AND pl.start_date <= $2 \
               AND (pl.end_date IS NULL OR pl.end_date >= $2) \
             ORDER BY pl.start_date, pl.id",
        )
        .bind(unit)
        .bind(as_of)
        .fetch_all(pool)
        .await
    })
}

/// Whether `id` is a unit (of any owner).
pub async fn is_unit(db: &Db, id: Uuid) -> sqlx::Result<bool> {
    let n: i64 = with_db!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE id = $1 AND kind = 'unit'")
            .bind(id)
            .fetch_one(pool)
            .await
    })?;
    Ok(n > 0)
}

/// The members of the team called `name` (none if there is no such team).
pub async fn team_members(db: &Db, name: &str) -> sqlx::Result<Vec<Uuid>> {
    with_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT m.person_id FROM team_members m JOIN teams t ON t.id = m.team_id \
             WHERE t.name = $1",
        )
        .bind(name)
        .fetch_all(pool)
        .await
    })
}
