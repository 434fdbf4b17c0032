//! The store itself, on both databases.

use skolflyt::store::audit::{self, Access};
use skolflyt::store::cases::{self, CaseFilter, CaseView, NewCase};
use skolflyt::{with_db, with_tx};
use uuid::Uuid;

use crate::helpers::{Backend, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    the_audit_log_refuses_updates_and_deletes,
    concurrent_reads_are_each_logged_once,
    a_list_page_reads_every_case_as_a_single_read_does,
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
    // Has the index catch up first: an UPDATE or DELETE of no rows would not be refused.
    assert_eq!(
        audit::entries_for_subject(&app.db, subject)
            .await
            .unwrap()
            .len(),
        1
    );
    let tables = [
        ("access_events", "id"),
        ("access_subjects", "event_id"),
        ("access_actors", "event_id"),
    ];
    for (table, column) in tables {
        for statement in [
            format!("UPDATE {table} SET {column} = {column} + 1000"),
            format!("DELETE FROM {table}"),
        ] {
            let mut tx = app.db.begin().await.unwrap();
            let result = with_tx!(&mut tx, |conn| sqlx::query(&statement)
                .execute(&mut *conn)
                .await
                .map(|_| ()));
            let error = result.expect_err(&statement).to_string();
            assert!(error.contains("append-only"), "{statement}: {error}");
        }
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
            logins_per_role: 0,
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

/// On SQLite the log rows of concurrent requests are written together (group commit): each
/// request's rows must still be there exactly once, under its own actor and action.
async fn concurrent_reads_are_each_logged_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let requests: Vec<(Uuid, Vec<Uuid>)> = (0..64)
        .map(|i| {
            let subjects = (0..i % 5 + 1).map(|_| Uuid::new_v4()).collect();
            (Uuid::new_v4(), subjects)
        })
        .collect();
    let tasks: Vec<_> = requests
        .iter()
        .cloned()
        .map(|(actor, subjects)| {
            let db = app.db.clone();
            tokio::spawn(async move {
                let access = Access {
                    actor,
                    action: "pupil.list",
                    detail: "group",
                };
                audit::record(&db, access, &subjects, skolflyt::clock::now()).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    for (actor, subjects) in &requests {
        for subject in subjects {
            let entries = audit::entries_for_subject(&app.db, *subject).await.unwrap();
            assert_eq!(entries.len(), 1, "one entry for {subject}");
            assert_eq!(entries[0].actor_person_id, *actor);
            assert_eq!(entries[0].action, "pupil.list");
            assert_eq!(entries[0].detail, "group");
        }
    }
}

/// SQLite reads a list page as one JSON value rather than row by row: every field, NULLs and
/// a protected pupil included, must come out as a single case's read gives it.
async fn a_list_page_reads_every_case_as_a_single_read_does(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.account("case_worker1").person_id;
    let applicant = app.account("guardian1").person_id;
    let protected: Uuid = with_db!(&app.db, |pool| {
        sqlx::query_scalar("SELECT id FROM persons WHERE protected_identity LIMIT 1")
            .fetch_one(pool)
            .await
    })
    .expect("the demo has a pupil with protected identity");
    let pupil = app.all_pupils().await[0];
    let mut created = Vec::new();
    for (subject, owned) in [
        (Some(protected), true),
        (Some(pupil), true),
        (None, true),
        (Some(pupil), false),
        (None, false),
    ] {
        let mut tx = app.db.begin().await.unwrap();
        let now = skolflyt::clock::now();
        let (id, ..) = cases::create(
            &mut tx,
            &NewCase {
                case_type: "placement_change",
                status: "new",
                title: "Byte av skola – \"citat\" och \\ tecken",
                applicant,
                co_applicants: &[],
                subject,
                actor: None,
            },
            now,
            app.today,
        )
        .await
        .unwrap();
        if owned {
            let deadline = Some(app.today + chrono::Days::new(3));
            cases::assign(&mut tx, id, owner, deadline, now)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        created.push(id);
    }
    let filter = CaseFilter::default();
    let mine = cases::list(&app.db, CaseView::Mine(owner), &filter, None, 50)
        .await
        .unwrap();
    let distributor = app.account("case_worker1").person_id;
    let queue_view = CaseView::Queue(distributor, app.today);
    let queue = cases::list(&app.db, queue_view, &filter, None, 50)
        .await
        .unwrap();
    assert_eq!(mine.len(), 3);
    assert_eq!(queue.len(), 2);
    for row in mine.iter().chain(&queue) {
        assert!(created.contains(&row.id));
        let single = cases::get(&app.db, row.id).await.unwrap().unwrap();
        assert_eq!(format!("{row:?}"), format!("{single:?}"));
    }
    assert!(mine.iter().any(|row| row.subject_protected == Some(true)));
    assert!(queue.iter().any(|row| row.subject_id.is_none()));
    let after = cases::CasePosition::of(&mine[0]);
    let rest = cases::list(&app.db, CaseView::Mine(owner), &filter, Some(after), 50)
        .await
        .unwrap();
    assert_eq!(
        rest.iter().map(|row| row.id).collect::<Vec<_>>(),
        mine[1..].iter().map(|row| row.id).collect::<Vec<_>>()
    );

    // Each filter, alone and together, on both views (each combination is its own statement).
    let count = |view, case_type: Option<&str>, status: Option<&str>, overdue_on| {
        let filter = CaseFilter {
            case_type: case_type.map(str::to_owned),
            status: status.map(str::to_owned),
            overdue_on,
        };
        let db = app.db.clone();
        async move {
            cases::list(&db, view, &filter, None, 50)
                .await
                .unwrap()
                .len()
        }
    };
    let later = Some(app.today + chrono::Days::new(400));
    let mine = CaseView::Mine(owner);
    assert_eq!(count(mine, Some("placement_change"), None, None).await, 3);
    assert_eq!(count(mine, Some("leave"), None, None).await, 0);
    assert_eq!(count(mine, None, Some("new"), None).await, 3);
    assert_eq!(count(mine, None, Some("decided"), None).await, 0);
    assert_eq!(count(mine, None, None, Some(app.today)).await, 0);
    assert_eq!(
        count(mine, Some("placement_change"), Some("new"), later).await,
        3
    );
    assert_eq!(
        count(queue_view, Some("placement_change"), None, later).await,
        2
    );
    assert_eq!(count(queue_view, Some("leave"), Some("new"), None).await, 0);
}

/// SQLite keeps the access log in files of its own (`x.db` → `x.audit.db` for the events,
/// `x.audit-index.db` for their index); a database from before that move brings its log rows
/// along as events, and the log stays append-only there. A lost index is built again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_moves_the_access_log_to_its_own_file_with_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let db = skolflyt::store::Db::connect(&url).await.unwrap();
    let skolflyt::store::Db::Sqlite { write, .. } = &db else {
        unreachable!("a sqlite:// URL")
    };
    let before = migrations_before(sqlx::migrate!("./migrations/sqlite"), 11);
    before.run(write).await.unwrap();
    let (actor, subject) = (Uuid::new_v4(), Uuid::new_v4());
    sqlx::query(
        "INSERT INTO main.audit_log (at, actor_person_id, subject_person_id, action, detail) \
         VALUES ('2026-01-02T03:04:05+00:00', $1, $2, 'pupil.read', 'before')",
    )
    .bind(actor)
    .bind(subject)
    .execute(write)
    .await
    .unwrap();

    db.migrate().await.unwrap();
    let objects = |schema: &'static str, like: &'static str| {
        let write = write.clone();
        async move {
            sqlx::query_scalar::<_, String>(&format!(
                "SELECT name FROM {schema}.sqlite_master WHERE name LIKE '{like}%' ORDER BY name"
            ))
            .fetch_all(&write)
            .await
            .unwrap()
        }
    };
    for schema in ["main", "audit"] {
        assert!(
            objects(schema, "audit_log").await.is_empty(),
            "the rows of {schema}.audit_log became events"
        );
    }
    assert_eq!(
        objects("audit", "access_events").await,
        [
            "access_events",
            "access_events_no_delete",
            "access_events_no_update"
        ]
    );
    assert!(dir.path().join("old.audit.db").exists());
    let entries = audit::entries_for_subject(&db, subject).await.unwrap();
    assert!(dir.path().join("old.audit-index.db").exists());
    assert_eq!(objects("audit_index", "access_").await.len(), 7);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].actor_person_id, entries[0].detail.as_str()),
        (actor, "before")
    );
    let refused = sqlx::query("DELETE FROM access_events")
        .execute(write)
        .await
        .expect_err("the log is append-only");
    assert!(refused.to_string().contains("append-only"), "{refused}");
    // Logged by the writer of this process just before it goes.
    let access = Access {
        actor,
        action: "pupil.read",
        detail: "after",
    };
    audit::record(&db, access, &[subject], skolflyt::clock::now())
        .await
        .unwrap();
    db.close().await;

    // Opened again, the log is found in its file, the last read included.
    let logged = || async {
        let db = skolflyt::store::Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let entries = audit::entries_for_subject(&db, subject).await.unwrap();
        db.close().await;
        entries.len()
    };
    assert_eq!(logged().await, 2);

    // The database deleted and created again (a demo reset): the log beside it is kept.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("old.db{suffix}")));
    }
    assert_eq!(logged().await, 2);

    // The index lost: it is built again from the events.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("old.audit-index.db{suffix}")));
    }
    assert_eq!(logged().await, 2);
}

