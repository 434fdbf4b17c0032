//! Attendance per lesson (use case 4): the teacher's day, the register with its editing window
//! and reopenings, conflicts between two teachers, prefilled absence, the history, and a
//! pupil's attendance for the readers within reach — every read in the access log.

use chrono::{Datelike, Days, NaiveDate, NaiveTime};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use skolflyt::attendance::notices::AbsenceNotice;
use skolflyt::jobs::steps::BatchStep;
use skolflyt::store::attendance::{NewLesson, insert_lesson};
use skolflyt::store::audit;
use uuid::Uuid;

use crate::helpers::{
    Backend, Session, TestApp, error_code, field_codes, spawn_app, spawn_app_with,
};
use crate::on_both_databases;

on_both_databases!(
    a_teacher_takes_the_register_and_a_stale_save_is_a_conflict,
    marks_are_checked_field_by_field_and_nothing_is_half_saved,
    the_editing_window_closes_and_the_principal_reopens_it,
    granted_leave_and_reported_absence_are_prefilled_as_valid_absence,
    only_the_lessons_teachers_and_principal_reach_its_register,
    the_principal_sees_the_begun_lessons_without_a_register,
    a_pupils_attendance_reaches_the_family_and_the_school,
    unexcused_absence_is_told_once_a_day_and_a_later_change_as_a_correction,
    a_correction_inside_the_delay_sends_no_notice,
    an_adult_student_is_told_themself_and_a_protected_pupils_notice_names_no_lesson,
    a_guardian_reports_absence_and_the_register_is_prefilled,
    absence_reports_are_checked_and_only_the_family_reports,
    statistics_sum_the_registers_per_group_pupil_and_month_for_the_school_only,
    the_planning_export_sends_each_day_once_in_order_and_a_changed_day_again,
    a_rule_crossing_gives_the_mentor_a_task_and_tells_the_principal_once,
);

/// A class taught by teacher1 (its mentor) with one of guardian1's children, and lessons of
/// it yesterday, ten days ago and tomorrow, taught by teacher1.
struct Fixture {
    class: Uuid,
    child: Uuid,
    /// The demo login of the principal of the class's school.
    principal: String,
    yesterday: Uuid,
    ten_days_ago: Uuid,
    tomorrow: Uuid,
}

async fn fixture(app: &TestApp) -> Fixture {
    let teacher = app.account("teacher1").person_id;
    let classes = app
        .query_ids_for(
            "SELECT group_id FROM duties WHERE person_id = $1 AND duty = 'mentor'",
            teacher,
        )
        .await;
    let mut found = None;
    for class in classes {
        let members = app
            .query_ids_for(
                "SELECT person_id FROM group_memberships WHERE group_id = $1",
                class,
            )
            .await;
        let guardian1 = &app.account("guardian1").children;
        if let Some(child) = guardian1.iter().find(|c| members.contains(c)) {
            found = Some((class, *child));
            break;
        }
    }
    let (class, child) = found.expect("teacher1 mentors a class with one of guardian1's children");
    let principals = app
        .query_ids_for(
            "SELECT d.person_id FROM duties d \
               JOIN organisations u ON u.parent_id = d.organisation_id \
               JOIN groups g ON g.unit_id = u.id \
              WHERE g.id = $1 AND d.duty = 'principal'",
            class,
        )
        .await;
    let principal = app
        .accounts
        .iter()
        .find(|a| principals.contains(&a.person_id))
        .expect("the class's school has a principal with a demo login")
        .username
        .clone();
    let lesson = |date: NaiveDate| NewLessonAt {
        group: class,
        date,
        teacher,
    };
    Fixture {
        class,
        child,
        principal,
        yesterday: lesson(app.today - Days::new(1)).insert(app).await,
        ten_days_ago: lesson(app.today - Days::new(10)).insert(app).await,
        tomorrow: lesson(app.today + Days::new(1)).insert(app).await,
    }
}

struct NewLessonAt {
    group: Uuid,
    date: NaiveDate,
    teacher: Uuid,
}

/// A second lesson of the class yesterday, 10:00–10:50.
async fn second_lesson(app: &TestApp, f: &Fixture) -> Uuid {
    let mut tx = app.db.begin().await.unwrap();
    let id = insert_lesson(
        &mut tx,
        &NewLesson {
            group_id: f.class,
            subject_code: "EN",
            subject: "Engelska",
            room: None,
            date: app.today - Days::new(1),
            start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            end_time: NaiveTime::from_hms_opt(10, 50, 0).unwrap(),
            teachers: &[app.account("teacher1").person_id],
        },
        skolflyt::clock::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

impl NewLessonAt {
    async fn insert(&self, app: &TestApp) -> Uuid {
        let mut tx = app.db.begin().await.unwrap();
        let id = insert_lesson(
            &mut tx,
            &NewLesson {
                group_id: self.group,
                subject_code: "MA",
                subject: "Matematik",
                room: Some("B12"),
                date: self.date,
                start_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                end_time: NaiveTime::from_hms_opt(9, 50, 0).unwrap(),
                teachers: &[self.teacher],
            },
            skolflyt::clock::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    }
}

async fn register(session: &Session, lesson: Uuid) -> Value {
    session
        .get_json(&format!("/api/lessons/{lesson}/attendance"))
        .await
}

async fn save(session: &Session, lesson: Uuid, marks: Value) -> reqwest::Response {
    session
        .send(
            Method::PUT,
            &format!("/api/lessons/{lesson}/attendance"),
            Some(json!({ "marks": marks })),
            true,
        )
        .await
}

/// Every pupil of the register present, with the version read.
fn all_present(register: &Value) -> Vec<Value> {
    register["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            json!({
                "pupil_id": m["pupil"]["id"],
                "attendance_minutes": 50,
                "valid_absence_minutes": 0,
                "invalid_absence_minutes": 0,
                "version": m["version"],
            })
        })
        .collect()
}

fn mark_of<'a>(register: &'a Value, pupil: &Value) -> &'a Value {
    register["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| &m["pupil"]["id"] == pupil)
        .expect("the pupil's mark")
}

