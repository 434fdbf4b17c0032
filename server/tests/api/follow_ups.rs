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
    a_share_gives_reading_and_commenting_only,
    follow_ups_are_visible_only_to_their_people,
    subscribers_who_reach_the_pupil_are_notified_of_a_new_case,
    subscriptions_are_for_staff_in_their_own_units,
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
    let kinds: Vec<&str> = retried["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    // The runner may already have run the step again by the time the answer is read.
    assert_eq!(kinds[..2], ["created", "retried"]);
    // The step ran again and, still having no handler, failed: the same exception is active
    // again, with the second failure in its history.
    app.eventually("the retried step failed again", || async {
        let teams = admin.get_json("/api/follow-ups?view=teams").await;
        let exceptions: Vec<&Value> = teams
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "exception")
            .collect();
        exceptions.len() == 1 && exceptions[0]["id"] == id
    })
    .await;
    let again = admin.get_json(&format!("/api/follow-ups/{id}")).await;
    assert_eq!(again["status"], "active");
    assert!(
        again["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "failed_again")
    );
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

/// guardian1's child whose mentor is teacher1, and that child's unit.
async fn mentored_child_and_unit(app: &crate::helpers::TestApp) -> (uuid::Uuid, uuid::Uuid) {
    let mentored = app
        .query_ids_for(
            "SELECT m.person_id FROM duties d JOIN group_memberships m ON m.group_id = d.group_id \
             WHERE d.person_id = $1 AND d.duty = 'mentor'",
            app.account("teacher1").person_id,
        )
        .await;
    let child = *app
        .account("guardian1")
        .children
        .iter()
        .find(|c| mentored.contains(c))
        .expect("teacher1 mentors one of guardian1's children");
    let units = app
        .query_ids_for(
            "SELECT g.unit_id FROM group_memberships m JOIN groups g ON g.id = m.group_id \
             WHERE m.person_id = $1",
            child,
        )
        .await;
    (child, units[0])
}

fn notifications(dashboard: &Value) -> Vec<Value> {
    dashboard
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "notification")
        .cloned()
        .collect()
}

