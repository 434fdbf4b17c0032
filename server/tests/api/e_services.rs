//! E-services as data: an administrator writes and publishes a definition, an applicant
//! answers it; each intake mode, versions, saved answers, conditional fields and the family
//! boundary.

use base64::Engine;
use chrono::Days;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Backend, Session, TestApp, error_code, minimal_pdf, next_monday, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    an_administrator_publishes_and_a_guardian_submits_a_new_case,
    bad_answers_get_one_error_per_field_and_write_nothing,
    a_child_outside_the_family_is_not_found,
    saved_answers_resume_on_the_version_they_were_started_on,
    an_existing_case_gets_the_submission_as_documents,
    an_assignment_becomes_a_task_for_the_team,
    only_administrators_edit_and_bad_definitions_get_field_errors,
    who_may_apply_is_enforced,
    documents_are_never_less_protected_than_their_case,
    the_editor_lists_every_e_service_with_its_state_and_the_intake_choices,
    every_guardian_confirms_before_the_case_goes_on,
    signing_by_every_guardian_needs_a_guardians_new_case_about_a_child,
);

/// A published e-service whose saved answers (guardian1's) name `child`: for the generic
/// tests over every endpoint. Returns its code.
pub async fn saved_for_guardian1(app: &TestApp, child: Uuid) -> &'static str {
    published(app, "skolskjuts", school_transport(new_case())).await;
    let saved = app
        .login("guardian1")
        .await
        .send(
            Method::PUT,
            "/api/e-services/skolskjuts/saved-answers",
            Some(json!({ "answers": { "child": child }, "step": 0 })),
            true,
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    "skolskjuts"
}

async fn codes(session: &Session) -> Vec<String> {
    session
        .get_json("/api/e-services")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|service| service["code"].as_str().unwrap().to_owned())
        .collect()
}

fn names(sv: &str, en: &str) -> Value {
    json!({ "sv": sv, "en": en })
}

/// A definition with every kind of field an applicant fills in on a phone, and one that only
/// shows when "Behöver ni skolskjuts?" is answered yes.
fn school_transport(intake: Value) -> Value {
    json!({
        "code": "ignored",
        "version": 99,
        "title": names("Ansökan om skolskjuts", "School transport application"),
        "description": names("Ansök om skolskjuts för ditt barn.", "Apply for school transport for your child."),
        "who_may_apply": "guardian",
        "signing": "one_guardian",
        "intake": intake,
        "steps": [
            {
                "title": names("Barnet", "The child"),
                "fields": [
                    { "key": "child", "type": "child", "required": true, "label": names("Barn", "Child") },
                    { "key": "distance_km", "type": "number", "required": true, "min": 0, "max": 100,
                      "label": names("Avstånd till skolan (km)", "Distance to school (km)") },
                    { "key": "start", "type": "date", "required": true, "label": names("Från och med", "From") },
                ]
            },
            {
                "title": names("Resan", "The journey"),
                "fields": [
                    { "key": "needs_transport", "type": "yes_no", "required": true,
                      "label": names("Behöver ni skolskjuts?", "Do you need school transport?") },
                    { "key": "reason", "type": "textarea", "required": true, "max_length": 500,
                      "label": names("Varför?", "Why?"),
                      "visible_when": { "field": "needs_transport", "equals": true } },
                    { "key": "mode", "type": "choice", "required": true,
                      "label": names("Färdsätt", "Mode of transport"),
                      "options": [
                          { "value": "bus", "label": names("Buss", "Bus") },
                          { "value": "taxi", "label": names("Taxi", "Taxi") }
                      ] },
                    { "key": "days", "type": "multi_choice", "required": false,
                      "label": names("Dagar", "Days"),
                      "options": [
                          { "value": "mon", "label": names("Måndag", "Monday") },
                          { "value": "fri", "label": names("Fredag", "Friday") }
                      ] },
                    { "key": "period", "type": "date_range", "required": false, "label": names("Period", "Period") },
                    { "key": "note", "type": "text", "required": false, "label": names("Övrigt", "Other") },
                    { "key": "certificate", "type": "attachment", "required": false, "max_files": 2,
                      "label": names("Intyg", "Certificate") },
                    { "key": "truthful", "type": "declaration", "required": true,
                      "label": names("Jag intygar att uppgifterna är riktiga", "I confirm the information is correct") },
                ]
            }
        ]
    })
}

