//! Resource allocation (use case 2): the municipality's rate table (grundbelopp) and the
//! amounts per unit and month it gives. Amounts are whole öre, never floating point.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::FieldError;
use crate::register::{PlacementKind, PupilRef};

/// The day of the month children are counted on, unless configured otherwise.
pub const COUNT_DAY_DEFAULT: u32 = 15;
/// Months one allocation query may span.
pub const MONTHS_MAX: u32 = 36;
/// Rows one rate table may hold.
pub const RATES_MAX: usize = 100;
/// Ages a rate may name.
pub const AGE_MAX: u8 = 20;
/// The largest yearly amount a rate may hold (10 million kronor).
pub const AMOUNT_ORE_MAX: i64 = 1_000_000_000;

/// One row of the rate table: the yearly amount for a child of the placement form, aged
/// `age_from..=age_to` completed years on the count date, placed for more than `hours_above`
/// and at most `hours_up_to` hours a week (no upper limit when `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    pub placement_kind: PlacementKind,
    pub age_from: u8,
    pub age_to: u8,
    pub hours_above: f64,
    pub hours_up_to: Option<f64>,
    /// The yearly amount per child, in öre.
    pub amount_ore: i64,
}

impl Rate {
    pub fn applies(&self, kind: PlacementKind, age: u32, hours: f64) -> bool {
        self.placement_kind == kind
            && (u32::from(self.age_from)..=u32::from(self.age_to)).contains(&age)
            && hours > self.hours_above
            && self.hours_up_to.is_none_or(|up_to| hours <= up_to)
    }

    fn overlaps(&self, other: &Rate) -> bool {
        let ages = self.age_from <= other.age_to && other.age_from <= self.age_to;
        let below = |rate: &Rate, hours: f64| rate.hours_up_to.is_none_or(|up_to| hours < up_to);
        let hours = below(self, other.hours_above) && below(other, self.hours_above);
        self.placement_kind == other.placement_kind && ages && hours
    }
}

/// The rate table in force from `valid_from` (to `valid_to`, inclusive, once a later table
/// replaced it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateTable {
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub rates: Vec<Rate>,
}

impl RateTable {
    /// The rate for a child of `kind`, `age` and `hours`, if the table has one.
    pub fn rate_for(&self, kind: PlacementKind, age: u32, hours: f64) -> Option<&Rate> {
        self.rates
            .iter()
            .find(|rate| rate.applies(kind, age, hours))
    }
}

/// A new rate table from a date (`PUT /api/statistics/rates`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateTableInput {
    pub valid_from: NaiveDate,
    pub rates: Vec<Rate>,
}