async fn a_teacher_takes_the_register_and_a_stale_save_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let teacher = app.login("teacher1").await;

    let day = app.today - Days::new(1);
    let lessons = teacher.get_json(&format!("/api/lessons?date={day}")).await;
    let lesson = lessons
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == json!(f.yesterday))
        .expect("yesterday's lesson among the teacher's lessons that day");
    assert_eq!(lesson["register"], "not_taken");
    assert_eq!(lesson["minutes"], 50);
    assert_eq!(lesson["group"]["id"], json!(f.class));
    assert_eq!(lesson["changed"], false);

    let before = register(&teacher, f.yesterday).await;
    assert_eq!(before["editable"], true);
    let members = before["marks"].as_array().unwrap();
    assert!(members.len() >= 2, "a class has pupils");
    assert!(
        members
            .iter()
            .all(|m| m["version"] == 0 && m["marked_by"].is_null())
    );

    // All present, then the exceptions: one absent without a reason, one late 10 minutes.
    let mut marks = all_present(&before);
    marks[0]["attendance_minutes"] = json!(0);
    marks[0]["invalid_absence_minutes"] = json!(50);
    marks[1]["attendance_minutes"] = json!(40);
    marks[1]["invalid_absence_minutes"] = json!(10);
    marks[1]["reason"] = json!("late");
    let response = save(&teacher, f.yesterday, json!(marks)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    let absent = mark_of(&saved, &marks[0]["pupil_id"]);
    assert_eq!(
        (
            absent["invalid_absence_minutes"].clone(),
            absent["version"].clone()
        ),
        (json!(50), json!(1))
    );
    assert_eq!(
        absent["marked_by"]["id"],
        json!(app.account("teacher1").person_id)
    );
    assert_eq!(mark_of(&saved, &marks[1]["pupil_id"])["reason"], "late");

    let lessons = teacher.get_json(&format!("/api/lessons?date={day}")).await;
    let lesson = lessons
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == json!(f.yesterday))
        .unwrap();
    assert_eq!(
        (lesson["register"].clone(), lesson["changed"].clone()),
        (json!("taken"), json!(false))
    );

    // A second teacher of the lesson (the principal here) read the register at version 1 …
    let read_at_one = register(&teacher, f.yesterday).await;
    let mut first = all_present(&read_at_one);
    first.truncate(1);
    // … the teacher corrects the first pupil (they came after all) …
    let response = save(&teacher, f.yesterday, json!(first)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let now: Value = response.json().await.unwrap();
    assert_eq!(mark_of(&now, &first[0]["pupil_id"])["version"], 2);
    // … and the other save, from version 1 with another value, is refused, not overwritten.
    let mut stale = first.clone();
    stale[0]["attendance_minutes"] = json!(25);
    stale[0]["invalid_absence_minutes"] = json!(25);
    let (status, code) = error_code(save(&teacher, f.yesterday, json!(stale)).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));
    let after = register(&teacher, f.yesterday).await;
    assert_eq!(
        mark_of(&after, &first[0]["pupil_id"])["attendance_minutes"],
        50
    );

    let lessons = teacher.get_json(&format!("/api/lessons?date={day}")).await;
    assert!(
        lessons
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == json!(f.yesterday) && l["changed"] == true),
        "a changed mark makes the register 'changed'"
    );

    // The history: every first mark, and the change from absent to present.
    let history = teacher
        .get_json(&format!("/api/lessons/{}/attendance/history", f.yesterday))
        .await;
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), members.len() + 1);
    let change = history
        .iter()
        .find(|c| c["version"] == 2)
        .expect("the change");
    assert_eq!(change["pupil"]["id"], first[0]["pupil_id"]);
    assert_eq!(change["from"]["invalid_absence_minutes"], 50);
    assert_eq!(change["to"]["attendance_minutes"], 50);
    assert_eq!(change["source"], "teacher");
    assert!(
        history
            .iter()
            .filter(|c| c["version"] == 1)
            .all(|c| c["from"].is_null())
    );

    let entries = audit::entries_for_subject(&app.db, f.child).await.unwrap();
    let actor = app.account("teacher1").person_id;
    for action in ["attendance.register", "attendance.save"] {
        assert!(
            entries
                .iter()
                .any(|e| e.action == action && e.actor_person_id == actor),
            "{action} is in the access log"
        );
    }
}

