//! The same-day notice of unexcused absence (use case 4): a register that leaves a pupil with
//! invalid absence queues a notice for the pupil's day, which runs after a short delay
//! (`SKOLFLYT_ABSENCE_NOTICE_DELAY_SECONDS`) so that a correction right after the register
//! cancels it. The step tells the acting guardians (or the pupil, 18 or older) what the day's
//! registers say when it runs: nothing if there is no invalid absence and nothing was told,
//! nothing if it was told already, a correction if what was told has changed since.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock;
use crate::jobs::steps::{self as jobs, BatchStep, JobStep};
use crate::messages;
use crate::state::AppState;
use crate::store::Tx;
use crate::store::attendance::{self as store, InvalidAbsenceRow};
use crate::store::messages::NewMessage;

pub const KIND: &str = "attendance.absence_notice";

/// Automated step: tell the family about the pupil's unexcused absence on `date`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AbsenceNotice {
    pub pupil_id: Uuid,
    pub date: NaiveDate,
    /// The register save that queued it (each save queues its own check; they agree).
    pub queued_at: i64,
}

impl JobStep for AbsenceNotice {
    const KIND: &'static str = KIND;

    fn key(&self) -> String {
        format!("{KIND}:{}:{}:{}", self.pupil_id, self.date, self.queued_at)
    }
}

impl BatchStep for AbsenceNotice {
    async fn run(&self, state: &AppState, tx: &mut Tx) -> anyhow::Result<()> {
        notify(state, tx, self.pupil_id, self.date).await
    }
}

/// After a register is saved: a check for every pupil with invalid absence now, and for every
/// pupil whose family has been told about the day already (a correction may be due).
pub async fn queue(
    tx: &mut Tx,
    state: &AppState,
    date: NaiveDate,
    with_invalid_absence: &[Uuid],
    saved: &[Uuid],
) -> sqlx::Result<()> {
    let mut pupils: Vec<Uuid> = with_invalid_absence.to_vec();
    pupils.extend(store::noticed_on(tx, saved, date).await?);
    pupils.sort();
    pupils.dedup();
    let now = clock::now();
    let run_after =
        now + chrono::Duration::seconds(i64::from(state.config.absence_notice_delay_seconds));
    for pupil_id in pupils {
        let step = AbsenceNotice {
            pupil_id,
            date,
            queued_at: now.timestamp_micros(),
        };
        jobs::enqueue_at(tx, &step, run_after).await?;
    }
    Ok(())
}

async fn notify(state: &AppState, tx: &mut Tx, pupil: Uuid, date: NaiveDate) -> anyhow::Result<()> {
    let lessons = store::invalid_absences_on(tx, pupil, date).await?;
    let content = content_of(&lessons);
    let told = store::notice_of(tx, pupil, date).await?;
    match &told {
        None if lessons.is_empty() => return Ok(()),
        Some((before, _)) if *before == content => return Ok(()),
        _ => {}
    }
    let today = clock::today();
    let cutoff = today
        .checked_sub_months(Months::new(18 * 12))
        .unwrap_or(today);
    let Some(recipients) = store::notice_recipients(tx, pupil, today, cutoff).await? else {
        return Ok(());
    };
    let correction = told.is_some();
    let adult = recipients.persons == [pupil];
    let text = Notice {
        name: &recipients.given_name,
        adult,
        date,
        correction,
        // A protected pupil's lessons and times stay out of every message (an e-mail may
        // travel where the register would not show them).
        lessons: if recipients.protected_identity {
            None
        } else {
            Some(&lessons)
        },
        minutes: lessons.iter().map(|l| l.invalid_absence_minutes).sum(),
    };
    let (subject_sv, subject_en) = text.subject();
    let (body_sv, body_en) = text.body();
    for person_id in &recipients.persons {
        let message = NewMessage {
            person_id: *person_id,
            case_id: None,
            subject: (&subject_sv, &subject_en),
            body: (&body_sv, &body_en),
        };
        messages::deliver(tx, state, &message).await?;
    }
    store::record_notice(tx, pupil, date, &content, clock::now()).await?;
    Ok(())
}

