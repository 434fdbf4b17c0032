//! The `placement_change` case's process: the report is already in the register when the case
//! opens; the automated step [`Notify`] files the report as the case's PDF/A document and
//! tells the unit's provider admins and the municipality's placement officers. The officers
//! then handle the case as any other (take it, decide that it is registered, close it).

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use shared::cases::{CaseFact, FactValue};
use shared::placements::{PlacementReason, ReportKind};
use uuid::Uuid;

use super::PLACEMENT_TEAM;
use super::report::CASE_TYPE;
use crate::cases::process::{ApplicantFacts, CaseProcess, FactsReader};
use crate::cases::store_document;
use crate::clock;
use crate::documents::pdf;
use crate::error::AppResult;
use crate::jobs::steps::{JobStep, SoloStep};
use crate::messages;
use crate::municipality;
use crate::state::AppState;
use crate::store::Tx;
use crate::store::cases::{self as case_store, CaseRow};
use crate::store::placements::{self as store, ReportRow};

pub const NOTIFY: &str = "placement.notify";

pub struct PlacementChangeProcess;

impl CaseProcess for PlacementChangeProcess {
    fn case_type(&self) -> &'static str {
        CASE_TYPE
    }

    fn staff_facts<'a>(
        &'a self,
        state: &'a AppState,
        case: &'a CaseRow,
        reader: FactsReader,
    ) -> BoxFuture<'a, AppResult<Vec<CaseFact>>> {
        Box::pin(async move {
            Ok(match store::report_of_case(&state.db, case.id).await? {
                Some(report) => facts(&report, reader.sees_subject),
                None => Vec::new(),
            })
        })
    }

    fn applicant_facts<'a>(
        &'a self,
        state: &'a AppState,
        case: &'a CaseRow,
        reader: FactsReader,
    ) -> BoxFuture<'a, AppResult<ApplicantFacts>> {
        Box::pin(async move {
            let facts = match store::report_of_case(&state.db, case.id).await? {
                Some(report) => facts(&report, reader.sees_subject),
                None => Vec::new(),
            };
            Ok(ApplicantFacts { facts })
        })
    }
}

fn kind_names(kind: &str) -> (&'static str, &'static str) {
    match ReportKind::parse(kind) {
        Some(ReportKind::Start) => ("Start", "Start"),
        Some(ReportKind::ScopeChange) => ("Ändrad omfattning", "Change of scope"),
        _ => ("Avslut", "End"),
    }
}

fn reason_names(code: &str) -> (&'static str, &'static str) {
    match PlacementReason::parse(code) {
        Some(PlacementReason::Care) => {
            ("Förvärvsarbete eller studier", "Guardians' work or studies")
        }
        Some(PlacementReason::OfferedTime) => ("Allmän förskola", "Universal preschool"),
        _ => ("Barnets eget behov", "The child's own need"),
    }
}

/// The report as facts: the kind, the unit, the date, the hours (and the hours before).
fn facts(report: &ReportRow, sees_subject: bool) -> Vec<CaseFact> {
    let text = |text: String| FactValue::Text { text };
    let (kind_sv, kind_en) = kind_names(&report.kind);
    let mut facts = vec![
        CaseFact::new(
            "report",
            "Anmälan",
            "Report",
            text(format!("{kind_sv} / {kind_en}")),
        ),
        CaseFact::new("unit", "Enhet", "Unit", text(report.unit_name.clone())),
    ];
    if sees_subject && !report.child_protected {
        facts.push(CaseFact::new(
            "child",
            "Barn",
            "Child",
            text(format!(
                "{} {}",
                report.child_given_name, report.child_family_name
            )),
        ));
    }
    let (date_sv, date_en) = if report.kind == ReportKind::End.as_str() {
        ("Sista dag", "Last day")
    } else {
        ("Från och med", "From")
    };
    facts.push(CaseFact::new(
        "date",
        date_sv,
        date_en,
        FactValue::Date {
            date: report.report_date,
        },
    ));
    if let Some(hours) = report.hours_per_week {
        facts.push(CaseFact::new(
            "hours_per_week",
            "Timmar per vecka",
            "Hours per week",
            text(hours.to_string()),
        ));
    }
    if report.kind == ReportKind::ScopeChange.as_str()
        && let Some(previous) = &report.previous
    {
        facts.push(CaseFact::new(
            "previous_hours_per_week",
            "Timmar per vecka före",
            "Hours per week before",
            text(previous.clone()),
        ));
    }
    if let Some(reason) = &report.reason {
        let (sv, en) = reason_names(reason);
        facts.push(CaseFact::new(
            "reason",
            "Skäl",
            "Reason",
            text(format!("{sv} / {en}")),
        ));
    }
    facts
}

