//! Attendance per lesson (SS 12000 Attendance): lessons, the register grid, marks in minutes and
//! the checks a mark must pass, shared by the register grid in the browser and the server.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::FieldError;
use crate::register::{NamedRef, PupilRef};

/// Whether a lesson's register has been taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegisterState {
    NotTaken,
    Taken,
}

/// One lesson of a group on one date, in Swedish time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lesson {
    pub id: Uuid,
    pub group: NamedRef,
    pub subject: String,
    /// The subject's code (Skolverket's, e.g. `MA`, `SV`).
    pub subject_code: String,
    pub room: Option<String>,
    pub date: NaiveDate,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// The lesson's length: what a pupil's minutes must add up to.
    pub minutes: i32,
    pub teachers: Vec<NamedRef>,
    pub register: RegisterState,
    /// A mark has been changed after the register was first taken (the register is
    /// "changed" rather than just "taken").
    pub changed: bool,
}

/// A reason for absence from the municipality's list; `valid` reasons excuse the absence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AbsenceReason {
    pub code: String,
    pub name_sv: String,
    pub name_en: String,
    pub valid: bool,
}

/// A pupil's row in the register grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceMark {
    pub pupil: PupilRef,
    pub attendance_minutes: i32,
    pub valid_absence_minutes: i32,
    pub invalid_absence_minutes: i32,
    pub other_activity_minutes: i32,
    pub reason: Option<String>,
    /// Whether the mark has been saved (SS 12000 `isReported`); an unsaved row shows what
    /// the teacher starts from: present, or granted leave as valid absence.
    pub reported: bool,
    /// Filled in from a granted leave or a reported absence, not yet saved by a teacher.
    pub prefilled: bool,
    pub marked_by: Option<NamedRef>,
    pub marked_at: Option<DateTime<Utc>>,
    /// 0 for a mark not saved yet; send it back with the change (a stale one is a 409).
    pub version: i32,
}

/// `GET /api/lessons/{id}/attendance`: the lesson and one row per pupil of the group that day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonRegister {
    pub lesson: Lesson,
    pub marks: Vec<AttendanceMark>,
    /// Whether the signed-in user may still change the marks (editing window, principal).
    pub editable: bool,
    /// The last day the signed-in teacher may change the marks (the editing window, or a
    /// principal's reopening); `None` for a principal, who may always.
    pub editable_until: Option<NaiveDate>,
    pub reasons: Vec<AbsenceReason>,
}

/// One pupil's mark in `PUT /api/lessons/{id}/attendance`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkInput {
    pub pupil_id: Uuid,
    pub attendance_minutes: i32,
    pub valid_absence_minutes: i32,
    pub invalid_absence_minutes: i32,
    #[serde(default)]
    pub other_activity_minutes: i32,
    #[serde(default)]
    pub reason: Option<String>,
    /// The version read; omitted or 0 for a pupil not marked yet.
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterInput {
    pub marks: Vec<MarkInput>,
}

impl MarkInput {
    /// The problems of the mark at `index` for a lesson of `minutes` minutes, each naming the
    /// field (`marks[3].attendance_minutes`) and, in the message, the pupil.
    pub fn problems(&self, index: usize, minutes: i32) -> Vec<FieldError> {
        let field = |name: &str| format!("marks[{index}].{name}");
        let pupil = self.pupil_id;
        let mut problems = Vec::new();
        for (name, value) in [
            ("attendance_minutes", self.attendance_minutes),
            ("valid_absence_minutes", self.valid_absence_minutes),
            ("invalid_absence_minutes", self.invalid_absence_minutes),
            ("other_activity_minutes", self.other_activity_minutes),
        ] {
            if !(0..=minutes).contains(&value) {
                problems.push(FieldError::new(
                    &field(name),
                    "out_of_range",
                    format!("pupil {pupil}: between 0 and the lesson's {minutes} minutes"),
                ));
            }
        }
        if !problems.is_empty() {
            return problems;
        }
        let sum = self.total();
        if sum != minutes {
            problems.push(FieldError::new(
                &field("attendance_minutes"),
                "minutes_do_not_add_up",
                format!(
                    "pupil {pupil}: attendance, valid and invalid absence and other activity \
                     add up to {sum} minutes, the lesson is {minutes}"
                ),
            ));
        }
        let absent = self.valid_absence_minutes + self.invalid_absence_minutes;
        if self.reason.is_some() && absent == 0 && self.reason.as_deref() != Some("late") {
            problems.push(FieldError::new(
                &field("reason"),
                "reason_without_absence",
                format!("pupil {pupil}: a reason goes with absence minutes"),
            ));
        }
        problems
    }

    fn total(&self) -> i32 {
        self.attendance_minutes
            + self.valid_absence_minutes
            + self.invalid_absence_minutes
            + self.other_activity_minutes
    }
}

