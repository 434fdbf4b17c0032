//! Inter-municipal compensation (IKE, use case 7), built on the e-service platform: the
//! e-service is a seeded definition (an adult student applies: the other municipality, the
//! provider, the course, the period, why, attachments), and this module is its process. After
//! the submission an automated step reads the register (age, residence, current studies) into
//! the case; a case worker whose duty covers IKE decides, citing the editable legal basis
//! (skollagen 20 kap.); after the decision an automated step writes the decision letter (PDF/A)
//! as the case's document and journals it, records the decision in the register, tells the
//! student, closes the case and, on approval, e-mails the other municipality.

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use shared::cases::{CaseFact, FactValue, Names, Outcome};
use shared::e_services::{EServiceDefinition, ValidValue};
use shared::personal_number::age_on;
use uuid::Uuid;

use crate::cases::process::{
    ApplicantFacts, CaseProcess, DecisionInput, FactsReader, Submission, default_decision,
};
use crate::cases::store_document;
use crate::documents::pdf;
use crate::error::{AppError, AppResult};
use crate::jobs::{self, BatchStep, JobStep, SoloStep};
use crate::state::AppState;
use crate::store::cases::{self as case_store, CaseRow, NewDecision};
use crate::store::ike::{self as store, NewApplication};
use crate::store::register as register_store;
use crate::store::{Db, Tx, messages};
use crate::{clock, municipality};

/// The case type this process runs, and the seeded e-service's code.
pub const CASE_TYPE: &str = "ike";
pub const READ_REGISTER: &str = "ike.read_register";
pub const FINISH: &str = "ike.finish";
pub const NOTIFY_MUNICIPALITY: &str = "ike.notify_municipality";

/// The legal basis until an administrator edits it.
pub const LEGAL_BASIS: &str = "skollagen (2010:800) 20 kap. 21 § (interkommunal ersättning för \
    utbildning hos en annan huvudman)";

/// The neighbouring municipalities and their education offices' registry addresses, until the
/// register integration brings the national list.
pub const MUNICIPALITIES: &[(&str, &str, &str)] = &[
    ("2281", "Sundsvalls kommun", "registrator@sundsvall.example"),
    ("2262", "Timrå kommun", "registrator@timra.example"),
    ("2280", "Härnösands kommun", "registrator@harnosand.example"),
    ("2480", "Umeå kommun", "registrator@umea.example"),
];

/// Seeds the municipalities, the legal basis and the e-service (each only where missing).
pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let now = clock::now();
    store::seed_municipalities(db, MUNICIPALITIES, now).await?;
    let mut tx = db.begin().await?;
    case_store::set_legal_basis(&mut tx, CASE_TYPE, LEGAL_BASIS, None, false, now).await?;
    tx.commit().await?;
    crate::e_services::seed(db, &definition()).await?;
    Ok(())
}

/// The seeded IKE e-service: administrators may edit and republish it like any other.
pub fn definition() -> EServiceDefinition {
    let options: Vec<_> = MUNICIPALITIES
        .iter()
        .map(|(code, name, _)| serde_json::json!({ "value": code, "label": { "sv": name, "en": name } }))
        .collect();
    serde_json::from_value(serde_json::json!({
        "code": CASE_TYPE,
        "version": 1,
        "title": Names::new("Ansökan om studier i en annan kommun (IKE)", "Studying in another municipality (IKE)"),
        "description": Names::new(
            "För dig som är 18 år eller äldre och vill läsa en kurs hos en anordnare i en annan kommun. Kommunen betalar då din utbildning.",
            "For students aged 18 or more who want to take a course at a provider in another municipality. The municipality then pays for your education.",
        ),
        "who_may_apply": "adult_student",
        "signing": "one_guardian",
        "intake": { "mode": "new_case", "case_type": CASE_TYPE },
        "steps": [
            {
                "title": Names::new("Utbildningen", "The education"),
                "fields": [
                    { "key": "municipality", "type": "choice", "required": true,
                      "label": Names::new("Kommun där du vill studera", "Municipality where you want to study"),
                      "options": options },
                    { "key": "provider", "type": "text", "required": true, "max_length": 200,
                      "label": Names::new("Utbildningsanordnare", "Education provider") },
                    { "key": "course", "type": "text", "required": true, "max_length": 200,
                      "label": Names::new("Kurs eller program", "Course or programme") },
                    { "key": "period", "type": "date_range", "required": true,
                      "label": Names::new("Studieperiod", "Study period") },
                ]
            },
            {
                "title": Names::new("Motivering", "Your reasons"),
                "fields": [
                    { "key": "motivation", "type": "textarea", "required": true, "max_length": 4000,
                      "label": Names::new("Varför vill du studera i den andra kommunen?", "Why do you want to study in the other municipality?") },
                    { "key": "attachments", "type": "attachment", "required": false, "max_files": 5,
                      "label": Names::new("Bilagor (t.ex. antagningsbesked)", "Attachments (e.g. letter of admission)") },
                    { "key": "truthful", "type": "declaration", "required": true,
                      "label": Names::new("Jag intygar att uppgifterna är riktiga", "I confirm that the information is correct") },
                ]
            }
        ]
    }))
    .expect("the IKE definition is valid")
}