fn new_case() -> Value {
    json!({ "mode": "new_case", "case_type": "placement_change" })
}

async fn put_draft(session: &Session, code: &str, definition: Value) -> reqwest::Response {
    session
        .send(
            Method::PUT,
            &format!("/api/e-services/{code}/draft"),
            Some(definition),
            true,
        )
        .await
}

async fn publish(session: &Session, code: &str) -> Value {
    let response = session
        .post_json(&format!("/api/e-services/{code}/publish"), json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Writes and publishes `definition` as `code`; returns the administrator's session.
async fn published(app: &TestApp, code: &str, definition: Value) -> Session {
    let admin = app.login("admin1").await;
    let response = put_draft(&admin, code, definition).await;
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
    publish(&admin, code).await;
    admin
}

fn valid_answers(app: &TestApp, child: Uuid) -> Value {
    let start = next_monday(app.today);
    json!({
        "child": child,
        "distance_km": 6.5,
        "start": start,
        "needs_transport": true,
        "reason": "Vägen saknar gångbana.",
        "mode": "bus",
        "days": ["mon", "fri"],
        "period": { "from": start, "to": start + Days::new(30) },
        "note": "Ringer gärna",
        "certificate": [{
            "name": "intyg.pdf",
            "media_type": "application/pdf",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(minimal_pdf()),
        }],
        "truthful": true,
    })
}

async fn submit(session: &Session, code: &str, body: Value) -> reqwest::Response {
    session
        .post_json(&format!("/api/e-services/{code}/submissions"), body)
        .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    skolflyt::with_db!(&app.db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await
        .unwrap())
}

async fn an_administrator_publishes_and_a_guardian_submits_a_new_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin1").await;
    let created = put_draft(&admin, "skolskjuts", school_transport(new_case())).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let again = put_draft(&admin, "skolskjuts", school_transport(new_case())).await;
    assert_eq!(again.status(), StatusCode::OK);

    let guardian = app.login("guardian1").await;
    // A draft is the administrators' alone.
    assert_eq!(codes(&guardian).await, ["ike"]);
    let (status, _) = error_code(guardian.get("/api/e-services/skolskjuts").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    assert_eq!(publish(&admin, "skolskjuts").await["version"], 1);
    let listed = guardian.get_json("/api/e-services").await;
    assert_eq!(codes(&guardian).await, ["ike", "skolskjuts"]);
    assert_eq!(listed[1]["version"], 1);
    assert_eq!(listed[1]["intake_mode"], "new_case");
    assert_eq!(listed[1]["title"]["en"], "School transport application");
    let definition = guardian.get_json("/api/e-services/skolskjuts").await;
    assert_eq!(definition["code"], "skolskjuts");
    assert_eq!(definition["version"], 1);
    assert_eq!(definition["steps"][1]["fields"][1]["key"], "reason");
    assert_eq!(definition["steps"][0]["fields"][0]["type"], "child");

    let child = app.account("guardian1").children[0];
    let response = submit(
        &guardian,
        "skolskjuts",
        json!({ "answers": valid_answers(&app, child) }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let receipt: Value = response.json().await.unwrap();
    let case_id: Uuid = receipt["case_id"].as_str().unwrap().parse().unwrap();
    assert!(receipt["case_number"].as_str().unwrap().contains('/'));
    assert!(receipt.get("follow_up_id").is_none());

    let case = skolflyt::store::cases::get(&app.db, case_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.case_type, "placement_change");
    assert_eq!(case.subject_id, Some(child));
    assert_eq!(case.applicant_id, app.account("guardian1").person_id);
    assert_eq!(case.status, "new");
    let documents = skolflyt::store::cases::documents(&app.db, case_id)
        .await
        .unwrap();
    let types: Vec<&str> = documents.iter().map(|d| d.document_type.as_str()).collect();
    assert_eq!(types, ["receipt", "attachment"], "{documents:?}");

    // The applicant follows it in "My cases", receipt included.
    let mine = guardian.get_json(&format!("/api/my/cases/{case_id}")).await;
    assert_eq!(mine["documents"].as_array().unwrap().len(), 2);

    let submissions = skolflyt::store::e_services::submissions_of(&app.db, case.applicant_id)
        .await
        .unwrap();
    assert_eq!(submissions.len(), 1);
    assert_eq!(submissions[0].version, 1);
    assert_eq!(submissions[0].case_id, Some(case_id));
    let stored: Value = serde_json::from_str(&submissions[0].answers).unwrap();
    assert_eq!(stored["mode"], "bus");
    assert_eq!(stored["certificate"][0]["name"], "intyg.pdf");
    assert_eq!(
        stored["certificate"][0]["content_base64"], "",
        "the file is a document, not an answer"
    );
}

async fn bad_answers_get_one_error_per_field_and_write_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    published(&app, "skolskjuts", school_transport(new_case())).await;
    let guardian = app.login("guardian1").await;
    let child = app.account("guardian1").children[0];
    let before = count(&app, "SELECT COUNT(*) FROM cases").await;

    let mut answers = valid_answers(&app, child);
    answers["distance_km"] = json!(500);
    answers["mode"] = json!("helicopter");
    answers["truthful"] = json!(false);
    answers["period"] = json!({ "from": "2026-12-10", "to": "2026-12-01" });
    answers["start"] = json!("den femte");
    answers["unknown"] = json!("x");
    answers.as_object_mut().unwrap().remove("needs_transport");
    let response = submit(&guardian, "skolskjuts", json!({ "answers": answers })).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let mut fields = crate::helpers::field_codes(&body);
    fields.sort();
    assert_eq!(
        fields,
        [
            ("distance_km", "out_of_range"),
            ("mode", "not_an_option"),
            ("needs_transport", "required"),
            ("period", "before_from"),
            ("start", "invalid"),
            ("truthful", "must_accept"),
            ("unknown", "unknown_field"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );

    // "Why?" shows only when transport is needed: hidden, it is not required (and dropped).
    let mut answers = valid_answers(&app, child);
    answers["needs_transport"] = json!(false);
    answers["reason"] = json!("");
    assert_eq!(
        submit(
            &guardian,
            "skolskjuts",
            json!({ "answers": answers.clone() })
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    answers["needs_transport"] = json!(true);
    let (status, _) =
        error_code(submit(&guardian, "skolskjuts", json!({ "answers": answers })).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // An attachment that is not what it claims is that field's error.
    let mut answers = valid_answers(&app, child);
    answers["certificate"][0]["content_base64"] =
        json!(base64::engine::general_purpose::STANDARD.encode(b"not a pdf at all"));
    let response = submit(&guardian, "skolskjuts", json!({ "answers": answers })).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "certificate");

    assert_eq!(count(&app, "SELECT COUNT(*) FROM cases").await, before + 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM e_service_submissions").await,
        1
    );
}

async fn a_child_outside_the_family_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    published(&app, "skolskjuts", school_transport(new_case())).await;
    let guardian = app.login("guardian1").await;
    let mine = &app.account("guardian1").children;
    let others = *app
        .all_pupils()
        .await
        .iter()
        .find(|pupil| !mine.contains(pupil))
        .expect("a pupil of another family");
    for child in [others, Uuid::new_v4(), app.account("teacher1").person_id] {
        let response = submit(
            &guardian,
            "skolskjuts",
            json!({ "answers": valid_answers(&app, child) }),
        )
        .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{child}");
        let saved = guardian
            .send(
                Method::PUT,
                "/api/e-services/skolskjuts/saved-answers",
                Some(json!({ "answers": { "child": child }, "step": 0 })),
                true,
            )
            .await;
        assert_eq!(saved.status(), StatusCode::NOT_FOUND, "{child}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM e_service_submissions").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM e_service_drafts").await,
        0
    );
    // Unpublished and unknown e-services take nothing.
    let (status, _) =
        error_code(submit(&guardian, "nothing-here", json!({ "answers": {} })).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn saved_answers_resume_on_the_version_they_were_started_on(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = published(&app, "skolskjuts", school_transport(new_case())).await;
    let guardian = app.login("guardian1").await;
    let child = app.account("guardian1").children[0];
    let (status, _) = error_code(
        guardian
            .get("/api/e-services/skolskjuts/saved-answers")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let saved = guardian
        .send(
            Method::PUT,
            "/api/e-services/skolskjuts/saved-answers",
            Some(json!({ "answers": { "child": child, "distance_km": 4 }, "step": 1 })),
            true,
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["version"], 1);
    assert!(saved["expires_at"].as_str().unwrap() > app.today.to_string().as_str());
    let bad = guardian
        .send(
            Method::PUT,
            "/api/e-services/skolskjuts/saved-answers",
            Some(json!({ "answers": { "no_such_field": 1 }, "step": 0 })),
            true,
        )
        .await;
    assert_eq!(error_code(bad).await.0, StatusCode::UNPROCESSABLE_ENTITY);

    // Version 2 drops the distance question; the saved answers stay on version 1.
    let mut changed = school_transport(new_case());
    changed["steps"][0]["fields"]
        .as_array_mut()
        .unwrap()
        .remove(1);
    assert_eq!(
        put_draft(&admin, "skolskjuts", changed).await.status(),
        StatusCode::OK
    );
    assert_eq!(publish(&admin, "skolskjuts").await["version"], 2);
    assert_eq!(
        guardian.get_json("/api/e-services/skolskjuts").await["version"],
        2
    );
    let resumed = guardian
        .get_json("/api/e-services/skolskjuts/saved-answers")
        .await;
    assert_eq!(resumed["version"], 1);
    assert_eq!(resumed["step"], 1);
    assert_eq!(resumed["answers"]["distance_km"], 4.0);

    // Submitted, it answers version 1 (which asks for the distance) and the saved answers go.
    let response = submit(
        &guardian,
        "skolskjuts",
        json!({ "answers": valid_answers(&app, child) }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let person = app.account("guardian1").person_id;
    let submissions = skolflyt::store::e_services::submissions_of(&app.db, person)
        .await
        .unwrap();
    assert_eq!(submissions[0].version, 1);
    let (status, _) = error_code(
        guardian
            .get("/api/e-services/skolskjuts/saved-answers")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A new start is on version 2, which refuses the dropped question.
    let mut answers = valid_answers(&app, child);
    let response = submit(
        &guardian,
        "skolskjuts",
        json!({ "answers": answers.clone() }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    answers.as_object_mut().unwrap().remove("distance_km");
    let response = submit(&guardian, "skolskjuts", json!({ "answers": answers })).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let submissions = skolflyt::store::e_services::submissions_of(&app.db, person)
        .await
        .unwrap();
    assert!(submissions.iter().any(|s| s.version == 2));

    // Discarding: 204, then nothing to discard.
    guardian
        .send(
            Method::PUT,
            "/api/e-services/skolskjuts/saved-answers",
            Some(json!({ "answers": {}, "step": 0 })),
            true,
        )
        .await;
    let path = "/api/e-services/skolskjuts/saved-answers";
    assert_eq!(
        guardian
            .send(Method::DELETE, path, None, true)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        guardian
            .send(Method::DELETE, path, None, true)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Unpublished, it is gone for applicants; its versions stay.
    let response = admin
        .post_json("/api/e-services/skolskjuts/unpublish", json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(codes(&guardian).await, ["ike"]);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM e_service_versions WHERE code = 'skolskjuts'"
        )
        .await,
        2
    );
}

async fn an_existing_case_gets_the_submission_as_documents(backend: Backend) {
    let app = spawn_app(backend).await;
    published(&app, "skolskjuts", school_transport(new_case())).await;
    let mut supplement = school_transport(json!({ "mode": "existing_case" }));
    supplement["title"] = names("Komplettering", "Supplement");
    published(&app, "komplettering", supplement).await;
    let guardian = app.login("guardian1").await;
    let child = app.account("guardian1").children[0];
    let first: Value = submit(
        &guardian,
        "skolskjuts",
        json!({ "answers": valid_answers(&app, child) }),
    )
    .await
    .json()
    .await
    .unwrap();
    let case_id = first["case_id"].as_str().unwrap();

    let answers = valid_answers(&app, child);
    let (status, body) = error_code(
        submit(
            &guardian,
            "komplettering",
            json!({ "answers": answers.clone() }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation")
    );
    let response = submit(
        &guardian,
        "komplettering",
        json!({ "answers": answers.clone(), "case_id": case_id }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["case_id"], case_id);
    assert_eq!(receipt["case_number"], first["case_number"]);
    let documents = skolflyt::store::cases::documents(&app.db, case_id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(documents.len(), 4, "two receipts and two attachments");

    // Another family's case is not found.
    let other = app.login("guardian3").await;
    let other_child = app.account("guardian3").children[0];
    assert!(!app.account("guardian1").children.contains(&other_child));
    let response = submit(
        &other,
        "komplettering",
        json!({ "answers": valid_answers(&app, other_child), "case_id": case_id }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn an_assignment_becomes_a_task_for_the_team(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.query_ids("SELECT id FROM teams ORDER BY name").await[0];
    let assignment = json!({ "mode": "assignment", "assign_to": { "team_id": team } });
    published(&app, "skolskjuts", school_transport(assignment)).await;
    let guardian = app.login("guardian1").await;
    let child = app.account("guardian1").children[0];
    let response = submit(
        &guardian,
        "skolskjuts",
        json!({ "answers": valid_answers(&app, child) }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let receipt: Value = response.json().await.unwrap();
    assert!(receipt.get("case_id").is_none());
    let follow_up = app
        .query_ids_for(
            "SELECT id FROM follow_ups WHERE assignee_team_id = $1 AND kind = 'task'",
            team,
        )
        .await;
    assert_eq!(
        follow_up,
        [receipt["follow_up_id"]
            .as_str()
            .unwrap()
            .parse::<Uuid>()
            .unwrap()]
    );
}

async fn only_administrators_edit_and_bad_definitions_get_field_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    for username in ["guardian1", "case_worker1", "teacher1"] {
        let session = app.login(username).await;
        let response = put_draft(&session, "skolskjuts", school_transport(new_case())).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{username}");
        let response = session
            .post_json("/api/e-services/skolskjuts/publish", json!({}))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{username}");
    }
    let admin = app.login("admin1").await;
    let (status, _) = error_code(
        admin
            .post_json("/api/e-services/none/publish", json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let field_of = |body: Value| {
        body["error"]["fields"][0]["field"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let cases = [
        (
            school_transport(json!({ "mode": "new_case", "case_type": "no_such_type" })),
            "intake.case_type",
        ),
        (
            school_transport(
                json!({ "mode": "new_case", "case_type": "leave", "document_type": "nope" }),
            ),
            "intake.document_type",
        ),
        (
            school_transport(
                json!({ "mode": "assignment", "assign_to": { "team_id": Uuid::new_v4() } }),
            ),
            "intake.assign_to.team_id",
        ),
        (
            {
                // Every guardian confirming needs a case about a child guardians apply for.
                let mut d = school_transport(new_case());
                d["signing"] = json!("all_guardians");
                d["who_may_apply"] = json!("adult_student");
                d
            },
            "signing",
        ),
        (
            {
                let mut d = school_transport(new_case());
                d["steps"][0]["fields"][1]["key"] = json!("child");
                d
            },
            "steps[0].fields[1].key",
        ),
    ];
    for (definition, field) in cases {
        let response = put_draft(&admin, "skolskjuts", definition).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        assert_eq!(field_of(response.json().await.unwrap()), field);
    }
    let response = put_draft(&admin, "Bad Code!", school_transport(new_case())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM e_services WHERE code <> 'ike'").await,
        0
    );

    // The administrators read the draft back.
    assert_eq!(
        put_draft(&admin, "skolskjuts", school_transport(new_case()))
            .await
            .status(),
        StatusCode::CREATED
    );
    let draft = admin.get_json("/api/e-services/skolskjuts/draft").await;
    assert_eq!(draft["definition"]["code"], "skolskjuts");
    assert_eq!(draft["published_version"], Value::Null);
    let guardian = app.login("guardian1").await;
    let (status, _) = error_code(guardian.get("/api/e-services/skolskjuts/draft").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn who_may_apply_is_enforced(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut for_pupils = school_transport(new_case());
    for_pupils["who_may_apply"] = json!("pupil");
    published(&app, "elevenkat", for_pupils).await;
    let guardian = app.login("guardian1").await;
    let child = app.account("guardian1").children[0];
    let response = submit(
        &guardian,
        "elevenkat",
        json!({ "answers": valid_answers(&app, child) }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // A pupil applies for themselves: the child field is their own id, and nobody else's.
    let pupil = app.login("pupil1").await;
    let me = app.account("pupil1").person_id;
    let response = submit(
        &pupil,
        "elevenkat",
        json!({ "answers": valid_answers(&app, me) }),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{:?}",
        response.text().await
    );
    let response = submit(
        &pupil,
        "elevenkat",
        json!({ "answers": valid_answers(&app, child) }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn documents_are_never_less_protected_than_their_case(backend: Backend) {
    let app = spawn_app(backend).await;
    published(&app, "skolskjuts", school_transport(new_case())).await;
    let guardian = app.login("guardian1").await;
    let child = app.account("guardian1").children[0];
    let execute = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            skolflyt::with_db!(&db, |pool| {
                sqlx::query(sql).execute(pool).await.unwrap();
            });
        }
    };
    let classes = |receipt: Value| {
        let db = app.db.clone();
        async move {
            let case_id = receipt["case_id"].as_str().unwrap().parse().unwrap();
            skolflyt::store::cases::documents(&db, case_id)
                .await
                .unwrap()
                .into_iter()
                .map(|d| (d.document_type, d.publicity_class))
                .collect::<Vec<_>>()
        }
    };
    let pair = |t: &str, c: &str| (t.to_owned(), c.to_owned());

    // A public document type in a restricted case is restricted.
    execute(
        "UPDATE document_types SET publicity_class = 'public' WHERE case_type = 'placement_change'",
    )
    .await;
    let receipt: Value = submit(
        &guardian,
        "skolskjuts",
        json!({ "answers": valid_answers(&app, child) }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        classes(receipt).await,
        [
            pair("receipt", "restricted"),
            pair("attachment", "restricted")
        ]
    );

    // A confidential case type makes its documents confidential.
    execute(
        "UPDATE case_types SET publicity_class = 'confidential' WHERE code = 'placement_change'",
    )
    .await;
    let receipt: Value = submit(
        &guardian,
        "skolskjuts",
        json!({ "answers": valid_answers(&app, child) }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        classes(receipt).await,
        [
            pair("receipt", "confidential"),
            pair("attachment", "confidential")
        ]
    );
}

async fn the_editor_lists_every_e_service_with_its_state_and_the_intake_choices(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin1").await;
    let state_of = |list: &Value, code: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|service| service["code"] == code)
            .map(|service| {
                (
                    service["published_version"].clone(),
                    service["unpublished_changes"].as_bool().unwrap(),
                )
            })
    };
    assert_eq!(
        put_draft(&admin, "skolskjuts", school_transport(new_case()))
            .await
            .status(),
        StatusCode::CREATED
    );
    let list = admin.get_json("/api/e-service-drafts").await;
    assert_eq!(state_of(&list, "skolskjuts"), Some((Value::Null, true)));
    let service = list
        .as_array()
        .unwrap()
        .iter()
        .find(|service| service["code"] == "skolskjuts")
        .unwrap();
    assert_eq!(service["title"]["sv"], "Ansökan om skolskjuts");
    assert_eq!(service["intake_mode"], "new_case");

    publish(&admin, "skolskjuts").await;
    let list = admin.get_json("/api/e-service-drafts").await;
    assert_eq!(state_of(&list, "skolskjuts"), Some((json!(1), false)));

    // A changed draft is an unpublished change; the same draft saved again is not.
    let mut changed = school_transport(new_case());
    changed["title"] = names("Skolskjuts", "School transport");
    put_draft(&admin, "skolskjuts", changed).await;
    let list = admin.get_json("/api/e-service-drafts").await;
    assert_eq!(state_of(&list, "skolskjuts"), Some((json!(1), true)));
    put_draft(&admin, "skolskjuts", school_transport(new_case())).await;
    let list = admin.get_json("/api/e-service-drafts").await;
    assert_eq!(state_of(&list, "skolskjuts"), Some((json!(1), false)));

    // The case types an intake can name, with their document types.
    let types = admin.get_json("/api/case-types").await;
    let placement = types
        .as_array()
        .unwrap()
        .iter()
        .find(|case_type| case_type["code"] == "placement_change")
        .expect("the placement_change case type");
    assert!(
        placement["document_types"]
            .as_array()
            .unwrap()
            .iter()
            .any(|document| document["code"] == "receipt"),
        "{placement}"
    );

    for username in ["guardian1", "teacher1", "case_worker1"] {
        let session = app.login(username).await;
        let (status, _) = error_code(session.get("/api/e-service-drafts").await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{username}");
    }
    let guardian = app.login("guardian1").await;
    let (status, _) = error_code(guardian.get("/api/case-types").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn status_of(app: &TestApp, case_id: Uuid) -> String {
    skolflyt::store::cases::get(&app.db, case_id)
        .await
        .unwrap()
        .unwrap()
        .status
}

async fn every_guardian_confirms_before_the_case_goes_on(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut definition = school_transport(new_case());
    definition["signing"] = json!("all_guardians");
    published(&app, "skolskjuts", definition).await;
    let first = app.login("guardian1").await;
    let second = app.login("guardian2").await;
    let child = app.account("guardian1").children[0];
    assert!(app.account("guardian2").children.contains(&child));

    let response = submit(
        &first,
        "skolskjuts",
        json!({ "answers": valid_answers(&app, child) }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["awaiting_confirmation"], true);
    let case_id: Uuid = receipt["case_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(status_of(&app, case_id).await, "awaiting_confirmation");
    // Not for distribution while it waits.
    let queue = app
        .login("case_worker1")
        .await
        .get_json("/api/cases?view=queue")
        .await;
    assert!(
        !queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == case_id.to_string()),
        "{queue}"
    );

    // The other guardian is asked to act, by name of the child; the applicant is told it waits.
    let inbox = second.get_json("/api/inbox").await;
    let asked: Vec<&Value> = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["case_id"] == case_id.to_string())
        .collect();
    assert_eq!(asked.len(), 1, "{inbox}");
    assert!(
        asked[0]["subject"]
            .as_str()
            .unwrap()
            .contains("godkänn eller avböj"),
        "{}",
        asked[0]
    );
    let mine = first.get_json(&format!("/api/my/cases/{case_id}")).await;
    assert_eq!(mine["awaiting_other_party"], true);
    assert_eq!(mine["awaiting_my_confirmation"], false);
    let theirs = second.get_json(&format!("/api/my/cases/{case_id}")).await;
    assert_eq!(theirs["awaiting_my_confirmation"], true);
    assert_eq!(theirs["can_decline"], true);

    let confirmation = format!("/api/my/cases/{case_id}/confirmation");
    let by_applicant = first.send(Method::POST, &confirmation, None, true).await;
    assert_eq!(by_applicant.status(), StatusCode::NOT_FOUND);
    let stranger = app.login("guardian3").await;
    let by_stranger = stranger.send(Method::POST, &confirmation, None, true).await;
    assert_eq!(by_stranger.status(), StatusCode::NOT_FOUND);
    let confirmed = second.send(Method::POST, &confirmation, None, true).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let confirmed: Value = confirmed.json().await.unwrap();
    assert_eq!(confirmed["awaiting_my_confirmation"], false);
    assert_eq!(status_of(&app, case_id).await, "new");
    let again = second.send(Method::POST, &confirmation, None, true).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let history = skolflyt::store::cases::events(&app.db, case_id)
        .await
        .unwrap();
    assert!(
        history.iter().any(
            |e| e.kind == "confirmed" && e.actor_id == Some(app.account("guardian2").person_id)
        )
    );

    // Declined instead: withdrawn, and a late confirmation is refused.
    let response = submit(
        &first,
        "skolskjuts",
        json!({ "answers": valid_answers(&app, child) }),
    )
    .await;
    let receipt: Value = response.json().await.unwrap();
    let case_id: Uuid = receipt["case_id"].as_str().unwrap().parse().unwrap();
    let declined = second
        .post_json(
            &format!("/api/my/cases/{case_id}/declination"),
            json!({ "reason": "Vi kör själva" }),
        )
        .await;
    assert_eq!(declined.status(), StatusCode::OK);
    assert_eq!(status_of(&app, case_id).await, "withdrawn");
    let late = second
        .send(
            Method::POST,
            &format!("/api/my/cases/{case_id}/confirmation"),
            None,
            true,
        )
        .await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
}

async fn signing_by_every_guardian_needs_a_guardians_new_case_about_a_child(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin1").await;
    let mut by_pupil = school_transport(new_case());
    by_pupil["signing"] = json!("all_guardians");
    by_pupil["who_may_apply"] = json!("pupil");
    let mut as_task = school_transport(json!({
        "mode": "assignment",
        "assign_to": { "person_ids": [app.account("case_worker1").person_id] }
    }));
    as_task["signing"] = json!("all_guardians");
    let mut without_child = school_transport(new_case());
    without_child["signing"] = json!("all_guardians");
    without_child["steps"][0]["fields"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    for definition in [by_pupil, as_task, without_child] {
        let response = put_draft(&admin, "skolskjuts", definition).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = response.json().await.unwrap();
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["signing"], "{body}");
    }
}
