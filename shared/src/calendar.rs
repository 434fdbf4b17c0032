//! The school calendar an administrator keeps: per school year its terms, breaks and public
//! holidays. School days are the weekdays inside a term that no break or holiday covers; they
//! decide which lessons are held, how many school days a leave takes, and the absence rules'
//! windows. The checks here run in the calendar editor and on the server alike.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::api::FieldError;
use crate::cases::Names;

/// What a calendar period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Term,
    /// A school break (höstlov, jullov, sportlov, påsklov) or a study day.
    Break,
    Holiday,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Term => "term",
            PeriodKind::Break => "break",
            PeriodKind::Holiday => "holiday",
        }
    }

    pub fn parse(text: &str) -> Option<PeriodKind> {
        [PeriodKind::Term, PeriodKind::Break, PeriodKind::Holiday]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// One term, break or holiday of a school year, both dates inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarPeriod {
    pub kind: PeriodKind,
    /// A short code: `ht`, `vt`, `hostlov`, `holiday`, … (with the first day, it names the
    /// period).
    pub code: String,
    pub name: Names,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

/// `GET /api/calendar/{year}`: the school year that starts in `year` (2026: 2026/27).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolCalendar {
    /// `2026/27`.
    pub school_year: String,
    /// 1 July of the start year.
    pub first_day: NaiveDate,
    /// 30 June of the next year.
    pub last_day: NaiveDate,
    /// Terms first, then by first day.
    pub periods: Vec<CalendarPeriod>,
    /// The school days of each term, in the order of the terms among `periods`.
    pub term_school_days: Vec<u32>,
    /// When the calendar was last saved, and by an administrator (`None`: as seeded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// `PUT /api/calendar/{year}`: the whole school year, replacing what was there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarInput {
    pub periods: Vec<CalendarPeriod>,
}

/// The answer to a saved calendar: the calendar, and what it did to the lessons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarSaved {
    pub calendar: SchoolCalendar,
    /// Lessons on days that are no longer school days, without a register: cancelled.
    pub lessons_cancelled: u32,
    /// Lessons on days that are no longer school days whose register is taken: kept (a
    /// register is never thrown away; the school decides what to do with them).
    pub lessons_kept: u32,
    /// Lessons on days that are school days again: restored or made from the timetable.
    pub lessons_restored: u32,
}

/// The most periods a school year may have.
pub const PERIODS_MAX: usize = 100;
/// The longest name of a period, in characters.
pub const NAME_MAX_CHARS: usize = 80;