async fn subscribers_who_reach_the_pupil_are_notified_of_a_new_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let (child, unit) = mentored_child_and_unit(&app).await;
    let teacher = app.login("teacher1").await;
    let office = app.login("case_worker1").await;
    let other_type = app.login("teacher2").await;
    let mine = subscribe(
        &teacher,
        json!({ "event": "case_created", "case_type": "leave", "unit_id": unit }),
    )
    .await;
    assert_eq!(mine["case_type"], "leave");
    assert_eq!(mine["unit"]["id"], unit.to_string());
    let again = subscribe(
        &teacher,
        json!({ "event": "case_created", "case_type": "leave", "unit_id": unit }),
    )
    .await;
    assert_eq!(
        again["id"], mine["id"],
        "subscribing twice keeps one subscription"
    );
    subscribe(&office, json!({ "event": "case_created" })).await;
    subscribe(
        &other_type,
        json!({ "event": "case_created", "case_type": "school_choice" }),
    )
    .await;
    // teacher2 also watches leave everywhere, but does not reach the child's unit.
    let reached = other_type.get_all("/api/units", 100).await;
    assert!(!reached.iter().any(|u| u["id"] == unit.to_string()));
    subscribe(
        &other_type,
        json!({ "event": "case_created", "case_type": "leave" }),
    )
    .await;

    let guardian = app.login("guardian1").await;
    let from = crate::helpers::school_week(&app).await;
    let response = guardian
        .post_json(
            "/api/applications/leave",
            json!({ "pupil_id": child, "from": from, "to": from, "reason": "Tandläkare i Umeå" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let submitted: Value = response.json().await.unwrap();
    let number = submitted["number"].as_str().unwrap().to_owned();

    for session in [&teacher, &office] {
        app.eventually("the subscriber is notified", || async {
            !notifications(&session.get_json("/api/follow-ups?view=mine").await).is_empty()
        })
        .await;
        let notes = notifications(&session.get_json("/api/follow-ups?view=mine").await);
        assert_eq!(notes.len(), 1, "one notification per subscriber");
        let note = &notes[0];
        assert!(note["title"].as_str().unwrap().contains(&number), "{note}");
        assert_eq!(note["case_id"], submitted["case_id"]);
        let pupil = skolflyt::store::register::person_basic(&app.db, child)
            .await
            .unwrap()
            .unwrap();
        let text = format!("{} {}", note["title"], note["details"]);
        assert!(!text.contains(&pupil.given_name) && !text.contains(&pupil.family_name));
    }
    // The step has run for everyone by now: teacher2 matched no case type it may hear of.
    assert!(notifications(&other_type.get_json("/api/follow-ups?view=mine").await).is_empty());
    assert!(notifications(&guardian.get_json("/api/follow-ups?view=mine").await).is_empty());
}

async fn subscriptions_are_for_staff_in_their_own_units(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.login("guardian1").await;
    let refused = guardian
        .post_json(
            "/api/follow-ups/subscriptions",
            json!({ "event": "case_created" }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let teacher = app.login("teacher1").await;
    let reached: Vec<String> = teacher
        .get_all("/api/units", 100)
        .await
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    let elsewhere = app
        .query_ids("SELECT DISTINCT unit_id FROM groups")
        .await
        .into_iter()
        .find(|u| !reached.contains(&u.to_string()))
        .expect("a unit teacher1 does not reach");
    let response = teacher
        .post_json(
            "/api/follow-ups/subscriptions",
            json!({ "event": "case_created", "unit_id": elsewhere }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "unit_id");
    let response = teacher
        .post_json(
            "/api/follow-ups/subscriptions",
            json!({ "event": "case_created", "case_type": "no_such_type" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let types = teacher
        .get_json("/api/follow-ups/subscriptions/case-types")
        .await;
    assert!(
        types
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["code"] == "leave")
    );
    let created: Value = teacher
        .post_json(
            "/api/follow-ups/subscriptions",
            json!({ "event": "case_created", "case_type": "leave" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/follow-ups/subscriptions/{id}");
    let other = app.login("teacher2").await;
    let response = other.send(reqwest::Method::DELETE, &path, None, true).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "not theirs");
    let response = teacher
        .send(reqwest::Method::DELETE, &path, None, true)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let left = teacher.get_json("/api/follow-ups/subscriptions").await;
    assert_eq!(left.as_array().unwrap().len(), 0);
}

async fn subscribe(session: &crate::helpers::Session, body: Value) -> Value {
    let response = session
        .post_json("/api/follow-ups/subscriptions", body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn a_share_gives_reading_and_commenting_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.login("case_worker1").await;
    let created = owner
        .post_json(
            "/api/follow-ups",
            json!({ "title": "Ring rektorn", "details": "", "due_date": null, "case_id": null, "assignee": null }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let colleague_id = app.account("case_worker2").person_id;
    let shared = owner
        .post_json(
            &format!("/api/follow-ups/{id}/shares"),
            json!({ "person_id": colleague_id }),
        )
        .await;
    assert_eq!(shared.status(), StatusCode::OK);

    let colleague = app.login("case_worker2").await;
    let seen = colleague.get_json(&format!("/api/follow-ups/{id}")).await;
    assert_eq!(seen["can_handle"], false);
    let commented = colleague
        .post_json(
            &format!("/api/follow-ups/{id}/comments"),
            json!({ "body": "Jag har hans nummer" }),
        )
        .await;
    assert_eq!(commented.status(), StatusCode::OK);
    let commented: Value = commented.json().await.unwrap();
    assert!(
        commented["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| { e["kind"] == "comment" && e["detail"] == "Jag har hans nummer" })
    );
    let teacher = app.account("teacher1").person_id;
    for (path, body) in [
        ("assignment", json!({ "person_id": colleague_id })),
        ("shares", json!({ "person_id": teacher })),
        ("status", json!({ "status": "closed" })),
        ("due-date", json!({ "due_date": null })),
    ] {
        let refused = colleague
            .post_json(&format!("/api/follow-ups/{id}/{path}"), body)
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let mine = owner.get_json(&format!("/api/follow-ups/{id}")).await;
    assert_eq!(mine["can_handle"], true);
    assert_eq!(mine["status"], "active");
    assert_eq!(
        mine["owner"]["id"],
        app.account("case_worker1").person_id.to_string()
    );
}