/// What was told, to compare with the registers later: lesson, time and minutes.
fn content_of(lessons: &[InvalidAbsenceRow]) -> String {
    lessons
        .iter()
        .map(|l| {
            format!(
                "{} {}-{} {}",
                l.subject,
                l.start_time.format("%H:%M"),
                l.end_time.format("%H:%M"),
                l.invalid_absence_minutes
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

struct Notice<'a> {
    name: &'a str,
    adult: bool,
    date: NaiveDate,
    correction: bool,
    lessons: Option<&'a [InvalidAbsenceRow]>,
    minutes: i32,
}

impl Notice<'_> {
    fn subject(&self) -> (String, String) {
        let (name, date) = (self.name, self.date);
        match (self.correction, self.adult) {
            (false, false) => (
                format!("Ogiltig frånvaro {date}: {name}"),
                format!("Unexcused absence on {date}: {name}"),
            ),
            (false, true) => (
                format!("Ogiltig frånvaro {date}"),
                format!("Unexcused absence on {date}"),
            ),
            (true, false) => (
                format!("Rättelse: frånvaro {date}: {name}"),
                format!("Correction: absence on {date}: {name}"),
            ),
            (true, true) => (
                format!("Rättelse: frånvaro {date}"),
                format!("Correction: absence on {date}"),
            ),
        }
    }

    fn body(&self) -> (String, String) {
        let (who_sv, who_en) = if self.adult {
            ("Du".to_owned(), "You".to_owned())
        } else {
            (self.name.to_owned(), self.name.to_owned())
        };
        let date = self.date;
        let minutes = self.minutes;
        if minutes == 0 {
            let (has_sv, has_en) = if self.adult {
                ("du har".to_owned(), "you have".to_owned())
            } else {
                (format!("{} har", self.name), format!("{} has", self.name))
            };
            return (
                format!(
                    "Frånvaron {date} är rättad: {has_sv} ingen ogiltig frånvaro den dagen. \
                     Det tidigare meddelandet gäller inte längre."
                ),
                format!(
                    "The absence on {date} has been corrected: {has_en} no unexcused absence \
                     that day. The earlier message no longer applies."
                ),
            );
        }
        let lines = self.lessons.map(|lessons| {
            lessons
                .iter()
                .map(|l| {
                    format!(
                        "- {} {}–{}: {}",
                        l.subject,
                        l.start_time.format("%H:%M"),
                        l.end_time.format("%H:%M"),
                        l.invalid_absence_minutes
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
        let lead_sv = if self.correction {
            "Registreringen har ändrats. "
        } else {
            ""
        };
        let lead_en = if self.correction {
            "The register has been changed. "
        } else {
            ""
        };
        let (verb_sv, verb_en) = ("har", if self.adult { "have" } else { "has" });
        let sv = match &lines {
            Some(lines) => format!(
                "{lead_sv}{who_sv} {verb_sv} ogiltig frånvaro {date}, {minutes} minuter \
                 (minuter per lektion):\n{lines}\n\nKontakta mentorn om frånvaron ska vara \
                 giltig, till exempel vid sjukdom."
            ),
            None => format!(
                "{lead_sv}{who_sv} {verb_sv} ogiltig frånvaro {date}, {minutes} minuter. Logga \
                 in i Skolflyt för att se lektionerna. Kontakta mentorn om frånvaron ska vara \
                 giltig, till exempel vid sjukdom."
            ),
        };
        let en = match &lines {
            Some(lines) => format!(
                "{lead_en}{who_en} {verb_en} unexcused absence on {date}, {minutes} minutes \
                 (minutes per lesson):\n{lines}\n\nContact the mentor if the absence should be \
                 excused, for instance for illness."
            ),
            None => format!(
                "{lead_en}{who_en} {verb_en} unexcused absence on {date}, {minutes} minutes. \
                 Sign in to Skolflyt to see the lessons. Contact the mentor if the absence \
                 should be excused, for instance for illness."
            ),
        };
        (sv, en)
    }
}