/// The IKE process.
pub struct IkeProcess;

impl CaseProcess for IkeProcess {
    fn case_type(&self) -> &'static str {
        CASE_TYPE
    }

    fn after_submission<'a>(
        &'a self,
        tx: &'a mut Tx,
        submission: Submission<'a>,
    ) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(async move {
            let text = |key: &str| match submission.answers.get(key) {
                Some(ValidValue::Text(text) | ValidValue::Choice(text)) => Some(text.as_str()),
                _ => None,
            };
            let (Some(code), Some(provider), Some(course)) =
                (text("municipality"), text("provider"), text("course"))
            else {
                // An administrator's edit took the questions this process needs away.
                return Err(AppError::field(
                    "municipality",
                    "required",
                    "the IKE e-service needs municipality, provider, course and period",
                ));
            };
            let Some(ValidValue::DateRange { from, to }) = submission.answers.get("period") else {
                return Err(AppError::field(
                    "period",
                    "required",
                    "the study period is needed",
                ));
            };
            let application = NewApplication {
                case_id: submission.case_id,
                student_id: submission.applicant,
                municipality_code: code,
                provider,
                course,
                from: *from,
                to: *to,
            };
            store::insert_application(tx, &application, clock::now()).await?;
            jobs::enqueue(
                tx,
                &ReadRegister {
                    case_id: submission.case_id,
                },
            )
            .await?;
            Ok(())
        })
    }

    fn decision<'a>(
        &'a self,
        input: DecisionInput<'a>,
    ) -> BoxFuture<'a, AppResult<NewDecision<'a>>> {
        Box::pin(async move {
            let application = store::application(&input.state.db, input.case.id)
                .await?
                .ok_or(AppError::NotFound)?;
            let legal_basis = case_store::legal_basis(&input.state.db, CASE_TYPE)
                .await?
                .unwrap_or_else(|| LEGAL_BASIS.to_owned());
            Ok(NewDecision {
                legal_basis: legal_basis.into(),
                valid_from: Some(application.from_date),
                valid_to: Some(application.to_date),
                ..default_decision(&input)
            })
        })
    }

    fn after_decision<'a>(
        &'a self,
        tx: &'a mut Tx,
        case_id: Uuid,
    ) -> BoxFuture<'a, sqlx::Result<()>> {
        Box::pin(async move { jobs::enqueue(tx, &Finish { case_id }).await })
    }

    fn closes_itself(&self) -> bool {
        true
    }

    fn tells_decision(&self) -> bool {
        true
    }

    fn decision_hint(&self) -> Option<Names> {
        Some(Names::new(
            "Beslutet hänvisar till skollagen 20 kap. När du har beslutat skapas beslutsbrevet, beslutet \
             förs in i registret och diarieförs, den studerande får besked och, vid bifall, får den \
             andra kommunen ett meddelande.",
            "The decision cites the Education Act, chapter 20. Once you have decided, the letter is \
             written, the decision is entered in the register and the journal, the student is told \
             and, if approved, the other municipality is informed.",
        ))
    }

    fn staff_facts<'a>(
        &'a self,
        state: &'a AppState,
        case: &'a CaseRow,
        reader: FactsReader,
    ) -> BoxFuture<'a, AppResult<Vec<CaseFact>>> {
        Box::pin(async move {
            let Some(application) = store::application(&state.db, case.id).await? else {
                return Ok(Vec::new());
            };
            Ok(facts(&application, reader.sees_subject))
        })
    }

    fn applicant_facts<'a>(
        &'a self,
        state: &'a AppState,
        case: &'a CaseRow,
        _reader: FactsReader,
    ) -> BoxFuture<'a, AppResult<ApplicantFacts>> {
        Box::pin(async move {
            let facts = match store::application(&state.db, case.id).await? {
                Some(application) => facts(&application, false),
                None => Vec::new(),
            };
            Ok(ApplicantFacts { facts })
        })
    }
}