/// PostgreSQL: a database from before the access log became events (migration 0012) keeps
/// its log rows, as events of one person each, ahead of the events written after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_turns_the_old_access_log_rows_into_events() {
    let Some(Backend::Postgres(admin_url)) = Backend::postgres() else {
        return;
    };
    let url = crate::helpers::fresh_postgres_database(&admin_url).await;
    let db = skolflyt::store::Db::connect(&url).await.unwrap();
    let skolflyt::store::Db::Postgres(pool) = &db else {
        unreachable!("a postgres:// URL")
    };
    let before = migrations_before(sqlx::migrate!("./migrations/postgres"), 12);
    before.run(pool).await.unwrap();
    let (actor, first, second) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    sqlx::query(
        "INSERT INTO audit_log (at, actor_person_id, subject_person_id, action, detail) \
         VALUES ('2026-01-02T03:04:05Z', $1, $2, 'pupil.read', 'before'), \
                ('2026-01-02T03:04:06Z', $1, $3, 'pupil.list', 'before')",
    )
    .bind(actor)
    .bind(first)
    .bind(second)
    .execute(pool)
    .await
    .unwrap();

    db.migrate().await.unwrap();
    let gone: Option<String> = sqlx::query_scalar("SELECT to_regclass('audit_log')::text")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(gone, None, "audit_log became access_events");
    let access = Access {
        actor,
        action: "case.list",
        detail: "after",
    };
    audit::record(&db, access, &[first, second], skolflyt::clock::now())
        .await
        .unwrap();
    let logged = |subject| {
        let db = db.clone();
        async move {
            audit::entries_for_subject(&db, subject)
                .await
                .unwrap()
                .into_iter()
                .map(|e| (e.actor_person_id, e.action, e.detail))
                .collect::<Vec<_>>()
        }
    };
    let entry = |action: &str, detail: &str| (actor, action.to_owned(), detail.to_owned());
    assert_eq!(
        logged(first).await,
        [entry("pupil.read", "before"), entry("case.list", "after")]
    );
    assert_eq!(
        logged(second).await,
        [entry("pupil.list", "before"), entry("case.list", "after")]
    );
    db.close().await;
}