/// Automated step: the report's PDF/A goes into the case (and its journal), and the unit's
/// provider admins and the placement officers get a message. A child whose identity is
/// protected is not named in the messages (they also go by e-mail).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Notify {
    pub case_id: Uuid,
}

impl JobStep for Notify {
    const KIND: &'static str = NOTIFY;

    fn key(&self) -> String {
        format!("{NOTIFY}:{}", self.case_id)
    }
}

impl SoloStep for Notify {
    async fn run(&self, state: &AppState) -> anyhow::Result<Tx> {
        let db = &state.db;
        let case = case_store::get(db, self.case_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no case {}", self.case_id))?;
        let report = store::report_of_case(db, self.case_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no placement report for {}", self.case_id))?;
        let number = case.number();
        let child = format!("{} {}", report.child_given_name, report.child_family_name);
        let (kind_sv, _) = kind_names(&report.kind);
        let mut rows = vec![
            ("Anmälan".to_owned(), kind_sv.to_owned()),
            ("Enhet".to_owned(), report.unit_name.clone()),
            ("Barn".to_owned(), child.clone()),
            (
                if report.kind == ReportKind::End.as_str() {
                    "Sista dag"
                } else {
                    "Från och med"
                }
                .to_owned(),
                report.report_date.to_string(),
            ),
        ];
        if let Some(hours) = report.hours_per_week {
            rows.push(("Timmar per vecka".to_owned(), hours.to_string()));
        }
        if let Some(reason) = &report.reason {
            rows.push(("Skäl".to_owned(), reason_names(reason).0.to_owned()));
        }
        rows.push(("Anmäld av".to_owned(), report.reported_by.clone()));
        let header = pdf::LetterHeader {
            sender: municipality::sender(state).await?,
            case_number: number.to_string(),
            date: report.created_at.date_naive(),
            recipient_name: None,
        };
        let title = "Placeringsanmälan".to_owned();
        let at = report.created_at;
        let bytes =
            tokio::task::spawn_blocking(move || pdf::render_receipt(&header, &title, at, &rows))
                .await??;
        let today = clock::today();
        let mut recipients = store::provider_admins_of(db, report.unit_id, today).await?;
        for member in store::team_members(db, PLACEMENT_TEAM).await? {
            if !recipients.contains(&member) {
                recipients.push(member);
            }
        }

        let now = clock::now();
        let mut tx = db.begin().await?;
        let position = store_document(
            state,
            &mut tx,
            self.case_id,
            "receipt",
            "Placeringsanmälan",
            &format!("placeringsanmalan-{}-{:05}.pdf", number.year, number.serial),
            "application/pdf",
            bytes,
            None,
        )
        .await?;
        case_store::record_event(
            &mut tx,
            self.case_id,
            None,
            "journal",
            None,
            &format!("receipt={}", number.document(position as u32)),
            now,
        )
        .await?;
        let named = if report.child_protected {
            ("ett barn".to_owned(), "a child".to_owned())
        } else {
            (child.clone(), child)
        };
        let (what_sv, what_en) = match ReportKind::parse(&report.kind) {
            Some(ReportKind::Start) => (
                format!("start för {} från {}", named.0, report.report_date),
                format!("start for {} from {}", named.1, report.report_date),
            ),
            Some(ReportKind::ScopeChange) => (
                format!(
                    "ändrad omfattning för {} från {}",
                    named.0, report.report_date
                ),
                format!(
                    "change of scope for {} from {}",
                    named.1, report.report_date
                ),
            ),
            _ => (
                format!("avslut för {}, sista dag {}", named.0, report.report_date),
                format!("end for {}, last day {}", named.1, report.report_date),
            ),
        };
        let subject = (
            format!("Placeringsanmälan, ärende {number}"),
            format!("Placement report, case {number}"),
        );
        let body = (
            format!(
                "{} har anmält {what_sv} på {}. Registret är uppdaterat; anmälan finns i ärende {number}.",
                report.reported_by, report.unit_name
            ),
            format!(
                "{} reported a {what_en} at {}. The register is updated; the report is in case {number}.",
                report.reported_by, report.unit_name
            ),
        );
        for person in recipients {
            let message = crate::store::messages::NewMessage {
                person_id: person,
                case_id: Some(self.case_id),
                subject: (&subject.0, &subject.1),
                body: (&body.0, &body.1),
            };
            messages::deliver(&mut tx, state, &message).await?;
        }
        case_store::record_event(
            &mut tx,
            self.case_id,
            None,
            "message",
            None,
            "placement_report=provider_admins,placement_officers",
            now,
        )
        .await?;
        Ok(tx)
    }
}
