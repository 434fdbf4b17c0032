//! Per-item authorization of the register: each role sees exactly the pupils and units within
//! its reach, everything else answers 404, protected identities are masked, reads are logged.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use skolflyt::store::audit;
use uuid::Uuid;

use crate::helpers::{Backend, TestApp, error_code, ids, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    a_guardian_sees_only_their_own_children,
    the_second_guardian_sees_the_same_children,
    an_adult_pupil_sees_only_themselves_and_has_no_acting_guardians,
    a_teacher_sees_only_pupils_in_groups_they_teach_or_mentor,
    a_teacher_at_another_school_cannot_read_the_children,
    a_principal_sees_the_pupils_of_their_school,
    a_provider_admin_sees_only_pupils_in_their_own_units,
    municipal_office_staff_see_no_pupils_through_the_register,
    a_protected_identity_is_masked_without_a_direct_relation,
    a_guardian_of_a_protected_child_sees_name_and_address,
    reads_of_pupil_data_are_written_to_the_audit_log,
    a_provider_admin_reaches_only_their_own_units,
    a_guardian_reaches_only_their_childrens_units,
    a_teacher_lists_their_groups_and_each_groups_pupils,
    cursor_pages_cover_the_list_exactly_once,
    bad_paging_parameters_get_field_errors,
    only_staff_list_their_colleagues,
);

const TEACHES: &str = "SELECT DISTINCT m.person_id FROM duties d \
    JOIN group_memberships m ON m.group_id = d.group_id \
    WHERE d.person_id = $1 AND d.duty IN ('teacher', 'mentor')";

const IN_SCHOOL_OF_PRINCIPAL: &str = "\
    SELECT m.person_id FROM duties d JOIN organisations u ON u.parent_id = d.organisation_id \
      JOIN groups gr ON gr.unit_id = u.id JOIN group_memberships m ON m.group_id = gr.id \
     WHERE d.person_id = $1 AND d.duty = 'principal' \
    UNION SELECT pl.child_id FROM duties d JOIN organisations u ON u.parent_id = d.organisation_id \
      JOIN placements pl ON pl.unit_id = u.id WHERE d.person_id = $1 AND d.duty = 'principal'";

const IN_UNITS_OF_PROVIDER: &str = "\
    SELECT m.person_id FROM duties d JOIN organisations s ON s.parent_id = d.organisation_id \
      JOIN organisations u ON u.parent_id = s.id JOIN groups gr ON gr.unit_id = u.id \
      JOIN group_memberships m ON m.group_id = gr.id \
     WHERE d.person_id = $1 AND d.duty = 'provider_admin' \
    UNION SELECT pl.child_id FROM duties d JOIN organisations s ON s.parent_id = d.organisation_id \
      JOIN organisations u ON u.parent_id = s.id JOIN placements pl ON pl.unit_id = u.id \
     WHERE d.person_id = $1 AND d.duty = 'provider_admin'";

const UNITS_OF_PROVIDER: &str = "SELECT u.id FROM duties d \
    JOIN organisations s ON s.parent_id = d.organisation_id JOIN organisations u ON u.parent_id = s.id \
    WHERE d.person_id = $1 AND d.duty = 'provider_admin'";