impl RateTableInput {
    /// One error per bad row (`rates[2].age_to`, …): ages in order and at most 20, hours
    /// bands from 0 to 60 in order, amounts above zero, and no two rows for one child.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut problems = Vec::new();
        if self.rates.is_empty() || self.rates.len() > RATES_MAX {
            problems.push(FieldError::new(
                "rates",
                "count",
                format!("a rate table has 1 to {RATES_MAX} rows"),
            ));
        }
        for (i, rate) in self.rates.iter().enumerate() {
            let path = |field: &str| format!("rates[{i}].{field}");
            if rate.age_to < rate.age_from || rate.age_to > AGE_MAX {
                problems.push(FieldError::new(
                    &path("age_to"),
                    "out_of_range",
                    format!("an age from age_from to {AGE_MAX}"),
                ));
            }
            let hours_ok = |h: f64| (0.0..=60.0).contains(&h);
            if !hours_ok(rate.hours_above) {
                problems.push(FieldError::new(
                    &path("hours_above"),
                    "out_of_range",
                    "hours from 0 to 60",
                ));
            }
            if let Some(up_to) = rate.hours_up_to
                && (!hours_ok(up_to) || up_to <= rate.hours_above)
            {
                problems.push(FieldError::new(
                    &path("hours_up_to"),
                    "out_of_range",
                    "more hours than hours_above, at most 60",
                ));
            }
            if rate.amount_ore <= 0 || rate.amount_ore > AMOUNT_ORE_MAX {
                problems.push(FieldError::new(
                    &path("amount_ore"),
                    "out_of_range",
                    "a yearly amount in öre above zero",
                ));
            }
            if let Some(j) = self.rates[..i]
                .iter()
                .position(|other| other.overlaps(rate))
            {
                problems.push(FieldError::new(
                    &path("age_from"),
                    "overlap",
                    format!("covers the same children as rates[{j}]"),
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// A calendar month, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let month = Month {
            year: year.parse().ok()?,
            month: month.parse().ok()?,
        };
        month.first_day().map(|_| month)
    }

    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The count date: `day`, or the month's last day in a shorter month.
    pub fn count_date(self, day: u32) -> NaiveDate {
        (1..=day.clamp(1, 31))
            .rev()
            .find_map(|d| NaiveDate::from_ymd_opt(self.year, self.month, d))
            .expect("every month has a first day")
    }

    /// Months from `self` to `last`, both inclusive.
    pub fn through(self, last: Month) -> impl Iterator<Item = Month> {
        std::iter::successors(Some(self).filter(|m| *m <= last), move |m| {
            Some(m.next()).filter(|next| *next <= last)
        })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A yearly amount's month: a twelfth, rounded to the nearest öre (half up).
pub fn monthly_ore(yearly_ore: i64) -> i64 {
    (yearly_ore * 2 + 12).div_euclid(24)
}

/// One unit's allocation for one month, from the children placed on the count date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub count_date: NaiveDate,
    pub children: u32,
    /// The children's hours per week together.
    pub hours_per_week: f64,
    /// The month's amount in öre: the twelfth of each child's yearly rate, together.
    pub amount_ore: i64,
    /// Children placed for whom the rate table has no row (counted, with no amount).
    pub unrated_children: u32,
}

/// `GET /api/statistics/resource-allocation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResourceAllocation {
    pub months: Vec<AllocationMonth>,
    /// The day of the month children are counted on.
    pub count_day: u32,
}

/// A child behind one month's figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationChild {
    pub pupil: PupilRef,
    pub placement_kind: PlacementKind,
    /// Completed years on the count date.
    pub age: u32,
    pub hours_per_week: f64,
    /// The yearly rate that applied, if any.
    pub rate_ore: Option<i64>,
    pub amount_ore: i64,
}

/// `GET /api/statistics/resource-allocation/children`: the children behind a unit's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationChildren {
    pub month: AllocationMonth,
    /// Named children by name, then the children whose identity is protected.
    pub children: Vec<AllocationChild>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(age: (u8, u8), hours: (f64, Option<f64>), amount_ore: i64) -> Rate {
        Rate {
            placement_kind: PlacementKind::Preschool,
            age_from: age.0,
            age_to: age.1,
            hours_above: hours.0,
            hours_up_to: hours.1,
            amount_ore,
        }
    }

    #[test]
    fn a_twelfth_rounds_half_up_to_whole_ore() {
        assert_eq!(monthly_ore(120), 10);
        assert_eq!(monthly_ore(126), 11);
        assert_eq!(monthly_ore(125), 10);
        assert_eq!(monthly_ore(15_000_000), 1_250_000);
    }

    #[test]
    fn months_parse_count_and_run() {
        let feb = Month::parse("2027-02").unwrap();
        assert_eq!(feb.count_date(30).to_string(), "2027-02-28");
        assert_eq!(feb.count_date(15).to_string(), "2027-02-15");
        assert!(Month::parse("2027-13").is_none());
        assert!(Month::parse("2027-2").is_none());
        let months: Vec<String> = Month::parse("2026-11")
            .unwrap()
            .through(feb)
            .map(|m| m.to_string())
            .collect();
        assert_eq!(months, ["2026-11", "2026-12", "2027-01", "2027-02"]);
        assert_eq!(feb.through(Month::parse("2027-01").unwrap()).count(), 0);
    }

    #[test]
    fn bands_take_the_upper_bound_and_not_the_lower() {
        let table = RateTable {
            valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            valid_to: None,
            rates: vec![
                rate((1, 2), (0.0, Some(15.0)), 100),
                rate((1, 2), (15.0, None), 200),
            ],
        };
        let found = |hours| {
            table
                .rate_for(PlacementKind::Preschool, 2, hours)
                .map(|r| r.amount_ore)
        };
        assert_eq!(found(15.0), Some(100));
        assert_eq!(found(15.5), Some(200));
        assert_eq!(table.rate_for(PlacementKind::Preschool, 3, 10.0), None);
        assert_eq!(table.rate_for(PlacementKind::AfterSchool, 2, 10.0), None);
    }

    #[test]
    fn overlapping_and_bad_rows_are_named() {
        let input = RateTableInput {
            valid_from: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            rates: vec![
                rate((1, 2), (0.0, Some(15.0)), 100),
                rate((2, 3), (10.0, Some(20.0)), 100),
                rate((3, 5), (20.0, Some(20.0)), 0),
                rate((4, 3), (30.0, None), 100),
            ],
        };
        let fields: Vec<String> = input
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "rates[1].age_from",
                "rates[2].hours_up_to",
                "rates[2].amount_ore",
                "rates[3].age_to"
            ]
        );
    }
}
