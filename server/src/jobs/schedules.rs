//! The scheduler: cron expressions evaluated in Europe/Stockholm (DST-safe through `croner`
//! and `chrono-tz`), stored in the database. Every runner looks for due schedules; the first
//! to move a schedule's `next_run_at` on owns that slot and enqueues its job, keyed by the
//! slot, so each slot runs exactly once however many instances there are.
//!
//! One schedule is housekeeping: `job_cleanup` deletes done jobs older than
//! `SKOLFLYT_JOB_RETENTION_DAYS`, keeping their idempotency keys.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use croner::Cron;
use std::str::FromStr;

use crate::clock;
use crate::jobs::steps::{self, BatchStep, JobStep, JobSteps, SoloStep};
use crate::state::AppState;
use crate::store::jobs as job_store;
use crate::store::schedules::{self as store, NewSchedule};
use crate::store::{Db, Tx};
use serde::{Deserialize, Serialize};

/// The job kind of the nightly cleanup. Not a `schedule.` kind: those share their batch's
/// transaction, while the cleanup commits batch by batch (see [`clean_up_jobs`]).
pub const JOB_CLEANUP: &str = "jobs.cleanup";
/// Done jobs deleted per transaction by the cleanup.
const CLEANUP_BATCH: u32 = 1_000;

/// What the seeds name, with handlers that do nothing until their features exist.
pub struct ScheduleSeed {
    pub code: &'static str,
    pub description: (&'static str, &'static str),
    pub cron: &'static str,
    pub job_kind: &'static str,
}

pub const TIME_ZONE: &str = "Europe/Stockholm";

pub const SEEDS: &[ScheduleSeed] = &[
    ScheduleSeed {
        code: "users_units_sync",
        description: (
            "Nattlig synk av användare och organisationsenheter (gör inget ännu: integrationen byggs senare)",
            "Nightly sync of users and organisation units (no-op until the integration is built)",
        ),
        cron: "0 2 * * *",
        job_kind: "schedule.users_units_sync",
    },
    ScheduleSeed {
        code: "case_status_sync",
        description: (
            "Synk av ärendestatus till källsystemen var tionde minut (gör inget ännu: inga källsystem är anslutna)",
            "Case-status sync to source systems every 10 minutes (no-op until a source system is connected)",
        ),
        cron: "*/10 * * * *",
        job_kind: "schedule.case_status_sync",
    },
    ScheduleSeed {
        code: "results_full_import",
        description: (
            "Veckovis full import av externa resultat (gör inget ännu: resultatutbytet byggs senare)",
            "Weekly full import of external results (no-op until result exchange is built)",
        ),
        cron: "0 3 * * 0",
        job_kind: "schedule.results_full_import",
    },
    ScheduleSeed {
        code: "results_delta_import",
        description: (
            "Nattlig deltaimport av externa resultat (gör inget ännu: resultatutbytet byggs senare)",
            "Nightly delta import of external results (no-op until result exchange is built)",
        ),
        cron: "30 1 * * *",
        job_kind: "schedule.results_delta_import",
    },
    ScheduleSeed {
        code: "attendance_planning_export",
        description: (
            "Dagens närvaro per enhet, grupp och elev till planeringssystemet kl. 18 (SKOLFLYT_PLANNING_EXPORT_URL; missade dagar skickas i tur och ordning)",
            "The day's attendance per unit, group and pupil to the planning module at 18:00 (SKOLFLYT_PLANNING_EXPORT_URL; missed days are sent in order)",
        ),
        cron: "0 18 * * *",
        job_kind: crate::attendance::planning::KIND,
    },
    ScheduleSeed {
        code: "job_cleanup",
        description: (
            "Nattlig rensning av klara jobb äldre än lagringstiden (nycklarna sparas; misslyckade jobb och jobb med undantag ligger kvar)",
            "Nightly deletion of done jobs older than the retention time (their keys are kept; failed jobs and jobs with an exception stay)",
        ),
        cron: "15 3 * * *",
        job_kind: JOB_CLEANUP,
    },
];

/// The first slot of `cron` in `time_zone` strictly after `after`.
pub fn next_slot(
    cron: &str,
    time_zone: &str,
    after: DateTime<Utc>,
) -> anyhow::Result<DateTime<Utc>> {
    let cron = Cron::from_str(cron).map_err(|e| anyhow::anyhow!("cron {cron:?}: {e}"))?;
    let zone: Tz = time_zone
        .parse()
        .map_err(|e| anyhow::anyhow!("time zone {time_zone:?}: {e}"))?;
    let next = cron
        .find_next_occurrence(&after.with_timezone(&zone), false)
        .map_err(|e| anyhow::anyhow!("no next slot: {e}"))?;
    Ok(next.with_timezone(&Utc))
}

pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let now = clock::now();
    for seed in SEEDS {
        let schedule = NewSchedule {
            code: seed.code,
            description: seed.description,
            cron: seed.cron,
            time_zone: TIME_ZONE,
            job_kind: seed.job_kind,
            next_run_at: next_slot(seed.cron, TIME_ZONE, now)?,
        };
        store::seed(db, &schedule, now).await?;
    }
    Ok(())
}

