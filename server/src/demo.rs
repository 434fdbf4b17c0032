//! The demo municipality: a fictional Norrfjärdens kommun with schools, preschools, komvux,
//! two independent providers, families, staff and a fixed set of demo logins.
//!
//! [`generate`] plans every row from the seed first (see [`plan`]), then writes them in one
//! transaction with multi-row inserts, so that tens of thousands of pupils take seconds.

mod names;
mod plan;
mod timetable;

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shared::auth::Role;
use shared::personal_number::age_on;
use uuid::Uuid;

use crate::auth::password;
use crate::store::{Db, DbKind, Tx, attendance, follow_ups};
use crate::{with_db, with_tx};

pub use plan::MIN_PUPILS;

/// Rows per INSERT: well below the bind-parameter limits of SQLite (32 766) and PostgreSQL
/// (65 535) for the widest table.
const CHUNK: usize = 500;

pub struct DemoOptions {
    /// Children and komvux students together.
    pub pupils: u32,
    pub seed: u64,
    /// Ages, school years and terms are counted from this day.
    pub today: NaiveDate,
    pub argon2_memory_kib: u32,
    /// Logins per role beyond the fixed ones (`skolflyt demo --logins N`); 0: the fixed set.
    pub logins_per_role: usize,
}

/// A demo login, printed for people trying the demo and used by the tests.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DemoAccount {
    pub role: Role,
    pub username: String,
    pub password: String,
    pub person_id: Uuid,
    /// For guardians: the children they act for (sorted).
    pub children: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub organisations: u64,
    pub persons: u64,
    pub pupils: u64,
    pub guardians: u64,
    pub staff: u64,
    pub groups: u64,
    pub placements: u64,
    pub accounts: u64,
    /// Lessons of the timetable in the term around the demo's day.
    pub lessons: u64,
}

/// Fills an empty register with the demo municipality, in one transaction.
pub async fn generate(db: &Db, options: &DemoOptions) -> anyhow::Result<DemoSummary> {
    let mut tx = db.begin().await?;
    let persons: i64 = with_tx!(&mut tx, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM persons")
            .fetch_one(&mut *conn)
            .await?
    });
    if persons > 0 {
        bail!("the register already has persons; use a new database");
    }
    let (pupils, seed, today) = (options.pupils, options.seed, options.today);
    let per_role = options.logins_per_role;
    let memory_kib = options.argon2_memory_kib;
    // Planning and hashing are CPU work; keep them off the async workers.
    let (plan, hashes) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let plan = plan::build_with_logins(pupils, seed, today, per_role)?;
        let hashes = plan
            .logins
            .iter()
            .map(|login| password::hash(&login.password, memory_kib))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok((plan, hashes))
    })
    .await??;
    let now = Utc::now();
    insert(&mut tx, &plan, &hashes, now).await?;
    let lessons = lessons(&mut tx, db.kind(), today, now).await?;
    tx.commit().await?;
    teams(db).await?;
    Ok(DemoSummary {
        organisations: plan.organisations.len() as u64,
        persons: plan.persons.len() as u64,
        pupils: plan.pupils,
        guardians: plan.guardians,
        staff: plan.staff,
        groups: plan.groups.len() as u64,
        placements: plan.placements.len() as u64,
        accounts: plan.logins.len() as u64,
        lessons,
    })
}

