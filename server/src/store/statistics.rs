//! The rate table (grundbelopp) and the placements resource allocation counts.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Db, Tx, placeholders};
use crate::{with_db, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RateRow {
    pub placement_kind: String,
    pub age_from: i32,
    pub age_to: i32,
    pub hours_above: f64,
    pub hours_up_to: Option<f64>,
    pub amount_ore: i64,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

const RATE_COLUMNS: &str =
    "placement_kind, age_from, age_to, hours_above, hours_up_to, amount_ore, valid_from, valid_to";

/// The rows in force at some day from `first` to `last`, oldest table first.
pub async fn rates_between(
    db: &Db,
    first: NaiveDate,
    last: NaiveDate,
) -> sqlx::Result<Vec<RateRow>> {
    let sql = format!(
        "SELECT {RATE_COLUMNS} FROM allocation_rates \
         WHERE valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $1) \
         ORDER BY valid_from, placement_kind, age_from, hours_above"
    );
    with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await
    })
}

/// Every table there has been, oldest first (their rows in order).
pub async fn all_rates(db: &Db) -> sqlx::Result<Vec<RateRow>> {
    let sql = format!(
        "SELECT {RATE_COLUMNS} FROM allocation_rates \
         ORDER BY valid_from, placement_kind, age_from, hours_above"
    );
    with_db!(db, |pool| sqlx::query_as(&sql).fetch_all(pool).await)
}

/// The first day of the newest table.
pub async fn latest_start(tx: &mut Tx) -> sqlx::Result<Option<NaiveDate>> {
    with_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT MAX(valid_from) FROM allocation_rates")
            .fetch_one(&mut *conn)
            .await
    })
}

pub struct NewRate<'a> {
    pub placement_kind: &'a str,
    pub age_from: i32,
    pub age_to: i32,
    pub hours_above: f64,
    pub hours_up_to: Option<f64>,
    pub amount_ore: i64,
}

/// A new table from `valid_from`: the table in force closes the day before.
pub async fn replace_from(
    tx: &mut Tx,
    valid_from: NaiveDate,
    rates: &[NewRate<'_>],
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let day_before = valid_from.pred_opt().expect("a date after the first");
    with_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE allocation_rates SET valid_to = $1 \
             WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)",
        )
        .bind(day_before)
        .execute(&mut *conn)
        .await?;
        for rate in rates {
            sqlx::query(
                "INSERT INTO allocation_rates (id, placement_kind, age_from, age_to, hours_above, \
                 hours_up_to, amount_ore, valid_from, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(Uuid::new_v4())
            .bind(rate.placement_kind)
            .bind(rate.age_from)
            .bind(rate.age_to)
            .bind(rate.hours_above)
            .bind(rate.hours_up_to)
            .bind(rate.amount_ore)
            .bind(valid_from)
            .bind(by)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AllocationUnit {
    pub id: Uuid,
    pub name: String,
}

/// The preschool and after-school units of the providers `person` is an admin of, or every
/// such unit when `all`.
pub async fn allocation_units(
    db: &Db,
    person: Uuid,
    today: NaiveDate,
    all: bool,
) -> sqlx::Result<Vec<AllocationUnit>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT u.id, u.name FROM organisations u \
             WHERE u.kind = 'unit' AND u.school_form IN ('forskola', 'fritidshem') \
               AND ($3 OR u.id IN (SELECT un.id FROM organisations un \
                 JOIN organisations s ON s.id = un.parent_id \
                 JOIN duties d ON d.organisation_id = s.parent_id \
                 WHERE d.person_id = $1 AND d.duty = 'provider_admin' AND d.valid_from <= $2 \
                   AND (d.valid_to IS NULL OR d.valid_to >= $2))) \
             ORDER BY u.name, u.id",
        )
        .bind(person)
        .bind(today)
        .bind(all)
        .fetch_all(pool)
        .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CountedPlacement {
    pub unit_id: Uuid,
    pub child_id: Uuid,
    pub kind: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub hours_per_week: f64,
    pub birth_date: NaiveDate,
}

/// The placements at `units` that run on some day from `first` to `last`.
pub async fn placements_between(
    db: &Db,
    units: &[Uuid],
    first: NaiveDate,
    last: NaiveDate,
) -> sqlx::Result<Vec<CountedPlacement>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT pl.unit_id, pl.child_id, pl.kind, pl.start_date, pl.end_date, pl.hours_per_week, \
                p.birth_date \
         FROM placements pl JOIN persons p ON p.id = pl.child_id \
         WHERE pl.start_date <= $2 AND (pl.end_date IS NULL OR pl.end_date >= $1) \
           AND pl.unit_id IN ({})",
        placeholders(3, units.len())
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql).bind(first).bind(last);
        for unit in units {
            query = query.bind(*unit);
        }
        query.fetch_all(pool).await
    })
}

/// The children's names and whether their identity is protected.
pub async fn names(db: &Db, ids: &[Uuid]) -> sqlx::Result<Vec<(Uuid, String, String, bool)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    let mut out = Vec::with_capacity(unique.len());
    // In chunks: SQLite takes at most 32 766 parameters.
    for chunk in unique.chunks(10_000) {
        let sql = format!(
            "SELECT id, given_name, family_name, protected_identity FROM persons WHERE id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(Uuid, String, String, bool)> = with_db!(db, |pool| {
            let mut query = sqlx::query_as(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}
