//! Inter-municipal compensation (IKE, use case 7) end to end, on the e-service platform: an
//! adult student applies, the register is read into the case, a case worker approves citing
//! the editable legal basis, and the automated steps write the letter, the journal, the
//! register and the messages — the other municipality's by e-mail.

use std::sync::{Arc, Mutex};

use base64::Engine;
use chrono::Days;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use skolflyt::config::{SmtpConfig, SmtpSecurity};
use uuid::Uuid;

use crate::helpers::{
    Backend, Session, TestApp, error_code, minimal_pdf, next_monday, spawn_app_with,
};
use crate::on_both_databases;
use crate::smtp_sink::{Received, start_sink};

on_both_databases!(
    an_adult_student_is_approved_and_the_other_municipality_is_told,
    a_rejection_tells_the_student_and_nobody_else,
    only_adult_students_apply_and_answers_are_checked,
);

async fn app_with_email(backend: Backend) -> (TestApp, Arc<Mutex<Vec<Received>>>) {
    let (received, port) = start_sink();
    let app = spawn_app_with(backend, |config| {
        config.smtp = Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            from: "Norrfjärdens kommun <skolflyt@norrfjarden.example>".into(),
            username: None,
            password: None,
            security: SmtpSecurity::None,
        });
    })
    .await;
    (app, received)
}

fn answers(app: &TestApp) -> Value {
    let from = next_monday(app.today) + Days::new(28);
    json!({
        "municipality": "2281",
        "provider": "Sundsvalls Vuxenutbildning",
        "course": "Svenska 3",
        "period": { "from": from, "to": from + Days::new(90) },
        "motivation": "Kursen ges inte i vår kommun den här terminen.",
        "attachments": [{
            "name": "antagningsbesked.pdf",
            "media_type": "application/pdf",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(minimal_pdf()),
        }],
        "truthful": true,
    })
}

/// pupil1 applies; returns the case id.
async fn apply(app: &TestApp, student: &Session) -> Uuid {
    let listed = student.get_json("/api/e-services").await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "ike"),
        "{listed}"
    );
    let definition = student.get_json("/api/e-services/ike").await;
    assert_eq!(definition["who_may_apply"], "adult_student");
    let response = student
        .post_json(
            "/api/e-services/ike/submissions",
            json!({ "answers": answers(app) }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let receipt: Value = response.json().await.unwrap();
    receipt["case_id"].as_str().unwrap().parse().unwrap()
}

/// The case worker's view after distribution to case_worker1 (who covers every type).
async fn distribute(app: &TestApp, case_id: Uuid) -> Session {
    let worker = app.login("case_worker1").await;
    let assigned = worker
        .post_json(
            &format!("/api/cases/{case_id}/assignment"),
            json!({ "owner_id": app.account("case_worker1").person_id }),
        )
        .await;
    assert_eq!(
        assigned.status(),
        StatusCode::OK,
        "{:?}",
        assigned.text().await
    );
    worker
}

/// The background runner takes the steps; wait for them as a person would.
async fn register_read(app: &TestApp, case_id: Uuid) {
    app.eventually("the register is read into the case", || async {
        skolflyt::store::ike::application(&app.db, case_id)
            .await
            .unwrap()
            .is_some_and(|a| a.register_read_at.is_some())
    })
    .await;
}

async fn closed(app: &TestApp, case_id: Uuid) {
    app.eventually("the case is closed", || async {
        skolflyt::store::cases::get(&app.db, case_id)
            .await
            .unwrap()
            .is_some_and(|case| case.status == "closed")
    })
    .await;
}

fn mails_to(received: &Arc<Mutex<Vec<Received>>>, address: &str) -> Vec<Received> {
    received
        .lock()
        .unwrap()
        .iter()
        .filter(|mail| mail.to.iter().any(|to| to.contains(address)))
        .cloned()
        .collect()
}

fn fact<'a>(case: &'a Value, key: &str) -> &'a Value {
    case["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|fact| fact["key"] == key)
        .map(|fact| &fact["value"])
        .unwrap_or_else(|| panic!("no fact {key} in {case}"))
}

async fn decide(worker: &Session, case_id: Uuid, outcome: &str) {
    let response = worker
        .post_json(
            &format!("/api/cases/{case_id}/decision"),
            json!({ "outcome": outcome, "motivation": "Kursen finns inte i hemkommunen." }),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{:?}",
        response.text().await
    );
}

