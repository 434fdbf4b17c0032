//! The daily planning export (use case 4, step 5): at 18:00 every day a scheduled step posts
//! the school day's attendance per unit, group and pupil, as JSON, to the planning module
//! (`SKOLFLYT_PLANNING_EXPORT_URL`). Nothing is lost: a day waits in `planning_exports` until
//! the receiver has acknowledged it, so a receiver that is down gets the missed days, oldest
//! first, on a retry or on the next day's run (and after the last retry the operators get an
//! exception follow-up). Nothing is sent twice: each day commits alone right after its answer,
//! and carries `Idempotency-Key: planning:{day}:{revision}` for the one repeat a crash between
//! the answer and the commit can cause. A day whose marks change after it was sent is sent
//! again whole as its next revision. The receiver gets no names, and no id of a pupil with
//! protected identity (their minutes count in the totals).

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use anyhow::Context;
use chrono::{Days, NaiveDate};
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};
use shared::attendance::{PlanningDay, PlanningRow, PlanningUnit};
use uuid::Uuid;

use crate::access;
use crate::clock;
use crate::config::PlanningExportConfig;
use crate::jobs::schedules::ScheduleSlot;
use crate::jobs::steps::{JobStep, SoloStep};
use crate::state::AppState;
use crate::store::Tx;
use crate::store::attendance::{self as store, DayAggregateRow};
use crate::store::schedules as schedule_store;

pub const KIND: &str = "attendance.planning_export";
/// How far back a change to a sent day's marks still sends the day again.
const RESEND_DAYS: u64 = 100;
/// How long the receiver has to answer one day.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Automated step: send the planning module every school day up to the slot's that it has
/// not acknowledged yet.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanningExport(pub ScheduleSlot);

impl JobStep for PlanningExport {
    const KIND: &'static str = KIND;

    fn key(&self) -> String {
        self.0.key()
    }
}

impl SoloStep for PlanningExport {
    async fn run(&self, state: &AppState) -> anyhow::Result<Tx> {
        let outcome = match &state.config.planning_export {
            None => "ok: no planning module configured (SKOLFLYT_PLANNING_EXPORT_URL)".to_owned(),
            Some(receiver) => {
                let day = self.0.slot.with_timezone(&Stockholm).date_naive();
                let sent = export_until(state, receiver, day).await?;
                format!("ok: {sent} day(s) sent to the planning module")
            }
        };
        let mut tx = state.db.begin().await?;
        schedule_store::record_outcome(&mut tx, &self.0.schedule, &outcome, clock::now()).await?;
        Ok(tx)
    }
}

/// Adds `day`, puts back the changed days, and sends every waiting day up to `day`, each
/// committed on its own; returns how many were sent. The first failure stops the run (the
/// days after it wait for the retry, in order).
async fn export_until(
    state: &AppState,
    receiver: &PlanningExportConfig,
    day: NaiveDate,
) -> anyhow::Result<usize> {
    let mut tx = state.db.begin().await?;
    store::add_planning_day(&mut tx, day, clock::now()).await?;
    let since = day.checked_sub_days(Days::new(RESEND_DAYS)).unwrap_or(day);
    store::reopen_changed_planning_days(&mut tx, since).await?;
    tx.commit().await?;

    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .context("the HTTP client")?;
    let mut sent = 0;
    for (day, revision) in store::unsent_planning_days(&state.db, day).await? {
        // Read before the figures: a change after this is sent again next time.
        let watermark = store::change_watermark(&state.db).await?;
        let rows = store::day_aggregates(&state.db, day).await?;
        let pupils: Vec<Uuid> = {
            let mut ids: Vec<Uuid> = rows.iter().map(|row| row.pupil_id).collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let body = planning_day(day, revision, &rows);
        if !body.rows.is_empty() {
            post(&client, receiver, &body).await?;
            access::log_disclosure(
                &state.db,
                "attendance.planning_export",
                &format!("day={day} revision={revision} to={}", receiver.url),
                &pupils,
            )
            .await?;
        }
        let mut tx = state.db.begin().await?;
        let row_count = i32::try_from(body.rows.len()).unwrap_or(i32::MAX);
        if store::planning_day_sent(&mut tx, day, revision, watermark, row_count, clock::now())
            .await?
        {
            sent += usize::from(!body.rows.is_empty());
        }
        tx.commit().await?;
    }
    Ok(sent)
}

async fn post(
    client: &reqwest::Client,
    receiver: &PlanningExportConfig,
    body: &PlanningDay,
) -> anyhow::Result<()> {
    let mut request = client
        .post(&receiver.url)
        .header(
            "Idempotency-Key",
            format!("planning:{}:{}", body.date, body.revision),
        )
        .json(body);
    if let Some(token) = &receiver.token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("the planning module at {} did not answer", receiver.url))?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        let excerpt: String = text.chars().take(200).collect();
        anyhow::bail!(
            "the planning module at {} answered {status} for {}: {excerpt}",
            receiver.url,
            body.date
        );
    }
    Ok(())
}

/// The day's rows without names or protected pupils' ids, and each unit's totals.
fn planning_day(day: NaiveDate, revision: i32, rows: &[DayAggregateRow]) -> PlanningDay {
    let mut units: BTreeMap<Uuid, (PlanningUnit, HashSet<Uuid>)> = BTreeMap::new();
    for row in rows {
        let (unit, pupils) = units.entry(row.unit_id).or_insert_with(|| {
            let unit = PlanningUnit {
                unit_id: row.unit_id,
                school_form: row.school_form.clone(),
                pupils: 0,
                offered_minutes: 0,
                attendance_minutes: 0,
                valid_absence_minutes: 0,
                invalid_absence_minutes: 0,
                other_activity_minutes: 0,
                unmarked_minutes: 0,
            };
            (unit, HashSet::new())
        });
        pupils.insert(row.pupil_id);
        unit.offered_minutes += row.offered_minutes;
        unit.attendance_minutes += row.attendance_minutes;
        unit.valid_absence_minutes += row.valid_absence_minutes;
        unit.invalid_absence_minutes += row.invalid_absence_minutes;
        unit.other_activity_minutes += row.other_activity_minutes;
        unit.unmarked_minutes += row.unmarked_minutes;
    }
    PlanningDay {
        date: day,
        revision,
        generated_at: clock::now(),
        units: units
            .into_values()
            .map(|(mut unit, pupils)| {
                unit.pupils = i64::try_from(pupils.len()).unwrap_or(i64::MAX);
                unit
            })
            .collect(),
        rows: rows
            .iter()
            .map(|row| PlanningRow {
                unit_id: row.unit_id,
                school_form: row.school_form.clone(),
                group_id: row.group_id,
                student_id: (!row.protected_identity).then_some(row.pupil_id),
                start_date: day,
                end_date: day,
                lessons: row.lessons,
                offered_minutes: row.offered_minutes,
                attendance_minutes: row.attendance_minutes,
                valid_absence_minutes: row.valid_absence_minutes,
                invalid_absence_minutes: row.invalid_absence_minutes,
                other_activity_minutes: row.other_activity_minutes,
                unmarked_minutes: row.unmarked_minutes,
            })
            .collect(),
    }
}