/// The first and last day of the school year that starts in `year`, and its name.
pub fn school_year(year: i32) -> Option<(String, NaiveDate, NaiveDate)> {
    if !(2000..=2100).contains(&year) {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(year, 7, 1)?;
    let last = NaiveDate::from_ymd_opt(year + 1, 6, 30)?;
    Some((format!("{year}/{:02}", (year + 1) % 100), first, last))
}

/// The year a school year starts in, by its name (`2026/27` → 2026).
pub fn start_year(school_year: &str) -> Option<i32> {
    let (start, end) = school_year.split_once('/')?;
    let start: i32 = start.parse().ok()?;
    let end: i32 = end.parse().ok()?;
    (end == (start + 1) % 100).then_some(start)
}

impl CalendarInput {
    /// One error per bad field (`periods[2].end_date`, …) for the school year starting in
    /// `year`: names in both languages, codes, dates in order and inside the school year, at
    /// least one term and terms that do not overlap, no period twice.
    pub fn check(&self, year: i32) -> Result<(), Vec<FieldError>> {
        let mut problems = Vec::new();
        let Some((_, first, last)) = school_year(year) else {
            return Err(vec![FieldError::new(
                "year",
                "out_of_range",
                "a school year from 2000 to 2100",
            )]);
        };
        if self.periods.len() > PERIODS_MAX {
            problems.push(FieldError::new(
                "periods",
                "too_many",
                format!("at most {PERIODS_MAX} periods"),
            ));
        }
        if !self.periods.iter().any(|p| p.kind == PeriodKind::Term) {
            problems.push(FieldError::new(
                "periods",
                "no_term",
                "a school year needs at least one term",
            ));
        }
        for (i, period) in self.periods.iter().enumerate() {
            let path = |field: &str| format!("periods[{i}].{field}");
            let code = period.code.as_str();
            if code.is_empty()
                || code.len() > 30
                || !code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                problems.push(FieldError::new(
                    &path("code"),
                    "invalid",
                    "1 to 30 lowercase letters, digits or _",
                ));
            }
            for (lang, name) in [("sv", &period.name.sv), ("en", &period.name.en)] {
                if let Err(problem) = crate::text::checked(name, NAME_MAX_CHARS, true) {
                    problems.push(FieldError::new(
                        &path(&format!("name.{lang}")),
                        problem.code(),
                        problem.message(),
                    ));
                }
            }
            if period.start_date < first || period.start_date > last {
                problems.push(FieldError::new(
                    &path("start_date"),
                    "outside_school_year",
                    format!("inside the school year, {first} to {last}"),
                ));
            }
            if period.end_date < period.start_date {
                problems.push(FieldError::new(
                    &path("end_date"),
                    "before_from",
                    "the last day is before the first",
                ));
            } else if period.end_date > last {
                problems.push(FieldError::new(
                    &path("end_date"),
                    "outside_school_year",
                    format!("inside the school year, {first} to {last}"),
                ));
            }
            let earlier = &self.periods[..i];
            if earlier
                .iter()
                .any(|p| p.code == period.code && p.start_date == period.start_date)
            {
                problems.push(FieldError::new(
                    &path("start_date"),
                    "duplicate",
                    "another period has this code and first day",
                ));
            }
            if period.kind == PeriodKind::Term
                && let Some(other) = earlier.iter().find(|p| {
                    p.kind == PeriodKind::Term
                        && p.start_date <= period.end_date
                        && period.start_date <= p.end_date
                })
            {
                problems.push(FieldError::new(
                    &path("start_date"),
                    "overlaps_term",
                    format!(
                        "overlaps the term {} – {}",
                        other.start_date, other.end_date
                    ),
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

/// A period as the school-day count needs it: its kind, its days, and the school year it
/// belongs to (by its start year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub school_year: i32,
    pub kind: PeriodKind,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

impl CalendarPeriod {
    pub fn span(&self, school_year: i32) -> Span {
        Span {
            school_year,
            kind: self.kind,
            start_date: self.start_date,
            end_date: self.end_date,
        }
    }
}

/// The school days from `from` to `to` by `spans` (one school year's or several): the
/// weekdays that no break or holiday covers and, in a school year with terms, inside a term;
/// a school year without terms counts every such weekday, so that a count is never low for
/// want of a calendar.
pub fn school_days(spans: &[Span], from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let covers = |kinds: &[PeriodKind], day: NaiveDate| {
        spans
            .iter()
            .any(|p| kinds.contains(&p.kind) && p.start_date <= day && day <= p.end_date)
    };
    from.iter_days()
        .take_while(|day| *day <= to)
        .filter(|day| !matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun))
        .filter(|day| {
            let year = start_of_school_year(*day);
            let known = spans
                .iter()
                .any(|p| p.kind == PeriodKind::Term && p.school_year == year);
            !covers(&[PeriodKind::Break, PeriodKind::Holiday], *day)
                && (!known || covers(&[PeriodKind::Term], *day))
        })
        .collect()
}

/// The year the school year of `day` starts in: 1 July starts the next.
pub fn start_of_school_year(day: NaiveDate) -> i32 {
    if day.month() >= 7 {
        day.year()
    } else {
        day.year() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn period(kind: PeriodKind, code: &str, from: NaiveDate, to: NaiveDate) -> CalendarPeriod {
        CalendarPeriod {
            kind,
            code: code.into(),
            name: Names::new("Namn", "Name"),
            start_date: from,
            end_date: to,
        }
    }

    fn fields(input: &CalendarInput) -> Vec<(String, String)> {
        input
            .check(2026)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn school_years_are_named_and_bounded() {
        let (name, first, last) = school_year(2026).unwrap();
        assert_eq!(name, "2026/27");
        assert_eq!((first, last), (day(2026, 7, 1), day(2027, 6, 30)));
        assert_eq!(school_year(1999), None);
        assert_eq!(start_year("2026/27"), Some(2026));
        assert_eq!(start_year("2099/00"), Some(2099));
        assert_eq!(start_year("2026/28"), None);
        assert_eq!(start_year("x"), None);
    }

    #[test]
    fn a_good_year_passes_and_each_bad_field_is_named() {
        let ht = period(PeriodKind::Term, "ht", day(2026, 8, 17), day(2026, 12, 18));
        let vt = period(PeriodKind::Term, "vt", day(2027, 1, 7), day(2027, 6, 11));
        let lov = period(
            PeriodKind::Break,
            "hostlov",
            day(2026, 10, 26),
            day(2026, 10, 30),
        );
        let good = CalendarInput {
            periods: vec![ht.clone(), vt.clone(), lov.clone()],
        };
        assert_eq!(good.check(2026), Ok(()));

        let mut bad = good.clone();
        bad.periods[1].start_date = day(2026, 12, 1); // overlaps ht
        bad.periods[2].end_date = day(2026, 10, 1); // before its start
        bad.periods.push(period(
            PeriodKind::Holiday,
            "Jul!",
            day(2027, 7, 2),
            day(2027, 7, 2),
        ));
        bad.periods.push(lov.clone());
        bad.periods[0].name.en = " ".into();
        assert_eq!(
            fields(&bad),
            [
                ("periods[0].name.en".to_owned(), "required".to_owned()),
                (
                    "periods[1].start_date".to_owned(),
                    "overlaps_term".to_owned()
                ),
                ("periods[2].end_date".to_owned(), "before_from".to_owned()),
                ("periods[3].code".to_owned(), "invalid".to_owned()),
                (
                    "periods[3].start_date".to_owned(),
                    "outside_school_year".to_owned()
                ),
                (
                    "periods[3].end_date".to_owned(),
                    "outside_school_year".to_owned()
                ),
                ("periods[4].start_date".to_owned(), "duplicate".to_owned()),
            ]
        );
        let no_term = CalendarInput { periods: vec![lov] };
        assert_eq!(
            fields(&no_term),
            [("periods".to_owned(), "no_term".to_owned())]
        );
    }

    #[test]
    fn school_days_skip_weekends_breaks_and_holidays_and_count_only_inside_terms() {
        let ht = period(PeriodKind::Term, "ht", day(2026, 8, 17), day(2026, 12, 18));
        let jul = period(
            PeriodKind::Break,
            "jullov",
            day(2026, 12, 21),
            day(2027, 1, 6),
        );
        let vt = period(PeriodKind::Term, "vt", day(2027, 1, 7), day(2027, 6, 11));
        let periods = [ht.span(2026), jul.span(2026), vt.span(2026)];
        // 14 Dec – 8 Jan: 14–18 Dec and 7–8 Jan.
        assert_eq!(
            school_days(&periods, day(2026, 12, 14), day(2027, 1, 8)).len(),
            7
        );
        // A year without terms counts every weekday.
        assert_eq!(
            school_days(&periods, day(2027, 8, 16), day(2027, 8, 22)).len(),
            5
        );
    }
}