async fn an_adult_student_is_approved_and_the_other_municipality_is_told(backend: Backend) {
    let (app, received) = app_with_email(backend).await;
    let admin = app.login("admin1").await;
    let edited = "skollagen (2010:800) 20 kap. 21 § och kommunens riktlinjer för IKE";
    let response = admin
        .send(
            Method::PUT,
            "/api/case-types/ike/legal-basis",
            Some(json!({ "text": edited })),
            true,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let student = app.login("pupil1").await;
    let case_id = apply(&app, &student).await;
    register_read(&app, case_id).await;

    // The automated step read the register into the case.
    let worker = distribute(&app, case_id).await;
    let case = worker.get_json(&format!("/api/cases/{case_id}")).await;
    assert_eq!(case["case_type"], "ike", "{case}");
    assert_eq!(fact(&case, "municipality")["text"], "Sundsvalls kommun");
    assert_eq!(fact(&case, "course")["text"], "Svenska 3");
    assert!(fact(&case, "age")["count"].as_i64().unwrap() >= 18);
    assert!(
        !fact(&case, "residence")["text"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert!(!fact(&case, "studies")["text"].as_str().unwrap().is_empty());
    assert!(
        case["decision_hint"]["sv"]
            .as_str()
            .unwrap()
            .contains("20 kap.")
    );

    decide(&worker, case_id, "approved").await;
    closed(&app, case_id).await;
    app.eventually("the other municipality's e-mail", || async {
        !mails_to(&received, "registrator@sundsvall.example").is_empty()
    })
    .await;

    let case = worker.get_json(&format!("/api/cases/{case_id}")).await;
    assert_eq!(case["status"]["code"], "closed", "{case}");
    assert_eq!(case["decision"]["legal_basis"], edited);
    let types: Vec<&str> = case["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["document_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["receipt", "attachment", "decision_letter"]);
    let journal = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "journal")
        .expect("the letter is journalled");
    let number = case["number"].as_str().unwrap();
    assert!(
        journal["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("decision_letter={number}-3")),
        "{journal}"
    );

    let student_id = app.account("pupil1").person_id;
    let decisions = skolflyt::store::ike::decisions_of(&app.db, student_id)
        .await
        .unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(
        (
            decisions[0].municipality_code.as_str(),
            decisions[0].outcome.as_str()
        ),
        ("2281", "approved")
    );

    let inbox = student.get_json("/api/inbox").await;
    assert!(inbox.as_array().unwrap().iter().any(|m| {
        m["subject"]
            .as_str()
            .unwrap()
            .contains(&format!("Beslut i ärende {number}"))
    }));
    let to_municipality = mails_to(&received, "registrator@sundsvall.example");
    assert_eq!(to_municipality.len(), 1, "one e-mail to Sundsvall");
    assert!(to_municipality[0].data.contains("Svenska 3"));
    assert!(to_municipality[0].data.contains(number));

    // Running the steps again sends nothing twice.
    skolflyt::jobs::run_due(&app.state).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let sent = received
        .lock()
        .unwrap()
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains("sundsvall")))
        .count();
    assert_eq!(sent, 1);
}

async fn a_rejection_tells_the_student_and_nobody_else(backend: Backend) {
    let (app, received) = app_with_email(backend).await;
    let student = app.login("pupil1").await;
    let case_id = apply(&app, &student).await;
    register_read(&app, case_id).await;
    let worker = distribute(&app, case_id).await;
    decide(&worker, case_id, "rejected").await;
    closed(&app, case_id).await;
    skolflyt::jobs::run_due(&app.state).await.unwrap();

    let case = worker.get_json(&format!("/api/cases/{case_id}")).await;
    assert_eq!(case["status"]["code"], "closed");
    assert!(
        case["decision"]["legal_basis"]
            .as_str()
            .unwrap()
            .contains("20 kap.")
    );
    let decisions = skolflyt::store::ike::decisions_of(&app.db, app.account("pupil1").person_id)
        .await
        .unwrap();
    assert_eq!(decisions[0].outcome, "rejected");
    assert!(
        !received
            .lock()
            .unwrap()
            .iter()
            .any(|m| m.to.iter().any(|t| t.contains("sundsvall"))),
        "the other municipality hears of approvals only"
    );
    // The student follows it in My cases with the application's facts.
    let mine = student.get_json(&format!("/api/my/cases/{case_id}")).await;
    assert!(
        mine["facts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "provider")
    );
    assert!(mine["decision"].is_object());
}

async fn only_adult_students_apply_and_answers_are_checked(backend: Backend) {
    let (app, _) = app_with_email(backend).await;
    // guardian1 is an adult but studies nothing here.
    let guardian = app.login("guardian1").await;
    let response = guardian
        .post_json(
            "/api/e-services/ike/submissions",
            json!({ "answers": answers(&app) }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let student = app.login("pupil1").await;
    let mut bad = answers(&app);
    bad["municipality"] = json!("9999");
    bad.as_object_mut().unwrap().remove("course");
    let response = student
        .post_json("/api/e-services/ike/submissions", json!({ "answers": bad }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let mut fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(fields, ["course", "municipality"]);

    // Only administrators edit the legal basis; case staff read it.
    let worker = app.login("case_worker1").await;
    let basis = worker.get_json("/api/case-types/ike/legal-basis").await;
    assert!(basis["text"].as_str().unwrap().contains("20 kap."));
    let response = worker
        .send(
            Method::PUT,
            "/api/case-types/ike/legal-basis",
            Some(json!({ "text": "x" })),
            true,
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, _) = error_code(guardian.get("/api/case-types/ike/legal-basis").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let admin = app.login("admin1").await;
    let response = admin
        .send(
            Method::PUT,
            "/api/case-types/ike/legal-basis",
            Some(json!({ "text": "  " })),
            true,
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = admin
        .send(
            Method::PUT,
            "/api/case-types/nope/legal-basis",
            Some(json!({ "text": "y" })),
            true,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