/// Minutes over a period, with the absence shares of the offered minutes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceTotals {
    pub lessons: i32,
    /// Minutes of the lessons in the period that have begun.
    pub offered_minutes: i64,
    pub attendance_minutes: i64,
    pub valid_absence_minutes: i64,
    pub invalid_absence_minutes: i64,
    pub other_activity_minutes: i64,
    /// Offered minutes of lessons whose register is not taken yet.
    pub unmarked_minutes: i64,
    pub valid_absence_percent: f64,
    pub invalid_absence_percent: f64,
}

impl AttendanceTotals {
    /// Adds one lesson of `minutes` and its mark, if any.
    pub fn add(&mut self, minutes: i32, mark: Option<&MarkMinutes>) {
        self.lessons += 1;
        self.offered_minutes += i64::from(minutes);
        match mark {
            Some(mark) => {
                self.attendance_minutes += i64::from(mark.attendance_minutes);
                self.valid_absence_minutes += i64::from(mark.valid_absence_minutes);
                self.invalid_absence_minutes += i64::from(mark.invalid_absence_minutes);
                self.other_activity_minutes += i64::from(mark.other_activity_minutes);
            }
            None => self.unmarked_minutes += i64::from(minutes),
        }
        self.valid_absence_percent = percent(self.valid_absence_minutes, self.offered_minutes);
        self.invalid_absence_percent = percent(self.invalid_absence_minutes, self.offered_minutes);
    }
}

/// A saved mark's minutes and reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkMinutes {
    pub attendance_minutes: i32,
    pub valid_absence_minutes: i32,
    pub invalid_absence_minutes: i32,
    pub other_activity_minutes: i32,
    pub reason: Option<String>,
}

/// One lesson of the pupil's and their mark, if the register has been taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PupilLesson {
    pub lesson: Lesson,
    pub mark: Option<MarkMinutes>,
    /// A lesson without a mark that a granted leave or a guardian's report covers: the reason
    /// code the register will start from (`granted_leave` or `reported_by_guardian`).
    #[serde(default)]
    pub expected_absence: Option<String>,
}

/// `GET /api/pupils/{id}/attendance`: the pupil's lessons in the period that the reader may
/// see, with the marks and totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PupilAttendance {
    pub pupil: PupilRef,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Empty when asked for the totals only (`lessons=false`).
    pub lessons: Vec<PupilLesson>,
    pub totals: AttendanceTotals,
    /// The totals per subject, most invalid absence first.
    #[serde(default)]
    pub by_subject: Vec<SubjectTotals>,
}

/// A pupil's attendance in one subject over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectTotals {
    pub subject: String,
    pub totals: AttendanceTotals,
}

/// The totals per subject of `lessons` that have begun, most invalid absence first, then by
/// subject.
pub fn by_subject<'a>(
    lessons: impl IntoIterator<Item = (&'a str, i32, Option<&'a MarkMinutes>)>,
) -> Vec<SubjectTotals> {
    let mut subjects: std::collections::BTreeMap<&str, AttendanceTotals> = Default::default();
    for (subject, minutes, mark) in lessons {
        subjects.entry(subject).or_default().add(minutes, mark);
    }
    let mut out: Vec<SubjectTotals> = subjects
        .into_iter()
        .map(|(subject, totals)| SubjectTotals {
            subject: subject.to_owned(),
            totals,
        })
        .collect();
    out.sort_by(|a, b| {
        b.totals
            .invalid_absence_minutes
            .cmp(&a.totals.invalid_absence_minutes)
            .then_with(|| a.subject.cmp(&b.subject))
    });
    out
}

/// One change to a mark in the lesson's history (`GET /api/lessons/{id}/attendance/history`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LessonChange {
    pub pupil: PupilRef,
    pub version: i32,
    /// `teacher` or `principal`: the teacher's marks and the office's changes kept apart.
    pub source: String,
    pub changed_by: NamedRef,
    pub changed_at: DateTime<Utc>,
    /// `None` for the first mark.
    pub from: Option<MarkMinutes>,
    pub to: MarkMinutes,
}

/// `POST /api/lessons/{id}/reopenings`: the principal lets a teacher of the lesson change its
/// marks after the editing window, until `until` (inclusive, at most 30 days ahead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReopenInput {
    pub person_id: Uuid,
    pub until: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reopening {
    pub lesson_id: Uuid,
    pub person: NamedRef,
    pub until: NaiveDate,
    pub reopened_by: NamedRef,
    pub reopened_at: DateTime<Utc>,
}

/// `GET /api/calendar/school-days?from=&to=`: the school days of a period by the
/// municipality's school calendar (weekdays inside a term that no break or holiday covers;
/// outside the school years the calendar knows, every weekday).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolDays {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub school_days: u32,
    /// The school days themselves, in order.
    pub days: Vec<NaiveDate>,
    /// Whether a leave over this period is the principal's to decide (more than 10 days).
    pub principal_decides: bool,
}

