//! Resource allocation per unit and month: every child placed at the unit on the month's
//! count date brings a twelfth of the yearly rate for their placement form, age (completed
//! years on the count date) and hours band, in the rate table in force that day. Counted from
//! the register as it stands, so a report is in the figures as soon as it is written.
//!
//! A provider admin sees their own provider's units; the municipality's case workers and
//! administrators see every unit; anyone else gets 404 for a unit and 403 for the overview.

use std::collections::HashMap;

use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use shared::personal_number::age_on;
use shared::statistics::{
    AllocationChild, AllocationChildren, AllocationMonth, MONTHS_MAX, Month, RateTable,
    ResourceAllocation, monthly_ore,
};
use utoipa::IntoParams;
use uuid::Uuid;

use super::rates::tables;
use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Query};
use crate::placements::{child_ref, municipal_staff, placement_kind};
use crate::state::AppState;
use crate::store::statistics::{self as store, AllocationUnit, CountedPlacement};

#[derive(Debug, Deserialize, IntoParams)]
pub struct AllocationParams {
    /// One unit; all the caller's units when left out.
    pub unit_id: Option<Uuid>,
    /// `YYYY-MM`; this month when left out.
    pub from: Option<String>,
    /// `YYYY-MM`, inclusive; `from` when left out. At most 36 months.
    pub to: Option<String>,
}

