//! Need to know: a protected pupil's identity stays masked for case staff without a direct
//! relation (the owner too, until they state their need), in documents, lists, sort orders
//! and cursors; case staff reach the cases their duty covers; every read is logged.

use base64::Engine;
use chrono::Days;
use reqwest::StatusCode;
use serde_json::{Value, json};
use skolflyt::store::audit;
use uuid::Uuid;

use crate::helpers::{Backend, Session, TestApp, error_code, ids, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    a_protected_pupil_stays_masked_for_the_owner_until_they_state_a_need,
    pupil_cursors_are_sealed_and_masked_pupils_sort_last,
    case_workers_reach_the_case_types_and_schools_their_duty_covers,
    the_registrar_reads_the_registry_metadata_and_no_content,
    a_subtask_gives_access_until_the_case_is_closed,
    a_former_guardian_no_longer_sees_the_childs_cases,
    my_cases_and_the_inbox_are_in_the_access_log,
    every_get_endpoint_that_returns_a_pupil_logs_the_read,
    a_guardian_reads_who_has_read_their_childs_data,
    no_get_endpoint_tells_a_protected_identity_to_a_reader_without_a_direct_relation,
);

async fn execute(app: &TestApp, sql: &str, id: Uuid) {
    skolflyt::with_db!(&app.db, |pool| sqlx::query(sql)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
    .expect("statement");
}

/// guardian1's child whose mentor is teacher1, marked protected in the register.
async fn protected_pupil(app: &TestApp) -> Uuid {
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
    execute(
        app,
        "UPDATE persons SET protected_identity = TRUE WHERE id = $1",
        child,
    )
    .await;
    // A family name that no one else in the demo has, so that finding it in an answer means
    // a leak and not a colleague with the same name.
    execute(
        app,
        "UPDATE persons SET family_name = 'Skyddsdottir' WHERE id = $1 OR id IN \
         (SELECT guardian_id FROM guardianships WHERE child_id = $1)",
        child,
    )
    .await;
    child
}

async fn family_name(app: &TestApp, person: Uuid) -> String {
    skolflyt::store::register::person_name(&app.db, person)
        .await
        .unwrap()
        .family_name
}

/// guardian1 applies for leave for `child` with an attachment named after the family; the
/// case is then put back in the distribution queue (as when the school has no principal).
async fn queued_leave(app: &TestApp, child: Uuid) -> Uuid {
    let family = family_name(app, child).await;
    let from = crate::helpers::school_week(app).await;
    let pdf = base64::engine::general_purpose::STANDARD.encode(crate::helpers::minimal_pdf());
    let submitted: Value = app
        .login("guardian1")
        .await
        .post_json(
            "/api/applications/leave",
            json!({
                "pupil_id": child, "from": from, "to": from + Days::new(2),
                "reason": "Släktbröllop i Umeå",
                "attachment": { "file_name": format!("intyg {family}.pdf"),
                                "media_type": "application/pdf", "content_base64": pdf },
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let case: Uuid = submitted["case_id"].as_str().unwrap().parse().unwrap();
    app.eventually("the case leaves status new", || async {
        skolflyt::store::cases::get(&app.db, case)
            .await
            .unwrap()
            .is_some_and(|c| c.status != "new")
    })
    .await;
    execute(
        app,
        "UPDATE cases SET status = 'new', owner_id = NULL, routed_to_organisation_id = NULL \
         WHERE id = $1",
        case,
    )
    .await;
    case
}

async fn case_of(session: &Session, case: Uuid) -> Value {
    session.get_json(&format!("/api/cases/{case}")).await
}

fn assert_masked(case: &Value, family: &str) {
    assert_eq!(case["subject"]["masked"], true, "{case}");
    assert!(case["applicant"].is_null(), "{case}");
    let text = case.to_string();
    assert!(
        !text.contains(family),
        "the family name {family} is in {text}"
    );
}

async fn download(session: &Session, case: Uuid, document: &Value) -> reqwest::Response {
    session
        .get(&format!(
            "/api/cases/{case}/documents/{}",
            document["id"].as_str().unwrap()
        ))
        .await
}

async fn a_protected_pupil_stays_masked_for_the_owner_until_they_state_a_need(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = protected_pupil(&app).await;
    let family = family_name(&app, child).await;
    let case = queued_leave(&app, child).await;
    let worker = app.login("case_worker1").await;
    let other_worker = app.login("case_worker2").await;

    let queued = case_of(&worker, case).await;
    assert_masked(&queued, &family);
    let documents = queued["documents"].as_array().unwrap().clone();
    assert_eq!(documents.len(), 2, "receipt and attachment");
    for document in &documents {
        let (status, code) = error_code(download(&worker, case, document).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::FORBIDDEN, "protected_identity")
        );
    }

    // Owning the case does not unmask the pupil.
    let me = app.account("case_worker1").person_id;
    let assigned = worker
        .post_json(
            &format!("/api/cases/{case}/assignment"),
            json!({ "owner_id": me }),
        )
        .await;
    let assigned: Value = assigned.json().await.unwrap();
    assert_masked(&assigned, &family);
    assert_eq!(assigned["actions"]["disclose_identity"], true);
    let mine = worker.get_json("/api/cases?view=mine").await;
    assert_masked(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == case.to_string())
            .unwrap(),
        &family,
    );

    // Only the owner states the need, and with a reason.
    let path = format!("/api/cases/{case}/identity-disclosure");
    let refused = other_worker
        .post_json(&path, json!({ "reason": "x" }))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let empty = worker.post_json(&path, json!({ "reason": "  " })).await;
    assert_eq!(
        error_code(empty).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation".to_owned())
    );
    let disclosed = worker
        .post_json(
            &path,
            json!({ "reason": "Beslutet kräver kontakt med skolan" }),
        )
        .await;
    assert_eq!(disclosed.status(), StatusCode::OK);
    let disclosed: Value = disclosed.json().await.unwrap();
    assert_eq!(disclosed["subject"]["masked"], false);
    assert!(
        disclosed["subject"]["name"]
            .as_str()
            .unwrap()
            .contains(&family)
    );
    assert!(disclosed["applicant"]["name"].is_string());
    assert!(disclosed["events"].as_array().unwrap().iter().any(|e| {
        e["kind"] == "identity_disclosed" && e["detail"] == "Beslutet kräver kontakt med skolan"
    }));
    let receipt = download(&worker, case, &documents[0]).await;
    assert_eq!(receipt.status(), StatusCode::OK);
    let entries = audit::entries_for_subject(&app.db, child).await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.action == "case.identity.disclose" && e.actor_person_id == me)
    );

    // Another case worker still sees the pupil masked.
    assert_masked(&case_of(&other_worker, case).await, &family);
}

