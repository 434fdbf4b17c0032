//! What must hold after the crashes, read with SQL: every application made exactly one case,
//! closed, with one decision as asked, one decision letter whose blob is intact, one granted
//! leave in the register when approved (none otherwise), each step's event once, every job
//! step done, and exactly one notice of each kind per recipient.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use shared::cases::CaseNumber;
use skolflyt::store::Db;
use skolflyt::with_db;
use uuid::Uuid;

use super::plan::Application;

pub struct Report {
    pub problems: Vec<String>,
    pub summary: String,
}

/// Runs `$sql` on the read pool of either database.
macro_rules! rows {
    ($db:expr, $sql:expr) => {
        with_db!($db, |pool| sqlx::query_as($sql).fetch_all(pool).await).expect($sql)
    };
}

/// A register entry: person, kind, from, to.
type Absence = (Uuid, String, NaiveDate, NaiveDate);

type CaseRow = (
    Uuid,
    i32,
    i32,
    String,
    Option<String>,
    Uuid,
    Option<Uuid>,
    bool,
    Uuid,
    NaiveDate,
    NaiveDate,
    String,
);

pub async fn check(db: &Db, applications: &[Application], blob_dir: &Path) -> Report {
    let mut problems = Vec::new();

    let cases: Vec<CaseRow> = rows!(
        db,
        "SELECT c.id, c.year, c.serial, c.status, c.outcome, c.applicant_id, c.owner_id, \
                c.closed_at IS NOT NULL, l.pupil_id, l.from_date, l.to_date, l.reason \
         FROM cases c JOIN leave_applications l ON l.case_id = c.id"
    );
    let leave_cases: i64 = with_db!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE case_type = 'leave'")
            .fetch_one(pool)
            .await
    })
    .expect("count cases");
    if leave_cases as usize != cases.len() {
        problems.push(format!(
            "{leave_cases} leave cases but {} leave applications in the database",
            cases.len()
        ));
    }

    // Each application made exactly one case.
    let mut made: HashMap<(Uuid, NaiveDate, NaiveDate, &str), Vec<&CaseRow>> = HashMap::new();
    for case in &cases {
        made.entry((case.8, case.9, case.10, case.11.as_str()))
            .or_default()
            .push(case);
    }
    let mut case_of: Vec<(&Application, &CaseRow)> = Vec::new();
    for application in applications {
        let key = (
            application.pupil,
            application.from,
            application.to,
            application.reason.as_str(),
        );
        match made.remove(&key).unwrap_or_default().as_slice() {
            [] => problems.push(format!("#{} made no case (lost)", application.index)),
            [case] => case_of.push((application, case)),
            several => problems.push(format!(
                "#{} made {} cases: {:?}",
                application.index,
                several.len(),
                several.iter().map(|c| c.0).collect::<Vec<_>>()
            )),
        }
    }
    for (_, strays) in made {
        for case in strays {
            problems.push(format!(
                "case {} belongs to no application ({})",
                case.0, case.11
            ));
        }
    }

    let decisions: Vec<(Uuid, String, Uuid)> =
        rows!(db, "SELECT case_id, outcome, decided_by FROM decisions");
    let decisions: HashMap<Uuid, Vec<(String, Uuid)>> =
        decisions
            .into_iter()
            .fold(HashMap::new(), |mut map, (case, outcome, by)| {
                map.entry(case).or_default().push((outcome, by));
                map
            });
    let documents: Vec<(Uuid, String, i64, String, String)> = rows!(
        db,
        "SELECT case_id, document_type, size, sha256, blob_key FROM case_documents"
    );
    let mut documents_of: HashMap<Uuid, Vec<(String, i64, String, String)>> = HashMap::new();
    for (case, kind, size, sha256, key) in documents {
        documents_of
            .entry(case)
            .or_default()
            .push((kind, size, sha256, key));
    }
    let absences: Vec<(Option<Uuid>, Uuid, String, NaiveDate, NaiveDate)> = rows!(
        db,
        "SELECT case_id, person_id, kind, from_date, to_date FROM absences"
    );
    let mut absences_of: HashMap<Option<Uuid>, Vec<Absence>> = HashMap::new();
    for (case, person, kind, from, to) in absences {
        absences_of
            .entry(case)
            .or_default()
            .push((person, kind, from, to));
    }
    let parties: Vec<(Uuid, Uuid, String)> =
        rows!(db, "SELECT case_id, person_id, role FROM case_parties");
    let mut parties_of: HashMap<Uuid, Vec<(Uuid, String)>> = HashMap::new();
    for (case, person, role) in parties {
        parties_of.entry(case).or_default().push((person, role));
    }
    let events: Vec<(Uuid, String, Option<String>)> =
        rows!(db, "SELECT case_id, kind, to_status FROM case_events");
    let mut events_of: HashMap<Uuid, BTreeMap<(String, Option<String>), usize>> = HashMap::new();
    for (case, kind, to) in events {
        *events_of
            .entry(case)
            .or_default()
            .entry((kind, to))
            .or_default() += 1;
    }
    let messages: Vec<(Uuid, Option<Uuid>, String)> = rows!(
        db,
        "SELECT person_id, case_id, subject_en FROM inbox_messages"
    );
    let mut messages_of: HashMap<Uuid, BTreeMap<(Uuid, String), usize>> = HashMap::new();
    for (person, case, subject) in messages {
        if let Some(case) = case {
            *messages_of
                .entry(case)
                .or_default()
                .entry((person, subject))
                .or_default() += 1;
        }
    }
    // The statuses whose reaching the parties are told of.
    let statuses: Vec<(String, String, bool)> = rows!(
        db,
        "SELECT code, public_name_en, notify_applicant FROM case_statuses WHERE case_type = 'leave'"
    );
    let notified: HashMap<String, String> = statuses
        .into_iter()
        .filter(|(_, _, notify)| *notify)
        .map(|(code, name, _)| (code, name))
        .collect();

    let mut granted = 0;
    let mut notices = 0;
    for (application, case) in &case_of {
        let (id, year, serial, status, outcome) = (case.0, case.1, case.2, &case.3, &case.4);
        let number = CaseNumber {
            year: year as u16,
            serial: serial as u32,
        }
        .to_string();
        let at = format!("#{} (case {number}, {id})", application.index);
        let wanted = if application.approve {
            "approved"
        } else {
            "rejected"
        };
        let (applicant, other, mentor) = (
            application.applicant_id,
            application.other_guardian_id,
            application.mentor_id,
        );

        if status != "closed" || !case.7 {
            problems.push(format!("{at}: status {status}, not closed"));
        }
        if outcome.as_deref() != Some(wanted) {
            problems.push(format!("{at}: outcome {outcome:?}, decided {wanted}"));
        }
        if case.5 != applicant {
            problems.push(format!("{at}: another applicant"));
        }
        if case.6 != Some(mentor) {
            problems.push(format!("{at}: owner {:?}, not the mentor", case.6));
        }
        let mut party_list = parties_of.remove(&id).unwrap_or_default();
        party_list.sort();
        let mut expected_parties = vec![
            (applicant, "applicant".to_owned()),
            (other, "co_applicant".to_owned()),
        ];
        expected_parties.sort();
        if party_list != expected_parties {
            problems.push(format!("{at}: parties {party_list:?}"));
        }

        match decisions.get(&id).map(Vec::as_slice) {
            Some([(outcome, by)]) => {
                if outcome != wanted || *by != mentor {
                    problems.push(format!("{at}: decision {outcome} by {by}"));
                }
            }
            other => problems.push(format!("{at}: decisions {other:?}")),
        }

        let docs = documents_of.remove(&id).unwrap_or_default();
        for kind in ["receipt", "decision_letter"] {
            let of_kind: Vec<_> = docs.iter().filter(|d| d.0 == kind).collect();
            if of_kind.len() != 1 {
                problems.push(format!("{at}: {} documents of type {kind}", of_kind.len()));
            }
        }
        if docs.len() != 2 {
            problems.push(format!(
                "{at}: documents {:?}",
                docs.iter().map(|d| &d.0).collect::<Vec<_>>()
            ));
        }
        for (kind, size, sha256, key) in &docs {
            match std::fs::read(blob_dir.join(key)) {
                Ok(bytes) => {
                    if bytes.len() as i64 != *size
                        || format!("{:x}", Sha256::digest(&bytes)) != *sha256
                    {
                        problems.push(format!(
                            "{at}: the {kind} blob {key} is not what was stored"
                        ));
                    } else if !bytes.starts_with(b"%PDF-") {
                        problems.push(format!("{at}: the {kind} is no PDF"));
                    }
                }
                Err(error) => problems.push(format!("{at}: the {kind} blob {key}: {error}")),
            }
        }

        let register = absences_of.remove(&Some(id)).unwrap_or_default();
        let expected_register = if application.approve {
            granted += 1;
            vec![(
                application.pupil,
                "granted_leave".to_owned(),
                application.from,
                application.to,
            )]
        } else {
            Vec::new()
        };
        if register != expected_register {
            problems.push(format!("{at}: register entries {register:?}"));
        }

        // Each step once.
        let events = events_of.remove(&id).unwrap_or_default();
        let step = |kind: &str, to: Option<&str>| (kind.to_owned(), to.map(str::to_owned));
        let mut expected_events = vec![
            (step("created", None), 1),
            (step("document", None), 2),
            (step("confirmed", None), 1),
            (step("status", Some("new")), 1),
            (step("routing", None), 1),
            (step("status", Some("open")), 1),
            (step("decision", None), 1),
            (step("status", Some("decided")), 1),
            (step("status", Some("closed")), 1),
        ];
        if application.approve {
            expected_events.push((step("register", None), 1));
        }
        for ((kind, to), count) in &expected_events {
            let seen = events
                .get(&(kind.clone(), to.clone()))
                .copied()
                .unwrap_or(0);
            if seen != *count {
                problems.push(format!("{at}: {seen} events {kind} {to:?}, not {count}"));
            }
        }
        for ((kind, to), seen) in &events {
            let known = expected_events
                .iter()
                .any(|(e, _)| e.0 == *kind && e.1 == *to)
                || kind == "register";
            if !known {
                problems.push(format!("{at}: {seen} unexpected events {kind} {to:?}"));
            }
        }

        // Exactly one notice of each kind per recipient. The decision is told once, with its
        // letter ("Decision in case …"), not also as the status "decision made".
        let mut expected: BTreeMap<(Uuid, String), usize> = BTreeMap::new();
        for party in [applicant, other] {
            for code in ["awaiting_confirmation", "new", "open"] {
                // The guardian asked to confirm gets that request instead of the status.
                if code == "awaiting_confirmation" && party == other {
                    continue;
                }
                if let Some(name) = notified.get(code) {
                    expected.insert((party, format!("Case {number}: {name}")), 1);
                }
            }
            expected.insert((party, format!("Decision in case {number}")), 1);
        }
        expected.insert((mentor, format!("Leave application {number} to decide")), 1);
        let mut seen = messages_of.remove(&id).unwrap_or_default();
        // The request names the child: counted by its beginning.
        let request = format!("Case {number}: confirm or decline ");
        let asked: Vec<(Uuid, String)> = seen
            .keys()
            .filter(|(person, subject)| *person == other && subject.starts_with(&request))
            .cloned()
            .collect();
        let requests: usize = asked.iter().filter_map(|key| seen.remove(key)).sum();
        notices += requests;
        if requests != 1 {
            problems.push(format!("{at}: {requests} requests to confirm to {other}"));
        }
        notices += seen.values().sum::<usize>();
        for (key, count) in &expected {
            let got = seen.get(key).copied().unwrap_or(0);
            if got != *count {
                problems.push(format!("{at}: {got} notices {:?} to {}", key.1, key.0));
            }
        }
        for (key, got) in &seen {
            if !expected.contains_key(key) {
                problems.push(format!(
                    "{at}: {got} unexpected notices {:?} to {}",
                    key.1, key.0
                ));
            }
        }
    }
    for (case, entries) in absences_of {
        problems.push(format!(
            "register entries of no tested case {case:?}: {entries:?}"
        ));
    }

    // Every step done: nothing waiting, running or failed but the demo's broken step.
    let jobs: Vec<(String, String, String)> =
        rows!(db, "SELECT idempotency_key, kind, status FROM jobs");
    let mut done_steps = 0;
    for (key, kind, status) in &jobs {
        if key == "demo:failed-step" {
            continue;
        }
        if status == "done" {
            done_steps += 1;
        } else {
            problems.push(format!("job {kind} {key} is {status}"));
        }
    }
    for (_, case) in &case_of {
        for kind in [
            skolflyt::applications::leave::ROUTE,
            skolflyt::applications::leave::FINISH,
        ] {
            let key = format!("{kind}:{}", case.0);
            if !jobs
                .iter()
                .any(|(k, _, status)| *k == key && status == "done")
            {
                problems.push(format!("case {}: no done step {key}", case.0));
            }
        }
    }

    Report {
        summary: format!(
            "{} cases closed with one decision and one letter each, {granted} granted leaves in \
             the register, {notices} notices, {done_steps} job steps done",
            case_of.len()
        ),
        problems,
    }
}