/// The allocation per unit and month (`months` in month order, then by unit name).
#[utoipa::path(get, path = "/statistics/resource-allocation", tag = "statistics",
    params(AllocationParams),
    responses((status = 200, body = ResourceAllocation),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, description = "Neither a provider admin nor municipal staff", body = shared::api::ErrorEnvelope),
              (status = 404, description = "A unit outside the caller's reach", body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
pub async fn per_month(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<AllocationParams>,
) -> AppResult<Json<ResourceAllocation>> {
    let months = months(params.from.as_deref(), params.to.as_deref())?;
    let units = units_in_reach(&state, &user, params.unit_id).await?;
    let count_day = state.config.allocation_count_day;
    let counted = count(&state, &units, &months, count_day).await?;
    Ok(Json(ResourceAllocation {
        months: counted.into_iter().map(|(month, _)| month).collect(),
        count_day,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ChildrenParams {
    pub unit_id: Uuid,
    /// `YYYY-MM`.
    pub month: String,
}

/// The children behind one unit's month, with the rate each brought. A child whose identity
/// is protected is masked and listed after the others; every read is in the access log.
#[utoipa::path(get, path = "/statistics/resource-allocation/children", tag = "statistics",
    params(ChildrenParams),
    responses((status = 200, body = AllocationChildren),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
pub async fn children(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ChildrenParams>,
) -> AppResult<Json<AllocationChildren>> {
    let month = Month::parse(&params.month)
        .ok_or_else(|| AppError::field("month", "invalid", "a month written YYYY-MM"))?;
    let units = units_in_reach(&state, &user, Some(params.unit_id)).await?;
    let count_day = state.config.allocation_count_day;
    let (figure, mut children) = count(&state, &units, &[month], count_day)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    children.sort_by(|a, b| {
        (a.pupil.masked, &a.pupil.name, a.pupil.id).cmp(&(
            b.pupil.masked,
            &b.pupil.name,
            b.pupil.id,
        ))
    });
    let shown: Vec<Uuid> = children
        .iter()
        .filter(|c| !c.pupil.masked)
        .map(|c| c.pupil.id)
        .collect();
    crate::access::log_read(
        &state.db,
        &user,
        "allocation.children",
        &format!("unit={} month={month}", params.unit_id),
        &shown,
    )
    .await?;
    Ok(Json(AllocationChildren {
        month: figure,
        children,
    }))
}

fn months(from: Option<&str>, to: Option<&str>) -> AppResult<Vec<Month>> {
    let parse = |field: &str, text: Option<&str>, default: Month| match text {
        None | Some("") => Ok(default),
        Some(text) => Month::parse(text)
            .ok_or_else(|| AppError::field(field, "invalid", "a month written YYYY-MM")),
    };
    let first = parse("from", from, Month::of(clock::today()))?;
    let last = parse("to", to, first)?;
    if last < first {
        return Err(AppError::field(
            "to",
            "before_from",
            "a month from `from` on",
        ));
    }
    let months: Vec<Month> = first.through(last).take(MONTHS_MAX as usize + 1).collect();
    if months.len() > MONTHS_MAX as usize {
        return Err(AppError::field(
            "to",
            "too_long",
            format!("at most {MONTHS_MAX} months at a time"),
        ));
    }
    Ok(months)
}

/// The units the caller may see the allocation of: `unit` if within reach (404 otherwise), or
/// every unit in reach (403 for a caller who reaches none by duty).
async fn units_in_reach(
    state: &AppState,
    user: &CurrentUser,
    unit: Option<Uuid>,
) -> AppResult<Vec<AllocationUnit>> {
    let all = municipal_staff(state, user).await?;
    let units = store::allocation_units(&state.db, user.person_id, clock::today(), all).await?;
    match unit {
        Some(id) => {
            let unit = units
                .into_iter()
                .find(|u| u.id == id)
                .ok_or(AppError::NotFound)?;
            Ok(vec![unit])
        }
        None if units.is_empty() && !all => Err(AppError::Forbidden),
        None => Ok(units),
    }
}

/// Each unit's figure per month, with the children behind it.
async fn count(
    state: &AppState,
    units: &[AllocationUnit],
    months: &[Month],
    count_day: u32,
) -> AppResult<Vec<(AllocationMonth, Vec<AllocationChild>)>> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok(Vec::new());
    };
    let (first, last) = (first.count_date(count_day), last.count_date(count_day));
    let ids: Vec<Uuid> = units.iter().map(|u| u.id).collect();
    let placements = store::placements_between(&state.db, &ids, first, last).await?;
    let rates = tables(store::rates_between(&state.db, first, last).await?);
    let children: Vec<Uuid> = placements.iter().map(|p| p.child_id).collect();
    let names: HashMap<Uuid, (String, String, bool)> =
        crate::store::statistics::names(&state.db, &children)
            .await?
            .into_iter()
            .map(|(id, given, family, protected)| (id, (given, family, protected)))
            .collect();
    let mut out = Vec::with_capacity(months.len() * units.len());
    for month in months {
        let day = month.count_date(count_day);
        let table = rates
            .iter()
            .find(|t| t.valid_from <= day && t.valid_to.is_none_or(|to| to >= day));
        for unit in units {
            let placed = placements
                .iter()
                .filter(|p| p.unit_id == unit.id && runs_on(p, day));
            let (figure, children) = allocate(unit, *month, day, table, placed, &names);
            out.push((figure, children));
        }
    }
    Ok(out)
}

fn runs_on(placement: &CountedPlacement, day: NaiveDate) -> bool {
    placement.start_date <= day && placement.end_date.is_none_or(|end| end >= day)
}

/// One unit's month from the placements running on its count date.
fn allocate<'a>(
    unit: &AllocationUnit,
    month: Month,
    day: NaiveDate,
    table: Option<&RateTable>,
    placed: impl Iterator<Item = &'a CountedPlacement>,
    names: &HashMap<Uuid, (String, String, bool)>,
) -> (AllocationMonth, Vec<AllocationChild>) {
    let mut figure = AllocationMonth {
        month: month.to_string(),
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        count_date: day,
        children: 0,
        hours_per_week: 0.0,
        amount_ore: 0,
        unrated_children: 0,
    };
    let mut children = Vec::new();
    for placement in placed {
        let kind = placement_kind(&placement.kind);
        let age = age_on(placement.birth_date, day);
        let rate = table
            .and_then(|t| t.rate_for(kind, age, placement.hours_per_week))
            .map(|r| r.amount_ore);
        let amount = rate.map(monthly_ore).unwrap_or(0);
        figure.children += 1;
        figure.hours_per_week += placement.hours_per_week;
        figure.amount_ore += amount;
        if rate.is_none() {
            figure.unrated_children += 1;
        }
        let (given, family, protected) =
            names
                .get(&placement.child_id)
                .cloned()
                .unwrap_or((String::new(), String::new(), true));
        children.push(AllocationChild {
            pupil: child_ref(placement.child_id, protected, &given, &family),
            placement_kind: kind,
            age,
            hours_per_week: placement.hours_per_week,
            rate_ore: rate,
            amount_ore: amount,
        });
    }
    (figure, children)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::register::PlacementKind;
    use shared::statistics::Rate;

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    #[test]
    fn a_month_counts_the_children_placed_on_its_count_date() {
        let unit = AllocationUnit {
            id: Uuid::new_v4(),
            name: "Förskolan Äppelgården".into(),
        };
        let table = RateTable {
            valid_from: day("2026-01-01"),
            valid_to: None,
            rates: vec![
                Rate {
                    placement_kind: PlacementKind::Preschool,
                    age_from: 1,
                    age_to: 2,
                    hours_above: 0.0,
                    hours_up_to: None,
                    amount_ore: 1_200_000,
                },
                Rate {
                    placement_kind: PlacementKind::Preschool,
                    age_from: 3,
                    age_to: 5,
                    hours_above: 0.0,
                    hours_up_to: None,
                    amount_ore: 600_005,
                },
            ],
        };
        let placed = |birth: &str, start: &str, end: Option<&str>, hours: f64| CountedPlacement {
            unit_id: unit.id,
            child_id: Uuid::new_v4(),
            kind: "preschool".into(),
            start_date: day(start),
            end_date: end.map(day),
            hours_per_week: hours,
            birth_date: day(birth),
        };
        let rows = [
            // Turns 3 on the count date: the 3–5 rate.
            placed("2023-12-15", "2025-01-07", None, 40.0),
            // Two years old.
            placed("2024-06-01", "2025-08-15", None, 30.0),
            // Ends on the count date: still counted.
            placed("2024-01-01", "2025-08-15", Some("2026-12-15"), 20.0),
            // Starts the day after: not counted.
            placed("2024-01-01", "2026-12-16", None, 20.0),
            // Six years old: no rate in the table.
            placed("2020-05-01", "2022-08-15", None, 15.0),
        ];
        let count_day = day("2026-12-15");
        let running = rows.iter().filter(|p| runs_on(p, count_day));
        let (figure, children) = allocate(
            &unit,
            Month::of(count_day),
            count_day,
            Some(&table),
            running,
            &HashMap::new(),
        );
        assert_eq!(figure.children, 4);
        assert_eq!(figure.hours_per_week, 105.0);
        assert_eq!(figure.unrated_children, 1);
        // 600 005 / 12 = 50 000.42 → 50 000; 1 200 000 / 12 = 100 000 (twice).
        assert_eq!(figure.amount_ore, 50_000 + 100_000 + 100_000);
        assert_eq!(children.len(), 4);
        assert!(children.iter().all(|c| c.pupil.masked));
    }
}