async fn marks_are_checked_field_by_field_and_nothing_is_half_saved(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let teacher = app.login("teacher1").await;
    let read = register(&teacher, f.yesterday).await;
    let mut marks = all_present(&read);

    marks[0]["attendance_minutes"] = json!(45);
    marks[1]["valid_absence_minutes"] = json!(50);
    marks[1]["attendance_minutes"] = json!(0);
    marks[2]["reason"] = json!("dragons");
    marks[2]["attendance_minutes"] = json!(0);
    marks[2]["invalid_absence_minutes"] = json!(50);
    marks.push(json!({
        "pupil_id": Uuid::new_v4(), "attendance_minutes": 50,
        "valid_absence_minutes": 0, "invalid_absence_minutes": 0,
    }));
    marks.push(marks[3].clone());
    let response = save(&teacher, f.yesterday, json!(marks)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let problems = field_codes(&body);
    let last = marks.len() - 1;
    for expected in [
        ("marks[0].attendance_minutes", "minutes_do_not_add_up"),
        ("marks[1].reason", "valid_absence_needs_valid_reason"),
        ("marks[2].reason", "unknown_reason"),
        (
            &format!("marks[{}].pupil_id", last - 1) as &str,
            "not_in_group",
        ),
        (&format!("marks[{last}].pupil_id") as &str, "duplicate"),
    ] {
        assert!(
            problems.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {problems:?}"
        );
    }
    let after = register(&teacher, f.yesterday).await;
    assert!(
        after["marks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["version"] == 0),
        "nothing saved"
    );

    let response = save(&teacher, f.yesterday, json!([])).await;
    assert_eq!(
        error_code(response).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let future = register(&teacher, f.tomorrow).await;
    let response = save(&teacher, f.tomorrow, json!(all_present(&future))).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        field_codes(&body),
        vec![("lesson".to_owned(), "lesson_not_begun".to_owned())]
    );

    let response = teacher
        .send(
            Method::PUT,
            &format!("/api/lessons/{}/attendance", f.yesterday),
            Some(json!({ "marks": "everyone" })),
            true,
        )
        .await;
    assert!(response.status().is_client_error(), "{}", response.status());
}

async fn the_editing_window_closes_and_the_principal_reopens_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let teacher = app.login("teacher1").await;
    let principal = app.login(&f.principal).await;

    let old = register(&teacher, f.ten_days_ago).await;
    assert_eq!(old["editable"], false);
    let window_end = app.today - Days::new(10) + Days::new(7);
    assert_eq!(old["editable_until"], json!(window_end));
    let marks = json!(all_present(&old));
    let (status, _) = error_code(save(&teacher, f.ten_days_ago, marks.clone()).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The principal may always, and is kept apart from the teacher in the history.
    let read = register(&principal, f.ten_days_ago).await;
    assert_eq!(
        (read["editable"].clone(), read["editable_until"].clone()),
        (json!(true), Value::Null)
    );
    let response = save(&principal, f.ten_days_ago, marks).await;
    assert_eq!(response.status(), StatusCode::OK);
    let history = principal
        .get_json(&format!(
            "/api/lessons/{}/attendance/history",
            f.ten_days_ago
        ))
        .await;
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["source"] == "principal")
    );

    // Only the principal reopens, only for a teacher of the lesson, for at most 30 days.
    let path = format!("/api/lessons/{}/reopenings", f.ten_days_ago);
    let teacher_id = app.account("teacher1").person_id;
    let until = app.today + Days::new(3);
    let body = json!({ "person_id": teacher_id, "until": until });
    let (status, _) = error_code(teacher.post_json(&path, body.clone()).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = principal
        .post_json(
            &path,
            json!({ "person_id": app.account("teacher2").person_id, "until": app.today + Days::new(40) }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problems = field_codes(&response.json().await.unwrap());
    assert!(problems.contains(&("person_id".into(), "not_a_teacher_of_the_lesson".into())));
    assert!(problems.contains(&("until".into(), "out_of_range".into())));
    let response = principal.post_json(&path, body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let reopening: Value = response.json().await.unwrap();
    assert_eq!(reopening["person"]["id"], json!(teacher_id));
    assert_eq!(reopening["until"], json!(until));

    let reopened = register(&teacher, f.ten_days_ago).await;
    assert_eq!(
        (
            reopened["editable"].clone(),
            reopened["editable_until"].clone()
        ),
        (json!(true), json!(until))
    );
    let mut marks = all_present(&reopened);
    marks.truncate(1);
    marks[0]["attendance_minutes"] = json!(0);
    marks[0]["valid_absence_minutes"] = json!(50);
    marks[0]["reason"] = json!("illness");
    let response = save(&teacher, f.ten_days_ago, json!(marks)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn granted_leave_and_reported_absence_are_prefilled_as_valid_absence(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let teacher = app.login("teacher1").await;
    let day = app.today - Days::new(1);
    let first = register(&teacher, f.yesterday).await;
    let other = first["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["pupil"]["id"].as_str().unwrap().parse::<Uuid>().unwrap())
        .find(|id| *id != f.child)
        .unwrap();
    let now = skolflyt::clock::now();
    for (pupil, kind) in [(f.child, "granted_leave"), (other, "reported_absence")] {
        skolflyt::with_db!(&app.db, |pool| sqlx::query(
            "INSERT INTO absences (id, person_id, kind, from_date, to_date, case_id, created_at, \
                                   updated_at) VALUES ($1, $2, $3, $4, $4, NULL, $5, $5)"
        )
        .bind(Uuid::new_v4())
        .bind(pupil)
        .bind(kind)
        .bind(day)
        .bind(now)
        .execute(pool)
        .await
        .map(drop))
        .unwrap();
    }
    let read = register(&teacher, f.yesterday).await;
    let leave = mark_of(&read, &json!(f.child));
    assert_eq!(
        (
            leave["prefilled"].clone(),
            leave["reason"].clone(),
            leave["valid_absence_minutes"].clone(),
            leave["attendance_minutes"].clone()
        ),
        (json!(true), json!("granted_leave"), json!(50), json!(0))
    );
    let reported = mark_of(&read, &json!(other));
    assert_eq!(
        (reported["prefilled"].clone(), reported["reason"].clone()),
        (json!(true), json!("reported_by_guardian"))
    );
    // What is prefilled saves as it is; once saved it is the teacher's mark.
    let response = save(&teacher, f.yesterday, json!(all_present_as_read(&read))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    let leave = mark_of(&saved, &json!(f.child));
    assert_eq!(
        (
            leave["prefilled"].clone(),
            leave["valid_absence_minutes"].clone(),
            leave["version"].clone()
        ),
        (json!(false), json!(50), json!(1))
    );
}

/// The ids of `GET /api/lessons/unregistered?date=` as `session` gets them.
async fn unregistered(session: &Session, date: NaiveDate) -> Vec<Uuid> {
    let lessons = session
        .get_json(&format!("/api/lessons/unregistered?date={date}"))
        .await;
    lessons
        .as_array()
        .unwrap()
        .iter()
        .map(|l| serde_json::from_value::<Uuid>(l["id"].clone()).unwrap())
        .collect()
}

async fn the_principal_sees_the_begun_lessons_without_a_register(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let at = |hour: u32, minute: u32| NaiveTime::from_hms_opt(hour, minute, 0).unwrap();
    let today_lesson = |start: NaiveTime, end: NaiveTime| {
        let (class, teacher) = (f.class, app.account("teacher1").person_id);
        let app = &app;
        async move {
            let mut tx = app.db.begin().await.unwrap();
            let id = insert_lesson(
                &mut tx,
                &NewLesson {
                    group_id: class,
                    subject_code: "BL",
                    subject: "Biologi",
                    room: None,
                    date: app.today,
                    start_time: start,
                    end_time: end,
                    teachers: &[teacher],
                },
                skolflyt::clock::now(),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            id
        }
    };
    let early = today_lesson(at(0, 0), at(0, 45)).await;
    let late = today_lesson(at(23, 50), at(23, 59)).await;
    let principal = app.login(&f.principal).await;

    // Yesterday's lesson without a register is listed with its teacher, until it is taken.
    let yesterday = app.today - Days::new(1);
    let listed = principal
        .get_json(&format!("/api/lessons/unregistered?date={yesterday}"))
        .await;
    let lesson = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == json!(f.yesterday))
        .expect("yesterday's lesson is listed");
    assert_eq!(lesson["register"], "not_taken");
    assert_eq!(
        lesson["teachers"][0]["id"],
        json!(app.account("teacher1").person_id)
    );
    let teacher = app.login("teacher1").await;
    let read = register(&teacher, f.yesterday).await;
    assert_eq!(
        save(&teacher, f.yesterday, json!(all_present(&read)))
            .await
            .status(),
        StatusCode::OK
    );
    assert!(
        !unregistered(&principal, yesterday)
            .await
            .contains(&f.yesterday)
    );

    // Today only what has begun; a later day nothing.
    let today = unregistered(&principal, app.today).await;
    assert!(today.contains(&early), "{today:?}");
    let local_now = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .time();
    if local_now < at(23, 50) {
        assert!(!today.contains(&late), "{today:?}");
    }
    assert!(
        unregistered(&principal, app.today + Days::new(1))
            .await
            .is_empty()
    );
    // A teacher who leads no school gets none, not even their own lessons.
    assert!(unregistered(&teacher, app.today).await.is_empty());
    let path = format!("/api/lessons/unregistered?date={}", app.today);
    assert_eq!(
        app.client().get(&path).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// The register sent back as it was read (prefilled marks included).
fn all_present_as_read(register: &Value) -> Vec<Value> {
    register["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            json!({
                "pupil_id": m["pupil"]["id"],
                "attendance_minutes": m["attendance_minutes"],
                "valid_absence_minutes": m["valid_absence_minutes"],
                "invalid_absence_minutes": m["invalid_absence_minutes"],
                "reason": m["reason"],
                "version": m["version"],
            })
        })
        .collect()
}

async fn only_the_lessons_teachers_and_principal_reach_its_register(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    for username in [
        "guardian1",
        "teacher2",
        "case_worker1",
        "pupil1",
        "provider_admin1",
    ] {
        let session = app.login(username).await;
        let path = format!("/api/lessons/{}/attendance", f.yesterday);
        assert_eq!(
            session.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{username}"
        );
        let response = save(&session, f.yesterday, json!([])).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{username} saves");
        let history = session.get(&format!("{path}/history")).await;
        assert_eq!(
            history.status(),
            StatusCode::NOT_FOUND,
            "{username} history"
        );
        let lessons = session
            .get_json(&format!("/api/lessons?date={}", app.today - Days::new(1)))
            .await;
        assert!(
            !lessons
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["id"] == json!(f.yesterday)),
            "{username} does not teach it"
        );
    }
    let unknown = app.login("teacher1").await;
    let path = format!("/api/lessons/{}/attendance", Uuid::new_v4());
    assert_eq!(unknown.get(&path).await.status(), StatusCode::NOT_FOUND);
    let anonymous = app.client();
    let path = format!("/api/lessons/{}/attendance", f.yesterday);
    assert_eq!(
        anonymous.get(&path).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn a_pupils_attendance_reaches_the_family_and_the_school(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let teacher = app.login("teacher1").await;
    let mut marks = all_present(&register(&teacher, f.yesterday).await);
    let index = marks
        .iter()
        .position(|m| m["pupil_id"] == json!(f.child))
        .unwrap();
    marks[index]["attendance_minutes"] = json!(20);
    marks[index]["invalid_absence_minutes"] = json!(30);
    assert_eq!(
        save(&teacher, f.yesterday, json!(marks)).await.status(),
        StatusCode::OK
    );

    let from = app.today - Days::new(12);
    let to = app.today + Days::new(2);
    let path = format!("/api/pupils/{}/attendance?from={from}&to={to}", f.child);
    for username in ["guardian1", "guardian2", "teacher1", f.principal.as_str()] {
        let session = app.login(username).await;
        let body = session.get_json(&path).await;
        assert_eq!(body["pupil"]["id"], json!(f.child), "{username}");
        let lessons = body["lessons"].as_array().unwrap();
        for id in [f.yesterday, f.ten_days_ago, f.tomorrow] {
            assert!(
                lessons.iter().any(|l| l["lesson"]["id"] == json!(id)),
                "{username}"
            );
        }
        let marked = lessons
            .iter()
            .find(|l| l["lesson"]["id"] == json!(f.yesterday))
            .unwrap();
        assert_eq!(marked["mark"]["invalid_absence_minutes"], 30);
        let totals = &body["totals"];
        assert_eq!(totals["invalid_absence_minutes"], 30, "{username}");
        // Every lesson that has begun is offered (tomorrow's is not); only one is marked.
        let now = chrono::Utc::now();
        let begun: i64 = lessons
            .iter()
            .filter(|l| {
                let starts = l["lesson"]["starts_at"].as_str().unwrap();
                chrono::DateTime::parse_from_rfc3339(starts).unwrap() <= now
            })
            .map(|l| l["lesson"]["minutes"].as_i64().unwrap())
            .sum();
        assert!(
            begun >= 100,
            "{username}: at least the fixture's two lessons"
        );
        assert_eq!(totals["offered_minutes"], begun, "{username}");
        assert_eq!(totals["unmarked_minutes"], begun - 50, "{username}");
        assert_eq!(totals["attendance_minutes"], 20, "{username}");
        // Per subject: the marked lesson's subject carries its absence.
        let subject = marked["lesson"]["subject"].as_str().unwrap();
        let subjects = body["by_subject"].as_array().unwrap();
        assert_eq!(
            subjects[0]["subject"], subject,
            "{username}: most absence first"
        );
        assert_eq!(subjects[0]["totals"]["invalid_absence_minutes"], 30);
        let per_subject: i64 = subjects
            .iter()
            .map(|s| s["totals"]["offered_minutes"].as_i64().unwrap())
            .sum();
        assert_eq!(per_subject, begun, "{username}");
        // The totals alone, for a term's summary.
        let summary = session.get_json(&format!("{path}&lessons=false")).await;
        assert_eq!(summary["lessons"], json!([]));
        assert_eq!(summary["totals"], body["totals"]);
        assert_eq!(summary["by_subject"], body["by_subject"]);
    }
    for username in ["guardian3", "teacher2", "provider_admin1", "pupil1"] {
        let session = app.login(username).await;
        assert_eq!(
            session.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{username}"
        );
    }
    let guardian = app.login("guardian1").await;
    let too_long = format!(
        "/api/pupils/{}/attendance?from={from}&to={}",
        f.child,
        from + Days::new(400)
    );
    let (status, code) = error_code(guardian.get(&too_long).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation")
    );
    let backwards = format!("/api/pupils/{}/attendance?from={to}&to={from}", f.child);
    assert_eq!(
        guardian.get(&backwards).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let entries = audit::entries_for_subject(&app.db, f.child).await.unwrap();
    let reader = app.account("guardian1").person_id;
    assert!(
        entries
            .iter()
            .any(|e| e.action == "attendance.pupil" && e.actor_person_id == reader),
        "the guardian's read is in the access log"
    );
}

/// Marks `pupil` with `invalid` minutes of unexcused absence in the lesson (the rest present)
/// and the other pupils present, from the versions read.
async fn mark_invalid(session: &Session, lesson: Uuid, pupil: Uuid, invalid: i64) {
    let read = register(session, lesson).await;
    let marks: Vec<Value> = all_present(&read)
        .into_iter()
        .map(|mut m| {
            if m["pupil_id"] == json!(pupil) {
                m["attendance_minutes"] = json!(50 - invalid);
                m["invalid_absence_minutes"] = json!(invalid);
            }
            m
        })
        .collect();
    let response = save(session, lesson, json!(marks)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// Runs the notice step for the pupil's day, as the job runner would after the delay.
async fn run_notice(app: &TestApp, pupil: Uuid, date: NaiveDate) {
    let step = AbsenceNotice {
        pupil_id: pupil,
        date,
        queued_at: 0,
    };
    let mut tx = app.db.begin().await.unwrap();
    step.run(&app.state, &mut tx).await.unwrap();
    tx.commit().await.unwrap();
}

/// The absence notices in a person's inbox (Swedish, the demo's language), oldest first.
async fn notices(session: &Session) -> Vec<(String, String)> {
    let inbox = session.get_json("/api/inbox").await;
    let mut found: Vec<(String, String)> = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            let subject = m["subject"].as_str().unwrap();
            subject.starts_with("Ogiltig frånvaro") || subject.starts_with("Rättelse: frånvaro")
        })
        .map(|m| {
            (
                m["subject"].as_str().unwrap().to_owned(),
                m["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.reverse();
    found
}

async fn notice_jobs(app: &TestApp, pupil: Uuid) -> Vec<chrono::DateTime<chrono::Utc>> {
    let key = format!("attendance.absence_notice:{pupil}:%");
    skolflyt::with_db!(&app.db, |pool| sqlx::query_scalar(
        "SELECT run_after FROM jobs WHERE kind = 'attendance.absence_notice' \
           AND idempotency_key LIKE $1"
    )
    .bind(&key)
    .fetch_all(pool)
    .await)
    .unwrap()
}

async fn unexcused_absence_is_told_once_a_day_and_a_later_change_as_a_correction(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let second = second_lesson(&app, &f).await;
    let teacher = app.login("teacher1").await;
    let day = app.today - Days::new(1);

    mark_invalid(&teacher, f.yesterday, f.child, 50).await;
    mark_invalid(&teacher, second, f.child, 20).await;
    let queued = notice_jobs(&app, f.child).await;
    assert_eq!(queued.len(), 2, "each register queues a check");
    let soon = chrono::Utc::now() + chrono::Duration::seconds(500);
    assert!(
        queued.iter().all(|at| *at > soon),
        "after the 600-second delay: {queued:?}"
    );

    run_notice(&app, f.child, day).await;
    run_notice(&app, f.child, day).await;
    for username in ["guardian1", "guardian2"] {
        let session = app.login(username).await;
        let told = notices(&session).await;
        assert_eq!(
            told.len(),
            1,
            "{username}: one notice for the day, {told:?}"
        );
        let (subject, body) = &told[0];
        assert!(subject.contains(&day.to_string()), "{subject}");
        assert!(body.contains("Matematik 09:00–09:50: 50"), "{body}");
        assert!(body.contains("Engelska 10:00–10:50: 20"), "{body}");
        assert!(body.contains("70 minuter"), "{body}");
    }
    let other = app.login("guardian3").await;
    assert!(notices(&other).await.is_empty());

    // The English lesson is corrected after the notice went: a correction follows.
    let read = register(&teacher, second).await;
    let mut marks = all_present(&read);
    marks.retain(|m| m["pupil_id"] == json!(f.child));
    assert_eq!(
        save(&teacher, second, json!(marks)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        notice_jobs(&app, f.child).await.len(),
        3,
        "the told family gets a check"
    );
    run_notice(&app, f.child, day).await;
    let guardian = app.login("guardian1").await;
    let told = notices(&guardian).await;
    assert_eq!(told.len(), 2, "{told:?}");
    let (subject, body) = &told[1];
    assert!(subject.starts_with("Rättelse"), "{subject}");
    assert!(
        body.contains("Matematik 09:00–09:50: 50") && !body.contains("Engelska"),
        "{body}"
    );
}

async fn a_correction_inside_the_delay_sends_no_notice(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let teacher = app.login("teacher1").await;
    mark_invalid(&teacher, f.yesterday, f.child, 50).await;
    mark_invalid(&teacher, f.yesterday, f.child, 0).await;
    run_notice(&app, f.child, app.today - Days::new(1)).await;
    let guardian = app.login("guardian1").await;
    assert!(notices(&guardian).await.is_empty());
}

async fn an_adult_student_is_told_themself_and_a_protected_pupils_notice_names_no_lesson(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let teacher = app.login("teacher1").await;
    let day = app.today - Days::new(1);

    // A komvux student of 18 or more is told themself, and no guardian is.
    let student = app.account("pupil1").person_id;
    let groups = app
        .query_ids_for(
            "SELECT group_id FROM group_memberships WHERE person_id = $1",
            student,
        )
        .await;
    let course = NewLessonAt {
        group: groups[0],
        date: day,
        teacher: app.account("teacher1").person_id,
    }
    .insert(&app)
    .await;
    mark_invalid(&teacher, course, student, 30).await;
    run_notice(&app, student, day).await;
    let told = notices(&app.login("pupil1").await).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].1.starts_with("Du har ogiltig frånvaro"),
        "{}",
        told[0].1
    );
    assert!(
        told[0].1.contains("Matematik 09:00–09:50: 30"),
        "{}",
        told[0].1
    );

    // A protected pupil's family is told the minutes, not the lessons or their times.
    skolflyt::with_db!(&app.db, |pool| sqlx::query(
        "UPDATE persons SET protected_identity = TRUE WHERE id = $1"
    )
    .bind(f.child)
    .execute(pool)
    .await
    .map(drop))
    .unwrap();
    let principal = app.login(&f.principal).await;
    // A substitute teacher of the class (the lesson's teacher, without a duty for the class)
    // sees the pupil masked and listed last; the mentor and the principal see the name.
    let substitute = NewLessonAt {
        group: f.class,
        date: day,
        teacher: app.account("teacher2").person_id,
    }
    .insert(&app)
    .await;
    let teacher2 = app.login("teacher2").await;
    let read = register(&teacher2, substitute).await;
    let last = read["marks"].as_array().unwrap().last().unwrap();
    assert_eq!(last["pupil"]["id"], json!(f.child));
    assert_eq!(
        (
            last["pupil"]["masked"].clone(),
            last["pupil"]["name"].clone()
        ),
        (json!(true), Value::Null)
    );
    for session in [&teacher, &principal] {
        let read = register(session, f.yesterday).await;
        assert_eq!(mark_of(&read, &json!(f.child))["pupil"]["masked"], false);
    }
    mark_invalid(&teacher2, substitute, f.child, 10).await;
    let history = teacher2
        .get_json(&format!("/api/lessons/{substitute}/attendance/history"))
        .await;
    let entry = history
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["pupil"]["id"] == json!(f.child))
        .unwrap();
    assert_eq!(entry["pupil"]["name"], Value::Null);
    mark_invalid(&principal, f.yesterday, f.child, 50).await;

    run_notice(&app, f.child, day).await;
    let told = notices(&app.login("guardian1").await).await;
    assert_eq!(told.len(), 1, "{told:?}");
    let body = &told[0].1;
    assert!(body.contains("60 minuter"), "{body}");
    for secret in ["Matematik", "09:00", "B12", "Sal"] {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
}

async fn a_guardian_reports_absence_and_the_register_is_prefilled(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let guardian = app.login("guardian1").await;
    let path = format!("/api/pupils/{}/absence-reports", f.child);
    let response = guardian
        .post_json(
            &path,
            json!({ "from": app.today, "to": app.today + Days::new(30), "note": "Feber" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        report["reported_by"]["id"],
        json!(app.account("guardian1").person_id)
    );
    assert_eq!(report["note"], "Feber");

    // The other guardian sees it; the teacher's register for tomorrow is prefilled.
    let other = app.login("guardian2").await;
    let reports = other.get_json(&path).await;
    assert_eq!(reports.as_array().unwrap().len(), 1);
    assert_eq!(reports[0]["id"], report["id"]);
    let teacher = app.login("teacher1").await;
    let read = register(&teacher, f.tomorrow).await;
    let mark = mark_of(&read, &json!(f.child));
    assert_eq!(
        (
            mark["prefilled"].clone(),
            mark["reason"].clone(),
            mark["valid_absence_minutes"].clone()
        ),
        (json!(true), json!("reported_by_guardian"), json!(50))
    );
    // Yesterday's register is not touched by a report from today.
    let yesterday = register(&teacher, f.yesterday).await;
    assert_eq!(mark_of(&yesterday, &json!(f.child))["prefilled"], false);
    // The family's view of the days shows the lesson not yet taken as reported absent.
    let week = other
        .get_json(&format!(
            "/api/pupils/{}/attendance?from={}&to={}",
            f.child,
            app.today - Days::new(1),
            app.today + Days::new(1)
        ))
        .await;
    let expected = |lesson: Uuid| {
        week["lessons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["lesson"]["id"] == json!(lesson))
            .map(|l| l["expected_absence"].clone())
    };
    assert_eq!(expected(f.tomorrow), Some(json!("reported_by_guardian")));
    assert_eq!(expected(f.yesterday), Some(Value::Null));

    // A second report over the same days is refused, naming the first.
    let response = guardian
        .post_json(&path, json!({ "from": app.today + Days::new(3) }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        field_codes(&body),
        vec![("from".to_owned(), "overlaps_report".to_owned())]
    );

    // An adult student reports their own absence.
    let student = app.login("pupil1").await;
    let own = format!(
        "/api/pupils/{}/absence-reports",
        app.account("pupil1").person_id
    );
    let response = student
        .post_json(
            &own,
            json!({ "from": app.today, "to": app.today + Days::new(30) }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let entries = audit::entries_for_subject(&app.db, f.child).await.unwrap();
    let reader = app.account("guardian2").person_id;
    assert!(
        entries
            .iter()
            .any(|e| e.action == "attendance.reports" && e.actor_person_id == reader)
    );
}

async fn absence_reports_are_checked_and_only_the_family_reports(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let path = format!("/api/pupils/{}/absence-reports", f.child);
    let body = json!({ "from": app.today, "to": app.today + Days::new(2) });
    for username in ["guardian3", "teacher1", "case_worker1", "pupil1", "admin1"] {
        let session = app.login(username).await;
        assert_eq!(
            session.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{username}"
        );
        let response = session.post_json(&path, body.clone()).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{username}");
    }
    let guardian = app.login("guardian1").await;
    for (input, field, code) in [
        (
            json!({ "from": app.today - Days::new(1) }),
            "from",
            "in_the_past",
        ),
        (
            json!({ "from": app.today + Days::new(2), "to": app.today }),
            "to",
            "before_from",
        ),
        (
            json!({ "from": app.today, "to": app.today + Days::new(40) }),
            "to",
            "too_long",
        ),
        (
            json!({ "from": app.today, "to": app.today + Days::new(30), "note": "x".repeat(301) }),
            "note",
            "too_long",
        ),
        (
            json!({ "from": app.today, "to": app.today + Days::new(30), "note": "a\u{7}b" }),
            "note",
            "control_characters",
        ),
    ] {
        let response = guardian.post_json(&path, input.clone()).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{input}"
        );
        let body: Value = response.json().await.unwrap();
        assert!(
            field_codes(&body).contains(&(field.to_owned(), code.to_owned())),
            "{input}: {body}"
        );
    }
    // Christmas Day alone (a holiday, whatever the weekday) has no school day.
    let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
    if christmas >= app.today {
        let response = guardian
            .post_json(&path, json!({ "from": christmas }))
            .await;
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            field_codes(&body),
            vec![("to".to_owned(), "no_school_day".to_owned())]
        );
    }
    let reports = guardian.get_json(&path).await;
    assert!(
        reports.as_array().unwrap().is_empty(),
        "nothing half-written"
    );
}

async fn statistics_sum_the_registers_per_group_pupil_and_month_for_the_school_only(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let teacher = app.login("teacher1").await;
    mark_invalid(&teacher, f.yesterday, f.child, 30).await;
    let day = app.today - Days::new(1);
    let month = day.format("%Y-%m").to_string();
    let path = format!(
        "/api/statistics/attendance?group_id={}&from={month}&to={month}",
        f.class
    );
    let principal = app.login(&f.principal).await;
    let statistics = principal.get_json(&path).await;
    let rows = statistics["rows"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["student"]["id"] == json!(f.child))
        .expect("the pupil's row");
    assert_eq!(row["month"], json!(month));
    assert_eq!(row["invalid_absence_minutes"], 30);
    assert_eq!(row["attendance_minutes"], 20);
    let sum: i64 = [
        "attendance_minutes",
        "valid_absence_minutes",
        "invalid_absence_minutes",
        "other_activity_minutes",
        "unmarked_minutes",
    ]
    .iter()
    .map(|k| row[*k].as_i64().unwrap())
    .sum();
    assert_eq!(row["offered_minutes"].as_i64().unwrap(), sum, "{row}");
    // The same lessons as the pupil's own view of the month.
    let first = day.with_day(1).unwrap();
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap();
    let own = principal
        .get_json(&format!(
            "/api/pupils/{}/attendance?from={first}&to={last}",
            f.child
        ))
        .await;
    assert_eq!(row["offered_minutes"], own["totals"]["offered_minutes"]);
    assert_eq!(row["unmarked_minutes"], own["totals"]["unmarked_minutes"]);
    let groups = statistics["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["pupils"].as_i64().unwrap(), rows.len() as i64);
    assert_eq!(groups[0]["invalid_absence_minutes"], 30);

    let csv = principal
        .get(&path.replace("attendance?", "attendance.csv?"))
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("month,unit,group,student_id,student,"),
        "{text}"
    );
    assert_eq!(text.lines().count(), rows.len() + 1);
    let name = row["student"]["name"].as_str().unwrap();
    assert!(text.contains(name));

    // The workbook: the same rows, headers in the reader's language, minutes as numbers.
    let xlsx = principal
        .get(&path.replace("attendance?", "attendance.xlsx?"))
        .await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(
        xlsx.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".xlsx\"")
    );
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let sheet = first_sheet(bytes);
    assert_eq!(sheet.height(), rows.len() + 1);
    assert_eq!(
        sheet.get((0, 0)),
        Some(&calamine::Data::String("Månad".into()))
    );
    assert_eq!(
        sheet.get((0, 9)),
        Some(&calamine::Data::String("Ogiltig frånvaro (min)".into()))
    );
    let line = (1..sheet.height())
        .find(|line| sheet.get((*line, 4)) == Some(&calamine::Data::String(name.into())))
        .expect("the pupil's row");
    assert_eq!(
        sheet.get((line, 9)),
        Some(&calamine::Data::Float(
            row["invalid_absence_minutes"].as_f64().unwrap()
        ))
    );

    let entries = audit::entries_for_subject(&app.db, f.child).await.unwrap();
    let reader = app.account(&f.principal).person_id;
    assert!(
        entries
            .iter()
            .any(|e| e.action == "attendance.statistics" && e.actor_person_id == reader)
    );

    // Only the school's principal and the municipality's case staff; bad input is a 422.
    for username in ["teacher1", "guardian1", "provider_admin1", "pupil1"] {
        let session = app.login(username).await;
        assert_eq!(
            session.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{username}"
        );
    }
    let other_unit = Uuid::new_v4();
    for bad in [
        "/api/statistics/attendance".to_owned(),
        format!(
            "/api/statistics/attendance?group_id={}&from=2026-13",
            f.class
        ),
        format!(
            "/api/statistics/attendance?group_id={}&from=2026-01&to=2027-06",
            f.class
        ),
        format!(
            "/api/statistics/attendance?group_id={}&from=2026-05&to=2026-04",
            f.class
        ),
        format!(
            "/api/statistics/attendance?group_id={}&unit_id={other_unit}",
            f.class
        ),
    ] {
        let (status, _) = error_code(principal.get(&bad).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }

    // A protected pupil is masked for the case worker and sorts last, in JSON and CSV.
    skolflyt::with_db!(&app.db, |pool| sqlx::query(
        "UPDATE persons SET protected_identity = TRUE WHERE id = $1"
    )
    .bind(f.child)
    .execute(pool)
    .await
    .map(drop))
    .unwrap();
    let worker = app.login("case_worker1").await;
    let statistics = worker.get_json(&path).await;
    let rows = statistics["rows"].as_array().unwrap();
    let last = rows.last().unwrap();
    assert_eq!(last["student"]["id"], json!(f.child));
    assert_eq!(last["student"]["name"], Value::Null);
    let text = worker
        .get(&path.replace("attendance?", "attendance.csv?"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!text.contains(name), "{text}");
    let bytes = worker
        .get(&path.replace("attendance?", "attendance.xlsx?"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let sheet = first_sheet(bytes);
    let cells: Vec<String> = sheet.cells().map(|(_, _, cell)| cell.to_string()).collect();
    assert!(!cells.iter().any(|cell| cell.contains(name)), "{cells:?}");
    assert!(cells.iter().any(|cell| cell == "(skyddad identitet)"));
}

/// The first worksheet of an XLSX file.
fn first_sheet(bytes: Vec<u8>) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX file");
    workbook
        .worksheet_range_at(0)
        .expect("a worksheet")
        .expect("it reads")
}

/// The planning module as the test runs it: a real HTTP server on a free port that records
/// what it is sent, and answers 503 while `failing` is set.
#[derive(Default)]
struct PlanningReceiver {
    failing: std::sync::atomic::AtomicBool,
    attempts: std::sync::atomic::AtomicUsize,
    /// (Idempotency-Key, Authorization, body) of every acknowledged post, in order.
    received: std::sync::Mutex<Vec<(String, String, Value)>>,
}

impl PlanningReceiver {
    async fn start() -> (std::sync::Arc<Self>, String) {
        use axum::extract::State;
        use axum::http::HeaderMap;
        use std::sync::atomic::Ordering;
        async fn receive(
            State(receiver): State<std::sync::Arc<PlanningReceiver>>,
            headers: HeaderMap,
            axum::Json(body): axum::Json<Value>,
        ) -> StatusCode {
            receiver.attempts.fetch_add(1, Ordering::SeqCst);
            if receiver.failing.load(Ordering::SeqCst) {
                return StatusCode::SERVICE_UNAVAILABLE;
            }
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            receiver.received.lock().unwrap().push((
                header("idempotency-key"),
                header("authorization"),
                body,
            ));
            StatusCode::NO_CONTENT
        }
        let receiver = std::sync::Arc::new(PlanningReceiver::default());
        let router = axum::Router::new()
            .route("/attendance", axum::routing::post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/attendance", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (receiver, url)
    }

    fn received(&self) -> Vec<(String, String, Value)> {
        self.received.lock().unwrap().clone()
    }
}

/// Runs the planning export for the slot at 18:00 (Swedish time) on `day`, once, as the job
/// runner runs a scheduled step; `run` tells the repeats of one slot apart.
async fn run_planning_export(app: &TestApp, day: NaiveDate, run: &str) {
    use chrono::TimeZone;
    let slot = chrono_tz::Europe::Stockholm
        .from_local_datetime(&day.and_hms_opt(18, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&chrono::Utc);
    let payload = skolflyt::jobs::schedules::ScheduleSlot {
        schedule: "attendance_planning_export".into(),
        slot,
    };
    let mut tx = app.db.begin().await.unwrap();
    skolflyt::jobs::steps::enqueue_kind(
        &mut tx,
        skolflyt::attendance::planning::KIND,
        &payload,
        format!("test:planning:{day}:{run}"),
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    skolflyt::jobs::run_due(&app.state).await.unwrap();
}

async fn the_planning_export_sends_each_day_once_in_order_and_a_changed_day_again(
    backend: Backend,
) {
    use std::sync::atomic::Ordering;
    let (receiver, url) = PlanningReceiver::start().await;
    receiver.failing.store(true, Ordering::SeqCst);
    let app = spawn_app_with(backend, |config| {
        config.job_workers = 0;
        config.planning_export = Some(skolflyt::config::PlanningExportConfig {
            url,
            token: Some("planning-token".into()),
        });
    })
    .await;
    let f = fixture(&app).await;
    let teacher = app.login("teacher1").await;
    mark_invalid(&teacher, f.yesterday, f.child, 30).await;
    // A classmate with protected identity: counted, but never named or identified.
    let read = register(&teacher, f.yesterday).await;
    let protected: Uuid = read["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["pupil"]["id"].as_str().unwrap().parse().unwrap())
        .find(|id| *id != f.child)
        .expect("a classmate");
    skolflyt::with_db!(&app.db, |pool| sqlx::query(
        "UPDATE persons SET protected_identity = TRUE WHERE id = $1"
    )
    .bind(protected)
    .execute(pool)
    .await
    .map(drop))
    .unwrap();
    let yesterday = app.today - Days::new(1);

    // The receiver is down: yesterday's run fails and, its attempts used up, becomes an
    // exception for the operators; nothing is marked sent.
    run_planning_export(&app, yesterday, "first").await;
    assert_eq!(receiver.attempts.load(Ordering::SeqCst), 1);
    assert!(receiver.received().is_empty());
    let admin = app.login("admin1").await;
    let teams = admin.get_json("/api/follow-ups?view=teams").await;
    let exception = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "exception")
        .expect("an exception follow-up");
    assert!(
        exception["details"].as_str().unwrap().contains("503"),
        "{exception}"
    );

    // Back up: today's run sends yesterday first, then today (if it has lessons), each once.
    receiver.failing.store(false, Ordering::SeqCst);
    run_planning_export(&app, app.today, "first").await;
    let received = receiver.received();
    assert!(!received.is_empty());
    let (key, authorization, body) = &received[0];
    assert_eq!(key, &format!("planning:{yesterday}:1"));
    assert_eq!(authorization, "Bearer planning-token");
    assert_eq!(body["date"], json!(yesterday));
    let dates: Vec<&Value> = received.iter().map(|(_, _, b)| &b["date"]).collect();
    let mut unique = dates.clone();
    unique.dedup();
    assert_eq!(dates, unique, "each day once, in order");
    assert!(
        received[1..]
            .iter()
            .all(|(_, _, b)| b["date"] == json!(app.today))
    );
    let rows = body["rows"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["student_id"] == json!(f.child))
        .expect("the pupil's row");
    assert_eq!(row["group_id"], json!(f.class));
    assert_eq!(row["invalid_absence_minutes"], 30);
    let parts: i64 = [
        "attendance_minutes",
        "valid_absence_minutes",
        "invalid_absence_minutes",
        "other_activity_minutes",
        "unmarked_minutes",
    ]
    .iter()
    .map(|k| row[*k].as_i64().unwrap())
    .sum();
    assert_eq!(row["offered_minutes"].as_i64().unwrap(), parts, "{row}");
    let unit = &body["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == row["unit_id"])
        .expect("the unit's totals");
    let unit_offered: i64 = rows
        .iter()
        .filter(|r| r["unit_id"] == row["unit_id"])
        .map(|r| r["offered_minutes"].as_i64().unwrap())
        .sum();
    assert_eq!(unit["offered_minutes"].as_i64().unwrap(), unit_offered);
    // No names, and the protected classmate is a row without an id.
    let text = body.to_string();
    assert!(!text.contains(&protected.to_string()), "{text}");
    assert!(!text.contains("name"), "{text}");
    assert!(
        rows.iter()
            .any(|r| r["student_id"].is_null() && r["group_id"] == json!(f.class))
    );
    let entries = audit::entries_for_subject(&app.db, f.child).await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.action == "attendance.planning_export"
                && e.actor_person_id == skolflyt::access::AUTOMATION)
    );
    let guardian = app.login("guardian1").await;
    let extract = guardian
        .get(&format!("/api/my/access-log?person={}", f.child))
        .await;
    assert_eq!(extract.status(), StatusCode::OK);
    let extract: Value = extract.json().await.unwrap();
    assert!(
        extract.to_string().contains("planeringssystemet"),
        "{extract}"
    );

    // Another run of the same day sends nothing new.
    let sent = received.len();
    run_planning_export(&app, app.today, "again").await;
    assert_eq!(receiver.received().len(), sent);

    // A correction to yesterday after it was sent: yesterday again, whole, as revision 2.
    let read = register(&teacher, f.yesterday).await;
    let marks: Vec<Value> = all_present(&read)
        .into_iter()
        .map(|mut m| {
            if m["pupil_id"] == json!(f.child) {
                m["attendance_minutes"] = json!(0);
                m["valid_absence_minutes"] = json!(50);
                m["reason"] = json!("illness");
            }
            m
        })
        .collect();
    assert_eq!(
        save(&teacher, f.yesterday, json!(marks)).await.status(),
        StatusCode::OK
    );
    run_planning_export(&app, app.today, "after-correction").await;
    let received = receiver.received();
    assert_eq!(received.len(), sent + 1);
    let (key, _, body) = received.last().unwrap();
    assert_eq!(key, &format!("planning:{yesterday}:2"));
    assert_eq!(body["revision"], 2);
    let row = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["student_id"] == json!(f.child))
        .unwrap();
    assert_eq!(row["invalid_absence_minutes"], 0);
    assert_eq!(row["valid_absence_minutes"], 50);
}

/// Waits until every follow-up check queued so far has run.
async fn follow_ups_checked(app: &TestApp) {
    app.eventually("the follow-up checks have run", || async {
        app.query_ids(
            "SELECT id FROM jobs WHERE kind = 'attendance.follow_up' AND status <> 'done'",
        )
        .await
        .is_empty()
    })
    .await;
}

/// The alerts of a pupil's rule: (open, value), oldest first.
async fn alerts(app: &TestApp, pupil: Uuid, rule: &str) -> Vec<(bool, i32)> {
    skolflyt::with_db!(&app.db, |pool| sqlx::query_as::<_, (bool, i32)>(
        "SELECT cleared_on IS NULL, value FROM attendance_alerts \
         WHERE pupil_id = $1 AND rule_code = $2 ORDER BY created_at"
    )
    .bind(pupil)
    .bind(rule)
    .fetch_all(pool)
    .await)
    .unwrap()
}

async fn a_rule_crossing_gives_the_mentor_a_task_and_tells_the_principal_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login("admin1").await;
    let rules = admin.get_json("/api/attendance/rules").await;
    let codes: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["invalid_share", "consecutive_days", "same_subject"]);
    let teacher = app.login("teacher1").await;
    let (status, _) = error_code(teacher.get("/api/attendance/rules").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let put = |code: &str, body: Value| {
        let path = format!("/api/attendance/rules/{code}");
        let admin = &admin;
        async move { admin.send(Method::PUT, &path, Some(body), true).await }
    };
    for (body, field) in [
        (
            json!({ "enabled": true, "threshold": 0, "window_days": 20 }),
            "threshold",
        ),
        (
            json!({ "enabled": true, "threshold": 101, "window_days": 20 }),
            "threshold",
        ),
        (
            json!({ "enabled": true, "threshold": 10, "window_days": 1 }),
            "window_days",
        ),
    ] {
        let response = put("invalid_share", body.clone()).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let codes = field_codes(&response.json().await.unwrap());
        assert_eq!(
            codes,
            [(field.to_owned(), "out_of_range".to_owned())],
            "{body}"
        );
    }
    let unknown = put(
        "no_such_rule",
        json!({ "enabled": true, "threshold": 10, "window_days": 20 }),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    // Only the share of unexcused absence, at 20 % of the last five school days.
    for (code, enabled, threshold) in [
        ("invalid_share", true, 20),
        ("consecutive_days", false, 3),
        ("same_subject", false, 3),
    ] {
        let response = put(
            code,
            json!({ "enabled": enabled, "threshold": threshold, "window_days": 5 }),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{code}");
    }
    let rules = admin.get_json("/api/attendance/rules").await;
    assert_eq!(rules[0]["threshold"], 20);
    assert_eq!(rules[1]["enabled"], false);

    let f = fixture(&app).await;
    let principal = app.login(&f.principal).await;
    let told = || async {
        principal
            .get_json("/api/inbox")
            .await
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| {
                m["subject"]
                    .as_str()
                    .unwrap()
                    .starts_with("Frånvaro att följa upp:")
            })
            .map(|m| m["body"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let tasks = || {
        app.query_ids_for(
            "SELECT id FROM follow_ups WHERE assignee_person_id = $1 AND kind = 'task' \
             AND title LIKE 'Följ upp frånvaron:%'",
            app.account("teacher1").person_id,
        )
    };

    // The whole lesson missed without a reason: 100 % of the marked time crosses 20 %.
    mark_invalid(&teacher, f.yesterday, f.child, 50).await;
    follow_ups_checked(&app).await;
    assert_eq!(alerts(&app, f.child, "invalid_share").await, [(true, 100)]);
    assert_eq!(tasks().await.len(), 1, "the mentor's task");
    let messages = told().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("100 % ogiltig frånvaro"),
        "{messages:?}"
    );
    assert!(messages[0].contains("Mentorn"), "{messages:?}");

    // Still above the line at the next save: nothing more.
    mark_invalid(&teacher, f.yesterday, f.child, 40).await;
    follow_ups_checked(&app).await;
    assert_eq!(alerts(&app, f.child, "invalid_share").await, [(true, 100)]);
    assert_eq!(tasks().await.len(), 1);
    assert_eq!(told().await.len(), 1);

    // Below it: the alert is cleared, silently.
    mark_invalid(&teacher, f.yesterday, f.child, 0).await;
    follow_ups_checked(&app).await;
    assert_eq!(alerts(&app, f.child, "invalid_share").await, [(false, 100)]);
    assert_eq!(told().await.len(), 1);

    // A new crossing is told again.
    mark_invalid(&teacher, f.yesterday, f.child, 30).await;
    follow_ups_checked(&app).await;
    assert_eq!(
        alerts(&app, f.child, "invalid_share").await,
        [(false, 100), (true, 60)]
    );
    assert_eq!(tasks().await.len(), 2);
    assert_eq!(told().await.len(), 2);
}