/// The longest period the school-days count answers for, in days.
pub const SCHOOL_DAYS_PERIOD_MAX: i64 = 400;

/// `POST /api/pupils/{id}/absence-reports`: a guardian reports their child absent (or an adult
/// pupil themself), from today on; the lessons of those days are prefilled as valid absence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AbsenceReportInput {
    pub from: NaiveDate,
    /// The last day; `from` if omitted (sick today).
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// A short note for the school, without medical details; at most 300 characters.
    #[serde(default)]
    pub note: Option<String>,
}

/// The longest period one absence report covers, in days.
pub const ABSENCE_REPORT_DAYS_MAX: i64 = 31;
/// The longest note of an absence report, in characters.
pub const ABSENCE_REPORT_NOTE_MAX: usize = 300;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AbsenceReport {
    pub id: Uuid,
    pub pupil_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub note: Option<String>,
    pub reported_by: Option<NamedRef>,
    pub reported_at: DateTime<Utc>,
}

/// One pupil's attendance in one group and month: SS 12000 AggregatedAttendance (activity =
/// the group, student, start and end of the month, offered time, attendance, valid and invalid
/// absence, other activity), in minutes. Only lessons that have begun count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AggregatedAttendance {
    /// `YYYY-MM`.
    pub month: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub group: NamedRef,
    /// A protected pupil is masked for a reader without a direct relation.
    pub student: PupilRef,
    pub lessons: i64,
    pub offered_minutes: i64,
    pub attendance_minutes: i64,
    pub valid_absence_minutes: i64,
    pub invalid_absence_minutes: i64,
    pub other_activity_minutes: i64,
    /// Offered minutes of lessons whose register has no mark for the pupil yet.
    pub unmarked_minutes: i64,
    pub valid_absence_percent: f64,
    pub invalid_absence_percent: f64,
}

/// A group's month: the sum of its pupils' rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMonth {
    pub month: String,
    pub group: NamedRef,
    pub pupils: i64,
    pub offered_minutes: i64,
    pub attendance_minutes: i64,
    pub valid_absence_minutes: i64,
    pub invalid_absence_minutes: i64,
    pub other_activity_minutes: i64,
    pub unmarked_minutes: i64,
    pub valid_absence_percent: f64,
    pub invalid_absence_percent: f64,
}

/// `GET /api/statistics/attendance`: a unit's attendance per group, pupil and month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceStatistics {
    pub unit: NamedRef,
    pub school_form: String,
    pub from: String,
    pub to: String,
    pub groups: Vec<GroupMonth>,
    pub rows: Vec<AggregatedAttendance>,
}

/// A share of offered minutes in per cent, one decimal.
pub fn percent(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn totals_per_subject_put_the_most_unexcused_absence_first() {
        let absent = MarkMinutes {
            attendance_minutes: 0,
            valid_absence_minutes: 0,
            invalid_absence_minutes: 40,
            other_activity_minutes: 0,
            reason: None,
        };
        let present = MarkMinutes {
            attendance_minutes: 40,
            invalid_absence_minutes: 0,
            ..absent.clone()
        };
        let subjects = by_subject([
            ("Engelska", 40, Some(&present)),
            ("Matematik", 40, Some(&absent)),
            ("Matematik", 40, Some(&present)),
            ("Bild", 60, None),
        ]);
        let names: Vec<&str> = subjects.iter().map(|s| s.subject.as_str()).collect();
        assert_eq!(names, ["Matematik", "Bild", "Engelska"]);
        assert_eq!(subjects[0].totals.lessons, 2);
        assert_eq!(subjects[0].totals.invalid_absence_percent, 50.0);
        assert_eq!(subjects[1].totals.unmarked_minutes, 60);
    }
    use super::*;

    fn mark(present: i32, valid: i32, invalid: i32) -> MarkInput {
        MarkInput {
            pupil_id: Uuid::nil(),
            attendance_minutes: present,
            valid_absence_minutes: valid,
            invalid_absence_minutes: invalid,
            other_activity_minutes: 0,
            reason: None,
            version: None,
        }
    }

    #[test]
    fn minutes_must_add_up_to_the_lesson_and_the_error_names_the_pupil() {
        assert!(mark(60, 0, 0).problems(0, 60).is_empty());
        assert!(mark(45, 0, 15).problems(0, 60).is_empty());
        let problems = mark(40, 0, 0).problems(3, 60);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "marks[3].attendance_minutes");
        assert_eq!(problems[0].code, "minutes_do_not_add_up");
        assert!(problems[0].message.contains(&Uuid::nil().to_string()));
    }

    #[test]
    fn negative_or_too_many_minutes_are_out_of_range() {
        let problems = mark(-5, 65, 0).problems(1, 60);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "marks[1].attendance_minutes",
                "marks[1].valid_absence_minutes"
            ]
        );
    }

    #[test]
    fn a_reason_needs_absence_except_for_late() {
        let mut present = mark(60, 0, 0);
        present.reason = Some("illness".to_owned());
        assert_eq!(present.problems(0, 60)[0].code, "reason_without_absence");
        present.reason = Some("late".to_owned());
        assert!(present.problems(0, 60).is_empty());
    }

    #[test]
    fn totals_give_shares_of_the_offered_minutes() {
        let mut totals = AttendanceTotals::default();
        let absent = MarkMinutes {
            attendance_minutes: 0,
            valid_absence_minutes: 0,
            invalid_absence_minutes: 60,
            other_activity_minutes: 0,
            reason: None,
        };
        totals.add(60, Some(&absent));
        totals.add(60, None);
        totals.add(80, None);
        assert_eq!(totals.offered_minutes, 200);
        assert_eq!(totals.unmarked_minutes, 140);
        assert_eq!(totals.invalid_absence_percent, 30.0);
    }
}

