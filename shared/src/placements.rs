//! Providers' placement reports (use case 1): a start, a change of scope or an end of a
//! child's place in preschool or after-school care, as the provider sends it and as the
//! portal lists it. The checks here need no register; the server adds those that do.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::PersonalNumber;
use crate::api::FieldError;
use crate::cases::{CaseNumber, Names};
use crate::register::{NamedRef, Placement, PupilRef};

/// Hours per week a placement may have.
pub const HOURS_MIN: f64 = 1.0;
pub const HOURS_MAX: f64 = 60.0;
/// How far ahead a report may be dated.
pub const DAYS_AHEAD_MAX: u64 = 366;
/// Guardians named with a new child.
pub const GUARDIANS_MAX: usize = 4;
const NAME_MAX: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Start,
    ScopeChange,
    End,
}

impl ReportKind {
    pub const ALL: [ReportKind; 3] = [ReportKind::Start, ReportKind::ScopeChange, ReportKind::End];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Start => "start",
            ReportKind::ScopeChange => "scope_change",
            ReportKind::End => "end",
        }
    }

    pub fn parse(code: &str) -> Option<ReportKind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == code)
    }

    /// Starts and changes of scope state the hours; an end does not.
    pub fn has_hours(self) -> bool {
        !matches!(self, ReportKind::End)
    }
}

/// Why a child has a place (skollagen 8 kap. and 14 kap.).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlacementReason {
    /// The guardians work or study.
    Care,
    /// The offered time every child has (allmän förskola, 525 h a year).
    OfferedTime,
    /// The child's own need.
    OwnNeed,
}

impl PlacementReason {
    pub const ALL: [PlacementReason; 3] = [
        PlacementReason::Care,
        PlacementReason::OfferedTime,
        PlacementReason::OwnNeed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlacementReason::Care => "care",
            PlacementReason::OfferedTime => "offered_time",
            PlacementReason::OwnNeed => "own_need",
        }
    }

    pub fn parse(code: &str) -> Option<PlacementReason> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == code)
    }
}

/// A report as sent (`POST /api/placement-reports`). Codes and dates are texts, so that a bad
/// one is named by its field rather than failing the whole body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRequest {
    /// `start`, `scope_change` or `end`.
    pub kind: String,
    pub unit_id: Uuid,
    /// A child the reporter already sees in the register.
    #[serde(default)]
    pub pupil_id: Option<Uuid>,
    /// Or the child's personal number: a child in the register, or a new one (then with
    /// `given_name`, `family_name` and the guardians' personal numbers).
    #[serde(default)]
    pub personal_number: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    #[serde(default)]
    pub guardians: Vec<String>,
    /// The child's group at the unit (a start), if the unit has groups.
    #[serde(default)]
    pub group_id: Option<Uuid>,
    /// `YYYY-MM-DD`: the first day (start, change of scope) or the last day (end).
    pub date: String,
    #[serde(default)]
    pub hours_per_week: Option<f64>,
    /// `care`, `offered_time` or `own_need`; required for a start.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Whom a report is about.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportedChild {
    Id(Uuid),
    PersonalNumber(PersonalNumber),
}

/// A new child's names and guardians, as the report gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChild {
    pub given_name: String,
    pub family_name: String,
    pub guardians: Vec<PersonalNumber>,
}

/// A report whose fields are each well-formed.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedReport {
    pub kind: ReportKind,
    pub unit_id: Uuid,
    pub child: ReportedChild,
    pub new_child: Option<NewChild>,
    pub group_id: Option<Uuid>,
    pub date: NaiveDate,
    pub hours_per_week: Option<f64>,
    pub reason: Option<PlacementReason>,
}