/// SQLite: the person index is filled in behind the requests by its own thread (within about
/// a second), not only when someone reads the log; every person of an event gets a row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_indexes_the_access_log_behind_the_requests() {
    let app = spawn_app(Backend::Sqlite).await;
    let actor = Uuid::new_v4();
    let subjects: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    let access = Access {
        actor,
        action: "case.list",
        detail: "",
    };
    audit::record(&app.db, access, &subjects, skolflyt::clock::now())
        .await
        .unwrap();
    let indexed = || async {
        let mut people = app
            .query_ids_for(
                "SELECT s.subject_person_id FROM access_subjects s \
                 JOIN access_actors a ON a.event_id = s.event_id WHERE a.actor_person_id = $1",
                actor,
            )
            .await;
        people.sort();
        people
    };
    app.eventually("the index to catch up by itself", || async {
        !indexed().await.is_empty()
    })
    .await;
    let mut expected = subjects.clone();
    expected.sort();
    assert_eq!(indexed().await, expected);
}

/// `migrator` with only its migrations before `version`: a database as an older release left it.
fn migrations_before(
    mut migrator: sqlx::migrate::Migrator,
    version: i64,
) -> sqlx::migrate::Migrator {
    migrator.migrations = migrator
        .migrations
        .iter()
        .filter(|m| m.version < version)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    migrator
}
