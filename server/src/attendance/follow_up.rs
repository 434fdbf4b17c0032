//! Follow-up of absence (use case 4): the municipality's rules — invalid absence above X % of
//! the lesson time of the last N school days, absent from every lesson on N school days in a
//! row, invalid absence from N lessons of one subject — set by an administrator. Every register
//! save queues a check of its pupils; a pupil who crosses a rule gets an alert, their mentor a
//! follow-up task and the principal a message, once per crossing: while the alert is open the
//! rule stays quiet, and it is cleared when the pupil is below the threshold again.

use std::collections::BTreeMap;

use axum::extract::State;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use shared::attendance::{AttendanceRule, AttendanceRuleInput};
use shared::cases::Names;
use shared::follow_ups::FollowUpKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::access;
use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path};
use crate::jobs::steps::{self as jobs, JobStep, SoloStep};
use crate::state::AppState;
use crate::store::attendance::{self as store, NewAlert, RuleMarkRow, RuleRow};
use crate::store::follow_ups as follow_up_store;
use crate::store::messages::NewMessage;
use crate::store::register as register_store;
use crate::store::{Db, Tx};

pub const KIND: &str = "attendance.follow_up";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rules))
        .routes(routes!(set_rule))
}

/// The rules' names and what their numbers mean, in both languages.
fn texts(code: &str) -> (Names, Names) {
    match code {
        "invalid_share" => (
            Names::new("Hög ogiltig frånvaro", "High unexcused absence"),
            Names::new(
                "Ogiltig frånvaro över gränsen (procent av lektionstiden) under de senaste \
                 skoldagarna i perioden.",
                "Unexcused absence above the limit (percent of lesson time) over the last school \
                 days of the period.",
            ),
        ),
        "consecutive_days" => (
            Names::new(
                "Frånvarande flera dagar i rad",
                "Absent several days in a row",
            ),
            Names::new(
                "Frånvarande från alla lektioner så många skoldagar i rad.",
                "Absent from every lesson on this many school days in a row.",
            ),
        ),
        _ => (
            Names::new(
                "Upprepad frånvaro i ett ämne",
                "Repeated absence from one subject",
            ),
            Names::new(
                "Ogiltig frånvaro från så många lektioner i samma ämne under perioden.",
                "Unexcused absence from this many lessons of one subject within the period.",
            ),
        ),
    }
}

fn rule(row: RuleRow) -> AttendanceRule {
    let (name, description) = texts(&row.code);
    AttendanceRule {
        code: row.code,
        name,
        description,
        enabled: row.enabled,
        threshold: row.threshold,
        window_days: row.window_days,
    }
}

/// The follow-up rules (administrators).
#[utoipa::path(get, path = "/attendance/rules", tag = "attendance",
    responses((status = 200, body = Vec<AttendanceRule>), (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, body = shared::api::ErrorEnvelope)))]