fn sorted(ids: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
    ids.into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// `username` lists exactly `expected`, can open each, and gets 404 for every other pupil.
async fn assert_reach(app: &TestApp, username: &str, expected: &[Uuid]) {
    let session = app.login(username).await;
    let listed = ids(&session.get_all("/api/pupils", 200).await);
    assert_eq!(
        sorted(listed.clone()),
        sorted(expected.iter().copied()),
        "{username}'s list"
    );
    assert_eq!(
        listed.len(),
        expected.len(),
        "{username}'s list has no duplicates"
    );
    for id in expected {
        let response = session.get(&format!("/api/pupils/{id}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{username} opens {id}");
    }
    for id in app.all_pupils().await {
        if !expected.contains(&id) {
            let (status, code) = error_code(session.get(&format!("/api/pupils/{id}")).await).await;
            assert_eq!(
                (status, code.as_str()),
                (StatusCode::NOT_FOUND, "not_found"),
                "{username} must not read {id}"
            );
        }
    }
}

async fn a_guardian_sees_only_their_own_children(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.account("guardian1");
    assert_eq!(guardian.children.len(), 2);
    assert_reach(&app, "guardian1", &guardian.children).await;

    let session = app.login("guardian1").await;
    let child = session
        .get_json(&format!("/api/pupils/{}", guardian.children[0]))
        .await;
    assert_eq!(child["masked"], false);
    assert!(child["given_name"].is_string());
    assert!(child["personal_number"].is_string());
    assert!(child["address"]["street"].is_string());
    let guardians = ids(child["guardians"].as_array().unwrap());
    assert!(guardians.contains(&guardian.person_id));
    assert_eq!(guardians.len(), 2);
}

async fn the_second_guardian_sees_the_same_children(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        app.account("guardian2").children,
        app.account("guardian1").children
    );
    assert_reach(&app, "guardian2", &app.account("guardian2").children).await;
}

async fn an_adult_pupil_sees_only_themselves_and_has_no_acting_guardians(backend: Backend) {
    let app = spawn_app(backend).await;
    let pupil = app.account("pupil1");
    assert_reach(&app, "pupil1", &[pupil.person_id]).await;
    let session = app.login("pupil1").await;
    let me = session
        .get_json(&format!("/api/pupils/{}", pupil.person_id))
        .await;
    assert!(me["age"].as_u64().unwrap() >= 18);
    assert_eq!(me["guardians"], Value::Array(vec![]));
}

async fn a_teacher_sees_only_pupils_in_groups_they_teach_or_mentor(backend: Backend) {
    let app = spawn_app(backend).await;
    let teacher = app.account("teacher1");
    let expected = app.query_ids_for(TEACHES, teacher.person_id).await;
    assert!(!expected.is_empty());
    let children = &app.account("guardian1").children;
    assert!(
        children.iter().any(|child| expected.contains(child)),
        "teacher1 mentors one of guardian1's children"
    );
    assert_reach(&app, "teacher1", &expected).await;
}

async fn a_teacher_at_another_school_cannot_read_the_children(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.login("teacher2").await;
    for child in &app.account("guardian1").children {
        let response = session.get(&format!("/api/pupils/{child}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
}

async fn a_principal_sees_the_pupils_of_their_school(backend: Backend) {
    let app = spawn_app(backend).await;
    let principal = app.account("principal1");
    let expected = app
        .query_ids_for(IN_SCHOOL_OF_PRINCIPAL, principal.person_id)
        .await;
    for child in &app.account("guardian1").children {
        assert!(expected.contains(child));
    }
    assert_reach(&app, "principal1", &expected).await;
}

async fn a_provider_admin_sees_only_pupils_in_their_own_units(backend: Backend) {
    let app = spawn_app(backend).await;
    for username in ["provider_admin1", "provider_admin2"] {
        let admin = app.account(username);
        let expected = app
            .query_ids_for(IN_UNITS_OF_PROVIDER, admin.person_id)
            .await;
        assert!(!expected.is_empty(), "{username} has pupils");
        assert_reach(&app, username, &expected).await;
    }
}

async fn municipal_office_staff_see_no_pupils_through_the_register(backend: Backend) {
    let app = spawn_app(backend).await;
    for username in ["case_worker1", "registrar1", "admin1"] {
        assert_reach(&app, username, &[]).await;
    }
}

async fn a_protected_identity_is_masked_without_a_direct_relation(backend: Backend) {
    let app = spawn_app(backend).await;
    let protected_child = app.account("guardian3").children[0];
    let session = app.login("provider_admin1").await;

    let listed = session.get_all("/api/pupils", 200).await;
    let item = listed
        .iter()
        .find(|p| p["id"] == protected_child.to_string())
        .expect("the protected child is placed in provider_admin1's unit");
    assert_eq!(item["masked"], true);
    for field in ["given_name", "family_name", "birth_date", "school", "unit"] {
        assert!(item[field].is_null(), "{field} is hidden: {item}");
    }

    let detail = session
        .get_json(&format!("/api/pupils/{protected_child}"))
        .await;
    assert_eq!(detail["masked"], true);
    for field in ["given_name", "personal_number", "address", "school"] {
        assert!(detail[field].is_null(), "{field} is hidden: {detail}");
    }

    let units = session.get_all("/api/units", 200).await;
    let mut seen_in_unit = false;
    for unit in ids(&units) {
        let detail = session.get_json(&format!("/api/units/{unit}")).await;
        for placement in detail["placements"].as_array().unwrap() {
            if placement["pupil"]["id"] == protected_child.to_string() {
                seen_in_unit = true;
                assert_eq!(placement["pupil"]["masked"], true);
                assert!(placement["pupil"]["name"].is_null());
            }
        }
    }
    assert!(seen_in_unit, "the placement is listed, masked");
    let body = serde_json::to_string(&listed).unwrap();
    let real_name = app
        .query_ids_for(
            "SELECT id FROM persons WHERE id = $1 AND protected_identity",
            protected_child,
        )
        .await;
    assert_eq!(
        real_name.len(),
        1,
        "the child is marked protected in the register"
    );
    assert!(!body.contains("\"masked\":true,\"given_name\":\""));
}

async fn a_guardian_of_a_protected_child_sees_name_and_address(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.account("guardian3");
    let session = app.login("guardian3").await;
    let child = session
        .get_json(&format!("/api/pupils/{}", guardian.children[0]))
        .await;
    assert_eq!(child["masked"], false);
    assert_eq!(child["protected_identity"], true);
    assert!(child["given_name"].is_string());
    assert!(child["address"]["street"].is_string());
}

async fn reads_of_pupil_data_are_written_to_the_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.account("guardian1");
    let child = guardian.children[0];
    let session = app.login("guardian1").await;
    assert!(
        audit::entries_for_subject(&app.db, child)
            .await
            .unwrap()
            .is_empty()
    );

    session.get_json("/api/pupils").await;
    session.get_json(&format!("/api/pupils/{child}")).await;

    let entries = audit::entries_for_subject(&app.db, child).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["pupil.list", "pupil.read"]);
    assert!(
        entries
            .iter()
            .all(|e| e.actor_person_id == guardian.person_id)
    );

    // A refused read of someone else's child reads nothing and logs nothing.
    let stranger = app.account("guardian3").children[0];
    let before = audit::entries_for_subject(&app.db, stranger).await.unwrap();
    session.get(&format!("/api/pupils/{stranger}")).await;
    assert_eq!(
        audit::entries_for_subject(&app.db, stranger)
            .await
            .unwrap()
            .len(),
        before.len()
    );

    // Placements read through a unit are logged per child.
    let admin = app.login("provider_admin1").await;
    for unit in ids(&admin.get_all("/api/units", 200).await) {
        admin.get_json(&format!("/api/units/{unit}")).await;
    }
    let protected_entries = audit::entries_for_subject(&app.db, stranger).await.unwrap();
    assert!(
        protected_entries
            .iter()
            .any(|e| e.action == "placement.list"
                && e.actor_person_id == app.account("provider_admin1").person_id)
    );
}

async fn a_provider_admin_reaches_only_their_own_units(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.account("provider_admin1");
    let expected = app.query_ids_for(UNITS_OF_PROVIDER, admin.person_id).await;
    let session = app.login("provider_admin1").await;
    let units = session.get_all("/api/units", 200).await;
    assert_eq!(sorted(ids(&units)), sorted(expected.clone()));
    assert!(units.iter().all(|u| u["owner_kind"] == "independent"));

    let every_unit = app
        .query_ids("SELECT id FROM organisations WHERE kind = 'unit'")
        .await;
    for unit in every_unit.iter().filter(|u| !expected.contains(u)) {
        let response = session.get(&format!("/api/units/{unit}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "unit {unit}");
    }
    // Municipality-wide staff reach every unit.
    let case_worker = app.login("case_worker1").await;
    assert_eq!(
        case_worker.get_all("/api/units", 200).await.len(),
        every_unit.len()
    );
}

async fn a_guardian_reaches_only_their_childrens_units(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.account("guardian1");
    let session = app.login("guardian1").await;
    let units = ids(&session.get_all("/api/units", 200).await);
    assert!(!units.is_empty());
    let children_units = app
        .query_ids_for(
            "SELECT gr.unit_id FROM group_memberships m JOIN groups gr ON gr.id = m.group_id \
             JOIN guardianships g ON g.child_id = m.person_id WHERE g.guardian_id = $1 \
             UNION SELECT pl.unit_id FROM placements pl \
             JOIN guardianships g ON g.child_id = pl.child_id WHERE g.guardian_id = $1",
            guardian.person_id,
        )
        .await;
    assert_eq!(sorted(units.clone()), sorted(children_units));
    for unit in &units {
        let detail = session.get_json(&format!("/api/units/{unit}")).await;
        for placement in detail["placements"].as_array().unwrap() {
            let child: Uuid = placement["pupil"]["id"].as_str().unwrap().parse().unwrap();
            assert!(
                guardian.children.contains(&child),
                "only own children's placements"
            );
        }
    }
}

async fn a_teacher_lists_their_groups_and_each_groups_pupils(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.login("teacher1").await;
    let groups = session.get_json("/api/groups").await;
    let groups = groups["items"].as_array().unwrap();
    let mentored: Vec<&Value> = groups
        .iter()
        .filter(|g| g["relation"] == "mentor")
        .collect();
    assert!(!mentored.is_empty());
    let children = &app.account("guardian1").children;
    let mut found = false;
    for group in groups {
        let members = session
            .get_all(
                &format!("/api/pupils?group={}", group["id"].as_str().unwrap()),
                200,
            )
            .await;
        assert_eq!(
            members.len() as i64,
            group["member_count"].as_i64().unwrap()
        );
        found |= ids(&members).iter().any(|member| children.contains(member));
    }
    assert!(found, "one of guardian1's children is in teacher1's groups");

    let guardian = app.login("guardian1").await;
    assert_eq!(
        guardian.get_json("/api/groups").await["items"],
        Value::Array(vec![])
    );
}

async fn cursor_pages_cover_the_list_exactly_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.login("principal1").await;
    let whole = ids(&session.get_all("/api/pupils", 200).await);
    let paged = ids(&session.get_all("/api/pupils", 7).await);
    assert!(whole.len() > 14, "several pages");
    assert_eq!(paged, whole);
    let units_whole = ids(&app.login("admin1").await.get_all("/api/units", 200).await);
    let units_paged = ids(&app.login("admin1").await.get_all("/api/units", 2).await);
    assert_eq!(units_paged, units_whole);
}

async fn bad_paging_parameters_get_field_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.login("principal1").await;
    for (path, field) in [
        ("/api/pupils?limit=0", "limit"),
        ("/api/pupils?limit=201", "limit"),
        ("/api/pupils?cursor=not-a-cursor", "cursor"),
        ("/api/units?cursor=%%%", "cursor"),
    ] {
        let response = session.get(path).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}"
        );
        let body: Value = response.json().await.unwrap();
        let named = body["error"]["fields"][0]["field"].as_str().unwrap_or("");
        assert!(named == field || named == "query", "{path}: {body}");
    }
}

async fn only_staff_list_their_colleagues(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.login("case_worker1").await.get_json("/api/staff").await;
    let staff = staff.as_array().unwrap();
    let teacher = app.account("teacher1").person_id.to_string();
    let entry = staff
        .iter()
        .find(|s| s["id"] == teacher)
        .expect("teacher1 is staff");
    assert!(
        entry["duties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "mentor")
    );
    assert!(
        !staff
            .iter()
            .any(|s| s["id"] == app.account("guardian1").person_id.to_string())
    );
    for username in ["guardian1", "pupil1"] {
        let response = app.login(username).await.get("/api/staff").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{username}");
    }
}