/// One pupil's school day in one group: the row the planning module receives (SS 12000
/// AggregatedAttendance for a single day: activity = the group, student, offered time,
/// attendance, valid and invalid absence, other activity), in minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanningRow {
    pub unit_id: Uuid,
    pub school_form: String,
    pub group_id: Uuid,
    /// The pupil's id; absent for a pupil with protected identity, whose minutes still count
    /// in the unit's and group's totals.
    pub student_id: Option<Uuid>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub lessons: i64,
    pub offered_minutes: i64,
    pub attendance_minutes: i64,
    pub valid_absence_minutes: i64,
    pub invalid_absence_minutes: i64,
    pub other_activity_minutes: i64,
    /// Offered minutes whose register has no mark for the pupil yet.
    pub unmarked_minutes: i64,
}

/// A unit's school day: the sum of its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanningUnit {
    pub unit_id: Uuid,
    pub school_form: String,
    pub pupils: i64,
    pub offered_minutes: i64,
    pub attendance_minutes: i64,
    pub valid_absence_minutes: i64,
    pub invalid_absence_minutes: i64,
    pub other_activity_minutes: i64,
    pub unmarked_minutes: i64,
}

/// What the daily planning export posts for one school day. A day is sent once; if marks of
/// the day change after it was sent, it is sent again whole with the next `revision` (the
/// receiver replaces the day). The `Idempotency-Key` header is `planning:{date}:{revision}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanningDay {
    pub date: NaiveDate,
    pub revision: i32,
    pub generated_at: DateTime<Utc>,
    pub units: Vec<PlanningUnit>,
    pub rows: Vec<PlanningRow>,
}

/// One of the municipality's rules for following up absence: when a pupil crosses it, the
/// mentor gets a follow-up task and the principal a message, once per crossing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceRule {
    /// `invalid_share`, `consecutive_days` or `same_subject`.
    pub code: String,
    pub name: crate::cases::Names,
    /// What `threshold` and `window_days` mean for this rule.
    pub description: crate::cases::Names,
    pub enabled: bool,
    /// Percent of lesson time (`invalid_share`), school days in a row (`consecutive_days`) or
    /// lessons of one subject (`same_subject`).
    pub threshold: i32,
    /// How many school days back the rule looks (not used by `consecutive_days`).
    pub window_days: i32,
}

/// `PUT /api/attendance/rules/{code}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceRuleInput {
    pub enabled: bool,
    pub threshold: i32,
    pub window_days: i32,
}

/// The bounds of a rule's threshold, by its code.
pub fn rule_threshold_bounds(code: &str) -> Option<(i32, i32)> {
    match code {
        "invalid_share" => Some((1, 100)),
        "consecutive_days" => Some((2, 30)),
        "same_subject" => Some((2, 50)),
        _ => None,
    }
}

/// The bounds of every rule's window, in school days.
pub const RULE_WINDOW_DAYS: (i32, i32) = (5, 100);

impl AttendanceRuleInput {
    /// One error per bad field, for the rule `code`.
    pub fn check(&self, code: &str) -> Result<(), Vec<FieldError>> {
        let mut problems = Vec::new();
        if let Some((low, high)) = rule_threshold_bounds(code)
            && !(low..=high).contains(&self.threshold)
        {
            problems.push(FieldError::new(
                "threshold",
                "out_of_range",
                format!("between {low} and {high}"),
            ));
        }
        let (low, high) = RULE_WINDOW_DAYS;
        if !(low..=high).contains(&self.window_days) {
            problems.push(FieldError::new(
                "window_days",
                "out_of_range",
                format!("between {low} and {high} school days"),
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}
