//! Case handling: gapless registry numbers, distribution, subtasks, decisions, and who may
//! see a case.

use std::collections::BTreeSet;

use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{Value, json};
use skolflyt::store::cases::{self, NewCase};
use uuid::Uuid;

use crate::helpers::{Backend, TestApp, error_code, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    five_hundred_concurrent_cases_get_consecutive_numbers,
    a_rolled_back_case_leaves_no_gap,
    a_case_goes_from_the_queue_to_an_owner_subtask_decision_and_closure,
    only_distributors_see_the_queue_and_assign,
    people_without_a_relation_to_a_case_get_404,
    bad_case_requests_get_field_errors,
);

/// Creates a placement-change case as if an e-service had (the placement e-service comes later).
pub(crate) async fn new_case(app: &TestApp, applicant: Uuid, subject: Option<Uuid>) -> Uuid {
    let mut tx = app.db.begin().await.unwrap();
    let (id, ..) = cases::create(
        &mut tx,
        &NewCase {
            case_type: "placement_change",
            status: "new",
            title: "Utökad tid på fritidshem",
            applicant,
            co_applicants: &[],
            subject,
            actor: Some(applicant),
        },
        skolflyt::clock::now(),
        app.today,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn numbers(app: &TestApp) -> Vec<i64> {
    skolflyt::with_db!(&app.db, |pool| {
        sqlx::query_scalar("SELECT CAST(serial AS BIGINT) FROM cases ORDER BY serial")
            .fetch_all(pool)
            .await
    })
    .unwrap()
}

async fn five_hundred_concurrent_cases_get_consecutive_numbers(backend: Backend) {
    let app = spawn_app(backend).await;
    let applicant = app.account("guardian1").person_id;
    let tasks: Vec<_> = (0..500)
        .map(|_| {
            let db = app.db.clone();
            let today = app.today;
            tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let (_, year, serial) = cases::create(
                    &mut tx,
                    &NewCase {
                        case_type: "placement_change",
                        status: "new",
                        title: "x",
                        applicant,
                        co_applicants: &[],
                        subject: None,
                        actor: None,
                    },
                    skolflyt::clock::now(),
                    today,
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
                (year, serial)
            })
        })
        .collect();
    let mut serials = BTreeSet::new();
    for task in tasks {
        let (year, serial) = task.await.unwrap();
        assert_eq!(year, app.today.year());
        assert!(serials.insert(serial), "{serial} handed out twice");
    }
    assert_eq!(
        serials.into_iter().collect::<Vec<_>>(),
        (1..=500).collect::<Vec<i32>>()
    );
}

async fn a_rolled_back_case_leaves_no_gap(backend: Backend) {
    let app = spawn_app(backend).await;
    let applicant = app.account("guardian1").person_id;
    new_case(&app, applicant, None).await;
    {
        let mut tx = app.db.begin().await.unwrap();
        let (_, _, serial) = cases::create(
            &mut tx,
            &NewCase {
                case_type: "placement_change",
                status: "new",
                title: "abandoned",
                applicant,
                co_applicants: &[],
                subject: None,
                actor: None,
            },
            skolflyt::clock::now(),
            app.today,
        )
        .await
        .unwrap();
        assert_eq!(serial, 2);
        // Dropped without commit: rolled back.
    }
    new_case(&app, applicant, None).await;
    assert_eq!(numbers(&app).await, [1, 2]);
}

async fn a_case_goes_from_the_queue_to_an_owner_subtask_decision_and_closure(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = app.account("guardian1").children[0];
    let id = new_case(&app, app.account("guardian1").person_id, Some(child)).await;

    let distributor = app.login("case_worker1").await;
    let queue = distributor.get_json("/api/cases?view=queue").await;
    let queued: Vec<&Value> = queue["items"].as_array().unwrap().iter().collect();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["id"], id.to_string());
    assert_eq!(queued[0]["status"]["code"], "new");
    assert!(queued[0]["number"].as_str().unwrap().ends_with("/00001"));

    let owners = distributor.get_json("/api/cases/owners").await;
    let owner_id = app.account("case_worker2").person_id;
    assert!(
        owners
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == owner_id.to_string())
    );
    let deadline = app.today + chrono::Days::new(7);
    let assigned = distributor
        .post_json(
            &format!("/api/cases/{id}/assignment"),
            json!({ "owner_id": owner_id, "deadline": deadline }),
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::OK);
    let assigned: Value = assigned.json().await.unwrap();
    assert_eq!(assigned["status"]["code"], "open");
    assert_eq!(assigned["deadline"], deadline.to_string());
    assert_eq!(
        distributor.get_json("/api/cases?view=queue").await["items"],
        json!([])
    );

    let owner = app.login("case_worker2").await;
    let mine = owner.get_json("/api/cases?view=mine").await;
    assert_eq!(mine["items"][0]["id"], id.to_string());
    // The owner cannot move the distributor's deadline.
    let moved = owner
        .post_json(
            &format!("/api/cases/{id}/assignment"),
            json!({ "owner_id": owner_id, "deadline": null }),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::FORBIDDEN);

    let specialist = app.account("teacher1").person_id;
    let with_subtask = owner
        .post_json(
            &format!("/api/cases/{id}/subtasks"),
            json!({ "assignee_id": specialist, "description": "Hur många timmar behöver eleven?", "due_date": deadline }),
        )
        .await;
    assert_eq!(with_subtask.status(), StatusCode::OK);
    let note = owner
        .post_json(
            &format!("/api/cases/{id}/notes"),
            json!({ "body": "Ringt vårdnadshavaren.", "internal": true }),
        )
        .await;
    assert_eq!(note.status(), StatusCode::OK);

    let teacher = app.login("teacher1").await;
    let tasks = teacher.get_json("/api/subtasks").await;
    let task_id = tasks[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(tasks[0]["status"], "new");
    let unanswered = teacher
        .post_json(
            &format!("/api/subtasks/{task_id}/status"),
            json!({ "status": "solved" }),
        )
        .await;
    assert_eq!(
        error_code(unanswered).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation".into())
    );
    let solved = teacher
        .post_json(
            &format!("/api/subtasks/{task_id}/status"),
            json!({ "status": "solved", "answer": "15 timmar i veckan." }),
        )
        .await;
    assert_eq!(solved.status(), StatusCode::OK);
    assert_eq!(teacher.get_json("/api/subtasks").await, json!([]));
    // The specialist sees the case they work on.
    assert_eq!(
        teacher.get(&format!("/api/cases/{id}")).await.status(),
        StatusCode::OK
    );

    let case = owner.get_json(&format!("/api/cases/{id}")).await;
    assert_eq!(case["subtasks"][0]["status"], "solved");
    assert_eq!(case["subtasks"][0]["answer"], "15 timmar i veckan.");
    assert_eq!(case["actions"]["decide"], true);

    let decided = owner
        .post_json(
            &format!("/api/cases/{id}/decision"),
            json!({ "outcome": "approved", "motivation": "Behovet är styrkt." }),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    let decided: Value = decided.json().await.unwrap();
    assert_eq!(decided["status"]["code"], "decided");
    assert_eq!(decided["decision"]["outcome"], "approved");
    let again = owner
        .post_json(
            &format!("/api/cases/{id}/decision"),
            json!({ "outcome": "rejected", "motivation": "x" }),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let closed = owner
        .send(
            reqwest::Method::POST,
            &format!("/api/cases/{id}/closure"),
            None,
            true,
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    let closed: Value = closed.json().await.unwrap();
    assert_eq!(closed["status"]["code"], "closed");
    let kinds: Vec<&str> = closed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in ["assigned", "status", "subtask", "note", "decision"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert_eq!(
        owner.get_json("/api/cases?view=mine").await["items"],
        json!([])
    );

    // The applicant follows it in My cases with the citizen-facing names.
    let guardian = app.login("guardian1").await;
    let mine = guardian.get_json(&format!("/api/my/cases/{id}")).await;
    assert_eq!(mine["status_name"]["sv"], "Avslutad");
    assert_eq!(mine["outcome"], "approved");
    let history: Vec<&str> = mine["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status_name"]["en"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["Being handled", "Decision made", "Closed"]);
}

async fn only_distributors_see_the_queue_and_assign(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = new_case(&app, app.account("guardian1").person_id, None).await;
    for username in ["teacher1", "principal1", "guardian1", "provider_admin1"] {
        let session = app.login(username).await;
        let (status, code) = error_code(session.get("/api/cases?view=queue").await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{username}"
        );
        let assign = session
            .post_json(
                &format!("/api/cases/{id}/assignment"),
                json!({ "owner_id": app.account("case_worker1").person_id }),
            )
            .await;
        assert_eq!(assign.status(), StatusCode::NOT_FOUND, "{username}");
    }
    let registrar = app.login("registrar1").await;
    assert_eq!(
        registrar.get("/api/cases?view=queue").await.status(),
        StatusCode::OK
    );
}

async fn people_without_a_relation_to_a_case_get_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = app.account("guardian1").children[0];
    let id = new_case(&app, app.account("guardian1").person_id, Some(child)).await;
    for username in [
        "teacher2",
        "guardian3",
        "provider_admin1",
        "principal2",
        "pupil1",
        "admin1",
    ] {
        let session = app.login(username).await;
        for path in [format!("/api/cases/{id}"), format!("/api/my/cases/{id}")] {
            let (status, _) = error_code(session.get(&path).await).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{username} {path}");
        }
        let note = session
            .post_json(
                &format!("/api/cases/{id}/notes"),
                json!({ "body": "x", "internal": true }),
            )
            .await;
        assert_eq!(
            note.status(),
            StatusCode::NOT_FOUND,
            "{username} adds a note"
        );
        assert_eq!(
            session.get_json("/api/my/cases").await,
            json!([]),
            "{username}"
        );
    }
}

async fn bad_case_requests_get_field_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = new_case(&app, app.account("guardian1").person_id, None).await;
    let distributor = app.login("case_worker1").await;
    let not_worker = distributor
        .post_json(
            &format!("/api/cases/{id}/assignment"),
            json!({ "owner_id": app.account("guardian2").person_id }),
        )
        .await;
    let body: Value = not_worker.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "owner_id");
    let past = distributor
        .post_json(
            &format!("/api/cases/{id}/assignment"),
            json!({ "owner_id": app.account("case_worker2").person_id, "deadline": "2020-01-01" }),
        )
        .await;
    let body: Value = past.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "deadline");
    let empty_note = distributor
        .post_json(
            &format!("/api/cases/{id}/notes"),
            json!({ "body": "  ", "internal": false }),
        )
        .await;
    let body: Value = empty_note.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["code"], "required");
    let bad_view = distributor.get("/api/cases?view=everything").await;
    assert_eq!(bad_view.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
