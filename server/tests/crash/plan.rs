//! Who applies for whom and when: children of two-guardian families in classes of a few
//! mentors, each with several short leaves in different weeks; and the accounts for them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Days, NaiveDate};
use shared::personal_number::age_on;
use skolflyt::demo::DemoAccount;
use skolflyt::store::Db;
use skolflyt::{with_db, with_tx};
use uuid::Uuid;

/// Children to spread the applications over, at least (as many mentors' classes as needed).
const CHILDREN: usize = 40;
/// The deciders: few, so that they can look for new cases often.
const MAX_MENTORS: usize = 6;

/// One leave application as the test means it.
#[derive(Debug, Clone)]
pub struct Application {
    pub index: usize,
    pub pupil: Uuid,
    /// Indices into the logins.
    pub applicant: usize,
    pub other_guardian: usize,
    pub mentor: usize,
    /// The same as persons.
    pub applicant_id: Uuid,
    pub other_guardian_id: Uuid,
    pub mentor_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Unique: it tells the applications apart.
    pub reason: String,
    pub approve: bool,
}

#[derive(Debug, Clone)]
pub struct Login {
    pub username: String,
    pub password: String,
    pub person_id: Uuid,
}

pub struct Setup {
    pub logins: Vec<Login>,
    /// `logins[admin]` may read the job queue.
    pub admin: usize,
    pub applications: Vec<Application>,
    pub children: usize,
    pub families: usize,
    pub mentors: usize,
}

/// The first `count` Mondays after `today` whose whole week is school days by the school
/// calendar, so that every planned leave counts its days and is never refused for a break.
async fn school_weeks(db: &Db, today: NaiveDate, count: usize) -> Vec<NaiveDate> {
    let mut monday = today + Days::new(7 - today.weekday().num_days_from_monday() as u64);
    let mut weeks = Vec::with_capacity(count);
    while weeks.len() < count {
        let days = skolflyt::store::attendance::school_days_in(db, monday, monday + Days::new(4))
            .await
            .expect("school days");
        if days.len() == 5 {
            weeks.push(monday);
        }
        monday = monday + Days::new(7);
    }
    weeks
}

