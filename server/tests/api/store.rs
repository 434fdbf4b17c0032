//! The store itself, on both databases.

use skolflyt::store::audit::{self, Access};
use skolflyt::with_tx;
use uuid::Uuid;

use crate::helpers::{Backend, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    the_audit_log_refuses_updates_and_deletes,
    the_demo_municipality_is_deterministic_and_refuses_a_second_run,
);

async fn the_audit_log_refuses_updates_and_deletes(backend: Backend) {
    let app = spawn_app(backend).await;
    let (actor, subject) = (Uuid::new_v4(), Uuid::new_v4());
    let access = Access {
        actor,
        action: "pupil.read",
        detail: "",
    };
    audit::record(&app.db, access, &[subject], skolflyt::clock::now())
        .await
        .unwrap();
    for statement in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"] {
        let mut tx = app.db.begin().await.unwrap();
        let result = with_tx!(&mut tx, |conn| sqlx::query(statement)
            .execute(&mut *conn)
            .await
            .map(|_| ()));
        assert!(result.is_err(), "{statement} must fail");
    }
    assert_eq!(
        audit::entries_for_subject(&app.db, subject)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn the_demo_municipality_is_deterministic_and_refuses_a_second_run(backend: Backend) {
    let app = spawn_app(backend).await;
    let again = skolflyt::demo::generate(
        &app.db,
        &skolflyt::demo::DemoOptions {
            pupils: crate::helpers::TEST_PUPILS,
            seed: 7,
            today: app.today,
            argon2_memory_kib: 256,
        },
    )
    .await;
    assert!(again.is_err(), "a filled register is not filled again");

    let other = spawn_app(Backend::Sqlite).await;
    let key =
        |a: &skolflyt::demo::DemoAccount| (a.username.clone(), a.person_id, a.password.clone());
    assert_eq!(
        app.accounts.iter().map(key).collect::<Vec<_>>(),
        other.accounts.iter().map(key).collect::<Vec<_>>(),
        "same seed, same logins and persons on either database"
    );
}
