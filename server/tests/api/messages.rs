//! Messages: the inbox always, e-mail through a real SMTP server (an in-process mailin sink)
//! when configured, with contact preferences and delivery status per recipient.

use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use skolflyt::config::{SmtpConfig, SmtpSecurity};
use skolflyt::store::messages;

use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::on_both_databases;
use crate::smtp_sink::{Received, start_sink};

on_both_databases!(
    notices_reach_the_inbox_and_by_email_with_a_stable_message_id,
    a_person_who_opts_out_gets_no_email_but_the_inbox_message,
);

async fn app_with_email(backend: Backend) -> (TestApp, Arc<Mutex<Vec<Received>>>) {
    let (received, port) = start_sink();
    let app = spawn_app_with(backend, |config| {
        config.smtp = Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            from: "Norrfjärdens kommun <skolflyt@norrfjarden.example>".into(),
            username: None,
            password: None,
            security: SmtpSecurity::None,
        });
        config.public_url = Some("https://skolflyt.norrfjarden.example".into());
    })
    .await;
    (app, received)
}

async fn email_of(app: &TestApp, username: &str) -> String {
    messages::contact(&app.db, app.account(username).person_id)
        .await
        .unwrap()
        .0
        .expect("demo guardians have e-mail")
}

async fn apply_for_leave(app: &TestApp) -> String {
    let child = app.account("guardian1").children[0];
    let from = crate::helpers::school_week(app).await;
    let response = app
        .login("guardian1")
        .await
        .post_json(
            "/api/applications/leave",
            json!({ "pupil_id": child, "from": from, "to": from, "reason": "Tandläkare" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let submitted: Value = response.json().await.unwrap();
    submitted["case_id"].as_str().unwrap().to_owned()
}

async fn notices_reach_the_inbox_and_by_email_with_a_stable_message_id(backend: Backend) {
    let (app, received) = app_with_email(backend).await;
    let case_id = apply_for_leave(&app).await;
    let (first, second) = (
        email_of(&app, "guardian1").await,
        email_of(&app, "guardian2").await,
    );
    app.eventually("both guardians got an e-mail", || async {
        let got = received.lock().unwrap();
        [&first, &second]
            .iter()
            .all(|address| got.iter().any(|r| r.to.iter().any(|to| to == *address)))
    })
    .await;
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "one e-mail per guardian");
    for mail in &got {
        assert!(mail.data.contains("Message-ID: <"), "{}", mail.data);
        assert!(mail.data.contains("@norrfjarden.example>"), "{}", mail.data);
        assert!(
            mail.data.contains(&format!("/my/cases/{case_id}")),
            "links to the case"
        );
    }
    let ids: std::collections::BTreeSet<&str> = got
        .iter()
        .map(|m| {
            let start = m.data.find("Message-ID: <").unwrap();
            let end = start + m.data[start..].find('>').unwrap();
            &m.data[start..=end]
        })
        .collect();
    assert_eq!(ids.len(), 2, "distinct deliveries, distinct ids");
    // The sink has the e-mail before the job commits "sent": wait for the commit.
    let case: uuid::Uuid = case_id.parse().unwrap();
    app.eventually("no e-mail still queued", || async {
        messages::deliveries_for_case(&app.db, case)
            .await
            .unwrap()
            .iter()
            .all(|(_, status)| status != "queued")
    })
    .await;
    let statuses = messages::deliveries_for_case(&app.db, case_id.parse().unwrap())
        .await
        .unwrap();
    assert!(
        statuses.iter().all(|(_, status)| status == "sent"),
        "{statuses:?}"
    );
    let second = app.login("guardian2").await;
    let inbox = second.get_json("/api/inbox").await;
    assert_eq!(inbox.as_array().unwrap().len(), 1);
    assert_eq!(inbox[0]["read"], false);
    let message = inbox[0]["id"].as_str().unwrap();
    let stranger = app.login("guardian3").await;
    let refused = stranger
        .post_json(&format!("/api/inbox/{message}/read"), json!({}))
        .await;
    assert_eq!(
        refused.status(),
        StatusCode::NOT_FOUND,
        "not someone else's message"
    );
    let read = second
        .post_json(&format!("/api/inbox/{message}/read"), json!({}))
        .await;
    assert_eq!(read.status(), StatusCode::NO_CONTENT);
    assert_eq!(second.get_json("/api/inbox").await[0]["read"], true);

    // "Mark all read" marks the first guardian's unread messages, and only theirs.
    let first = app.login("guardian1").await;
    let unread = |inbox: &Value| {
        inbox
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["read"] == false)
            .count()
    };
    let before = unread(&first.get_json("/api/inbox").await);
    assert!(before > 0, "guardian1 has unread messages");
    let stranger_before = unread(&stranger.get_json("/api/inbox").await);
    let all = first.post_json("/api/inbox/read", json!({})).await;
    assert_eq!(all.status(), StatusCode::OK);
    let all: Value = all.json().await.unwrap();
    assert_eq!(all["marked"], json!(before));
    assert_eq!(unread(&first.get_json("/api/inbox").await), 0);
    assert_eq!(
        unread(&stranger.get_json("/api/inbox").await),
        stranger_before
    );
    let again: Value = first
        .post_json("/api/inbox/read", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["marked"], 0);
}

async fn a_person_who_opts_out_gets_no_email_but_the_inbox_message(backend: Backend) {
    let (app, received) = app_with_email(backend).await;
    let second = app.login("guardian2").await;
    let contact = second.get_json("/api/me/contact").await;
    assert_eq!(contact["email_enabled"], true);
    let off = second
        .send(
            Method::PUT,
            "/api/me/contact",
            Some(json!({ "email_enabled": false })),
            true,
        )
        .await;
    assert_eq!(off.status(), StatusCode::NO_CONTENT);

    let case_id = apply_for_leave(&app).await;
    let first = email_of(&app, "guardian1").await;
    app.eventually("guardian1's e-mail", || async {
        received
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.to.contains(&first))
    })
    .await;
    // The sink has the e-mail before the job commits "sent": wait for the commit.
    let case: uuid::Uuid = case_id.parse().unwrap();
    app.eventually("no e-mail still queued", || async {
        messages::deliveries_for_case(&app.db, case)
            .await
            .unwrap()
            .iter()
            .all(|(_, status)| status != "queued")
    })
    .await;
    let statuses = messages::deliveries_for_case(&app.db, case_id.parse().unwrap())
        .await
        .unwrap();
    let of = |username: &str| {
        let person = app.account(username).person_id;
        statuses
            .iter()
            .find(|(p, _)| *p == person)
            .map(|(_, s)| s.clone())
    };
    assert_eq!(of("guardian2").as_deref(), Some("opted_out"));
    assert_eq!(of("guardian1").as_deref(), Some("sent"));
    assert_eq!(received.lock().unwrap().len(), 1);
    assert_eq!(
        second
            .get_json("/api/inbox")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
