//! The leave-of-absence e-service end to end: application, the other guardian's confirmation,
//! routing to mentor or principal, decision, register, letter and notices.

use base64::Engine;
use chrono::{Datelike, Days, NaiveDate};
use reqwest::StatusCode;
use serde_json::{Value, json};
use skolflyt::store::applications;
use uuid::Uuid;

use crate::helpers::{Backend, Session, TestApp, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    a_short_leave_is_confirmed_routed_to_the_mentor_decided_and_closed,
    a_leave_over_ten_school_days_goes_to_the_principal,
    outsiders_cannot_see_a_leave_case_or_its_documents,
    invalid_leave_forms_get_field_errors,
    a_guardian_of_an_adult_pupil_is_refused_and_the_adult_applies_alone,
    an_application_can_be_withdrawn_before_the_decision,
    the_other_guardian_declines_with_a_reason_and_cannot_withdraw,
    odd_text_and_far_dates_get_field_errors_not_500,
    school_days_are_counted_from_the_calendar,
    an_overlapping_leave_is_warned_and_can_be_sent_anyway,
    a_leave_nobody_may_decide_stays_queued_with_an_exception_for_the_case_office,
);

/// guardian1's child whose mentor is teacher1.
pub(crate) async fn mentored_child(app: &TestApp) -> Uuid {
    let mentored = app
        .query_ids_for(
            "SELECT m.person_id FROM duties d JOIN group_memberships m ON m.group_id = d.group_id \
             WHERE d.person_id = $1 AND d.duty = 'mentor'",
            app.account("teacher1").person_id,
        )
        .await;
    *app.account("guardian1")
        .children
        .iter()
        .find(|c| mentored.contains(c))
        .expect("teacher1 mentors one of guardian1's children")
}