async fn pupil_cursors_are_sealed_and_masked_pupils_sort_last(backend: Backend) {
    let app = spawn_app(backend).await;
    // provider_admin1 sees guardian3's protected child masked (a placement at their unit).
    let admin = app.login("provider_admin1").await;
    let all = admin.get_all("/api/pupils", 200).await;
    let masked: Vec<bool> = all.iter().map(|p| p["masked"] == true).collect();
    assert!(masked.iter().any(|m| *m), "a masked pupil is listed");
    let first_masked = masked.iter().position(|m| *m).unwrap();
    assert!(
        masked[first_masked..].iter().all(|m| *m),
        "masked pupils come after all the others"
    );
    // Paging in small steps gives the same list.
    let paged = admin.get_all("/api/pupils", 3).await;
    assert_eq!(ids(&paged), ids(&all));

    let page = admin.get_json("/api/pupils?limit=2").await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    // A raw id (from /api/staff, say) is no cursor; neither is another list's or filter's.
    let staff_id = app.account("teacher1").person_id;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(staff_id.as_bytes());
    let group = Uuid::new_v4();
    let units_cursor = app
        .login("case_worker1")
        .await
        .get_json("/api/units?limit=1")
        .await["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_reader = app.login("provider_admin1").await;
    for (path, who) in [
        (format!("/api/pupils?cursor={raw}"), &admin),
        (format!("/api/pupils?cursor={cursor}&group={group}"), &admin),
        (format!("/api/units?cursor={cursor}"), &admin),
        (format!("/api/pupils?cursor={units_cursor}"), &admin),
        (
            format!("/api/pupils?cursor={}x", &cursor[..cursor.len() - 1]),
            &admin,
        ),
    ] {
        assert_eq!(
            error_code(who.get(&path).await).await,
            (StatusCode::UNPROCESSABLE_ENTITY, "validation".to_owned()),
            "{path}"
        );
    }
    // The same reader in another session follows the cursor; another reader cannot.
    assert_eq!(
        other_reader
            .get(&format!("/api/pupils?limit=2&cursor={cursor}"))
            .await
            .status(),
        StatusCode::OK
    );
    let teacher = app.login("teacher1").await;
    assert_eq!(
        teacher
            .get(&format!("/api/pupils?limit=2&cursor={cursor}"))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn case_workers_reach_the_case_types_and_schools_their_duty_covers(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.account("guardian1").person_id;
    let child = app.account("guardian1").children[0];
    let worker = app.login("case_worker1").await;
    let office_case = crate::cases::new_case(&app, guardian, Some(child)).await;
    assert_eq!(
        worker
            .get(&format!("/api/cases/{office_case}"))
            .await
            .status(),
        StatusCode::OK
    );

    // A case routed to a school is that school's: the case office does not reach it.
    let school: Uuid = app
        .query_ids("SELECT id FROM organisations WHERE kind = 'school' ORDER BY name LIMIT 1")
        .await[0];
    skolflyt::with_db!(&app.db, |pool| sqlx::query(
        "UPDATE cases SET routed_to_organisation_id = $1 WHERE id = $2"
    )
    .bind(school)
    .bind(office_case)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    assert_eq!(
        worker
            .get(&format!("/api/cases/{office_case}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let queue = worker.get_json("/api/cases?view=queue&limit=200").await;
    assert!(!ids(queue["items"].as_array().unwrap()).contains(&office_case));

    // A duty limited to leave cases reaches no placement change.
    let second = crate::cases::new_case(&app, guardian, Some(child)).await;
    let duty = app
        .query_ids_for(
            "SELECT id FROM duties WHERE person_id = $1 AND duty = 'case_worker'",
            app.account("case_worker2").person_id,
        )
        .await[0];
    skolflyt::with_db!(&app.db, |pool| sqlx::query(
        "INSERT INTO duty_case_types (duty_id, case_type, created_at, updated_at) \
         VALUES ($1, 'leave', $2, $2)"
    )
    .bind(duty)
    .bind(skolflyt::clock::now())
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let limited = app.login("case_worker2").await;
    assert_eq!(
        limited.get(&format!("/api/cases/{second}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let queue = limited.get_json("/api/cases?view=queue&limit=200").await;
    assert!(!ids(queue["items"].as_array().unwrap()).contains(&second));
    assert_eq!(
        worker.get(&format!("/api/cases/{second}")).await.status(),
        StatusCode::OK
    );
}

async fn the_registrar_reads_the_registry_metadata_and_no_content(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = protected_pupil(&app).await;
    let family = family_name(&app, child).await;
    let case = queued_leave(&app, child).await;
    let worker = app.login("case_worker1").await;
    let note = worker
        .post_json(
            &format!("/api/cases/{case}/notes"),
            json!({ "body": "Ring skolan om schemat", "internal": true }),
        )
        .await;
    assert_eq!(note.status(), StatusCode::OK);

    let registrar = app.login("registrar1").await;
    let registry = case_of(&registrar, case).await;
    assert_masked(&registry, &family);
    assert_eq!(registry["notes"], json!([]));
    assert!(!registry.to_string().contains("Ring skolan"));
    assert!(!registry["documents"].as_array().unwrap().is_empty());
    for document in registry["documents"].as_array().unwrap() {
        assert_eq!(
            download(&registrar, case, document).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    let written = registrar
        .post_json(
            &format!("/api/cases/{case}/notes"),
            json!({ "body": "x", "internal": true }),
        )
        .await;
    assert_eq!(written.status(), StatusCode::NOT_FOUND);
    assert_eq!(registry["actions"]["assign"], false);
}

async fn a_subtask_gives_access_until_the_case_is_closed(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.account("guardian1").person_id;
    let case =
        crate::cases::new_case(&app, guardian, Some(app.account("guardian1").children[0])).await;
    let distributor = app.login("case_worker1").await;
    let owner_id = app.account("case_worker2").person_id;
    let assigned = distributor
        .post_json(
            &format!("/api/cases/{case}/assignment"),
            json!({ "owner_id": owner_id }),
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::OK);
    let owner = app.login("case_worker2").await;
    let specialist = app.account("teacher2").person_id;
    let created = owner
        .post_json(
            &format!("/api/cases/{case}/subtasks"),
            json!({ "assignee_id": specialist, "description": "Yttrande om schemat" }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let teacher = app.login("teacher2").await;
    assert_eq!(
        teacher.get(&format!("/api/cases/{case}")).await.status(),
        StatusCode::OK
    );
    let subtasks = teacher.get_json("/api/subtasks").await;
    let subtask = subtasks
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["case_id"] == case.to_string())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let solved = teacher
        .post_json(
            &format!("/api/subtasks/{subtask}/status"),
            json!({ "status": "solved", "answer": "Inga hinder" }),
        )
        .await;
    assert_eq!(solved.status(), StatusCode::OK);
    // Until the case is closed the specialist may still be asked about their answer.
    assert_eq!(
        teacher.get(&format!("/api/cases/{case}")).await.status(),
        StatusCode::OK
    );
    let decided = owner
        .post_json(
            &format!("/api/cases/{case}/decision"),
            json!({ "outcome": "approved", "motivation": "Behovet är styrkt." }),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    let closed = owner
        .send(
            reqwest::Method::POST,
            &format!("/api/cases/{case}/closure"),
            None,
            true,
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    assert_eq!(
        teacher.get(&format!("/api/cases/{case}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_former_guardian_no_longer_sees_the_childs_cases(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.account("guardian1").person_id;
    let child = app.account("guardian1").children[0];
    let case = crate::cases::new_case(&app, guardian, Some(child)).await;
    let session = app.login("guardian1").await;
    assert_eq!(
        session.get(&format!("/api/my/cases/{case}")).await.status(),
        StatusCode::OK
    );
    let yesterday = app.today - Days::new(1);
    skolflyt::with_db!(&app.db, |pool| sqlx::query(
        "UPDATE guardianships SET valid_to = $1 WHERE guardian_id = $2 AND child_id = $3"
    )
    .bind(yesterday)
    .bind(guardian)
    .bind(child)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    assert_eq!(
        session.get(&format!("/api/my/cases/{case}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let mine = session.get_json("/api/my/cases").await;
    assert!(!ids(mine.as_array().unwrap()).contains(&case));
}

async fn my_cases_and_the_inbox_are_in_the_access_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.account("guardian1").person_id;
    let child = app.account("guardian1").children[0];
    let case = crate::cases::new_case(&app, guardian, Some(child)).await;
    let session = app.login("guardian1").await;
    session.get_json("/api/my/cases").await;
    session.get_json(&format!("/api/my/cases/{case}")).await;
    let entries = audit::entries_for_subject(&app.db, child).await.unwrap();
    for action in ["my_case.list", "my_case.read"] {
        assert!(
            entries
                .iter()
                .any(|e| e.action == action && e.actor_person_id == guardian),
            "{action}"
        );
    }
}

/// The ids in a JSON value, wherever they are.
fn uuids_in(value: &Value, into: &mut std::collections::BTreeSet<Uuid>) {
    match value {
        Value::String(text) => {
            if let Ok(id) = text.parse::<Uuid>() {
                into.insert(id);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| uuids_in(item, into)),
        Value::Object(map) => map.values().for_each(|item| uuids_in(item, into)),
        _ => {}
    }
}

/// Every `$ref` in a JSON value.
fn references_in(value: &Value, into: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                into.insert(reference.clone());
            }
            map.values().for_each(|item| references_in(item, into));
        }
        Value::Array(items) => items.iter().for_each(|item| references_in(item, into)),
        _ => {}
    }
}

/// The enum values of a query parameter's schema (following one `$ref`).
fn enum_values(spec: &Value, schema: &Value) -> Vec<String> {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            &spec["components"]["schemas"][name]
        }
        None => schema,
    };
    // Plain enums list their values; documented variants are a `oneOf` of one-value enums.
    let variants = match schema["oneOf"].as_array() {
        Some(variants) => variants.iter().collect(),
        None => vec![schema],
    };
    variants
        .into_iter()
        .flat_map(|variant| variant["enum"].as_array().into_iter().flatten())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// For each GET endpoint of the OpenAPI document and each demo account: an answer that carries
/// another person's pupil id has left an access event by that reader naming that pupil.
async fn every_get_endpoint_that_returns_a_pupil_logs_the_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.account("guardian1").person_id;
    let child = app.account("guardian1").children[0];
    let case = crate::cases::new_case(&app, guardian, Some(child)).await;
    let worker = app.login("case_worker1").await;
    let assigned = worker
        .post_json(
            &format!("/api/cases/{case}/assignment"),
            json!({ "owner_id": app.account("case_worker2").person_id }),
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::OK);
    let follow_up: Value = app
        .login("case_worker2")
        .await
        .post_json(
            "/api/follow-ups",
            json!({ "title": "Ring skolan", "details": "", "case_id": case }),
        )
        .await
        .json()
        .await
        .unwrap();
    let follow_up = follow_up["id"].as_str().unwrap().to_owned();
    let unit = app
        .query_ids_for(
            "SELECT g.unit_id FROM group_memberships m JOIN groups g ON g.id = m.group_id \
             WHERE m.person_id = $1",
            child,
        )
        .await[0];
    let pupils: std::collections::BTreeSet<Uuid> = app
        .query_ids(
            "SELECT person_id FROM group_memberships UNION SELECT child_id FROM placements \
             UNION SELECT child_id FROM guardianships",
        )
        .await
        .into_iter()
        .collect();
    let e_service = crate::e_services::saved_for_guardian1(&app, child).await;
    let lesson = lesson_of(&app, child).await;
    let preschool = app
        .query_ids("SELECT id FROM organisations WHERE school_form = 'forskola' ORDER BY name")
        .await[0];
    let spec: Value = app.client().get_json("/api/openapi.json").await;
    let mut references = std::collections::BTreeSet::new();
    references_in(&spec, &mut references);
    for reference in references {
        let name = reference.rsplit('/').next().unwrap();
        assert!(
            spec["components"]["schemas"].get(name).is_some(),
            "the OpenAPI document refers to {reference}, which it does not define"
        );
    }
    let mut sessions = Vec::new();
    for account in &app.accounts {
        sessions.push((account.person_id, app.login(&account.username).await));
    }
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let concrete = path
            .replace("/pupils/{id}", &format!("/pupils/{child}"))
            .replace("/units/{id}", &format!("/units/{unit}"))
            .replace("/cases/{id}", &format!("/cases/{case}"))
            .replace("/follow-ups/{id}", &format!("/follow-ups/{follow_up}"))
            .replace("/e-services/{code}", &format!("/e-services/{e_service}"))
            .replace("/case-types/{code}", "/case-types/ike")
            .replace("/lessons/{id}", &format!("/lessons/{lesson}"))
            .replace("/calendar/{year}", "/calendar/2026");
        if concrete.contains("/documents/") || concrete.ends_with("/pdf") {
            continue; // Files, not JSON; their reads are tested with the documents.
        }
        assert!(
            !concrete.contains('{'),
            "give the generic access-log test a value for {path}"
        );
        // Every combination of the required query parameters' values.
        let mut queries = vec![String::new()];
        for parameter in get["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] == "query" && parameter["required"] == true {
                let name = parameter["name"].as_str().unwrap();
                let values = if parameter["schema"]["format"] == "date" {
                    vec![app.today.to_string()]
                } else if name == "unit_id" {
                    vec![preschool.to_string()]
                } else if name == "month" {
                    vec![app.today.format("%Y-%m").to_string()]
                } else {
                    enum_values(&spec, &parameter["schema"])
                };
                assert!(!values.is_empty(), "a value for {name} in {path}");
                queries = queries
                    .iter()
                    .flat_map(|query| {
                        let sep = if query.is_empty() { '?' } else { '&' };
                        values
                            .iter()
                            .map(move |v| format!("{query}{sep}{name}={v}"))
                    })
                    .collect();
            }
        }
        for query in &queries {
            let url = format!("{concrete}{query}");
            for (reader, session) in &sessions {
                let started = skolflyt::clock::now();
                let response = session.get(&url).await;
                if response.status() != StatusCode::OK {
                    continue;
                }
                let Ok(body) = response.json::<Value>().await else {
                    continue;
                };
                let mut ids = std::collections::BTreeSet::new();
                uuids_in(&body, &mut ids);
                for pupil in ids.intersection(&pupils).filter(|id| *id != reader) {
                    let entries = audit::entries_for_subject(&app.db, *pupil).await.unwrap();
                    assert!(
                        entries
                            .iter()
                            .any(|e| e.actor_person_id == *reader && e.at >= started),
                        "GET {url} by {reader} returned pupil {pupil} without logging it"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} reads checked");
}

async fn a_guardian_reads_who_has_read_their_childs_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = app.account("guardian1").children[0];
    app.login("guardian2")
        .await
        .get_json(&format!("/api/pupils/{child}"))
        .await;
    let guardian = app.login("guardian1").await;
    let extract = guardian
        .get_json(&format!("/api/my/access-log?person={child}"))
        .await;
    let other_guardian = app.account("guardian2").person_id;
    assert!(
        extract["entries"].as_array().unwrap().iter().any(|e| {
            e["reader"]["id"] == other_guardian.to_string()
                && e["action"] == "pupil.read"
                && e["what"]["sv"] == "läste elevuppgifterna"
        }),
        "{extract}"
    );
    let pdf = guardian
        .get(&format!("/api/my/access-log/pdf?person={child}"))
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    // Not for another family's child, and not for a stranger.
    let other_child = app.account("guardian3").children[0];
    for path in [
        format!("/api/my/access-log?person={other_child}"),
        format!("/api/my/access-log/pdf?person={other_child}"),
    ] {
        assert_eq!(guardian.get(&path).await.status(), StatusCode::NOT_FOUND);
    }
    let own = guardian.get_json("/api/my/access-log").await;
    assert_eq!(
        own["person"]["id"],
        app.account("guardian1").person_id.to_string()
    );
}

/// For each GET endpoint of the OpenAPI document and each demo account that sees the protected
/// pupil masked in the register: no answer holds their name, personal number or address, and
/// no document of their case opens.
async fn no_get_endpoint_tells_a_protected_identity_to_a_reader_without_a_direct_relation(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let child = protected_pupil(&app).await;
    let person = skolflyt::store::register::person_basic(&app.db, child)
        .await
        .unwrap()
        .unwrap();
    let full_name = format!("{} {}", person.given_name, person.family_name);
    let (personal_number, street): (String, String) = skolflyt::with_db!(&app.db, |pool| {
        sqlx::query_as("SELECT personal_number, street FROM persons WHERE id = $1")
            .bind(child)
            .fetch_one(pool)
            .await
    })
    .unwrap();
    let secrets = [full_name, personal_number, street];
    let case = queued_leave(&app, child).await;
    let distributor = app.login("case_worker1").await;
    let owner_id = app.account("case_worker2").person_id;
    let assigned = distributor
        .post_json(
            &format!("/api/cases/{case}/assignment"),
            json!({ "owner_id": owner_id }),
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::OK);
    let owner = app.login("case_worker2").await;
    let follow_up: Value = owner
        .post_json(
            "/api/follow-ups",
            json!({ "title": "Ring skolan", "details": "", "case_id": case }),
        )
        .await
        .json()
        .await
        .unwrap();
    let follow_up = follow_up["id"].as_str().unwrap().to_owned();
    let documents: Vec<String> = app
        .login("guardian1")
        .await
        .get_json(&format!("/api/my/cases/{case}"))
        .await["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!documents.is_empty());
    let unit = app
        .query_ids_for(
            "SELECT g.unit_id FROM group_memberships m JOIN groups g ON g.id = m.group_id \
             WHERE m.person_id = $1",
            child,
        )
        .await[0];
    let e_service = crate::e_services::saved_for_guardian1(&app, child).await;
    let lesson = lesson_of(&app, child).await;
    // The pupil also has a place at a provider's preschool, so that the providers' placement
    // lists and allocation figures hold them too.
    let preschool = app
        .query_ids(
            "SELECT u.id FROM organisations u JOIN organisations s ON s.id = u.parent_id \
             WHERE u.school_form = 'forskola' AND s.owner_kind = 'independent' ORDER BY u.name",
        )
        .await[0];
    let now = chrono::Utc::now();
    skolflyt::with_db!(&app.db, |pool| sqlx::query(
        "INSERT INTO placements (id, child_id, unit_id, kind, start_date, hours_per_week, \
         created_at, updated_at) VALUES ($1, $2, $3, 'preschool', $4, 30, $5, $5)"
    )
    .bind(Uuid::new_v4())
    .bind(child)
    .bind(preschool)
    .bind(app.today - chrono::Days::new(30))
    .bind(now)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
    let spec: Value = app.client().get_json("/api/openapi.json").await;
    let mut masked_readers = Vec::new();
    for account in &app.accounts {
        let session = app.login(&account.username).await;
        let pupil = session.get(&format!("/api/pupils/{child}")).await;
        let direct = pupil.status() == StatusCode::OK
            && pupil.json::<Value>().await.unwrap()["masked"] == false;
        if !direct {
            masked_readers.push((account.username.clone(), session));
        }
    }
    assert!(
        masked_readers.len() >= 5,
        "case staff and others see the pupil masked"
    );
    let mut answers = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let mut urls: Vec<String> = vec![
            path.replace("/pupils/{id}", &format!("/pupils/{child}"))
                .replace(
                    "/units/{id}/placements",
                    &format!("/units/{preschool}/placements"),
                )
                .replace("/units/{id}", &format!("/units/{unit}"))
                .replace("/cases/{id}", &format!("/cases/{case}"))
                .replace("/follow-ups/{id}", &format!("/follow-ups/{follow_up}"))
                .replace("/e-services/{code}", &format!("/e-services/{e_service}"))
                .replace("/case-types/{code}", "/case-types/ike")
                .replace("/lessons/{id}", &format!("/lessons/{lesson}"))
                .replace("/calendar/{year}", "/calendar/2026"),
        ];
        if path.contains("{document_id}") {
            urls = documents
                .iter()
                .map(|document| urls[0].replace("{document_id}", document))
                .collect();
        }
        assert!(
            urls.iter().all(|url| !url.contains('{')),
            "give the protected-identity test a value for {path}"
        );
        for parameter in get["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] == "query" && parameter["required"] == true {
                let name = parameter["name"].as_str().unwrap();
                let values = match name {
                    "unit_id" => vec![preschool.to_string()],
                    "month" => vec![app.today.format("%Y-%m").to_string()],
                    _ if parameter["schema"]["format"] == "date" => vec![app.today.to_string()],
                    _ => enum_values(&spec, &parameter["schema"]),
                };
                assert!(!values.is_empty(), "a value for {name} in {path}");
                urls = urls
                    .iter()
                    .flat_map(|url| values.iter().map(move |v| format!("{url}?{name}={v}")))
                    .collect();
            }
        }
        for url in &urls {
            for (username, session) in &masked_readers {
                let response = session.get(url).await;
                let status = response.status();
                if url.contains("/documents/") {
                    assert_ne!(status, StatusCode::OK, "{username} opened {url}");
                    continue;
                }
                let body = response.text().await.unwrap();
                answers += 1;
                for secret in &secrets {
                    assert!(
                        !body.contains(secret.as_str()),
                        "GET {url} told {username} the protected pupil's {secret}: {body}"
                    );
                }
            }
        }
    }
    assert!(answers > 100, "only {answers} answers read");
}

/// A lesson of the pupil's class in the demo timetable, taken by one of its teachers.
async fn lesson_of(app: &TestApp, pupil: Uuid) -> Uuid {
    *app.query_ids_for(
        "SELECT l.id FROM lessons l JOIN group_memberships m ON m.group_id = l.group_id \
             WHERE m.person_id = $1 ORDER BY l.date, l.start_time, l.id",
        pupil,
    )
    .await
    .first()
    .expect("the demo timetable has lessons for the pupil's class")
}
