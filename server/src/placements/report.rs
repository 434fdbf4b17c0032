//! One placement report: checked against the register, then the register's change, the case,
//! the report itself and the automated step that follows, in one transaction.
//!
//! How the register changes (effective dating: the placement as of a day answers the hours
//! in force that day):
//! - a start adds a placement from its date, running on;
//! - a change of scope from a later day than the start ends the placement the day before and
//!   adds its continuation with the new hours (`continues_id`); from the start day itself it
//!   sets the hours;
//! - an end sets the placement's last day.

use chrono::{Days, NaiveDate};
use shared::api::FieldError;
use shared::cases::CaseNumber;
use shared::placements::{CheckedReport, ReportCreated, ReportKind, ReportRequest, ReportedChild};
use uuid::Uuid;

use super::process::Notify;
use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::state::AppState;
use crate::store::Tx;
use crate::store::cases::{self as case_store, NewCase};
use crate::store::placements::{self as store, ChildRow, NewPlacement, NewReport, SpanRow};
use crate::store::register as register_store;
use shared::personal_number::age_on;

/// The oldest a child starting in after-school care may be (the spring term of year 6).
const CHILD_AGE_MAX: u32 = 13;

/// The case type every report opens.
pub const CASE_TYPE: &str = "placement_change";

/// Who the report is about, as the register answers.
enum Child {
    Known(ChildRow),
    New {
        row: ChildRow,
        personal_number: String,
        guardians: Vec<Uuid>,
        address: (String, String, String),
    },
}

impl Child {
    fn row(&self) -> &ChildRow {
        match self {
            Child::Known(row) | Child::New { row, .. } => row,
        }
    }
}

/// Makes the report, or answers why not: 404 for a unit that is not the caller's provider's,
/// 422 naming each bad field.
pub async fn make(
    state: &AppState,
    user: &CurrentUser,
    request: &ReportRequest,
) -> AppResult<ReportCreated> {
    let today = clock::today();
    let checked = request
        .check(today, state.config.placement_retroactive_days)
        .map_err(AppError::Validation)?;
    let unit = store::provider_unit(&state.db, user.person_id, today, checked.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = match unit.school_form.as_deref() {
        Some("forskola") => "preschool",
        Some("fritidshem") => "after_school",
        _ => {
            return Err(AppError::field(
                "unit_id",
                "not_a_placement_unit",
                "placements are reported for preschool and after-school units",
            ));
        }
    };
    let child = child(state, user, &checked).await?;
    if checked.kind == ReportKind::Start
        && age_on(child.row().birth_date, checked.date) > CHILD_AGE_MAX
    {
        return Err(AppError::field(
            "personal_number",
            "not_a_child",
            format!("preschool and after-school care are for children up to {CHILD_AGE_MAX}"),
        ));
    }
    if let Some(group) = checked.group_id
        && !store::group_of_unit(&state.db, group, unit.id, checked.date).await?
    {
        return Err(AppError::field(
            "group_id",
            "not_found",
            "not a group of the unit on this date",
        ));
    }

    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let child_id = child.row().id;
    if let Child::New {
        row,
        personal_number,
        guardians,
        address,
    } = &child
    {
        let person = store::NewPerson {
            id: row.id,
            personal_number,
            given_name: &row.given_name,
            family_name: &row.family_name,
            birth_date: row.birth_date,
            street: &address.0,
            postal_code: &address.1,
            city: &address.2,
        };
        store::add_child(&mut tx, &person, guardians, row.birth_date, now).await?;
    }
    // The child's placements are read under the child's row lock, so that two reports for one
    // child are checked one after the other.
    store::lock_child(&mut tx, child_id, now).await?;
    let spans = store::spans_in(&mut tx, child_id, kind).await?;
    let change = register_change(&checked, unit.id, &spans)?;
    let placement_id = apply(&mut tx, &checked, kind, child_id, &change, now).await?;

    let title = format!(
        "Placeringsanmälan: {}, {}",
        kind_sv(checked.kind),
        unit.name
    );
    let new_case = NewCase {
        case_type: CASE_TYPE,
        status: "new",
        title: &title,
        applicant: user.person_id,
        co_applicants: &[],
        subject: Some(child_id),
        actor: Some(user.person_id),
    };
    let (case_id, year, serial) = case_store::create(&mut tx, &new_case, now, today).await?;
    case_store::record_event(
        &mut tx,
        case_id,
        Some(user.person_id),
        "created",
        None,
        "status=new",
        now,
    )
    .await?;
    case_store::record_event(
        &mut tx,
        case_id,
        Some(user.person_id),
        "register",
        None,
        &format!("placement={placement_id} {}", checked.kind.as_str()),
        now,
    )
    .await?;
    crate::follow_ups::subscriptions::case_created(&mut tx, case_id).await?;
    let id = Uuid::new_v4();
    let report = NewReport {
        id,
        kind: checked.kind.as_str(),
        unit_id: unit.id,
        child_id,
        placement_id,
        case_id,
        date: checked.date,
        hours_per_week: checked.hours_per_week,
        reason: checked.reason.map(|r| r.as_str()),
        previous: change.previous(),
        reported_by: user.person_id,
    };
    store::add_report(&mut tx, &report, now).await?;
    jobs::enqueue(&mut tx, &Notify { case_id }).await?;
    tx.commit().await?;
    Ok(ReportCreated {
        id,
        case_id,
        case_number: CaseNumber {
            year: year as u16,
            serial: serial as u32,
        },
        placement_id,
    })
}

fn kind_sv(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Start => "start",
        ReportKind::ScopeChange => "ändrad omfattning",
        ReportKind::End => "avslut",
    }
}