/// Enqueues a job for every due slot this instance wins. A schedule that was down for several
/// slots runs once for the latest, not once per missed slot.
pub async fn enqueue_due(db: &Db) -> anyhow::Result<usize> {
    let now = clock::now();
    let mut enqueued = 0;
    for schedule in store::due(db, now).await? {
        let next = next_slot(&schedule.cron, &schedule.time_zone, now)?;
        let slot = schedule.next_run_at;
        let mut tx = db.begin().await?;
        if store::claim_slot(&mut tx, &schedule.code, slot, next, now).await? {
            let run = ScheduleSlot {
                schedule: schedule.code.clone(),
                slot,
            };
            let key = run.key();
            steps::enqueue_kind(&mut tx, &schedule.job_kind, &run, key, steps::MAX_ATTEMPTS)
                .await?;
            enqueued += 1;
        }
        tx.commit().await?;
    }
    Ok(enqueued)
}

/// The payload of a scheduled step: which schedule, and the slot it runs for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScheduleSlot {
    pub schedule: String,
    pub slot: DateTime<Utc>,
}

impl ScheduleSlot {
    pub fn key(&self) -> String {
        format!("schedule:{}:{}", self.schedule, self.slot.to_rfc3339())
    }
}

/// The step of a schedule whose integration is not built yet: it records that it ran and had
/// nothing to do. Registered under each such schedule's `job_kind` (see [`register`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NotBuiltYet(pub ScheduleSlot);

impl JobStep for NotBuiltYet {
    const KIND: &'static str = "schedule.not_built_yet";

    fn key(&self) -> String {
        self.0.key()
    }
}

impl BatchStep for NotBuiltYet {
    async fn run(&self, _state: &AppState, tx: &mut Tx) -> anyhow::Result<()> {
        store::record_outcome(
            tx,
            &self.0.schedule,
            "ok: nothing to do yet (feature not built)",
            clock::now(),
        )
        .await?;
        Ok(())
    }
}

/// The cleanup: deletes the done jobs older than the retention time, 1,000 per transaction
/// (a short lock on PostgreSQL, a short write on SQLite, however many there are), and records
/// how many. Returns the open transaction with the outcome for the runner to complete the job
/// in. Run twice (a crash before completing), it finds nothing left the second time.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobCleanup(pub ScheduleSlot);

impl JobStep for JobCleanup {
    const KIND: &'static str = JOB_CLEANUP;

    fn key(&self) -> String {
        self.0.key()
    }
}

impl SoloStep for JobCleanup {
    async fn run(&self, state: &AppState) -> anyhow::Result<Tx> {
        let days = state.config.job_retention_days;
        let before = clock::now() - Duration::days(days.into());
        let deleted = job_store::delete_done(&state.db, before, CLEANUP_BATCH).await?;
        tracing::info!(deleted, days, "done jobs deleted");
        let mut tx = state.db.begin().await?;
        store::record_outcome(
            &mut tx,
            &self.0.schedule,
            &format!("ok: {deleted} done jobs older than {days} days deleted"),
            clock::now(),
        )
        .await?;
        Ok(tx)
    }
}

/// The schedules' steps: the cleanup, and the placeholder under every seed's kind that no
/// feature has registered a step for (call this after the features' own steps).
pub fn register(steps: &mut JobSteps) {
    steps.solo::<JobCleanup>();
    for seed in SEEDS {
        if steps.handler(seed.job_kind).is_none() {
            steps.batch_as::<NotBuiltYet>(seed.job_kind);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn stockholm_day_runs(cron: &str, day: NaiveDate) -> Vec<DateTime<Tz>> {
        let zone: Tz = TIME_ZONE.parse().unwrap();
        let start = zone
            .from_local_datetime(&day.pred_opt().unwrap().and_hms_opt(12, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc);
        let mut runs = Vec::new();
        let mut at = start;
        loop {
            at = next_slot(cron, TIME_ZONE, at).unwrap();
            let local = at.with_timezone(&zone);
            if local.date_naive() > day {
                return runs;
            }
            if local.date_naive() == day {
                runs.push(local);
            }
        }
    }

    #[test]
    fn a_nightly_slot_in_the_dst_gap_or_overlap_runs_exactly_once() {
        // 29 March 2026: 02:00 → 03:00; 25 October 2026: 03:00 → 02:00.
        for day in [
            NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 25).unwrap(),
        ] {
            for cron in ["30 2 * * *", "0 2 * * *", "30 1 * * *"] {
                assert_eq!(stockholm_day_runs(cron, day).len(), 1, "{cron} on {day}");
            }
        }
    }

    #[test]
    fn every_ten_minutes_keeps_real_time_spacing_across_dst() {
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        // 25 hours that day: 150 ten-minute slots.
        assert_eq!(stockholm_day_runs("*/10 * * * *", autumn).len(), 150);
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(stockholm_day_runs("*/10 * * * *", spring).len(), 138);
    }

    #[test]
    fn seeds_parse() {
        let now = Utc::now();
        for seed in SEEDS {
            assert!(
                next_slot(seed.cron, TIME_ZONE, now).unwrap() > now,
                "{}",
                seed.code
            );
        }
    }
}
