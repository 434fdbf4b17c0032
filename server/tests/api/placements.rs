//! Providers' placement reports and the resource allocation they give: the register as of
//! dates before and after each report, the case with its PDF and notices, every validation
//! error, atomicity, a hand-computed allocation, and who may see what.

use chrono::{Datelike, Days, Months, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::PersonalNumber;
use uuid::Uuid;

use crate::helpers::{Backend, Session, TestApp, field_codes, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    a_start_a_change_of_scope_and_an_end_reach_the_register_the_case_and_the_officers,
    every_bad_field_is_named_and_other_providers_units_are_not_found,
    a_failing_case_step_leaves_the_register_as_it_was,
    the_allocation_follows_ages_hours_and_ends_on_the_count_date,
    the_rate_table_is_kept_by_administrators_with_its_history,
);

const UNIT_OF: &str = "SELECT u.id FROM organisations u JOIN organisations s ON s.id = u.parent_id \
    JOIN duties d ON d.organisation_id = s.parent_id \
    WHERE d.person_id = $1 AND d.duty = 'provider_admin' AND u.school_form = 'forskola'";

async fn preschool_of(app: &TestApp, admin: &str) -> Uuid {
    app.query_ids_for(UNIT_OF, app.account(admin).person_id)
        .await[0]
}

fn today() -> NaiveDate {
    skolflyt::clock::today()
}

/// A personal number no demo person has (born `birth`, birth number 9xx).
fn new_child_number(birth: NaiveDate, n: u16) -> String {
    PersonalNumber::from_parts(birth, 900 + n).to_string()
}

async fn guardian_number(app: &TestApp, username: &str) -> String {
    let id = app.account(username).person_id;
    skolflyt::with_db!(&app.db, |pool| sqlx::query_scalar::<_, String>(
        "SELECT personal_number FROM persons WHERE id = $1"
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap())
}

async fn report(session: &Session, body: Value) -> (StatusCode, Value) {
    let response = session
        .send(Method::POST, "/api/placement-reports", Some(body), true)
        .await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn placements_on(session: &Session, unit: Uuid, day: NaiveDate) -> Vec<Value> {
    session
        .get_json(&format!("/api/units/{unit}/placements?as_of={day}"))
        .await
        .as_array()
        .unwrap()
        .clone()
}

fn hours_of(placements: &[Value], pupil: &str) -> Option<f64> {
    placements
        .iter()
        .find(|p| p["pupil"]["id"] == pupil)
        .map(|p| p["hours_per_week"].as_f64().unwrap())
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    skolflyt::with_db!(&app.db, |pool| sqlx::query_scalar::<_, i64>(&sql)
        .fetch_one(pool)
        .await
        .unwrap())
}

async fn a_start_a_change_of_scope_and_an_end_reach_the_register_the_case_and_the_officers(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let provider = app.login("provider_admin1").await;
    let unit = preschool_of(&app, "provider_admin1").await;
    let start = today() - Days::new(10);
    let birth = today() - Months::new(26);
    let number = new_child_number(birth, 1);
    let (status, created) = report(
        &provider,
        json!({
            "kind": "start", "unit_id": unit, "personal_number": number,
            "given_name": "Alva", "family_name": "Nygren",
            "guardians": [guardian_number(&app, "guardian1").await],
            "date": start, "hours_per_week": 35, "reason": "care",
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    for field in ["id", "case_id", "case_number", "placement_id"] {
        assert!(created[field].is_string(), "{field}: {created}");
    }
    let child = app
        .query_ids(&format!(
            "SELECT id FROM persons WHERE personal_number = '{number}'"
        ))
        .await[0]
        .to_string();
    // The new child's guardian sees her in the register.
    let guardian = app.login("guardian1").await;
    guardian.get_json(&format!("/api/pupils/{child}")).await;

    // A change of scope from today: the register answers the old hours before, the new after.
    let (status, scoped) = report(
        &provider,
        json!({ "kind": "scope_change", "unit_id": unit, "pupil_id": child,
                "date": today(), "hours_per_week": 20 }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{scoped}");
    assert_ne!(scoped["placement_id"], created["placement_id"]);
    let yesterday = today() - Days::new(1);
    assert_eq!(
        hours_of(&placements_on(&provider, unit, yesterday).await, &child),
        Some(35.0)
    );
    assert_eq!(
        hours_of(&placements_on(&provider, unit, today()).await, &child),
        Some(20.0)
    );
    assert_eq!(
        hours_of(
            &placements_on(&provider, unit, start - Days::new(1)).await,
            &child
        ),
        None
    );

    // An end in 40 days: placed on the last day, not the day after.
    let last = today() + Days::new(40);
    let (status, ended) = report(
        &provider,
        json!({ "kind": "end", "unit_id": unit, "personal_number": number, "date": last }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{ended}");
    assert_eq!(ended["placement_id"], scoped["placement_id"]);
    assert_eq!(
        hours_of(&placements_on(&provider, unit, last).await, &child),
        Some(20.0)
    );
    assert_eq!(
        hours_of(
            &placements_on(&provider, unit, last + Days::new(1)).await,
            &child
        ),
        None
    );

    // The history, newest first, with each case's status.
    let history = provider.get_json("/api/placement-reports").await;
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["end", "scope_change", "start"]);
    assert_eq!(history[1]["previous_hours_per_week"], 35.0);
    assert_eq!(history[2]["pupil"]["name"], "Alva Nygren");
    assert_eq!(history[2]["case_status"]["en"], "Received");

    // The automated step files the report's PDF and tells the provider and the officers.
    let case_id = created["case_id"].as_str().unwrap();
    let worker = app.login("case_worker1").await;
    app.eventually("the report's PDF", || async {
        let case = worker.get_json(&format!("/api/cases/{case_id}")).await;
        case["documents"].as_array().is_some_and(|d| !d.is_empty())
    })
    .await;
    let case = worker.get_json(&format!("/api/cases/{case_id}")).await;
    assert_eq!(case["case_type"], "placement_change", "{case}");
    assert_eq!(case["documents"][0]["document_type"], "receipt");
    let facts: Vec<&str> = case["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert!(facts.contains(&"hours_per_week"), "{facts:?}");
    let number = created["case_number"].as_str().unwrap();
    for session in [&provider, &worker] {
        let inbox = session.get_json("/api/inbox").await;
        let told = inbox
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["case_id"] == case_id)
            .count();
        assert_eq!(told, 1, "{number}: {inbox}");
    }
    // Another provider's admin hears nothing.
    let other = app.login("provider_admin2").await;
    let inbox = other.get_json("/api/inbox").await;
    assert!(
        !inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["case_id"] == case_id)
    );
}

async fn every_bad_field_is_named_and_other_providers_units_are_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let provider = app.login("provider_admin1").await;
    let unit = preschool_of(&app, "provider_admin1").await;
    let others = preschool_of(&app, "provider_admin2").await;
    let birth = today() - Months::new(30);

    let (status, body) = report(
        &provider,
        json!({ "kind": "begin", "unit_id": unit, "personal_number": "20200101-0000",
                "date": "2026-02-30", "hours_per_week": 61, "reason": "fun" }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = field_codes(&body).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "kind",
            "personal_number",
            "date",
            "hours_per_week",
            "reason"
        ]
    );

    let number = new_child_number(birth, 2);
    let start = json!({ "kind": "start", "unit_id": unit, "personal_number": number,
                        "date": today(), "hours_per_week": 30, "reason": "care" });
    // A new child needs names and known guardians.
    let (status, body) = report(&provider, start.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = field_codes(&body).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["given_name", "family_name", "guardians"]);
    let mut unknown_guardian = start.clone();
    unknown_guardian["given_name"] = json!("Ebbe");
    unknown_guardian["family_name"] = json!("Lund");
    unknown_guardian["guardians"] = json!([new_child_number(today() - Months::new(400), 3)]);
    let (_, body) = report(&provider, unknown_guardian).await;
    assert_eq!(
        field_codes(&body),
        [("guardians[0]".to_owned(), "not_found".to_owned())]
    );

    // Too far back, and another provider's unit (404, whatever the body).
    let mut early = start.clone();
    early["date"] = json!(today() - Days::new(31));
    let (_, body) = report(&provider, early).await;
    assert_eq!(
        field_codes(&body),
        [("date".to_owned(), "too_early".to_owned())]
    );
    let mut elsewhere = start.clone();
    elsewhere["unit_id"] = json!(others);
    let (status, _) = report(&provider, elsewhere).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A child already placed: a second start overlaps; an end before the start has no place.
    let placed = app
        .query_ids_for(
            "SELECT child_id FROM placements WHERE unit_id = $1 AND end_date IS NULL",
            unit,
        )
        .await[0];
    let (_, body) = report(
        &provider,
        json!({ "kind": "start", "unit_id": unit, "pupil_id": placed, "date": today(),
                "hours_per_week": 30, "reason": "care" }),
    )
    .await;
    assert_eq!(
        field_codes(&body),
        [("date".to_owned(), "overlap".to_owned())]
    );
    let (_, body) = report(
        &provider,
        json!({ "kind": "end", "unit_id": unit, "pupil_id": placed,
                "date": today(), "hours_per_week": 10 }),
    )
    .await;
    assert_eq!(
        field_codes(&body),
        [("hours_per_week".to_owned(), "not_allowed".to_owned())]
    );
    // The other provider neither reports nor sees this unit's children.
    let other = app.login("provider_admin2").await;
    let (status, _) = report(
        &other,
        json!({ "kind": "end", "unit_id": unit, "pupil_id": placed, "date": today() }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let guardian = app.login("guardian1").await;
    for session in [&other, &guardian] {
        for path in [
            format!("/api/units/{unit}/placements"),
            format!("/api/statistics/resource-allocation?unit_id={unit}"),
            format!(
                "/api/statistics/resource-allocation/children?unit_id={unit}&month={}",
                today().format("%Y-%m")
            ),
        ] {
            assert_eq!(
                session.get(&path).await.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
    }
    assert_eq!(
        guardian
            .get("/api/statistics/resource-allocation")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert!(
        other
            .get_json("/api/placement-reports")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Nothing above was written.
    assert_eq!(count(&app, "placement_reports").await, 0);
}

async fn a_failing_case_step_leaves_the_register_as_it_was(backend: Backend) {
    let app = spawn_app(backend).await;
    let provider = app.login("provider_admin1").await;
    let unit = preschool_of(&app, "provider_admin1").await;
    let placements = count(&app, "placements").await;
    let persons = count(&app, "persons").await;
    // The case's history refuses the report's register event, after the register was written.
    let statements: Vec<&str> = match &app.db {
        skolflyt::store::Db::Sqlite { .. } => vec![
            "CREATE TRIGGER refuse_event BEFORE INSERT ON case_events \
             WHEN NEW.kind = 'register' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ],
        skolflyt::store::Db::Postgres(_) => vec![
            "CREATE FUNCTION refuse_event() RETURNS trigger AS $$ BEGIN \
             IF NEW.kind = 'register' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_event BEFORE INSERT ON case_events \
             FOR EACH ROW EXECUTE FUNCTION refuse_event()",
        ],
    };
    for sql in &statements {
        let mut tx = app.db.begin().await.unwrap();
        skolflyt::with_tx!(&mut tx, |conn| sqlx::query(sql)
            .execute(&mut *conn)
            .await
            .unwrap()
            .rows_affected());
        tx.commit().await.unwrap();
    }
    let (status, _) = report(
        &provider,
        json!({ "kind": "start", "unit_id": unit,
                "personal_number": new_child_number(today() - Months::new(20), 4),
                "given_name": "Ines", "family_name": "Berg",
                "guardians": [guardian_number(&app, "guardian2").await],
                "date": today(), "hours_per_week": 25, "reason": "care" }),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(count(&app, "placements").await, placements);
    assert_eq!(count(&app, "persons").await, persons);
    assert_eq!(count(&app, "placement_reports").await, 0);
    let cases: i64 = skolflyt::with_db!(&app.db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM cases WHERE case_type = 'placement_change'"
    )
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(cases, 0);
}

/// The 15th of the month `n` months after this one.
fn count_date(n: u32) -> NaiveDate {
    let first = today().with_day(1).unwrap() + Months::new(n);
    first.with_day(15).unwrap()
}

async fn allocation(session: &Session, unit: Uuid, from: NaiveDate, to: NaiveDate) -> Vec<Value> {
    let path = format!(
        "/api/statistics/resource-allocation?unit_id={unit}&from={}&to={}",
        from.format("%Y-%m"),
        to.format("%Y-%m")
    );
    let body = session.get_json(&path).await;
    assert_eq!(body["count_day"], 15);
    body["months"].as_array().unwrap().clone()
}

async fn the_allocation_follows_ages_hours_and_ends_on_the_count_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin1").await;
    // A simple table from next month (yearly amounts in öre).
    let from = count_date(1).with_day(1).unwrap();
    let rate = |kind: &str, ages: (u8, u8), above: f64, up_to: Option<f64>, amount: i64| {
        json!({ "placement_kind": kind, "age_from": ages.0, "age_to": ages.1,
                "hours_above": above, "hours_up_to": up_to, "amount_ore": amount })
    };
    let table = json!({ "valid_from": from, "rates": [
        rate("preschool", (1, 2), 0.0, Some(30.0), 12_000),
        rate("preschool", (1, 2), 30.0, None, 24_000),
        rate("preschool", (3, 5), 0.0, Some(30.0), 6_006),
        rate("preschool", (3, 5), 30.0, None, 9_000),
        rate("after_school", (6, 13), 0.0, None, 3_600),
    ]});
    let saved = admin
        .send(Method::PUT, "/api/statistics/rates", Some(table), true)
        .await;
    assert_eq!(saved.status(), StatusCode::OK);

    let provider = app.login("provider_admin1").await;
    let unit = preschool_of(&app, "provider_admin1").await;
    let (first, fourth) = (count_date(1), count_date(4));
    let before = allocation(&provider, unit, first, fourth).await;
    assert_eq!(before.len(), 4);

    // Turns three on the second month's count date; 35 hours, then 20 from before that date;
    // the last day is the third month's count date.
    let birth = count_date(2) - Months::new(36);
    let (status, created) = report(
        &provider,
        json!({ "kind": "start", "unit_id": unit,
                "personal_number": new_child_number(birth, 5),
                "given_name": "Tove", "family_name": "Ek",
                "guardians": [guardian_number(&app, "guardian1").await],
                "date": today(), "hours_per_week": 35, "reason": "care" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    for body in [
        json!({ "kind": "scope_change", "unit_id": unit,
                "personal_number": new_child_number(birth, 5),
                "date": count_date(2) - Days::new(5), "hours_per_week": 20 }),
        json!({ "kind": "end", "unit_id": unit,
                "personal_number": new_child_number(birth, 5), "date": count_date(3) }),
    ] {
        let (status, answer) = report(&provider, body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }

    // At once in the figures: a twelfth of 24 000 (aged 2, 35 h), then of 6 006 (aged 3,
    // 20 h: 500.5 rounds to 501) twice, then nothing.
    let after = allocation(&provider, unit, first, fourth).await;
    let delta = |i: usize, field: &str| {
        after[i][field].as_f64().unwrap() - before[i][field].as_f64().unwrap()
    };
    let amounts: Vec<f64> = (0..4).map(|i| delta(i, "amount_ore")).collect();
    assert_eq!(amounts, [2_000.0, 501.0, 501.0, 0.0]);
    let children: Vec<f64> = (0..4).map(|i| delta(i, "children")).collect();
    assert_eq!(children, [1.0, 1.0, 1.0, 0.0]);
    let hours: Vec<f64> = (0..4).map(|i| delta(i, "hours_per_week")).collect();
    assert_eq!(hours, [35.0, 20.0, 20.0, 0.0]);
    assert_eq!(after[0]["month"], first.format("%Y-%m").to_string());
    assert_eq!(after[0]["count_date"], first.to_string());

    // The children behind the second month, with her rate.
    let path = format!(
        "/api/statistics/resource-allocation/children?unit_id={unit}&month={}",
        count_date(2).format("%Y-%m")
    );
    let behind = provider.get_json(&path).await;
    let tove = behind["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["pupil"]["name"] == "Tove Ek")
        .cloned()
        .unwrap();
    assert_eq!(tove["age"], 3);
    assert_eq!(tove["rate_ore"], 6_006);
    assert_eq!(tove["amount_ore"], 501);
    let sum: i64 = behind["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["amount_ore"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, behind["month"]["amount_ore"].as_i64().unwrap());

    // The municipality's case workers see every unit; a provider only their own.
    let worker = app.login("case_worker1").await;
    let all = worker.get_json("/api/statistics/resource-allocation").await;
    let mine = provider
        .get_json("/api/statistics/resource-allocation")
        .await;
    let units = |body: &Value| body["months"].as_array().unwrap().len();
    assert!(
        units(&all) > units(&mine),
        "{} vs {}",
        units(&all),
        units(&mine)
    );
    let bad_month = provider
        .get(&format!(
            "/api/statistics/resource-allocation?unit_id={unit}&from=2026-13"
        ))
        .await;
    assert_eq!(bad_month.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_rate_table_is_kept_by_administrators_with_its_history(backend: Backend) {
    let app = spawn_app(backend).await;
    let provider = app.login("provider_admin1").await;
    let current = provider.get_json("/api/statistics/rates").await;
    assert_eq!(current["valid_from"], "2026-01-01");
    assert!(current["valid_to"].is_null());
    assert_eq!(current["rates"].as_array().unwrap().len(), 7);

    let from = count_date(1).with_day(1).unwrap();
    let table = json!({ "valid_from": from, "rates": [
        { "placement_kind": "after_school", "age_from": 6, "age_to": 13,
          "hours_above": 0.0, "hours_up_to": null, "amount_ore": 4_800_000 }
    ]});
    let refused = provider
        .send(
            Method::PUT,
            "/api/statistics/rates",
            Some(table.clone()),
            true,
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let admin = app.login("admin1").await;
    let mut overlapping = table.clone();
    let row = overlapping["rates"][0].clone();
    overlapping["rates"].as_array_mut().unwrap().push(row);
    let response = admin
        .send(
            Method::PUT,
            "/api/statistics/rates",
            Some(overlapping),
            true,
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        field_codes(&body),
        [("rates[1].age_from".to_owned(), "overlap".to_owned())]
    );
    let saved = admin
        .send(
            Method::PUT,
            "/api/statistics/rates",
            Some(table.clone()),
            true,
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    // Not again from the same day.
    let again = admin
        .send(Method::PUT, "/api/statistics/rates", Some(table), true)
        .await;
    let body: Value = again.json().await.unwrap();
    assert_eq!(
        field_codes(&body),
        [("valid_from".to_owned(), "too_early".to_owned())]
    );

    // Today's table is still the old one, now ending the day before the new one.
    let current = provider.get_json("/api/statistics/rates").await;
    assert_eq!(current["valid_to"], (from - Days::new(1)).to_string());
    let next = provider
        .get_json(&format!("/api/statistics/rates?as_of={from}"))
        .await;
    assert_eq!(next["rates"][0]["amount_ore"], 4_800_000);
    let history = provider.get_json("/api/statistics/rates/history").await;
    assert_eq!(history.as_array().unwrap().len(), 2);
}
