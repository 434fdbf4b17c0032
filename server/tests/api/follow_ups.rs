//! Follow-ups: exceptions from failed steps with retry, tasks, assignment, sharing, status.

use reqwest::StatusCode;
use serde_json::{Value, json};
use skolflyt::clock;
use skolflyt::store::jobs::{self, NewJob};

use crate::helpers::{Backend, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    a_step_that_fails_for_good_raises_an_exception_the_operators_can_retry,
    tasks_are_assigned_shared_and_closed,
    follow_ups_are_visible_only_to_their_people,
);

async fn a_step_that_fails_for_good_raises_an_exception_the_operators_can_retry(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut tx = app.db.begin().await.unwrap();
    let job = NewJob {
        kind: "no.such.step",
        payload: "{}".into(),
        idempotency_key: "test:exception".into(),
        run_after: clock::now(),
        max_attempts: 1,
    };
    jobs::enqueue(&mut tx, &job, clock::now()).await.unwrap();
    tx.commit().await.unwrap();

    let admin = app.login("admin1").await;
    app.eventually("an exception is raised", || async {
        let teams = admin.get_json("/api/follow-ups?view=teams").await;
        teams
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "exception")
    })
    .await;
    let teams = admin.get_json("/api/follow-ups?view=teams").await;
    let exception = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "exception")
        .unwrap();
    assert!(
        exception["title"]
            .as_str()
            .unwrap()
            .contains("no.such.step")
    );
    assert!(
        exception["details"]
            .as_str()
            .unwrap()
            .contains("no handler")
    );
    assert_eq!(exception["can_retry"], true);
    let id = exception["id"].as_str().unwrap();

    let retried = admin
        .post_json(&format!("/api/follow-ups/{id}/retry"), json!({}))
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
    let retried: Value = retried.json().await.unwrap();
    assert_eq!(retried["status"], "processed");
    let kinds: Vec<&str> = retried["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["created", "retried"]);
    // The step ran again (and, still having no handler, failed into a new exception).
    app.eventually("the retried step ran", || async {
        let teams = admin.get_json("/api/follow-ups?view=teams").await;
        teams
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "exception")
            .count()
            == 1
            && teams[0]["id"] != id
    })
    .await;
}

async fn tasks_are_assigned_shared_and_closed(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.login("case_worker1").await;
    let due = app.today - chrono::Days::new(1);
    let created = owner
        .post_json(
            "/api/follow-ups",
            json!({ "title": "Ring rektorn om skolskjuts", "details": "", "due_date": due }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let task: Value = created.json().await.unwrap();
    let id = task["id"].as_str().unwrap().to_owned();
    assert_eq!(task["kind"], "task");
    assert_eq!(task["overdue"], true);
    let overdue = owner.get_json("/api/follow-ups?view=overdue").await;
    assert_eq!(overdue[0]["id"], id);

    let teams = owner.get_json("/api/teams").await;
    let team = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Elevhandläggning")
        .expect("case workers' team");
    let shared = owner
        .post_json(
            &format!("/api/follow-ups/{id}/shares"),
            json!({ "team_id": team["id"] }),
        )
        .await;
    assert_eq!(shared.status(), StatusCode::OK);
    let colleague = app.login("case_worker2").await;
    assert_eq!(
        colleague.get_json("/api/follow-ups?view=teams").await[0]["id"],
        id
    );

    let teacher = app.account("teacher1").person_id;
    let assigned = owner
        .post_json(
            &format!("/api/follow-ups/{id}/assignment"),
            json!({ "person_id": teacher }),
        )
        .await;
    let assigned: Value = assigned.json().await.unwrap();
    assert_eq!(assigned["assignee"]["type"], "person");
    assert_eq!(
        assigned["owner"]["id"],
        app.account("case_worker1").person_id.to_string(),
        "ownership stays"
    );
    let specialist = app.login("teacher1").await;
    assert_eq!(
        specialist.get_json("/api/follow-ups?view=mine").await[0]["id"],
        id
    );
    let later = specialist
        .post_json(
            &format!("/api/follow-ups/{id}/due-date"),
            json!({ "due_date": app.today + chrono::Days::new(3) }),
        )
        .await;
    assert_eq!(later.json::<Value>().await.unwrap()["overdue"], false);
    let processed = specialist
        .post_json(
            &format!("/api/follow-ups/{id}/status"),
            json!({ "status": "processed" }),
        )
        .await;
    assert_eq!(
        processed.json::<Value>().await.unwrap()["status"],
        "processed"
    );
    assert_eq!(
        specialist.get_json("/api/follow-ups?view=mine").await,
        json!([]),
        "dashboards list active ones"
    );

    let bad = owner.post_json("/api/follow-ups", json!({ "title": " ", "details": "", "assignee": { "person_id": app.account("guardian1").person_id } })).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn follow_ups_are_visible_only_to_their_people(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.login("case_worker1").await;
    let task: Value = owner
        .post_json(
            "/api/follow-ups",
            json!({ "title": "Kontrollera placeringar", "details": "Inga personuppgifter här." }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = task["id"].as_str().unwrap();
    for username in ["teacher2", "principal1", "admin1"] {
        let session = app.login(username).await;
        assert_eq!(
            session.get(&format!("/api/follow-ups/{id}")).await.status(),
            StatusCode::NOT_FOUND,
            "{username}"
        );
        let status = session
            .post_json(
                &format!("/api/follow-ups/{id}/status"),
                json!({ "status": "closed" }),
            )
            .await;
        assert_eq!(status.status(), StatusCode::NOT_FOUND, "{username}");
    }
    let guardian = app.login("guardian1").await;
    let refused = guardian
        .post_json("/api/follow-ups", json!({ "title": "x", "details": "" }))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