/// Something for the operators to look at, and true: a welcome message to the first
/// administrator whose e-mail copy cannot go out when no relay is configured (no
/// `SKOLFLYT_SMTP_HOST`: "e-mail is not configured"; a relay that does not answer fails the
/// same way). Its one attempt fails at the first runner's start, which raises an exception
/// follow-up for the team Drift; the message itself says why, in the inbox.
pub async fn failed_step(db: &Db) -> anyhow::Result<()> {
    let now = Utc::now();
    let Some(admin) = accounts(db, crate::clock::today())
        .await?
        .into_iter()
        .find(|account| account.role == Role::Admin)
    else {
        return Ok(());
    };
    let address: Option<String> = with_db!(db, |pool| {
        sqlx::query_scalar("SELECT email FROM persons WHERE id = $1")
            .bind(admin.person_id)
            .fetch_one(pool)
            .await
    })?;
    let address = address.unwrap_or_else(|| format!("{}@example.se", admin.username));
    let message = crate::store::messages::NewMessage {
        person_id: admin.person_id,
        case_id: None,
        subject: (
            "Välkommen till demokommunen",
            "Welcome to the demo municipality",
        ),
        body: (
            "Det här meddelandet skulle också ha gått som e-post. Demokommunen har ingen \
             e-postserver (SKOLFLYT_SMTP_HOST är inte satt), så det steget misslyckades. \
             Du ser det på driftsidan under misslyckade steg och som ett undantag för teamet \
             Drift under Uppföljning, där du kan köra det igen eller markera det som hanterat.",
            "This message would also have gone out by e-mail. The demo municipality has no \
             mail server (SKOLFLYT_SMTP_HOST is not set), so that step failed. You see it on \
             the operations page among the failed steps, and as an exception for the team \
             Drift under Follow-ups, where you can run it again or mark it as handled.",
        ),
    };
    let mut tx = db.begin().await?;
    let message_id = crate::store::messages::send(&mut tx, &message, now).await?;
    let delivery = crate::store::messages::add_delivery(
        &mut tx,
        message_id,
        admin.person_id,
        Some(&address),
        "queued",
        now,
    )
    .await?;
    let job = crate::store::jobs::NewJob {
        kind: crate::messages::EMAIL,
        payload: serde_json::to_string(&crate::messages::SendEmail {
            delivery_id: delivery,
        })?,
        idempotency_key: "demo:failed-step".to_owned(),
        run_after: now,
        max_attempts: 1,
    };
    crate::store::jobs::enqueue(&mut tx, &job, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Teams: the administrators run operations (and receive the exceptions of failed automated
/// steps); the case workers share one team.
async fn teams(db: &Db) -> anyhow::Result<()> {
    let now = Utc::now();
    for (team, duty) in [
        (follow_ups::OPERATIONS_TEAM, "administrator"),
        (follow_ups::CASE_OFFICE_TEAM, "case_worker"),
        (crate::placements::PLACEMENT_TEAM, "case_worker"),
    ] {
        let id = follow_ups::ensure_team(db, team, now).await?;
        let members: Vec<Uuid> = with_db!(db, |pool| {
            sqlx::query_scalar("SELECT DISTINCT person_id FROM duties WHERE duty = $1")
                .bind(duty)
                .fetch_all(pool)
                .await
        })?;
        let mut tx = db.begin().await?;
        for member in members {
            follow_ups::add_member(&mut tx, id, member, now).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// The demo logins in their fixed order, with the children each guardian acts for on `today`
/// (an active guardianship of a child under 18).
pub async fn accounts(db: &Db, today: NaiveDate) -> anyhow::Result<Vec<DemoAccount>> {
    let rows: Vec<(String, String, String, Uuid)> = with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT d.username, d.role, d.password, a.person_id FROM demo_accounts d \
             JOIN accounts a ON a.username = d.username ORDER BY d.position",
        )
        .fetch_all(pool)
        .await?
    });
    let mut accounts = Vec::with_capacity(rows.len());
    for (username, role, password, person_id) in rows {
        let role = Role::ALL
            .into_iter()
            .find(|r| r.as_str() == role)
            .with_context(|| format!("demo account {username} has an unknown role {role}"))?;
        let children = if role == Role::Guardian {
            acting_children(db, person_id, today).await?
        } else {
            Vec::new()
        };
        accounts.push(DemoAccount {
            role,
            username,
            password,
            person_id,
            children,
        });
    }
    Ok(accounts)
}

async fn acting_children(db: &Db, guardian: Uuid, today: NaiveDate) -> anyhow::Result<Vec<Uuid>> {
    let rows: Vec<(Uuid, NaiveDate)> = with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT g.child_id, p.birth_date FROM guardianships g \
             JOIN persons p ON p.id = g.child_id \
             WHERE g.guardian_id = $1 AND g.valid_from <= $2 \
             AND (g.valid_to IS NULL OR g.valid_to >= $2)",
        )
        .bind(guardian)
        .bind(today)
        .fetch_all(pool)
        .await?
    });
    let mut children: Vec<Uuid> = rows
        .into_iter()
        .filter(|(_, birth_date)| age_on(*birth_date, today) < 18)
        .map(|(id, _)| id)
        .collect();
    children.sort();
    children.dedup();
    Ok(children)
}