/// The application and, for staff who see the student, what the register said.
fn facts(application: &store::ApplicationRow, with_register: bool) -> Vec<CaseFact> {
    let fact = CaseFact::new;
    let text = |text: &str| FactValue::Text {
        text: text.to_owned(),
    };
    let mut facts = vec![
        fact(
            "municipality",
            "Kommun",
            "Municipality",
            text(&application.municipality_name),
        ),
        fact(
            "provider",
            "Anordnare",
            "Provider",
            text(&application.provider),
        ),
        fact("course", "Kurs", "Course", text(&application.course)),
        fact(
            "period",
            "Studieperiod",
            "Study period",
            FactValue::DateRange {
                from: application.from_date,
                to: application.to_date,
            },
        ),
    ];
    if with_register && application.register_read_at.is_some() {
        if let Some(age) = application.age {
            facts.push(fact(
                "age",
                "Ålder (registret)",
                "Age (register)",
                FactValue::Count { count: age.into() },
            ));
        }
        if let Some(residence) = &application.residence {
            facts.push(fact(
                "residence",
                "Folkbokförd ort (registret)",
                "Place of residence (register)",
                text(residence),
            ));
        }
        if let Some(studies) = &application.studies {
            facts.push(fact(
                "studies",
                "Studier nu (registret)",
                "Current studies (register)",
                text(studies),
            ));
        }
    }
    facts
}

/// Automated step: what the register says about the student (age, residence, current
/// studies) goes into the case. Its effects are all in the database: it shares its batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadRegister {
    pub case_id: Uuid,
}

impl JobStep for ReadRegister {
    const KIND: &'static str = READ_REGISTER;

    fn key(&self) -> String {
        format!("{READ_REGISTER}:{}", self.case_id)
    }
}

impl BatchStep for ReadRegister {
    async fn run(&self, state: &AppState, tx: &mut Tx) -> anyhow::Result<()> {
        let today = clock::today();
        // Register data no step writes: read from the pool. The application is in `tx`'s
        // batch's snapshot or earlier, and it was committed before this step was due.
        let application = store::application(&state.db, self.case_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no IKE application for {}", self.case_id))?;
        let student = register_store::person_basic(&state.db, application.student_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no student"))?;
        let address = store::residence(&state.db, application.student_id).await?;
        let studies = store::current_studies(&state.db, application.student_id, today).await?;
        let studies = if studies.is_empty() {
            "inga pågående studier i kommunen".to_owned()
        } else {
            studies.join(", ")
        };
        let age = age_on(student.birth_date, today) as i32;
        if store::record_register_facts(tx, self.case_id, age, &address, &studies, clock::now())
            .await?
        {
            case_store::record_event(
                tx,
                self.case_id,
                None,
                "register",
                None,
                "read=age,residence,studies",
                clock::now(),
            )
            .await?;
        }
        Ok(())
    }
}

/// Automated steps after the decision: the letter, the journal, the register, the student's
/// notice and closing; on approval the other municipality's e-mail follows as its own step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finish {
    pub case_id: Uuid,
}

impl JobStep for Finish {
    const KIND: &'static str = FINISH;

