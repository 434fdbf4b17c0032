//! Handing a case over: an owner who may not decide a case passes it to someone who may, or
//! to a team whose queue it returns to; the history, the inbox and the team's tasks show it.

use chrono::Days;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::applications::{apply, mentored_child};
use crate::helpers::{Backend, Session, TestApp, error_code, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    a_long_leave_its_owner_may_not_decide_goes_to_the_principal,
    a_case_handed_to_a_team_returns_to_the_queue_with_a_task,
);

async fn end_duties(app: &TestApp, persons: &[Uuid], valid_to: Option<chrono::NaiveDate>) {
    for person in persons {
        skolflyt::with_db!(&app.db, |pool| sqlx::query(
            "UPDATE duties SET valid_to = $1 WHERE duty = 'principal' AND person_id = $2"
        )
        .bind(valid_to)
        .bind(*person)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
    }
}

async fn hand_over(owner: &Session, case: Uuid, body: Value) -> reqwest::Response {
    owner
        .post_json(&format!("/api/cases/{case}/handover"), body)
        .await
}

async fn a_long_leave_its_owner_may_not_decide_goes_to_the_principal(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = mentored_child(&app).await;
    let principals: Vec<Uuid> = skolflyt::store::register::principals_of(&app.db, app.today, child)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    let principal_id = app.account("principal1").person_id;
    assert!(principals.contains(&principal_id));
    // The school has no principal on the day of routing: the leave stays in the queue.
    end_duties(&app, &principals, Some(app.today - Days::new(1))).await;
    let from = crate::helpers::school_week(&app).await;
    let to = crate::helpers::school_days_from(&app, from, 12).await;
    let submitted = apply(&app.login("guardian1").await, child, from, to).await;
    let case: Uuid = submitted["case_id"].as_str().unwrap().parse().unwrap();
    app.login("guardian2")
        .await
        .send(
            reqwest::Method::POST,
            &format!("/api/applications/leave/{case}/confirmation"),
            None,
            true,
        )
        .await;
    app.eventually("the routing gives up", || async {
        !app.query_ids_for(
            "SELECT id FROM follow_ups WHERE case_id = $1 AND kind = 'exception'",
            case,
        )
        .await
        .is_empty()
    })
    .await;

    // The distributor gives it to a case worker, who may not decide a leave this long.
    let distributor = app.login("case_worker1").await;
    let worker_id = app.account("case_worker2").person_id;
    let assigned = distributor
        .post_json(
            &format!("/api/cases/{case}/assignment"),
            json!({ "owner_id": worker_id, "deadline": null }),
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::OK);
    let owner = app.login("case_worker2").await;
    let detail = owner.get_json(&format!("/api/cases/{case}")).await;
    assert_eq!(detail["actions"]["decide"], false);
    assert_eq!(detail["actions"]["decided_elsewhere"], true);
    assert_eq!(detail["actions"]["hand_over"], true);
    let refused = owner
        .post_json(
            &format!("/api/cases/{case}/decision"),
            json!({ "outcome": "approved", "motivation": "Bra närvaro." }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Without a principal in the register, only case workers are offered, none may decide.
    let options = owner
        .get_json(&format!("/api/cases/{case}/handover-options"))
        .await;
    let persons = options["persons"].as_array().unwrap();
    assert!(!persons.iter().any(|p| p["id"] == worker_id.to_string()));
    assert!(
        persons.iter().all(|p| p["may_decide"] == false),
        "{persons:?}"
    );
    assert!(!persons.iter().any(|p| p["id"] == principal_id.to_string()));
    assert!(
        options["teams"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "Elevhandläggning")
    );

    // The register has its principal again.
    end_duties(&app, &principals, None).await;
    let options = owner
        .get_json(&format!("/api/cases/{case}/handover-options"))
        .await;
    let principal = options["persons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == principal_id.to_string())
        .expect("the principal is offered");
    assert_eq!(principal["may_decide"], true);

    // Bad handovers: each refused with the field at fault, and nothing changes.
    let guardian = app.account("guardian1").person_id;
    for (body, field, code) in [
        (json!({ "note": "x" }), "to_person_id", "one_recipient"),
        (
            json!({ "to_person_id": principal_id, "to_team_id": Uuid::new_v4(), "note": "x" }),
            "to_person_id",
            "one_recipient",
        ),
        (
            json!({ "to_person_id": principal_id, "note": "  " }),
            "note",
            "required",
        ),
        (
            json!({ "to_person_id": guardian, "note": "x" }),
            "to_person_id",
            "not_handler",
        ),
        (
            json!({ "to_person_id": worker_id, "note": "x" }),
            "to_person_id",
            "already_owner",
        ),
        (
            json!({ "to_team_id": Uuid::new_v4(), "note": "x" }),
            "to_team_id",
            "unknown_team",
        ),
    ] {
        let response = hand_over(&owner, case, body.clone()).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let errors: Value = response.json().await.unwrap();
        let error = &errors["error"]["fields"][0];
        assert_eq!(
            (error["field"].as_str(), error["code"].as_str()),
            (Some(field), Some(code)),
            "{body}: {errors}"
        );
    }
    // Only the owner hands over.
    let (status, _) = error_code(
        hand_over(
            &distributor,
            case,
            json!({ "to_person_id": principal_id, "note": "x" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let note = "Ledighet över 10 skoldagar beslutas av rektor.";
    let handed = hand_over(
        &owner,
        case,
        json!({ "to_person_id": principal_id, "note": note }),
    )
    .await;
    assert!(
        matches!(handed.status(), StatusCode::OK | StatusCode::NO_CONTENT),
        "{}",
        handed.status()
    );

    let principal = app.login("principal1").await;
    let detail = principal.get_json(&format!("/api/cases/{case}")).await;
    assert_eq!(detail["owner"]["id"], principal_id.to_string());
    assert_eq!(detail["actions"]["decide"], true);
    let event = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "handed_over")
        .expect("the history shows the handover");
    assert_eq!(event["to"]["id"], principal_id.to_string());
    assert_eq!(event["note"], note);
    assert_eq!(event["actor"]["id"], worker_id.to_string());
    let inbox = principal.get_json("/api/inbox").await;
    let told = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["case_id"] == case.to_string())
        .unwrap_or_else(|| panic!("the principal is told: {inbox}"));
    assert!(told["body"].as_str().unwrap().contains(note), "{told}");
    // The registrar sees that it happened, not the handler's words.
    let registrar = app.login("registrar1").await;
    let registry = registrar.get_json(&format!("/api/cases/{case}")).await;
    let event = registry["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "handed_over")
        .unwrap();
    assert!(
        event.get("note").is_none() && event["detail"] == "",
        "{event}"
    );

    let decided = principal
        .post_json(
            &format!("/api/cases/{case}/decision"),
            json!({ "outcome": "approved", "motivation": "Eleven har god närvaro." }),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    app.eventually("the case is closed", || async {
        skolflyt::store::cases::get(&app.db, case)
            .await
            .unwrap()
            .unwrap()
            .status
            == "closed"
    })
    .await;
}

async fn a_case_handed_to_a_team_returns_to_the_queue_with_a_task(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = app.account("guardian1").children[0];
    let case = crate::cases::new_case(&app, app.account("guardian1").person_id, Some(child)).await;
    let distributor = app.login("case_worker1").await;
    let worker_id = app.account("case_worker2").person_id;
    let assigned = distributor
        .post_json(
            &format!("/api/cases/{case}/assignment"),
            json!({ "owner_id": worker_id, "deadline": null }),
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::OK);
    let queue = || async {
        distributor.get_json("/api/cases?view=queue").await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(!queue().await.contains(&case.to_string()));

    let owner = app.login("case_worker2").await;
    let options = owner
        .get_json(&format!("/api/cases/{case}/handover-options"))
        .await;
    let team = options["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Elevhandläggning")
        .expect("the case office's team")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let handed = hand_over(
        &owner,
        case,
        json!({ "to_team_id": team, "note": "Jag är föräldraledig från måndag." }),
    )
    .await;
    assert!(matches!(
        handed.status(),
        StatusCode::OK | StatusCode::NO_CONTENT
    ));

    // Nobody owns it; it is open and back in the queue, and the team has a task about it.
    let row = skolflyt::store::cases::get(&app.db, case)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.status.as_str(), row.owner_id), ("open", None));
    assert!(queue().await.contains(&case.to_string()));
    let team: Uuid = team.parse().unwrap();
    let tasks = app
        .query_ids_for(
            "SELECT id FROM follow_ups WHERE kind = 'task' AND assignee_team_id = $1",
            team,
        )
        .await;
    let mut found = false;
    for task in tasks {
        let follow_up = distributor
            .get_json(&format!("/api/follow-ups/{task}"))
            .await;
        if follow_up["case_id"] == case.to_string() {
            // The note stays in the case's history, not in the team's task.
            let details = follow_up["details"].as_str().unwrap();
            assert!(!details.contains("föräldraledig"), "{follow_up}");
            assert!(details.contains("historik"), "{follow_up}");
            found = true;
        }
    }
    assert!(found, "the team has a task for the case");
    let detail = distributor.get_json(&format!("/api/cases/{case}")).await;
    let event = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "handed_over")
        .unwrap();
    assert_eq!(event["to"]["name"], "Elevhandläggning");
    assert_eq!(detail["actions"]["hand_over"], false);
    assert_eq!(detail["actions"]["assign"], true);

    // A distributor assigns it again; it stays open.
    let again = distributor
        .post_json(
            &format!("/api/cases/{case}/assignment"),
            json!({ "owner_id": app.account("case_worker1").person_id, "deadline": null }),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["status"]["code"], "open");
    assert!(!queue().await.contains(&case.to_string()));
}