/// Picks the children, mentors and guardians, makes accounts for those without one, and plans
/// `count` applications.
pub async fn prepare(
    db: &Db,
    demo_accounts: &[DemoAccount],
    today: NaiveDate,
    count: usize,
) -> Setup {
    let rows: Vec<(Uuid, Uuid, NaiveDate, bool, bool)> = with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT g.guardian_id, g.child_id, c.birth_date, c.protected_identity, \
                    p.protected_identity \
             FROM guardianships g JOIN persons c ON c.id = g.child_id \
               JOIN persons p ON p.id = g.guardian_id \
             WHERE g.valid_from <= $1 AND (g.valid_to IS NULL OR g.valid_to >= $1)",
        )
        .bind(today)
        .fetch_all(pool)
        .await
    })
    .expect("guardianships");
    // Children under 18 with exactly two guardians, nobody of them with a protected identity.
    let mut guardians: BTreeMap<Uuid, BTreeSet<Uuid>> = BTreeMap::new();
    let mut unfit = BTreeSet::new();
    for (guardian, child, birth_date, child_protected, guardian_protected) in rows {
        if age_on(birth_date, today) >= 18 || child_protected || guardian_protected {
            unfit.insert(child);
        }
        guardians.entry(child).or_default().insert(guardian);
    }
    guardians.retain(|child, of| of.len() == 2 && !unfit.contains(child));

    // The mentor the routing step will pick: the first the register names.
    let mut by_mentor: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for child in guardians.keys() {
        let mentors = skolflyt::store::register::mentors_of(db, today, *child)
            .await
            .expect("mentors");
        if let Some(mentor) = mentors.first() {
            by_mentor.entry(mentor.id).or_default().push(*child);
        }
    }
    let mut mentors: Vec<(Uuid, Vec<Uuid>)> = by_mentor.into_iter().collect();
    mentors.sort_by_key(|(id, children)| (std::cmp::Reverse(children.len()), *id));
    let mut chosen: Vec<(Uuid, Uuid)> = Vec::new(); // (child, mentor)
    let mut mentor_count = 0;
    for (mentor, children) in mentors.into_iter().take(MAX_MENTORS) {
        if chosen.len() >= CHILDREN {
            break;
        }
        mentor_count += 1;
        chosen.extend(children.into_iter().map(|child| (child, mentor)));
    }
    assert!(
        chosen.len() >= 10,
        "the demo has only {} children fit for the test",
        chosen.len()
    );
    let weeks = count.div_ceil(chosen.len());
    assert!(
        weeks * 7 < 380,
        "{count} applications do not fit in the weeks one may apply for"
    );

    // Logins: the demo's where a person has one, otherwise a new account with guardian1's
    // password.
    let template = demo_accounts
        .iter()
        .find(|a| a.username == "guardian1")
        .expect("the demo account guardian1");
    let password_hash: String = with_db!(db, |pool| {
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE username = $1")
            .bind(&template.username)
            .fetch_one(pool)
            .await
    })
    .expect("guardian1's password hash");
    let existing: HashMap<Uuid, &DemoAccount> =
        demo_accounts.iter().map(|a| (a.person_id, a)).collect();
    let mut logins: Vec<Login> = Vec::new();
    let mut index_of: HashMap<Uuid, usize> = HashMap::new();
    let mut new_accounts: Vec<(Uuid, String)> = Vec::new();
    let mut login_for = |person: Uuid, logins: &mut Vec<Login>| -> usize {
        if let Some(index) = index_of.get(&person) {
            return *index;
        }
        let login = match existing.get(&person) {
            Some(account) => Login {
                username: account.username.clone(),
                password: account.password.clone(),
                person_id: person,
            },
            None => {
                let username = format!("crash{}", new_accounts.len() + 1);
                new_accounts.push((person, username.clone()));
                Login {
                    username,
                    password: template.password.clone(),
                    person_id: person,
                }
            }
        };
        logins.push(login);
        index_of.insert(person, logins.len() - 1);
        logins.len() - 1
    };
    let admin = demo_accounts
        .iter()
        .find(|a| a.username == "admin1")
        .expect("the demo account admin1");
    let admin = login_for(admin.person_id, &mut logins);

    let weeks = school_weeks(db, today, count.div_ceil(chosen.len())).await;
    let mut families = BTreeSet::new();
    let mut applications = Vec::with_capacity(count);
    for index in 0..count {
        let (child, mentor) = chosen[index % chosen.len()];
        let week = index / chosen.len();
        let pair: Vec<Uuid> = guardians[&child].iter().copied().collect();
        families.insert(pair.clone());
        // Alternately the one and the other guardian applies.
        let (applicant, other) = if week.is_multiple_of(2) {
            (pair[0], pair[1])
        } else {
            (pair[1], pair[0])
        };
        // Monday to Wednesday, one to three days: never past Friday, so the mentor decides.
        let start = (index % 3) as u64;
        let days = ((index / 3) % 3) as u64;
        let from = weeks[week] + Days::new(start);
        applications.push(Application {
            index,
            pupil: child,
            applicant: login_for(applicant, &mut logins),
            other_guardian: login_for(other, &mut logins),
            mentor: login_for(mentor, &mut logins),
            applicant_id: applicant,
            other_guardian_id: other,
            mentor_id: mentor,
            from,
            to: from + Days::new(days),
            reason: format!("Krocktest {index}: släktresa"),
            // Every fourth is rejected.
            approve: index % 4 != 3,
        });
    }

    let now = skolflyt::clock::now();
    let mut tx = db.begin().await.expect("begin");
    for (person, username) in &new_accounts {
        with_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO accounts (id, person_id, username, password_hash, locale, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'sv', $5, $5)",
            )
            .bind(Uuid::new_v4())
            .bind(*person)
            .bind(username)
            .bind(&password_hash)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map(|_| ())
        })
        .expect("add an account");
    }
    tx.commit().await.expect("commit the accounts");

    Setup {
        logins,
        admin,
        applications,
        children: chosen.len(),
        families: families.len(),
        mentors: mentor_count,
    }
}