async fn list_rules(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<AttendanceRule>>> {
    access::require_admin(&state, &user).await?;
    let rules = store::rules(&state.db).await?;
    Ok(Json(rules.into_iter().map(rule).collect()))
}

/// Sets one rule (administrators): on or off, its threshold and its window of school days.
#[utoipa::path(put, path = "/attendance/rules/{code}", tag = "attendance",
    request_body = AttendanceRuleInput,
    params(("code" = String, Path, description = "invalid_share, consecutive_days or same_subject")),
    responses((status = 200, body = AttendanceRule), (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, body = shared::api::ErrorEnvelope), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn set_rule(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(input): Json<AttendanceRuleInput>,
) -> AppResult<Json<AttendanceRule>> {
    access::require_admin(&state, &user).await?;
    if shared::attendance::rule_threshold_bounds(&code).is_none() {
        return Err(AppError::NotFound);
    }
    input.check(&code).map_err(AppError::Validation)?;
    let row = RuleRow {
        code,
        enabled: input.enabled,
        threshold: input.threshold,
        window_days: input.window_days,
    };
    if !store::set_rule(&state.db, &row, user.person_id, clock::now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Json(rule(row)))
}

/// Automated step: check the follow-up rules for the pupils of a saved register.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AbsenceFollowUp {
    pub pupils: Vec<Uuid>,
    /// The register save that queued it.
    pub lesson_id: Uuid,
    pub queued_at: i64,
}

impl JobStep for AbsenceFollowUp {
    const KIND: &'static str = KIND;

    fn key(&self) -> String {
        format!("{KIND}:{}:{}", self.lesson_id, self.queued_at)
    }
}

impl SoloStep for AbsenceFollowUp {
    async fn run(&self, state: &AppState) -> anyhow::Result<Tx> {
        let rules: Vec<RuleRow> = store::rules(&state.db)
            .await?
            .into_iter()
            .filter(|rule| rule.enabled)
            .collect();
        let today = clock::today();
        // Everything is read first; the one transaction then only writes.
        let mut changes = Vec::new();
        for pupil in &self.pupils {
            for change in changes_for(&state.db, &rules, *pupil, today).await? {
                let people = match &change {
                    Change::Raise { pupil, .. } => {
                        Some(People::of(&state.db, *pupil, today).await?)
                    }
                    Change::Clear { .. } => None,
                };
                changes.push((change, people));
            }
        }
        let mut tx = state.db.begin().await?;
        for (change, people) in changes {
            apply(state, &mut tx, change, people, today).await?;
        }
        Ok(tx)
    }
}

/// After a register is saved: one check of its pupils.
pub async fn queue(tx: &mut Tx, lesson_id: Uuid, pupils: &[Uuid]) -> sqlx::Result<()> {
    if pupils.is_empty() {
        return Ok(());
    }
    let step = AbsenceFollowUp {
        pupils: pupils.to_vec(),
        lesson_id,
        queued_at: clock::now().timestamp_micros(),
    };
    jobs::enqueue(tx, &step).await
}

/// A crossing a rule sees for a pupil (with its value), or an alert to clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Raise {
        pupil: Uuid,
        rule: String,
        subject_code: String,
        subject: String,
        value: i32,
        threshold: i32,
    },
    Clear {
        alert: Uuid,
    },
}

/// What the rules see in the pupil's recent school days, against their open alerts.
async fn changes_for(
    db: &Db,
    rules: &[RuleRow],
    pupil: Uuid,
    today: NaiveDate,
) -> anyhow::Result<Vec<Change>> {
    let Some(longest) = rules
        .iter()
        .map(|rule| rule.window_days.max(rule.threshold))
        .max()
    else {
        return Ok(Vec::new());
    };
    // Enough calendar days back to hold the longest window of school days, breaks included.
    let back = u64::try_from(longest).unwrap_or(0) * 2 + 21;
    let days = store::school_days_in(db, today - Days::new(back), today).await?;
    let marks = store::rule_marks(db, pupil, days.first().copied().unwrap_or(today), today).await?;
    let open = store::open_alerts(db, pupil).await?;
    let mut seen: Vec<(String, String, String, i32, i32)> = Vec::new();
    for rule in rules {
        seen.extend(crossings(rule, &days, &marks, today).into_iter().map(
            |(subject_code, subject, value)| {
                (
                    rule.code.clone(),
                    subject_code,
                    subject,
                    value,
                    rule.threshold,
                )
            },
        ));
    }
    let mut changes = Vec::new();
    for (code, subject_code, subject, value, threshold) in &seen {
        if !open.iter().any(|(_, c, s)| c == code && s == subject_code) {
            changes.push(Change::Raise {
                pupil,
                rule: code.clone(),
                subject_code: subject_code.clone(),
                subject: subject.clone(),
                value: *value,
                threshold: *threshold,
            });
        }
    }
    for (id, code, subject_code) in open {
        // A disabled rule's alerts stay as they are; an enabled one's clear below its line.
        let enabled = rules.iter().any(|rule| rule.code == code);
        if enabled
            && !seen
                .iter()
                .any(|(c, s, ..)| *c == code && *s == subject_code)
        {
            changes.push(Change::Clear { alert: id });
        }
    }
    Ok(changes)
}