/// `INSERT INTO <table> (<columns>) VALUES …` for `rows`, `CHUNK` rows per statement.
macro_rules! insert_rows {
    ($conn:ident, $sql:literal, $rows:expr, |$b:ident, $row:ident| $push:block) => {
        for chunk in $rows.chunks(CHUNK) {
            sqlx::QueryBuilder::new($sql)
                .push_values(chunk, |mut $b, $row| $push)
                .build()
                .execute(&mut *$conn)
                .await?;
        }
    };
}

async fn insert(
    tx: &mut Tx,
    plan: &plan::Plan,
    hashes: &[String],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    with_tx!(tx, |conn| {
        insert_rows!(
            conn,
            "INSERT INTO organisations (id, kind, name, parent_id, owner_kind, school_form, \
             unit_code, created_at, updated_at) ",
            plan.organisations,
            |b, o| {
                b.push_bind(o.id)
                    .push_bind(o.kind)
                    .push_bind(o.name.as_str())
                    .push_bind(o.parent_id)
                    .push_bind(o.owner_kind)
                    .push_bind(o.school_form)
                    .push_bind(o.unit_code.as_deref())
                    .push_bind(now)
                    .push_bind(now);
            }
        );
        insert_rows!(
            conn,
            "INSERT INTO persons (id, personal_number, given_name, family_name, birth_date, \
             protected_identity, street, postal_code, city, email, created_at, updated_at) ",
            plan.persons,
            |b, p| {
                b.push_bind(p.id)
                    .push_bind(p.personal_number.as_str())
                    .push_bind(p.given_name)
                    .push_bind(p.family_name)
                    .push_bind(p.birth_date)
                    .push_bind(p.protected_identity)
                    .push_bind(p.street.as_str())
                    .push_bind(p.postal_code)
                    .push_bind(p.city)
                    .push_bind(p.email.as_deref())
                    .push_bind(now)
                    .push_bind(now);
            }
        );
        insert_rows!(
            conn,
            "INSERT INTO guardianships (id, guardian_id, child_id, valid_from, valid_to, \
             created_at, updated_at) ",
            plan.guardianships,
            |b, g| {
                b.push_bind(g.id)
                    .push_bind(g.guardian_id)
                    .push_bind(g.child_id)
                    .push_bind(g.valid_from)
                    .push_bind(None::<NaiveDate>)
                    .push_bind(now)
                    .push_bind(now);
            }
        );
        insert_rows!(
            conn,
            "INSERT INTO groups (id, unit_id, name, kind, school_year, valid_from, valid_to, \
             created_at, updated_at) ",
            plan.groups,
            |b, g| {
                b.push_bind(g.id)
                    .push_bind(g.unit_id)
                    .push_bind(g.name.as_str())
                    .push_bind(g.kind)
                    .push_bind(g.school_year)
                    .push_bind(g.valid_from)
                    .push_bind(None::<NaiveDate>)
                    .push_bind(now)
                    .push_bind(now);
            }
        );
        insert_rows!(
            conn,
            "INSERT INTO group_memberships (id, group_id, person_id, valid_from, valid_to, \
             created_at, updated_at) ",
            plan.memberships,
            |b, m| {
                b.push_bind(m.id)
                    .push_bind(m.group_id)
                    .push_bind(m.person_id)
                    .push_bind(m.valid_from)
                    .push_bind(None::<NaiveDate>)
                    .push_bind(now)
                    .push_bind(now);
            }
        );
        insert_rows!(
            conn,
            "INSERT INTO duties (id, person_id, duty, organisation_id, group_id, valid_from, \
             valid_to, created_at, updated_at) ",
            plan.duties,
            |b, d| {
                b.push_bind(d.id)
                    .push_bind(d.person_id)
                    .push_bind(d.duty)
                    .push_bind(d.organisation_id)
                    .push_bind(d.group_id)
                    .push_bind(d.valid_from)
                    .push_bind(None::<NaiveDate>)
                    .push_bind(now)
                    .push_bind(now);
            }
        );
        insert_rows!(
            conn,
            "INSERT INTO placements (id, child_id, unit_id, kind, start_date, end_date, \
             hours_per_week, reason, created_at, updated_at) ",
            plan.placements,
            |b, p| {
                b.push_bind(p.id)
                    .push_bind(p.child_id)
                    .push_bind(p.unit_id)
                    .push_bind(p.kind)
                    .push_bind(p.start_date)
                    .push_bind(None::<NaiveDate>)
                    .push_bind(p.hours_per_week)
                    .push_bind(None::<&str>)
                    .push_bind(now)
                    .push_bind(now);
            }
        );
        let accounts: Vec<_> = plan.logins.iter().zip(hashes).collect();
        insert_rows!(
            conn,
            "INSERT INTO accounts (id, person_id, username, password_hash, locale, \
             created_at, updated_at) ",
            accounts,
            |b, row| {
                let (login, hash) = row;
                b.push_bind(login.account_id)
                    .push_bind(login.person_id)
                    .push_bind(login.username.as_str())
                    .push_bind(hash.as_str())
                    .push_bind("sv")
                    .push_bind(now)
                    .push_bind(now);
            }
        );
        let positions: Vec<_> = plan.logins.iter().zip(0_i32..).collect();
        insert_rows!(
            conn,
            "INSERT INTO demo_accounts (username, role, password, position) ",
            positions,
            |b, row| {
                let (login, position) = row;
                b.push_bind(login.username.as_str())
                    .push_bind(login.role.as_str())
                    .push_bind(login.password.as_str())
                    .push_bind(*position);
            }
        );
        insert_rows!(
            conn,
            "INSERT INTO timetable_slots (id, group_id, weekday, start_time, end_time, \
             subject_code, subject, room, valid_from, valid_to, created_at, updated_at) ",
            plan.slots,
            |b, s| {
                b.push_bind(s.id)
                    .push_bind(s.group_id)
                    .push_bind(i32::try_from(s.weekday).unwrap_or(1))
                    .push_bind(s.start_time)
                    .push_bind(s.end_time)
                    .push_bind(s.subject_code)
                    .push_bind(s.subject)
                    .push_bind(s.room.as_str())
                    .push_bind(s.valid_from)
                    .push_bind(None::<NaiveDate>)
                    .push_bind(now)
                    .push_bind(now);
            }
        );
        let slot_teachers: Vec<(Uuid, Uuid)> = plan
            .slots
            .iter()
            .flat_map(|s| s.teachers.iter().map(|t| (s.id, *t)))
            .collect();
        insert_rows!(
            conn,
            "INSERT INTO timetable_slot_teachers (slot_id, person_id) ",
            slot_teachers,
            |b, row| {
                b.push_bind(row.0).push_bind(row.1);
            }
        );
    });
    Ok(())
}