impl ReportRequest {
    /// One error per bad field: the kind, the child (an id or a valid personal number), the
    /// date (not further back than `retroactive_days`, at most a year ahead), hours 1–60 for a
    /// start or a change of scope and none for an end, a reason for a start, names and
    /// guardians' personal numbers when given.
    pub fn check(
        &self,
        today: NaiveDate,
        retroactive_days: u32,
    ) -> Result<CheckedReport, Vec<FieldError>> {
        let mut problems = Vec::new();
        let kind = ReportKind::parse(&self.kind);
        if kind.is_none() {
            problems.push(FieldError::new(
                "kind",
                "invalid",
                "start, scope_change or end",
            ));
        }
        let child = match (&self.pupil_id, self.personal_number.as_deref()) {
            (Some(id), None) => Some(ReportedChild::Id(*id)),
            (None, Some(number)) | (Some(_), Some(number)) => {
                match PersonalNumber::parse(number, today) {
                    Ok(number) => Some(ReportedChild::PersonalNumber(number)),
                    Err(error) => {
                        problems.push(FieldError::new(
                            "personal_number",
                            error.code(),
                            error.to_string(),
                        ));
                        None
                    }
                }
            }
            (None, None) => {
                problems.push(FieldError::new(
                    "personal_number",
                    "required",
                    "the child's personal number (or pupil_id)",
                ));
                None
            }
        };
        let date = match NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d") {
            Ok(date) => {
                let earliest = today - chrono::Days::new(u64::from(retroactive_days));
                if date < earliest {
                    problems.push(FieldError::new(
                        "date",
                        "too_early",
                        format!(
                            "a report may go back at most {retroactive_days} days, to {earliest}"
                        ),
                    ));
                } else if date > today + chrono::Days::new(DAYS_AHEAD_MAX) {
                    problems.push(FieldError::new(
                        "date",
                        "too_late",
                        "a report may be dated at most a year ahead",
                    ));
                }
                Some(date)
            }
            Err(_) => {
                problems.push(FieldError::new(
                    "date",
                    "invalid",
                    "a date written YYYY-MM-DD",
                ));
                None
            }
        };
        match (kind, self.hours_per_week) {
            (Some(kind), None) if kind.has_hours() => problems.push(FieldError::new(
                "hours_per_week",
                "required",
                "hours per week, 1–60",
            )),
            (Some(kind), Some(_)) if !kind.has_hours() => problems.push(FieldError::new(
                "hours_per_week",
                "not_allowed",
                "an end states no hours",
            )),
            (_, Some(hours)) if !(HOURS_MIN..=HOURS_MAX).contains(&hours) || hours.is_nan() => {
                problems.push(FieldError::new(
                    "hours_per_week",
                    "out_of_range",
                    "hours per week, 1–60",
                ))
            }
            _ => {}
        }
        let reason = match self.reason.as_deref().map(str::trim) {
            None | Some("") => {
                if kind == Some(ReportKind::Start) {
                    problems.push(FieldError::new(
                        "reason",
                        "required",
                        "care, offered_time or own_need",
                    ));
                }
                None
            }
            Some(code) => {
                let reason = PlacementReason::parse(code);
                if reason.is_none() {
                    problems.push(FieldError::new(
                        "reason",
                        "invalid",
                        "care, offered_time or own_need",
                    ));
                }
                reason
            }
        };
        let new_child = self.new_child(today, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(CheckedReport {
            kind: kind.expect("checked"),
            unit_id: self.unit_id,
            child: child.expect("checked"),
            new_child,
            group_id: self.group_id,
            date: date.expect("checked"),
            hours_per_week: self.hours_per_week,
            reason,
        })
    }

    /// The new child's details, when the report gives names (whether the child is new is for
    /// the register to say).
    fn new_child(&self, today: NaiveDate, problems: &mut Vec<FieldError>) -> Option<NewChild> {
        let name = |field: &str, value: &Option<String>, problems: &mut Vec<FieldError>| {
            let value = value.as_deref().map(str::trim).unwrap_or_default();
            if value.chars().count() > NAME_MAX {
                problems.push(FieldError::new(
                    field,
                    "too_long",
                    format!("at most {NAME_MAX} characters"),
                ));
            }
            value.to_owned()
        };
        let given_name = name("given_name", &self.given_name, problems);
        let family_name = name("family_name", &self.family_name, problems);
        if self.guardians.len() > GUARDIANS_MAX {
            problems.push(FieldError::new(
                "guardians",
                "too_many",
                format!("at most {GUARDIANS_MAX} guardians"),
            ));
        }
        let mut guardians = Vec::new();
        for (i, number) in self.guardians.iter().enumerate() {
            match PersonalNumber::parse(number, today) {
                Ok(number) if guardians.contains(&number) => problems.push(FieldError::new(
                    &format!("guardians[{i}]"),
                    "duplicate",
                    "the same guardian twice",
                )),
                Ok(number) => guardians.push(number),
                Err(error) => problems.push(FieldError::new(
                    &format!("guardians[{i}]"),
                    error.code(),
                    error.to_string(),
                )),
            }
        }
        if given_name.is_empty() && family_name.is_empty() && guardians.is_empty() {
            return None;
        }
        Some(NewChild {
            given_name,
            family_name,
            guardians,
        })
    }
}

