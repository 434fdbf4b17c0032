//! The school calendar an administrator keeps: reading a school year, field errors, and what a
//! saved calendar does to the lessons of the days it changes.

use chrono::NaiveDate;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, error_code, field_codes, school_week, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    anyone_reads_the_school_year_and_only_administrators_change_it,
    a_study_day_cancels_its_lessons_but_keeps_taken_registers_and_removing_it_restores_them,
    a_break_taken_out_gets_lessons_from_the_timetable_inside_the_rolled_out_term,
);

/// The lessons on `day` that are held (not cancelled).
async fn held(app: &TestApp, day: NaiveDate) -> i64 {
    skolflyt::with_db!(&app.db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM lessons WHERE date = $1 AND NOT cancelled"
    )
    .bind(day)
    .fetch_one(pool)
    .await
    .unwrap())
}

async fn anyone_reads_the_school_year_and_only_administrators_change_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let guardian = app.login("guardian1").await;
    let year = guardian.get_json("/api/calendar/2026").await;
    assert_eq!(year["school_year"], "2026/27");
    assert_eq!(year["first_day"], "2026-07-01");
    let periods = year["periods"].as_array().unwrap();
    assert_eq!(periods[0]["code"], "ht");
    assert_eq!(periods[1]["code"], "vt");
    assert_eq!(periods[0]["name"]["en"], "Autumn term");
    // HT 2026: 17 Aug – 18 Dec is 90 weekdays, less the autumn break (5).
    assert_eq!(year["term_school_days"][0], 85);
    let (status, _) = error_code(guardian.get("/api/calendar/1999").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let input = json!({ "periods": periods });
    let teacher = app.login("teacher1").await;
    let refused = teacher
        .send(Method::PUT, "/api/calendar/2026", Some(input.clone()), true)
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let admin = app.login("admin1").await;
    let mut bad = input.clone();
    bad["periods"][0]["end_date"] = json!("2026-08-01");
    bad["periods"][1]["name"]["sv"] = json!("");
    bad["periods"][2]["start_date"] = json!("2027-07-01");
    bad["periods"][2]["end_date"] = json!("2027-07-02");
    let response = admin
        .send(Method::PUT, "/api/calendar/2026", Some(bad), true)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        field_codes(&body),
        [
            ("periods[0].end_date".to_owned(), "before_from".to_owned()),
            ("periods[1].name.sv".to_owned(), "required".to_owned()),
            (
                "periods[2].start_date".to_owned(),
                "outside_school_year".to_owned()
            ),
            (
                "periods[2].end_date".to_owned(),
                "outside_school_year".to_owned()
            ),
        ]
    );
    // Nothing was written.
    assert_eq!(guardian.get_json("/api/calendar/2026").await, year);

    // The same calendar saved as it is changes no lesson.
    let saved = admin
        .send(Method::PUT, "/api/calendar/2026", Some(input), true)
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["lessons_cancelled"], 0);
    assert_eq!(saved["lessons_restored"], 0);
    assert_eq!(saved["calendar"]["periods"], year["periods"]);
}

async fn a_study_day_cancels_its_lessons_but_keeps_taken_registers_and_removing_it_restores_them(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin1").await;
    let monday = school_week(&app).await;
    let before = held(&app, monday).await;
    assert!(before > 10, "the demo has lessons on {monday}");
    // One register of that day counts as taken.
    skolflyt::with_db!(&app.db, |pool| sqlx::query(
        "UPDATE lessons SET register_taken_at = $2 WHERE id = \
         (SELECT id FROM lessons WHERE date = $1 ORDER BY id LIMIT 1)"
    )
    .bind(monday)
    .bind(chrono::Utc::now())
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());

    let year = admin.get_json("/api/calendar/2026").await;
    let original = json!({ "periods": year["periods"] });
    let mut with_study_day = original.clone();
    with_study_day["periods"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "kind": "break", "code": "studiedag",
            "name": { "sv": "Studiedag", "en": "Staff training day" },
            "start_date": monday, "end_date": monday,
        }));
    let response = admin
        .send(
            Method::PUT,
            "/api/calendar/2026",
            Some(with_study_day),
            true,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    assert_eq!(saved["lessons_cancelled"], before - 1);
    assert_eq!(saved["lessons_kept"], 1);
    assert_eq!(
        saved["calendar"]["term_school_days"][0],
        year["term_school_days"][0].as_i64().unwrap() - 1
    );
    assert_eq!(held(&app, monday).await, 1);
    // The day is no school day for leave either.
    let days = admin
        .get_json(&format!(
            "/api/calendar/school-days?from={monday}&to={monday}"
        ))
        .await;
    assert_eq!(days["school_days"], 0);

    let response = admin
        .send(Method::PUT, "/api/calendar/2026", Some(original), true)
        .await;
    let restored: Value = response.json().await.unwrap();
    assert_eq!(restored["lessons_restored"], before - 1);
    assert_eq!(restored["lessons_cancelled"], 0);
    assert_eq!(held(&app, monday).await, before);
}

async fn a_break_taken_out_gets_lessons_from_the_timetable_inside_the_rolled_out_term(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin1").await;
    let year = admin.get_json("/api/calendar/2026").await;
    let autumn_break = NaiveDate::from_ymd_opt(2026, 10, 26).unwrap();
    let spring_day = NaiveDate::from_ymd_opt(2027, 5, 14).unwrap();
    assert_eq!(held(&app, autumn_break).await, 0);
    let periods: Vec<Value> = year["periods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] != "hostlov")
        .cloned()
        .collect();
    assert_eq!(periods.len() + 1, year["periods"].as_array().unwrap().len());
    let response = admin
        .send(
            Method::PUT,
            "/api/calendar/2026",
            Some(json!({ "periods": periods })),
            true,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    // The demo rolls the autumn term's timetable out into lessons: the break's five days get
    // theirs; the spring term is not rolled out yet, so a spring day gets none.
    let made = held(&app, autumn_break).await;
    assert!(made > 10, "{made} lessons on {autumn_break}");
    assert!(saved["lessons_restored"].as_i64().unwrap() >= 5 * made / 2);
    assert_eq!(held(&app, spring_day).await, 0);
    let teachers: i64 = skolflyt::with_db!(&app.db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM lessons l WHERE l.date = $1 \
           AND NOT EXISTS (SELECT 1 FROM lesson_teachers t WHERE t.lesson_id = l.id)"
    )
    .bind(autumn_break)
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(teachers, 0, "every new lesson has its slot's teachers");

    // Putting the break back cancels them again (no register is taken on them).
    let response = admin
        .send(
            Method::PUT,
            "/api/calendar/2026",
            Some(json!({ "periods": year["periods"] })),
            true,
        )
        .await;
    let saved: Value = response.json().await.unwrap();
    assert_eq!(saved["lessons_kept"], 0);
    assert_eq!(held(&app, autumn_break).await, 0);
}