    fn key(&self) -> String {
        format!("{FINISH}:{}", self.case_id)
    }
}

impl SoloStep for Finish {
    async fn run(&self, state: &AppState) -> anyhow::Result<Tx> {
        finish(state, self.case_id).await
    }
}

async fn finish(state: &AppState, case_id: Uuid) -> anyhow::Result<Tx> {
    let db = &state.db;
    let case = case_store::get(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no case {case_id}"))?;
    if case.status != "decided" {
        return Ok(db.begin().await?);
    }
    let application = store::application(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no IKE application for {case_id}"))?;
    let decision = case_store::decision(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no decision for {case_id}"))?;
    let student = register_store::person_name(db, application.student_id).await?;
    let approved = decision.outcome == Outcome::Approved.as_str();
    let letter = pdf::DecisionLetter {
        header: pdf::LetterHeader {
            sender: municipality::sender(state).await?,
            case_number: case.number().to_string(),
            date: decision.decided_on,
            recipient_name: Some(format!("{} {}", student.given_name, student.family_name)),
        },
        subject: format!(
            "Beslut om interkommunal ersättning: {} hos {}",
            application.course, application.provider
        ),
        outcome_text: if approved {
            format!(
                "Ansökan beviljas. Kommunen betalar utbildningen till {}.",
                application.municipality_name
            )
        } else {
            "Ansökan avslås.".to_owned()
        },
        period: Some((application.from_date, application.to_date)),
        legal_basis: decision.legal_basis.clone(),
        motivation: decision.motivation.clone(),
        decided_by: format!(
            "{} {}",
            decision.decided_by_given_name, decision.decided_by_family_name
        ),
        decided_by_title: "Handläggare".to_owned(),
        appeal_information: decision.appeal_information.clone(),
    };
    let bytes = tokio::task::spawn_blocking(move || pdf::render_decision_letter(&letter)).await??;
    let number = case.number();
    let file_name = format!("beslut-{}-{:05}.pdf", number.year, number.serial);

    let now = clock::now();
    let mut tx = db.begin().await?;
    store::record_decision(
        &mut tx,
        &application,
        &decision.outcome,
        decision.decided_on,
        now,
    )
    .await?;
    case_store::record_event(&mut tx, case_id, None, "register", None, "decision", now).await?;
    // The letter's journal number is the case number with the document's position.
    let position = store_document(
        state,
        &mut tx,
        case_id,
        "decision_letter",
        "Beslut om interkommunal ersättning",
        &file_name,
        "application/pdf",
        bytes,
        None,
    )
    .await?;
    case_store::record_event(
        &mut tx,
        case_id,
        None,
        "journal",
        None,
        &format!("decision_letter={}", number.document(position as u32)),
        now,
    )
    .await?;
    case_store::transition(&mut tx, case_id, "closed", None, "", now).await?;
    let (verdict_sv, verdict_en) = if approved {
        ("beviljats", "been approved")
    } else {
        ("avslagits", "been rejected")
    };
    let subject = (
        format!("Beslut i ärende {number}"),
        format!("Decision in case {number}"),
    );
    let body = (
        format!(
            "Din ansökan om studier hos {} har {verdict_sv}. Beslutsbrevet finns under Mina ärenden.",
            application.provider
        ),
        format!(
            "Your application to study at {} has {verdict_en}. The decision letter is in My cases.",
            application.provider
        ),
    );
    for person in case_store::parties_in(&mut tx, case_id).await? {
        let message = messages::NewMessage {
            person_id: person,
            case_id: Some(case_id),
            subject: (&subject.0, &subject.1),
            body: (&body.0, &body.1),
        };
        crate::messages::deliver(&mut tx, state, &message).await?;
    }
    if approved {
        jobs::enqueue(&mut tx, &NotifyMunicipality { case_id }).await?;
    }
    Ok(tx)
}

/// Automated step: the other municipality's education office hears of the approval by e-mail
/// (course, period, the student's name and personal number, the case number to quote on the
/// invoice). Its effect is outside the database, so it commits alone; without an SMTP relay
/// the case records that nothing was sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotifyMunicipality {
    pub case_id: Uuid,
}

impl JobStep for NotifyMunicipality {
    const KIND: &'static str = NOTIFY_MUNICIPALITY;

    fn key(&self) -> String {
        format!("{NOTIFY_MUNICIPALITY}:{}", self.case_id)
    }
}

impl SoloStep for NotifyMunicipality {
    async fn run(&self, state: &AppState) -> anyhow::Result<Tx> {
        let db = &state.db;
        let case = case_store::get(db, self.case_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no case {}", self.case_id))?;
        let application = store::application(db, self.case_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no IKE application for {}", self.case_id))?;
        let now = clock::now();
        let Some(mailer) = &state.mailer else {
            let mut tx = db.begin().await?;
            case_store::record_event(
                &mut tx,
                self.case_id,
                None,
                "message",
                None,
                &format!("not_sent={}", application.municipality_name),
                now,
            )
            .await?;
            return Ok(tx);
        };
        let student = store::student(db, application.student_id).await?;
        let sender = municipality::sender(state).await?;
        let number = case.number();
        let body = format!(
            "{sender} har beviljat interkommunal ersättning för {} {} ({}) för {} hos {}, \
             {} – {}.\n\nAnge ärendenummer {number} på fakturan.\n\n-- \n{sender}{}",
            student.given_name,
            student.family_name,
            student.personal_number,
            application.course,
            application.provider,
            application.from_date,
            application.to_date,
            sender
                .registry_email
                .as_deref()
                .map(|e| format!(", {e}"))
                .unwrap_or_default(),
            sender = sender.name,
        );
        let subject = format!("Beviljad interkommunal ersättning, ärende {number}");
        mailer
            .send_text(
                &application.municipality_email,
                &subject,
                &body,
                &format!("ike-{}", self.case_id),
            )
            .await?;
        let mut tx = db.begin().await?;
        case_store::record_event(
            &mut tx,
            self.case_id,
            None,
            "message",
            None,
            &format!("sent={}", application.municipality_name),
            now,
        )
        .await?;
        Ok(tx)
    }
}