/// The crossings of one rule in the pupil's marks: (subject code, subject, value); the
/// subject is empty but for `same_subject`. `days` are the school days up to today, oldest
/// first.
pub fn crossings(
    rule: &RuleRow,
    days: &[NaiveDate],
    marks: &[RuleMarkRow],
    today: NaiveDate,
) -> Vec<(String, String, i32)> {
    let window = usize::try_from(rule.window_days).unwrap_or(0);
    let recent = &days[days.len().saturating_sub(window)..];
    let in_window = |mark: &&RuleMarkRow| recent.first().is_some_and(|first| mark.date >= *first);
    match rule.code.as_str() {
        "invalid_share" => {
            let (invalid, total) =
                marks
                    .iter()
                    .filter(in_window)
                    .fold((0i64, 0i64), |(i, t), m| {
                        let minutes = m.attendance_minutes
                            + m.valid_absence_minutes
                            + m.invalid_absence_minutes
                            + m.other_activity_minutes;
                        (
                            i + i64::from(m.invalid_absence_minutes),
                            t + i64::from(minutes),
                        )
                    });
            if total == 0 {
                return Vec::new();
            }
            let share = invalid * 100 / total;
            // Above the limit, as the rule says.
            if share > i64::from(rule.threshold) {
                vec![(String::new(), String::new(), share as i32)]
            } else {
                Vec::new()
            }
        }
        "consecutive_days" => {
            // Counted back over the finished school days (today may still be going on): a day
            // counts when it has marks and the pupil attended none of its lessons; a day
            // without marks (no register taken) neither counts nor ends the run.
            let mut by_day: BTreeMap<NaiveDate, (i32, i32)> = BTreeMap::new();
            for mark in marks {
                let entry = by_day.entry(mark.date).or_default();
                entry.0 += 1;
                entry.1 += mark.attendance_minutes + mark.other_activity_minutes;
            }
            let mut run = 0;
            for day in days.iter().rev().filter(|day| **day < today) {
                match by_day.get(day) {
                    None => continue,
                    Some((lessons, present)) if *lessons > 0 && *present == 0 => run += 1,
                    Some(_) => break,
                }
            }
            if run >= rule.threshold {
                vec![(String::new(), String::new(), run)]
            } else {
                Vec::new()
            }
        }
        "same_subject" => {
            let mut by_subject: BTreeMap<&str, (&str, i32)> = BTreeMap::new();
            for mark in marks.iter().filter(in_window) {
                if mark.invalid_absence_minutes > 0 {
                    let entry = by_subject
                        .entry(mark.subject_code.as_str())
                        .or_insert((mark.subject.as_str(), 0));
                    entry.1 += 1;
                }
            }
            by_subject
                .into_iter()
                .filter(|(_, (_, count))| *count >= rule.threshold)
                .map(|(code, (name, count))| (code.to_owned(), name.to_owned(), count))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The pupil's name and who hears of a crossing, read before the step's transaction.
struct People {
    /// The pupil's name, or for a protected pupil words that name nobody: the message and
    /// its e-mail copy leave the register.
    name: String,
    name_en: String,
    mentors: Vec<register_store::PersonNameRow>,
    principals: Vec<register_store::PersonNameRow>,
}

impl People {
    async fn of(db: &Db, pupil: Uuid, today: NaiveDate) -> sqlx::Result<People> {
        let person = register_store::person_basic(db, pupil)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        let full = format!("{} {}", person.given_name, person.family_name);
        let protected = person.protected_identity;
        Ok(People {
            name: if protected {
                "en elev med skyddad identitet (se närvaron i klassen)".to_owned()
            } else {
                full.clone()
            },
            name_en: if protected {
                "a pupil with protected identity (see the class's attendance)".to_owned()
            } else {
                full
            },
            mentors: register_store::mentors_of(db, today, pupil).await?,
            principals: register_store::principals_of(db, today, pupil).await?,
        })
    }
}

/// Raises an alert with the mentor's task and the principal's message, or clears one.
async fn apply(
    state: &AppState,
    tx: &mut Tx,
    change: Change,
    people: Option<People>,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let (pupil, rule, subject_code, subject, value, threshold) = match change {
        Change::Clear { alert } => {
            store::clear_alert(tx, alert, today).await?;
            return Ok(());
        }
        Change::Raise {
            pupil,
            rule,
            subject_code,
            subject,
            value,
            threshold,
        } => (pupil, rule, subject_code, subject, value, threshold),
    };
    let People {
        name,
        name_en,
        mentors,
        principals,
    } = people.ok_or_else(|| anyhow::anyhow!("no people read for {pupil}"))?;
    let (what_sv, what_en) = match rule.as_str() {
        "invalid_share" => (
            format!("{value} % ogiltig frånvaro (gränsen är {threshold} %)"),
            format!("{value} % unexcused absence (the limit is {threshold} %)"),
        ),
        "consecutive_days" => (
            format!("frånvarande {value} skoldagar i rad"),
            format!("absent {value} school days in a row"),
        ),
        _ => (
            format!("ogiltig frånvaro från {value} lektioner i {subject}"),
            format!("unexcused absence from {value} lessons of {subject}"),
        ),
    };
    let title = format!("Följ upp frånvaron: {name}");
    let details = format!(
        "{name}: {what_sv}. Prata med eleven och vårdnadshavarna, och se elevens närvaro. \
         Uppgiften skapades av regeln för uppföljning av frånvaro."
    );
    // The mentor follows up; without a mentor, the principal does.
    let owner = mentors
        .first()
        .or(principals.first())
        .map(|person| person.id);
    let follow_up = match owner {
        Some(owner) => Some(
            follow_up_store::create(
                tx,
                &follow_up_store::NewFollowUp {
                    kind: FollowUpKind::Task.as_str(),
                    title: &title,
                    details: &details,
                    due_date: Some(today + Days::new(7)),
                    owner: Some(owner),
                    assignee_person: Some(owner),
                    assignee_team: None,
                    case_id: None,
                    job_id: None,
                },
                None,
                clock::now(),
            )
            .await?,
        ),
        None => None,
    };
    let raised = store::raise_alert(
        tx,
        &NewAlert {
            pupil_id: pupil,
            rule_code: &rule,
            subject_code: &subject_code,
            value,
            raised_on: today,
            follow_up_id: follow_up,
        },
        clock::now(),
    )
    .await?;
    if !raised {
        anyhow::bail!("the alert for {pupil} and {rule} was raised by another run");
    }
    let subject_line = (
        format!("Frånvaro att följa upp: {name}"),
        format!("Absence to follow up: {name_en}"),
    );
    let mentor = mentors
        .first()
        .map(|m| format!("{} {}", m.given_name, m.family_name));
    let body = (
        format!(
            "{name}: {what_sv}. {}",
            match &mentor {
                Some(mentor) => format!("Mentorn {mentor} har fått en uppgift att följa upp."),
                None => "Eleven har ingen mentor i registret: uppgiften är din.".to_owned(),
            }
        ),
        format!(
            "{name_en}: {what_en}. {}",
            match &mentor {
                Some(mentor) => format!("The mentor {mentor} has been given a task to follow up."),
                None => "The pupil has no mentor in the register: the task is yours.".to_owned(),
            }
        ),
    );
    for principal in &principals {
        let message = NewMessage {
            person_id: principal.id,
            case_id: None,
            subject: (&subject_line.0, &subject_line.1),
            body: (&body.0, &body.1),
        };
        crate::messages::deliver(tx, state, &message).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn mark(d: u32, subject: &str, present: i32, invalid: i32) -> RuleMarkRow {
        RuleMarkRow {
            date: day(d),
            subject_code: subject.to_owned(),
            subject: subject.to_uppercase(),
            attendance_minutes: present,
            valid_absence_minutes: 0,
            invalid_absence_minutes: invalid,
            other_activity_minutes: 0,
        }
    }

    fn rule(code: &str, threshold: i32, window_days: i32) -> RuleRow {
        RuleRow {
            code: code.to_owned(),
            enabled: true,
            threshold,
            window_days,
        }
    }

    const DAYS: [u32; 5] = [23, 24, 25, 26, 27];

    /// As on the day after the last of [`DAYS`]: every day is finished.
    fn crossings_on(
        rule: &RuleRow,
        days: &[NaiveDate],
        marks: &[RuleMarkRow],
    ) -> Vec<(String, String, i32)> {
        crossings(rule, days, marks, day(28))
    }

    #[test]
    fn the_share_counts_only_the_window() {
        let days: Vec<_> = DAYS.iter().map(|d| day(*d)).collect();
        // 60 minutes invalid out of 4 × 60 in the last two days: 25 %.
        let marks = [
            mark(23, "ma", 0, 60),
            mark(26, "ma", 60, 0),
            mark(26, "sv", 0, 60),
            mark(27, "ma", 60, 0),
            mark(27, "en", 60, 0),
        ];
        assert_eq!(
            crossings_on(&rule("invalid_share", 24, 2), &days, &marks),
            [(String::new(), String::new(), 25)]
        );
        // Above the limit, not at it.
        assert!(crossings_on(&rule("invalid_share", 25, 2), &days, &marks).is_empty());
        assert!(crossings_on(&rule("invalid_share", 10, 2), &days, &[]).is_empty());
    }

    #[test]
    fn days_in_a_row_count_back_from_the_latest_marked_day() {
        let days: Vec<_> = DAYS.iter().map(|d| day(*d)).collect();
        let marks = [
            mark(23, "ma", 60, 0),
            mark(24, "ma", 0, 60),
            mark(25, "ma", 0, 60),
            mark(25, "sv", 0, 60),
            mark(26, "ma", 0, 60),
        ];
        // 24, 25, 26 absent; 27 not marked yet.
        assert_eq!(
            crossings_on(&rule("consecutive_days", 3, 20), &days, &marks),
            [(String::new(), String::new(), 3)]
        );
        assert!(crossings_on(&rule("consecutive_days", 4, 20), &days, &marks).is_empty());
        // Present at one lesson of a day breaks the run.
        let broken = [
            mark(25, "ma", 60, 0),
            mark(25, "sv", 0, 60),
            mark(26, "ma", 0, 60),
        ];
        assert!(crossings_on(&rule("consecutive_days", 2, 20), &days, &broken).is_empty());
        // A day without a register in between neither counts nor breaks it.
        let gap = [mark(24, "ma", 0, 60), mark(26, "ma", 0, 60)];
        assert_eq!(
            crossings_on(&rule("consecutive_days", 2, 20), &days, &gap),
            [(String::new(), String::new(), 2)]
        );
        // Today is not over: its absence does not count yet.
        assert!(crossings(&rule("consecutive_days", 3, 20), &days, &marks, day(26)).is_empty());
    }

    #[test]
    fn a_subject_missed_repeatedly_is_named() {
        let days: Vec<_> = DAYS.iter().map(|d| day(*d)).collect();
        let marks = [
            mark(23, "ma", 0, 60),
            mark(24, "ma", 50, 10),
            mark(25, "ma", 0, 60),
            mark(25, "sv", 0, 60),
            mark(26, "sv", 60, 0),
        ];
        assert_eq!(
            crossings_on(&rule("same_subject", 3, 20), &days, &marks),
            [("ma".to_owned(), "MA".to_owned(), 3)]
        );
        assert!(crossings_on(&rule("same_subject", 3, 2), &days, &marks).is_empty());
    }
}