/// The child named by id (one the reporter sees) or personal number (in the register, or new
/// with names and guardians for a start).
async fn child(state: &AppState, user: &CurrentUser, report: &CheckedReport) -> AppResult<Child> {
    let unknown = |field: &str| {
        AppError::field(
            field,
            "not_found",
            "no child with this identity is placed at the unit",
        )
    };
    let number = match &report.child {
        ReportedChild::Id(id) => {
            // An id is one the reporter sees: a child placed with their provider.
            if register_store::visible_pupil(&state.db, user.reader(), *id)
                .await?
                .is_none()
            {
                return Err(unknown("pupil_id"));
            }
            let row = store::person(&state.db, *id)
                .await?
                .ok_or_else(|| unknown("pupil_id"))?;
            return Ok(Child::Known(row));
        }
        ReportedChild::PersonalNumber(number) => number,
    };
    if let Some(row) = store::person_by_number(&state.db, &number.to_string()).await? {
        return Ok(Child::Known(row));
    }
    if report.kind != ReportKind::Start {
        return Err(unknown("personal_number"));
    }
    let new = report
        .new_child
        .clone()
        .unwrap_or_else(|| shared::placements::NewChild {
            given_name: String::new(),
            family_name: String::new(),
            guardians: Vec::new(),
        });
    let mut problems = Vec::new();
    for (field, value) in [
        ("given_name", &new.given_name),
        ("family_name", &new.family_name),
    ] {
        if value.is_empty() {
            problems.push(FieldError::new(
                field,
                "required",
                "a child new to the register needs their name",
            ));
        }
    }
    if new.guardians.is_empty() {
        problems.push(FieldError::new(
            "guardians",
            "required",
            "a child new to the register needs their guardians' personal numbers",
        ));
    }
    let numbers: Vec<String> = new.guardians.iter().map(|g| g.to_string()).collect();
    let found = store::persons_by_numbers(&state.db, &numbers).await?;
    for (i, number) in numbers.iter().enumerate() {
        if !found.iter().any(|g| &g.personal_number == number) {
            problems.push(FieldError::new(
                &format!("guardians[{i}]"),
                "not_found",
                "not in the population register",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let home = &found[0];
    Ok(Child::New {
        row: ChildRow {
            id: Uuid::new_v4(),
            given_name: new.given_name,
            family_name: new.family_name,
            birth_date: number.birth_date(),
            protected_identity: false,
        },
        personal_number: number.to_string(),
        guardians: found.iter().map(|g| g.id).collect(),
        address: (
            home.street.clone(),
            home.postal_code.clone(),
            home.city.clone(),
        ),
    })
}

/// What a report does to the child's placements.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Start,
    /// The placement's hours from its first day.
    SetHours {
        placement: Uuid,
        previous: f64,
    },
    /// End `placement` the day before and continue it with the new hours.
    Continue {
        placement: SpanRow,
    },
    End {
        placement: Uuid,
        previous: Option<NaiveDate>,
    },
}

impl Change {
    fn previous(&self) -> Option<String> {
        match self {
            Change::Start => None,
            Change::SetHours { previous, .. } => Some(previous.to_string()),
            Change::Continue { placement } => Some(placement.hours_per_week.to_string()),
            Change::End { previous, .. } => previous.map(|d| d.to_string()),
        }
    }
}

/// The change the report makes, or why it cannot: `spans` are the child's placements in the
/// form, in date order.
pub fn register_change(
    report: &CheckedReport,
    unit: Uuid,
    spans: &[SpanRow],
) -> Result<Change, AppError> {
    let date = report.date;
    let runs_on =
        |span: &&SpanRow| span.start_date <= date && span.end_date.is_none_or(|e| e >= date);
    let refuse = |field: &str, code: &str, message: String| AppError::field(field, code, message);
    match report.kind {
        ReportKind::Start => {
            // The new placement runs on from its date: anything not ended before overlaps.
            if let Some(span) = spans.iter().find(|s| s.end_date.is_none_or(|e| e >= date)) {
                let message = if span.unit_id == unit {
                    format!(
                        "the child already has a place at this unit from {}",
                        span.start_date
                    )
                } else {
                    "the child has a place at another unit of this school form on or after \
                     this date: its end must be reported first"
                        .to_owned()
                };
                return Err(refuse("date", "overlap", message));
            }
            Ok(Change::Start)
        }
        ReportKind::ScopeChange => {
            let span = spans
                .iter()
                .filter(|s| s.unit_id == unit)
                .find(runs_on)
                .ok_or_else(|| no_place(date))?;
            let hours = report.hours_per_week.expect("checked");
            if (span.hours_per_week - hours).abs() < f64::EPSILON {
                return Err(refuse(
                    "hours_per_week",
                    "unchanged",
                    format!("the place already has {hours} hours a week on {date}"),
                ));
            }
            if span.start_date == date {
                Ok(Change::SetHours {
                    placement: span.id,
                    previous: span.hours_per_week,
                })
            } else {
                Ok(Change::Continue {
                    placement: span.clone(),
                })
            }
        }
        ReportKind::End => {
            let span = spans
                .iter()
                .filter(|s| s.unit_id == unit)
                .find(runs_on)
                .ok_or_else(|| no_place(date))?;
            if span.end_date == Some(date) {
                return Err(refuse(
                    "date",
                    "unchanged",
                    format!("the place already ends on {date}"),
                ));
            }
            if let Some(later) = spans
                .iter()
                .find(|s| s.unit_id == unit && s.start_date > date)
            {
                return Err(refuse(
                    "date",
                    "later_change",
                    format!(
                        "a change of the place from {} is already reported: the end must \
                         come after it",
                        later.start_date
                    ),
                ));
            }
            Ok(Change::End {
                placement: span.id,
                previous: span.end_date,
            })
        }
    }
}

fn no_place(date: NaiveDate) -> AppError {
    AppError::field(
        "date",
        "no_placement",
        format!("the child has no place at this unit on {date}"),
    )
}

/// Writes the change; returns the placement the report is about.
async fn apply(
    tx: &mut Tx,
    report: &CheckedReport,
    kind: &str,
    child: Uuid,
    change: &Change,
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<Uuid> {
    match change {
        Change::Start => {
            let id = Uuid::new_v4();
            let placement = NewPlacement {
                id,
                child_id: child,
                unit_id: report.unit_id,
                group_id: report.group_id,
                kind,
                start_date: report.date,
                end_date: None,
                hours_per_week: report.hours_per_week.expect("checked"),
                reason: report.reason.map(|r| r.as_str()),
                continues: None,
            };
            store::add_placement(tx, &placement, now).await?;
            Ok(id)
        }
        Change::SetHours { placement, .. } => {
            store::set_hours(tx, *placement, report.hours_per_week.expect("checked"), now).await?;
            Ok(*placement)
        }
        Change::Continue { placement: old } => {
            let day_before = report.date - Days::new(1);
            store::set_end(tx, old.id, day_before, now).await?;
            let id = Uuid::new_v4();
            let reason = report
                .reason
                .map(|r| r.as_str().to_owned())
                .or(old.reason.clone());
            let placement = NewPlacement {
                id,
                child_id: child,
                unit_id: report.unit_id,
                group_id: report.group_id.or(old.group_id),
                kind,
                start_date: report.date,
                end_date: old.end_date,
                hours_per_week: report.hours_per_week.expect("checked"),
                reason: reason.as_deref(),
                continues: Some(old.id),
            };
            store::add_placement(tx, &placement, now).await?;
            Ok(id)
        }
        Change::End { placement, .. } => {
            store::set_end(tx, *placement, report.date, now).await?;
            Ok(*placement)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::placements::ReportedChild;

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    fn span(unit: Uuid, start: &str, end: Option<&str>, hours: f64) -> SpanRow {
        SpanRow {
            id: Uuid::new_v4(),
            unit_id: unit,
            group_id: None,
            start_date: day(start),
            end_date: end.map(day),
            hours_per_week: hours,
            reason: None,
        }
    }

    fn report(kind: ReportKind, unit: Uuid, date: &str, hours: Option<f64>) -> CheckedReport {
        CheckedReport {
            kind,
            unit_id: unit,
            child: ReportedChild::Id(Uuid::nil()),
            new_child: None,
            group_id: None,
            date: day(date),
            hours_per_week: hours,
            reason: None,
        }
    }

    fn code(result: Result<Change, AppError>) -> String {
        match result {
            Err(AppError::Validation(errors)) => format!("{}:{}", errors[0].field, errors[0].code),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_start_may_not_overlap_a_place_in_the_same_form() {
        let (here, there) = (Uuid::new_v4(), Uuid::new_v4());
        let ended = [span(there, "2025-08-15", Some("2026-11-30"), 30.0)];
        let start = report(ReportKind::Start, here, "2026-12-01", Some(30.0));
        assert_eq!(
            register_change(&start, here, &ended).unwrap(),
            Change::Start
        );
        let early = report(ReportKind::Start, here, "2026-11-30", Some(30.0));
        assert_eq!(code(register_change(&early, here, &ended)), "date:overlap");
        let later = [span(there, "2027-01-10", None, 30.0)];
        assert_eq!(code(register_change(&start, here, &later)), "date:overlap");
    }

    #[test]
    fn a_change_of_scope_continues_the_place_or_sets_its_first_day() {
        let unit = Uuid::new_v4();
        let spans = [span(unit, "2026-08-15", None, 30.0)];
        let change = report(ReportKind::ScopeChange, unit, "2026-12-01", Some(20.0));
        assert!(matches!(
            register_change(&change, unit, &spans).unwrap(),
            Change::Continue { .. }
        ));
        let first_day = report(ReportKind::ScopeChange, unit, "2026-08-15", Some(20.0));
        assert!(matches!(
            register_change(&first_day, unit, &spans).unwrap(),
            Change::SetHours { previous, .. } if previous == 30.0
        ));
        let same = report(ReportKind::ScopeChange, unit, "2026-12-01", Some(30.0));
        assert_eq!(
            code(register_change(&same, unit, &spans)),
            "hours_per_week:unchanged"
        );
        let before = report(ReportKind::ScopeChange, unit, "2026-08-14", Some(20.0));
        assert_eq!(
            code(register_change(&before, unit, &spans)),
            "date:no_placement"
        );
    }

    #[test]
    fn an_end_comes_after_the_start_and_after_later_changes() {
        let unit = Uuid::new_v4();
        let spans = [
            span(unit, "2026-08-15", Some("2026-12-31"), 30.0),
            span(unit, "2027-01-01", None, 20.0),
        ];
        let end = report(ReportKind::End, unit, "2026-12-20", None);
        assert_eq!(
            code(register_change(&end, unit, &spans)),
            "date:later_change"
        );
        let after = report(ReportKind::End, unit, "2027-02-28", None);
        assert!(matches!(
            register_change(&after, unit, &spans).unwrap(),
            Change::End { previous: None, .. }
        ));
        let before = report(ReportKind::End, unit, "2026-08-14", None);
        assert_eq!(
            code(register_change(&before, unit, &spans)),
            "date:no_placement"
        );
        let elsewhere = report(ReportKind::End, Uuid::new_v4(), "2027-02-28", None);
        assert_eq!(
            code(register_change(&elsewhere, elsewhere.unit_id, &spans)),
            "date:no_placement"
        );
    }
}