/// The lessons of the timetable on every school day of the term around `today`.
async fn lessons(
    tx: &mut Tx,
    kind: DbKind,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let Some(term) = attendance::term_around(tx, today).await? else {
        return Ok(0);
    };
    let days = attendance::school_days(tx, term.start_date, term.end_date).await?;
    Ok(attendance::generate_lessons(tx, kind, &days, now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn generate_fills_an_empty_register_once_and_accounts_lists_the_logins() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let options = DemoOptions {
            pupils: 300,
            seed: 5,
            today,
            argon2_memory_kib: 1024,
            logins_per_role: 0,
        };

        let summary = generate(&db, &options).await.unwrap();
        assert_eq!((summary.pupils, summary.accounts), (300, 15));
        let Db::Sqlite { read, .. } = &db else {
            unreachable!()
        };
        let persons: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
            .fetch_one(read)
            .await
            .unwrap();
        assert_eq!(persons as u64, summary.persons);

        let accounts = accounts(&db, today).await.unwrap();
        assert_eq!(accounts.len(), 15);
        assert_eq!(
            (accounts[0].username.as_str(), accounts[0].role),
            ("guardian1", Role::Guardian)
        );
        assert_eq!(accounts[0].children.len(), 2);
        assert_eq!(accounts[0].children, accounts[1].children);
        assert!(accounts[0].children.is_sorted());
        assert_eq!(accounts[2].children.len(), 1);
        assert!(accounts[3..].iter().all(|a| a.children.is_empty()));
        assert_eq!(
            (accounts[14].username.as_str(), accounts[14].role),
            ("admin1", Role::Admin)
        );
        let hash: String =
            sqlx::query_scalar("SELECT password_hash FROM accounts WHERE username = $1")
                .bind("teacher1")
                .fetch_one(read)
                .await
                .unwrap();
        assert!(password::verify(&accounts[5].password, &hash));

        let again = generate(&db, &options).await.unwrap_err().to_string();
        assert_eq!(
            again,
            "the register already has persons; use a new database"
        );
    }
}
