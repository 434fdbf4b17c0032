//! The municipality's rate table: the yearly amount per child by placement form, age group and
//! hours band, with validity by date. A new table from a date closes the one in force; the
//! old tables stay as history.

use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use shared::statistics::{Rate, RateTable, RateTableInput};
use utoipa::IntoParams;

use crate::access::require_admin;
use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Query};
use crate::placements::placement_kind;
use crate::state::AppState;
use crate::store::Db;
use crate::store::statistics::{self as store, NewRate, RateRow};

/// The table the demo municipality and a new installation start with (2026 amounts, öre).
const SEED_FROM: (i32, u32, u32) = (2026, 1, 1);
const SEED: &[NewRate<'static>] = &[
    rate("preschool", (1, 2), 0.0, Some(15.0), 11_880_000),
    rate("preschool", (1, 2), 15.0, Some(30.0), 15_600_000),
    rate("preschool", (1, 2), 30.0, None, 18_360_000),
    rate("preschool", (3, 5), 0.0, Some(15.0), 8_640_000),
    rate("preschool", (3, 5), 15.0, Some(30.0), 11_400_000),
    rate("preschool", (3, 5), 30.0, None, 13_320_000),
    rate("after_school", (6, 13), 0.0, None, 4_560_000),
];

const fn rate(
    placement_kind: &'static str,
    (age_from, age_to): (i32, i32),
    hours_above: f64,
    hours_up_to: Option<f64>,
    amount_ore: i64,
) -> NewRate<'static> {
    NewRate {
        placement_kind,
        age_from,
        age_to,
        hours_above,
        hours_up_to,
        amount_ore,
    }
}

/// Seeds the first table where there is none.
pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    if store::latest_start(&mut tx).await?.is_none() {
        let (y, m, d) = SEED_FROM;
        let from = NaiveDate::from_ymd_opt(y, m, d).expect("a date");
        store::replace_from(&mut tx, from, SEED, None, clock::now()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The tables the rows make, oldest first.
pub fn tables(rows: Vec<RateRow>) -> Vec<RateTable> {
    let mut tables: Vec<RateTable> = Vec::new();
    for row in rows {
        let rate = Rate {
            placement_kind: placement_kind(&row.placement_kind),
            age_from: row.age_from as u8,
            age_to: row.age_to as u8,
            hours_above: row.hours_above,
            hours_up_to: row.hours_up_to,
            amount_ore: row.amount_ore,
        };
        match tables.last_mut() {
            Some(table) if table.valid_from == row.valid_from => table.rates.push(rate),
            _ => tables.push(RateTable {
                valid_from: row.valid_from,
                valid_to: row.valid_to,
                rates: vec![rate],
            }),
        }
    }
    tables
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AsOfParams {
    /// `YYYY-MM-DD`; today when left out.
    pub as_of: Option<NaiveDate>,
}

/// The rate table in force (on `as_of`); 404 when none is.
#[utoipa::path(get, path = "/statistics/rates", tag = "statistics", params(AsOfParams),
    responses((status = 200, body = RateTable),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope)))]
pub async fn current(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(params): Query<AsOfParams>,
) -> AppResult<Json<RateTable>> {
    let day = params.as_of.unwrap_or_else(clock::today);
    tables(store::rates_between(&state.db, day, day).await?)
        .pop()
        .map(Json)
        .ok_or(AppError::NotFound)
}

/// Every rate table there has been, oldest first.
#[utoipa::path(get, path = "/statistics/rates/history", tag = "statistics",
    responses((status = 200, body = Vec<RateTable>),
              (status = 401, body = shared::api::ErrorEnvelope)))]
pub async fn history(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> AppResult<Json<Vec<RateTable>>> {
    Ok(Json(tables(store::all_rates(&state.db).await?)))
}

/// A new rate table from a date (administrators): the table in force ends the day before.
/// It must start after the newest table does (422 at `valid_from` otherwise).
#[utoipa::path(put, path = "/statistics/rates", tag = "statistics",
    request_body = RateTableInput,
    responses((status = 200, body = RateTable),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
pub async fn replace(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(input): Json<RateTableInput>,
) -> AppResult<Json<RateTable>> {
    require_admin(&state, &user).await?;
    input.check().map_err(AppError::Validation)?;
    let rates: Vec<NewRate> = input
        .rates
        .iter()
        .map(|rate| NewRate {
            placement_kind: match rate.placement_kind {
                shared::register::PlacementKind::Preschool => "preschool",
                shared::register::PlacementKind::AfterSchool => "after_school",
            },
            age_from: i32::from(rate.age_from),
            age_to: i32::from(rate.age_to),
            hours_above: rate.hours_above,
            hours_up_to: rate.hours_up_to,
            amount_ore: rate.amount_ore,
        })
        .collect();
    let mut tx = state.db.begin().await?;
    if let Some(latest) = store::latest_start(&mut tx).await?
        && input.valid_from <= latest
    {
        return Err(AppError::field(
            "valid_from",
            "too_early",
            format!("the newest table starts {latest}: a new one must start after it"),
        ));
    }
    store::replace_from(
        &mut tx,
        input.valid_from,
        &rates,
        Some(user.person_id),
        clock::now(),
    )
    .await?;
    tx.commit().await?;
    let day = input.valid_from;
    tables(store::rates_between(&state.db, day, day).await?)
        .pop()
        .map(Json)
        .ok_or_else(|| anyhow::anyhow!("the table just written is not in force").into())
}