/// `201` for a report: it is in the register and its case is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportCreated {
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_number: CaseNumber,
    /// The placement the report wrote: the new one for a start or a change of scope, the
    /// ended one for an end.
    pub placement_id: Uuid,
}

/// A report in the portal's history, with its case's status as the reporter sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementReport {
    pub id: Uuid,
    pub kind: ReportKind,
    pub unit: NamedRef,
    pub pupil: PupilRef,
    pub date: NaiveDate,
    pub hours_per_week: Option<f64>,
    pub reason: Option<PlacementReason>,
    /// The hours before a change of scope.
    pub previous_hours_per_week: Option<f64>,
    pub case_id: Uuid,
    pub case_number: CaseNumber,
    pub case_status: Names,
    pub reported_by: String,
    pub reported_at: DateTime<Utc>,
}

/// A placement at a unit on a day (`GET /api/units/{id}/placements?as_of=`), with the child.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitPlacementOn {
    #[serde(flatten)]
    pub placement: Placement,
    pub group: Option<NamedRef>,
    pub reason: Option<PlacementReason>,
    pub pupil: PupilRef,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    fn start() -> ReportRequest {
        ReportRequest {
            kind: "start".into(),
            unit_id: Uuid::nil(),
            personal_number: Some("20220315-0004".into()),
            date: "2026-12-10".into(),
            hours_per_week: Some(30.0),
            reason: Some("care".into()),
            ..ReportRequest::default()
        }
    }

    fn fields(request: &ReportRequest) -> Vec<String> {
        match request.check(today(), 30) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn a_complete_start_passes() {
        let checked = start().check(today(), 30).unwrap();
        assert_eq!(checked.kind, ReportKind::Start);
        assert_eq!(checked.reason, Some(PlacementReason::Care));
        assert!(checked.new_child.is_none());
    }

    #[test]
    fn every_bad_field_is_named() {
        let request = ReportRequest {
            kind: "begin".into(),
            personal_number: Some("20220315-0008".into()),
            date: "2026-13-01".into(),
            hours_per_week: Some(61.0),
            reason: Some("fun".into()),
            guardians: vec!["123".into()],
            ..start()
        };
        assert_eq!(
            fields(&request),
            [
                "kind",
                "personal_number",
                "date",
                "hours_per_week",
                "reason",
                "guardians[0]"
            ]
        );
    }

    #[test]
    fn dates_hours_and_reasons_follow_the_kind() {
        let early = ReportRequest {
            date: "2026-11-02".into(),
            ..start()
        };
        assert_eq!(fields(&early), ["date"]);
        let window_edge = ReportRequest {
            date: "2026-11-03".into(),
            ..start()
        };
        assert!(fields(&window_edge).is_empty());
        let end_with_hours = ReportRequest {
            kind: "end".into(),
            reason: None,
            ..start()
        };
        assert_eq!(fields(&end_with_hours), ["hours_per_week"]);
        let start_without = ReportRequest {
            hours_per_week: None,
            reason: None,
            ..start()
        };
        assert_eq!(fields(&start_without), ["hours_per_week", "reason"]);
        let scope = ReportRequest {
            kind: "scope_change".into(),
            reason: None,
            hours_per_week: Some(0.5),
            ..start()
        };
        assert_eq!(fields(&scope), ["hours_per_week"]);
        let nobody = ReportRequest {
            personal_number: None,
            ..start()
        };
        assert_eq!(fields(&nobody), ["personal_number"]);
    }
}