pub(crate) async fn apply(session: &Session, pupil: Uuid, from: NaiveDate, to: NaiveDate) -> Value {
    let response = session
        .post_json(
            "/api/applications/leave",
            json!({ "pupil_id": pupil, "from": from, "to": to, "reason": "Släktbröllop i Umeå" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn case_status(app: &TestApp, case_id: &str) -> String {
    skolflyt::store::cases::get(&app.db, case_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .status
}

async fn a_short_leave_is_confirmed_routed_to_the_mentor_decided_and_closed(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = mentored_child(&app).await;
    let from = crate::helpers::school_week(&app).await;
    let to = from + Days::new(2);
    let first = app.login("guardian1").await;
    let submitted = apply(&first, child, from, to).await;
    let case_id = submitted["case_id"].as_str().unwrap().to_owned();
    assert!(
        submitted["number"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/", app.today.year()))
    );
    assert_eq!(submitted["awaiting_other_guardian"], true);

    let mine = first.get_json(&format!("/api/my/cases/{case_id}")).await;
    assert_eq!(
        mine["status_name"]["sv"],
        "Väntar på den andra vårdnadshavaren"
    );
    assert_eq!(mine["awaiting_my_confirmation"], false);
    let documents = mine["documents"].as_array().unwrap();
    assert_eq!(documents[0]["document_type"], "receipt");
    assert!(documents[0]["number"].as_str().unwrap().ends_with("-1"));
    let receipt = first
        .get(&format!(
            "/api/cases/{case_id}/documents/{}",
            documents[0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(receipt.status(), StatusCode::OK);
    assert!(receipt.bytes().await.unwrap().starts_with(b"%PDF-"));

    // Nothing is routed before the other guardian confirms.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(case_status(&app, &case_id).await, "awaiting_confirmation");
    let second = app.login("guardian2").await;
    let waiting = second.get_json(&format!("/api/my/cases/{case_id}")).await;
    assert_eq!(waiting["awaiting_my_confirmation"], true);
    let confirm_path = format!("/api/applications/leave/{case_id}/confirmation");
    assert_eq!(
        first
            .send(reqwest::Method::POST, &confirm_path, None, true)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        second
            .send(reqwest::Method::POST, &confirm_path, None, true)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        second
            .send(reqwest::Method::POST, &confirm_path, None, true)
            .await
            .status(),
        StatusCode::CONFLICT
    );

    app.eventually("the case is routed", || async {
        case_status(&app, &case_id).await == "open"
    })
    .await;
    let mentor = app.login("teacher1").await;
    let to_decide = mentor.get_json("/api/cases?view=mine&type=leave").await;
    assert_eq!(to_decide["items"][0]["id"], case_id);
    let history = mentor.get_json(&format!("/api/pupils/{child}/leave")).await;
    assert_eq!(history[0]["school_days"], 3);
    assert_eq!(history[0]["reason"], "Släktbröllop i Umeå");

    let decided = mentor
        .post_json(
            &format!("/api/cases/{case_id}/decision"),
            json!({ "outcome": "approved", "motivation": "Eleven har god närvaro." }),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    let decided: Value = decided.json().await.unwrap();
    assert_eq!(
        decided["decision"]["legal_basis"],
        "skollagen (2010:800) 7 kap. 18 §"
    );

    app.eventually("the case is closed", || async {
        case_status(&app, &case_id).await == "closed"
    })
    .await;
    let absences = applications::absences(&app.db, child).await.unwrap();
    assert_eq!(absences.len(), 1);
    assert_eq!(
        (
            absences[0].kind.as_str(),
            absences[0].from_date,
            absences[0].to_date
        ),
        ("granted_leave", from, to)
    );

    for guardian in [&first, &second] {
        let mine = guardian.get_json(&format!("/api/my/cases/{case_id}")).await;
        assert_eq!(mine["outcome"], "approved");
        assert_eq!(mine["decision"]["valid_from"], from.to_string());
        let letter = mine["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["document_type"] == "decision_letter")
            .expect("a decision letter");
        let pdf = guardian
            .get(&format!(
                "/api/cases/{case_id}/documents/{}",
                letter["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
        // One message per change the family sees, each under the case's number: the status
        // notices, and the decision once (with its letter), not also as "decision made".
        let inbox = guardian.get_json("/api/inbox").await;
        let subjects: Vec<&str> = inbox
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["case_id"] == case_id.as_str())
            .inspect(|m| assert_eq!(m["case_number"], submitted["number"], "{m}"))
            .map(|m| m["subject"].as_str().unwrap())
            .collect();
        let number = submitted["number"].as_str().unwrap();
        assert_eq!(
            subjects
                .iter()
                .filter(|s| s.starts_with("Beslut i ärende"))
                .count(),
            1,
            "{subjects:?}"
        );
        assert!(
            !subjects.contains(&format!("Ärende {number}: Beslut fattat").as_str()),
            "{subjects:?}"
        );
        let mut unique = subjects.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            subjects.len(),
            "a message twice: {subjects:?}"
        );
    }
}

async fn a_leave_over_ten_school_days_goes_to_the_principal(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = mentored_child(&app).await;
    let from = crate::helpers::school_week(&app).await;
    let to = crate::helpers::school_days_from(&app, from, 12).await;
    let submitted = apply(&app.login("guardian1").await, child, from, to).await;
    let case_id = submitted["case_id"].as_str().unwrap().to_owned();
    let confirm = format!("/api/applications/leave/{case_id}/confirmation");
    app.login("guardian2")
        .await
        .send(reqwest::Method::POST, &confirm, None, true)
        .await;
    app.eventually("the case is routed", || async {
        case_status(&app, &case_id).await == "open"
    })
    .await;

    let case = skolflyt::store::cases::get(&app.db, case_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.owner_id, Some(app.account("principal1").person_id));
    let mentor = app.login("teacher1").await;
    assert_eq!(
        mentor.get(&format!("/api/cases/{case_id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let principal = app.login("principal1").await;
    let decided = principal
        .post_json(&format!("/api/cases/{case_id}/decision"), json!({ "outcome": "rejected", "motivation": "Ledigheten är för lång under terminen." }))
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    app.eventually("the case is closed", || async {
        case_status(&app, &case_id).await == "closed"
    })
    .await;
    assert!(
        applications::absences(&app.db, child)
            .await
            .unwrap()
            .is_empty(),
        "no leave written for a rejection"
    );
}

async fn outsiders_cannot_see_a_leave_case_or_its_documents(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = mentored_child(&app).await;
    let from = crate::helpers::school_week(&app).await;
    let guardian = app.login("guardian1").await;
    let submitted = apply(&guardian, child, from, from).await;
    let case_id = submitted["case_id"].as_str().unwrap().to_owned();
    let mine = guardian.get_json(&format!("/api/my/cases/{case_id}")).await;
    let receipt = mine["documents"][0]["id"].as_str().unwrap().to_owned();
    for username in ["teacher2", "guardian3", "provider_admin1", "principal2"] {
        let session = app.login(username).await;
        for path in [
            format!("/api/cases/{case_id}"),
            format!("/api/my/cases/{case_id}"),
            format!("/api/cases/{case_id}/documents/{receipt}"),
            format!("/api/pupils/{child}/leave"),
        ] {
            assert_eq!(
                session.get(&path).await.status(),
                StatusCode::NOT_FOUND,
                "{username} {path}"
            );
        }
    }
}

async fn invalid_leave_forms_get_field_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = app.account("guardian1").children[0];
    let session = app.login("guardian1").await;
    let yesterday = app.today - Days::new(1);
    let png = base64::engine::general_purpose::STANDARD.encode(b"not really a png");
    for (body, field, code) in [
        (
            json!({ "pupil_id": child, "from": app.today, "to": yesterday, "reason": "x" }),
            "to",
            "before_from",
        ),
        (
            json!({ "pupil_id": child, "from": yesterday, "to": app.today, "reason": "x" }),
            "from",
            "in_past",
        ),
        (
            json!({ "pupil_id": child, "from": app.today, "to": app.today, "reason": "  " }),
            "reason",
            "required",
        ),
        (
            json!({ "pupil_id": child, "from": null, "to": app.today, "reason": "x" }),
            "from",
            "required",
        ),
        (
            json!({ "pupil_id": child, "from": app.today, "to": app.today, "reason": "x",
                    "attachment": { "file_name": "intyg.png", "media_type": "image/png", "content_base64": png } }),
            "attachment",
            "content_mismatch",
        ),
    ] {
        let response = session
            .post_json("/api/applications/leave", body.clone())
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let error: Value = response.json().await.unwrap();
        let fields = error["error"]["fields"].as_array().unwrap();
        assert!(
            fields
                .iter()
                .any(|f| f["field"] == field && f["code"] == code),
            "{field}/{code} in {error}"
        );
    }
    // A large (4 MB) PDF attachment gets through the body limit and is stored.
    let pdf = crate::helpers::pdf_of_size(4 * 1024 * 1024);
    let large = base64::engine::general_purpose::STANDARD.encode(&pdf);
    let accepted = session
        .post_json(
            "/api/applications/leave",
            json!({ "pupil_id": child, "from": app.today, "to": app.today, "reason": "Läkarintyg bifogas",
                    "attachment": { "file_name": "intyg.pdf", "media_type": "application/pdf", "content_base64": large } }),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::CREATED);
    let case: Value = accepted.json().await.unwrap();
    let mine = session
        .get_json(&format!(
            "/api/my/cases/{}",
            case["case_id"].as_str().unwrap()
        ))
        .await;
    let attachment = mine["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["document_type"] == "attachment")
        .unwrap();
    assert_eq!(attachment["size"], 4 * 1024 * 1024);

    let stranger = app.account("guardian3").children[0];
    let other_family = session
        .post_json(
            "/api/applications/leave",
            json!({ "pupil_id": stranger, "from": app.today, "to": app.today, "reason": "x" }),
        )
        .await;
    assert_eq!(other_family.status(), StatusCode::NOT_FOUND);
    let cases = session.get_json("/api/my/cases").await;
    assert_eq!(
        cases.as_array().unwrap().len(),
        1,
        "only the valid application: nothing half-written"
    );
}

async fn a_guardian_of_an_adult_pupil_is_refused_and_the_adult_applies_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let adult = app.account("pupil1").person_id;
    let guardian = app.account("guardian1").person_id;
    let mut tx = app.db.begin().await.unwrap();
    skolflyt::with_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO guardianships (id, guardian_id, child_id, valid_from, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(Uuid::new_v4())
        .bind(guardian)
        .bind(adult)
        .bind(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap())
        .bind(skolflyt::clock::now())
        .execute(&mut *conn)
        .await
        .unwrap();
    });
    tx.commit().await.unwrap();

    let from = crate::helpers::school_week(&app).await;
    let refused = app
        .login("guardian1")
        .await
        .post_json(
            "/api/applications/leave",
            json!({ "pupil_id": adult, "from": from, "to": from, "reason": "Resa" }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["fields"][0]["code"], "adult_pupil");

    let submitted = apply(&app.login("pupil1").await, adult, from, from).await;
    assert_eq!(submitted["awaiting_other_guardian"], false);
}

async fn an_application_can_be_withdrawn_before_the_decision(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = mentored_child(&app).await;
    let from = crate::helpers::school_week(&app).await;
    let guardian = app.login("guardian1").await;
    let submitted = apply(&guardian, child, from, from).await;
    let case_id = submitted["case_id"].as_str().unwrap().to_owned();
    let withdrawn = guardian
        .send(
            reqwest::Method::POST,
            &format!("/api/my/cases/{case_id}/withdrawal"),
            None,
            true,
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::OK);
    let withdrawn: Value = withdrawn.json().await.unwrap();
    assert_eq!(withdrawn["outcome"], "withdrawn");
    assert_eq!(withdrawn["can_withdraw"], false);
    let confirm = format!("/api/applications/leave/{case_id}/confirmation");
    let late = app
        .login("guardian2")
        .await
        .send(reqwest::Method::POST, &confirm, None, true)
        .await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
}

async fn the_other_guardian_declines_with_a_reason_and_cannot_withdraw(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = mentored_child(&app).await;
    let from = crate::helpers::school_week(&app).await;
    let first = app.login("guardian1").await;
    let case_id = apply(&first, child, from, from).await["case_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = app.login("guardian2").await;
    let seen = second.get_json(&format!("/api/my/cases/{case_id}")).await;
    assert_eq!(seen["can_withdraw"], false);
    assert_eq!(seen["can_decline"], true);
    let withdrawal = format!("/api/my/cases/{case_id}/withdrawal");
    let refused = second
        .send(reqwest::Method::POST, &withdrawal, None, true)
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(case_status(&app, &case_id).await, "awaiting_confirmation");

    let declination = format!("/api/my/cases/{case_id}/declination");
    let empty = second
        .post_json(&declination, json!({ "reason": " " }))
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let by_applicant = first
        .post_json(&declination, json!({ "reason": "nej" }))
        .await;
    assert_eq!(by_applicant.status(), StatusCode::FORBIDDEN);
    let declined = second
        .post_json(
            &declination,
            json!({ "reason": "Vi har inte pratat om resan" }),
        )
        .await;
    assert_eq!(declined.status(), StatusCode::OK);
    let declined: Value = declined.json().await.unwrap();
    assert_eq!(declined["outcome"], "withdrawn");
    assert_eq!(declined["can_decline"], false);
    let inbox = first.get_json("/api/inbox").await;
    assert!(
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["case_id"] == case_id
                && m["body"]
                    .as_str()
                    .unwrap()
                    .contains("Vi har inte pratat om resan")),
        "{inbox}"
    );
    let again = second
        .post_json(&declination, json!({ "reason": "nej" }))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

async fn odd_text_and_far_dates_get_field_errors_not_500(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = mentored_child(&app).await;
    let from = crate::helpers::school_week(&app).await;
    let guardian = app.login("guardian1").await;
    let post = |body: Value| {
        let guardian = &guardian;
        async move { guardian.post_json("/api/applications/leave", body).await }
    };
    for (reason, to, field) in [
        ("a\u{0}b", from, "reason"),
        ("\u{1b}[31mröd", from, "reason"),
        ("Resa", NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(), "to"),
    ] {
        let response =
            post(json!({ "pupil_id": child, "from": from, "to": to, "reason": reason })).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{reason:?}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], field, "{body}");
    }
    let far = post(
        json!({ "pupil_id": child, "from": app.today + Days::new(800),
                           "to": app.today + Days::new(801), "reason": "Resa" }),
    )
    .await;
    assert_eq!(far.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let emoji =
        post(json!({ "pupil_id": child, "from": from, "to": from, "reason": "resa 😀 🇸🇪" })).await;
    assert_eq!(emoji.status(), StatusCode::CREATED);
}

async fn school_days_are_counted_from_the_calendar(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.login("guardian1").await;
    let count = |from: &str, to: &str| format!("/api/calendar/school-days?from={from}&to={to}");

    // 14 Dec – 8 Jan: five days before jullov, none in it (nor Christmas, New Year or
    // Epiphany), two after it.
    let christmas = guardian.get_json(&count("2026-12-14", "2027-01-08")).await;
    assert_eq!(christmas["school_days"], 7, "{christmas}");
    assert_eq!(christmas["days"][5], "2027-01-07");
    assert_eq!(christmas["principal_decides"], false);
    let longer = guardian.get_json(&count("2026-12-14", "2027-01-22")).await;
    assert_eq!(longer["school_days"], 17);
    assert_eq!(longer["principal_decides"], true);
    let summer = guardian.get_json(&count("2027-06-14", "2027-06-30")).await;
    assert_eq!(summer["school_days"], 0);
    for (path, field, code) in [
        (count("2027-01-08", "2026-12-14"), "to", "before_from"),
        (count("2026-01-01", "2027-12-31"), "to", "period_too_long"),
    ] {
        let refused: Value = {
            let response = guardian.get(&path).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}"
            );
            response.json().await.unwrap()
        };
        assert_eq!(refused["error"]["fields"][0]["field"], field, "{refused}");
        assert_eq!(refused["error"]["fields"][0]["code"], code, "{refused}");
    }
    let bad_date = guardian.get(&count("2026-13-01", "2027-01-08")).await;
    assert_eq!(bad_date.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let anonymous = app.client().get(&count("2026-12-14", "2027-01-08")).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // A break in the calendar takes its days out of a leave, whatever the date the tests run:
    // a week off, and a leave over it and the week before counts five days.
    let child = mentored_child(&app).await;
    let from = crate::helpers::school_week(&app).await;
    let (off_start, off_end) = (from + Days::new(7), from + Days::new(11));
    skolflyt::with_db!(&app.db, |pool| sqlx::query(
        "INSERT INTO calendar_periods (school_year, kind, code, name_sv, name_en, start_date, \
         end_date, created_at, updated_at) VALUES ('test', 'break', 'testlov', 'Testlov', \
         'Test break', $1, $2, $3, $3)"
    )
    .bind(off_start)
    .bind(off_end)
    .bind(chrono::Utc::now())
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let off = guardian
        .get_json(&count(&off_start.to_string(), &off_end.to_string()))
        .await;
    assert_eq!(off["school_days"], 0, "{off}");
    let refused = guardian
        .post_json(
            "/api/applications/leave",
            json!({ "pupil_id": child, "from": off_start, "to": off_end, "reason": "Resa" }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["error"]["fields"][0]["field"], "to", "{refused}");
    assert_eq!(refused["error"]["fields"][0]["code"], "no_school_day");

    let submitted = apply(&guardian, child, from, off_end).await;
    let case_id: Uuid = submitted["case_id"].as_str().unwrap().parse().unwrap();
    let leave = applications::leave(&app.db, case_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(leave.school_days, 5);
}

async fn an_overlapping_leave_is_warned_and_can_be_sent_anyway(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = mentored_child(&app).await;
    let monday = crate::helpers::school_week(&app).await;
    let guardian = app.login("guardian1").await;
    let first = apply(&guardian, child, monday, monday + Days::new(2)).await;
    let overlapping = json!({
        "pupil_id": child,
        "from": monday + Days::new(2),
        "to": monday + Days::new(3),
        "reason": "Läger",
    });
    let response = guardian
        .post_json("/api/applications/leave", overlapping.clone())
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let problem = &body["error"]["fields"][0];
    assert_eq!(
        (problem["field"].as_str(), problem["code"].as_str()),
        (Some("from"), Some("overlaps_leave"))
    );
    let number = first["number"].as_str().unwrap();
    assert!(
        problem["message"].as_str().unwrap().contains(number),
        "{problem}"
    );

    // The guardian applies anyway; the second application is a case of its own.
    let mut anyway = overlapping;
    anyway["confirm_overlap"] = json!(true);
    let response = guardian.post_json("/api/applications/leave", anyway).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let second: Value = response.json().await.unwrap();
    assert_ne!(second["case_id"], first["case_id"]);

    // A withdrawn application no longer counts; the confirmed one still does.
    let case_id = first["case_id"].as_str().unwrap();
    let withdrawn = guardian
        .send(
            reqwest::Method::POST,
            &format!("/api/my/cases/{case_id}/withdrawal"),
            None,
            true,
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::OK);
    apply(&guardian, child, monday, monday + Days::new(1)).await;
    let response = guardian
        .post_json(
            "/api/applications/leave",
            json!({ "pupil_id": child, "from": monday + Days::new(3), "to": monday + Days::new(4),
                    "reason": "Läger" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_leave_nobody_may_decide_stays_queued_with_an_exception_for_the_case_office(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let child = mentored_child(&app).await;
    // The register has no principal any more (their duty ended yesterday).
    let yesterday = app.today - Days::new(1);
    skolflyt::with_db!(&app.db, |pool| sqlx::query(
        "UPDATE duties SET valid_to = $1 WHERE duty = 'principal'"
    )
    .bind(yesterday)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let from = crate::helpers::school_week(&app).await;
    let to = crate::helpers::school_days_from(&app, from, 12).await;
    let submitted = apply(&app.login("guardian1").await, child, from, to).await;
    let case_id = submitted["case_id"].as_str().unwrap().to_owned();
    let case: Uuid = case_id.parse().unwrap();
    let confirm = format!("/api/applications/leave/{case_id}/confirmation");
    app.login("guardian2")
        .await
        .send(reqwest::Method::POST, &confirm, None, true)
        .await;
    let exceptions = || {
        app.query_ids_for(
            "SELECT f.id FROM follow_ups f JOIN teams t ON t.id = f.assignee_team_id \
             WHERE f.case_id = $1 AND f.kind = 'exception' AND t.name = 'Elevhandläggning'",
            case,
        )
    };
    app.eventually("the case office gets an exception", || async {
        exceptions().await.len() == 1
    })
    .await;
    let row = skolflyt::store::cases::get(&app.db, case)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.status.as_str(), row.owner_id), ("new", None));
    // A case worker of the team reads why on the follow-ups dashboard.
    let worker = app.login("case_worker1").await;
    let id = exceptions().await[0];
    let follow_up = worker.get_json(&format!("/api/follow-ups/{id}")).await;
    let details = follow_up["details"].as_str().unwrap();
    assert!(details.contains("ingen rektor"), "{details}");
}
