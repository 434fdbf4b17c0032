//! The demo municipality as plain rows, built from the pupil count, the seed and `today`
//! alone: the same options always give the same register.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, bail};
use chrono::{Datelike, Days, Months, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shared::auth::Role;
use shared::personal_number::PersonalNumber;
use uuid::Uuid;

use super::names;
use super::timetable::{self, Class, Slot, Staffing};

/// Fewer pupils cannot populate every relation the demo logins promise.
pub const MIN_PUPILS: u32 = 60;
/// Largest class; a school year with more pupils is split into classes A, B, …
const CLASS_MAX: usize = 26;
const PUPILS_PER_SCHOOL: f64 = 400.0;
const CHILDREN_PER_PRESCHOOL: f64 = 120.0;
const KOMVUX_GROUP_SIZE: usize = 15;
/// Largest grundskola teaching group.
const TEACHING_GROUP_MAX: usize = 30;

#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    pub id: Uuid,
    pub kind: &'static str,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub owner_kind: Option<&'static str>,
    pub school_form: Option<&'static str>,
    pub unit_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: Uuid,
    pub personal_number: String,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub birth_date: NaiveDate,
    pub protected_identity: bool,
    pub street: String,
    pub postal_code: &'static str,
    pub city: &'static str,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Guardianship {
    pub id: Uuid,
    pub guardian_id: Uuid,
    pub child_id: Uuid,
    pub valid_from: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub name: String,
    pub kind: &'static str,
    pub school_year: Option<i32>,
    pub valid_from: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub id: Uuid,
    pub group_id: Uuid,
    pub person_id: Uuid,
    pub valid_from: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Duty {
    pub id: Uuid,
    pub person_id: Uuid,
    pub duty: &'static str,
    pub organisation_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub valid_from: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub id: Uuid,
    pub child_id: Uuid,
    pub unit_id: Uuid,
    pub kind: &'static str,
    pub start_date: NaiveDate,
    pub hours_per_week: f64,
}

/// A demo login; only these persons get accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct Login {
    pub account_id: Uuid,
    pub role: Role,
    pub username: String,
    pub password: String,
    pub person_id: Uuid,
}

/// Every row of the demo register, in an order that satisfies the foreign keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub organisations: Vec<Organisation>,
    pub persons: Vec<Person>,
    pub guardianships: Vec<Guardianship>,
    pub groups: Vec<Group>,
    pub memberships: Vec<Membership>,
    pub duties: Vec<Duty>,
    pub placements: Vec<Placement>,
    pub logins: Vec<Login>,
    /// The weekly timetable of every grundskola class.
    pub slots: Vec<Slot>,
    pub pupils: u64,
    pub guardians: u64,
    pub staff: u64,
}

/// Builds the demo municipality for `pupils` pupils (children and komvux students), with the
/// fixed demo logins.
#[cfg(test)]
pub fn build(pupils: u32, seed: u64, today: NaiveDate) -> anyhow::Result<Plan> {
    build_with_logins(pupils, seed, today, 0)
}

/// As [`build`], and then more logins until each role has `per_role` (as far as the
/// municipality has people in it: two provider admins, four case workers, one registrar and
/// one administrator), named on from the fixed ones (`guardian4`, `teacher3` …), so that
/// authorization can be tried with many guardians, teachers and provider admins.
pub fn build_with_logins(
    pupils: u32,
    seed: u64,
    today: NaiveDate,
    per_role: usize,
) -> anyhow::Result<Plan> {
    if pupils < MIN_PUPILS {
        bail!("the demo municipality needs at least {MIN_PUPILS} pupils (got {pupils})");
    }
    let mut b = Builder::new(seed, today);
    let adults = ((f64::from(pupils) / 100.0).round() as usize).max(2);
    let minors = pupils as usize - adults;
    let families = b.draft_families(minors);

    let school_children = families
        .iter()
        .flat_map(|f| &f.children)
        .filter(|birth| matches!(b.stage(**birth), Stage::School(_)))
        .count();
    let preschool_children = minors - school_children;
    let school_count =
        ((school_children as f64 * 5.0 / 6.0 / PUPILS_PER_SCHOOL).round() as usize).max(2);
    let preschool_count =
        ((preschool_children as f64 * 0.75 / CHILDREN_PER_PRESCHOOL).round() as usize).max(1);

    let org = b.organisations(school_count, preschool_count);
    b.plan.pupils = u64::from(pupils);

    // Grundskola pupils per school (municipal first, then the two providers) and school year.
    let mut grund: Vec<[Vec<Uuid>; 10]> = vec![Default::default(); org.grundskolor.len()];
    let protected = b.protected_families(&families, minors);
    let mut next_school = 0;
    let mut next_preschool = 0;
    let mut first_family = FamilyIds::default();
    let mut protected_family = FamilyIds::default();
    let mut all_guardians = Vec::new();
    for (index, family) in families.iter().enumerate() {
        let stages: Vec<Stage> = family.children.iter().map(|d| b.stage(*d)).collect();
        let has = |wanted: fn(&Stage) -> bool| stages.iter().any(wanted);
        // About 1 in 6 pupils go to an independent school, 1 in 4 children to an
        // independent preschool.
        let school = has(|s| matches!(s, Stage::School(_))).then(|| {
            match b.choose(&mut next_school, school_count, 1.0 / 12.0) {
                Choice::Municipal(school) => school,
                Choice::Independent(provider) => school_count + provider,
            }
        });
        let preschool = has(|s| *s == Stage::Preschool).then(|| {
            if index == PROTECTED_FAMILY {
                return org.independent_preschools[0];
            }
            match b.choose(&mut next_preschool, preschool_count, 1.0 / 8.0) {
                Choice::Municipal(preschool) => org.preschools[preschool],
                Choice::Independent(provider) => org.independent_preschools[provider],
            }
        });

        let ids = b.family(family, protected[index])?;
        all_guardians.extend(ids.guardians.iter().copied());
        for ((&child, &birth), stage) in ids.children.iter().zip(&family.children).zip(&stages) {
            match *stage {
                Stage::Preschool => {
                    let unit = preschool.expect("chosen for families with preschool children");
                    b.preschool_placement(child, birth, unit);
                }
                Stage::School(year) => {
                    let school = school.expect("chosen for families with school children");
                    grund[school][usize::from(year)].push(child);
                    if year <= 3 && b.rng.gen_bool(0.6) {
                        let unit = org.grundskolor[school].fritidshem;
                        b.after_school_placement(child, birth, unit);
                    }
                }
            }
        }
        match index {
            FIRST_FAMILY => first_family = ids,
            PROTECTED_FAMILY => protected_family = ids,
            _ => {}
        }
    }

    let mut staff = Staff::default();
    for (school, years) in org.grundskolor.iter().zip(&grund) {
        let teachers = b.classes(school.grundskola, years, &mut staff)?;
        staff.teachers.push(teachers);
    }
    let adult_ids = b.komvux(adults, org.komvux_unit)?;
    for &school in &org.schools {
        let principal = b.staff_person()?;
        let since = b.appointed();
        b.duty(principal, "principal", Some(school), None, since);
        staff.principal_of.insert(school, principal);
    }
    let mut municipal = Vec::new();
    for duty in [
        "case_worker",
        "case_worker",
        "case_worker",
        "case_worker",
        "registrar",
        "administrator",
    ] {
        let person = b.staff_person()?;
        let since = b.appointed();
        b.duty(person, duty, Some(org.municipality), None, since);
        municipal.push(person);
    }
    let mut provider_admins = Vec::new();
    for provider in org.providers {
        let person = b.staff_person()?;
        let since = b.appointed();
        b.duty(person, "provider_admin", Some(provider), None, since);
        provider_admins.push(person);
    }

    let class_of = |child: Uuid| staff.class_of.get(&child).copied();
    let mentor = class_of(first_family.children[0])
        .and_then(|class| staff.mentor_of.get(&class))
        .context("guardian1's first child has a class mentor")?;
    let other_teacher = staff.teachers[1]
        .first()
        .context("the second municipal school has a teacher")?;
    let principal = |school: usize| staff.principal_of[&org.grundskolor[school].school];
    let logins = [
        (Role::Guardian, "guardian1", first_family.guardians[0]),
        (Role::Guardian, "guardian2", first_family.guardians[1]),
        (Role::Guardian, "guardian3", protected_family.guardians[0]),
        (Role::Pupil, "pupil1", adult_ids[0]),
        (Role::Pupil, "pupil2", adult_ids[1]),
        (Role::Teacher, "teacher1", *mentor),
        (Role::Teacher, "teacher2", *other_teacher),
        (Role::Principal, "principal1", principal(0)),
        (Role::Principal, "principal2", principal(1)),
        (Role::ProviderAdmin, "provider_admin1", provider_admins[0]),
        (Role::ProviderAdmin, "provider_admin2", provider_admins[1]),
        (Role::CaseWorker, "case_worker1", municipal[0]),
        (Role::CaseWorker, "case_worker2", municipal[1]),
        (Role::Registrar, "registrar1", municipal[4]),
        (Role::Admin, "admin1", municipal[5]),
    ];
    let mut passwords = ChaCha8Rng::seed_from_u64(seed);
    // Its own stream, so that a login's password does not depend on the pupil count.
    passwords.set_stream(1);
    let mut logins: Vec<(Role, String, Uuid)> = logins
        .into_iter()
        .map(|(role, username, person)| (role, username.to_owned(), person))
        .collect();
    if per_role > 0 {
        let principals: Vec<Uuid> = org.schools.iter().map(|s| staff.principal_of[s]).collect();
        let teachers: Vec<Uuid> = staff.teachers.iter().flatten().copied().collect();
        let candidates: [(Role, &str, &[Uuid]); 8] = [
            (Role::Guardian, "guardian", &all_guardians),
            (Role::Pupil, "pupil", &adult_ids),
            (Role::Teacher, "teacher", &teachers),
            (Role::Principal, "principal", &principals),
            (Role::ProviderAdmin, "provider_admin", &provider_admins),
            (Role::CaseWorker, "case_worker", &municipal[..4]),
            (Role::Registrar, "registrar", &municipal[4..5]),
            (Role::Admin, "admin", &municipal[5..]),
        ];
        for (role, prefix, people) in candidates {
            let taken: HashSet<Uuid> = logins.iter().map(|(_, _, person)| *person).collect();
            let mut count = logins.iter().filter(|(r, ..)| *r == role).count();
            for &person in people.iter().filter(|p| !taken.contains(p)) {
                if count >= per_role {
                    break;
                }
                count += 1;
                logins.push((role, format!("{prefix}{count}"), person));
            }
        }
    }
    for (role, username, person_id) in logins {
        let account_id = b.id();
        b.plan.logins.push(Login {
            account_id,
            role,
            username,
            password: password(&mut passwords),
            person_id,
        });
    }
    // Last, so that nothing above depends on it; its own stream orders the weeks.
    let mut weeks = ChaCha8Rng::seed_from_u64(seed);
    weeks.set_stream(2);
    for school in &org.grundskolor {
        let classes: Vec<Class> = b
            .plan
            .groups
            .iter()
            .filter(|g| g.unit_id == school.grundskola && g.kind == "class")
            .map(|g| Class {
                group_id: g.id,
                year: g.school_year.unwrap_or(0),
                teachers: b
                    .plan
                    .duties
                    .iter()
                    .filter(|d| d.duty == "teacher" && d.group_id == Some(g.id))
                    .map(|d| d.person_id)
                    .collect(),
                valid_from: g.valid_from,
            })
            .collect();
        let slots = timetable::schedule(&classes, &mut weeks, &mut b)?;
        b.plan.slots.extend(slots);
    }
    Ok(b.plan)
}

impl Staffing for Builder {
    fn id(&mut self) -> Uuid {
        Builder::id(self)
    }

    fn subject_teacher(&mut self, group: Uuid, since: NaiveDate) -> anyhow::Result<Uuid> {
        let teacher = self.staff_person()?;
        self.duty(teacher, "teacher", None, Some(group), since);
        Ok(teacher)
    }

    fn teacher_duty(&mut self, teacher: Uuid, group: Uuid, since: NaiveDate) {
        self.duty(teacher, "teacher", None, Some(group), since);
    }
}

/// guardian1's family: two grundskola pupils with two guardians, at the first municipal school.
const FIRST_FAMILY: usize = 0;
/// guardian3's family: a protected preschool child at the first independent provider.
const PROTECTED_FAMILY: usize = 1;

/// A memorable password such as "lind-sommar-4821".
fn password(rng: &mut ChaCha8Rng) -> String {
    loop {
        let first = names::PASSWORD_WORDS.choose(rng).expect("non-empty");
        let second = names::PASSWORD_WORDS.choose(rng).expect("non-empty");
        let candidate = format!("{first}-{second}-{}", rng.gen_range(1000..10000));
        if first != second && candidate.len() >= 12 {
            return candidate;
        }
    }
}

/// Where a child is in the school system, by birth year as in Sweden: förskoleklass (year 0)
/// starts in the autumn of the year the child turns six.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Preschool,
    School(u8),
}

enum Choice {
    Municipal(usize),
    Independent(usize),
}

/// The school year and term `today` falls in.
struct Calendar {
    /// The calendar year in which the current school year began.
    school_year: i32,
    school_year_start: NaiveDate,
    /// "ht26" or "vt27".
    term: String,
    term_start: NaiveDate,
}

impl Calendar {
    fn new(today: NaiveDate) -> Self {
        let autumn = |year| NaiveDate::from_ymd_opt(year, 8, 15).expect("valid date");
        let spring = NaiveDate::from_ymd_opt(today.year(), 1, 10).expect("valid date");
        let school_year = if today >= autumn(today.year()) {
            today.year()
        } else {
            today.year() - 1
        };
        let (term, term_start) = if today >= spring && today < autumn(today.year()) {
            (format!("vt{:02}", today.year() % 100), spring)
        } else {
            (format!("ht{:02}", school_year % 100), autumn(school_year))
        };
        Self {
            school_year,
            school_year_start: autumn(school_year),
            term,
            term_start,
        }
    }
}

/// The children of a family (oldest first) before they become persons.
struct FamilyDraft {
    children: Vec<NaiveDate>,
    two_guardians: bool,
}

#[derive(Default)]
struct FamilyIds {
    guardians: Vec<Uuid>,
    children: Vec<Uuid>,
}

#[derive(Clone)]
struct Address {
    street: String,
    postal_code: &'static str,
    city: &'static str,
}

struct SchoolUnits {
    school: Uuid,
    grundskola: Uuid,
    fritidshem: Uuid,
}

struct Organisations {
    municipality: Uuid,
    providers: [Uuid; 2],
    /// Municipal schools first, then one per provider.
    grundskolor: Vec<SchoolUnits>,
    /// Municipal forskola units.
    preschools: Vec<Uuid>,
    independent_preschools: [Uuid; 2],
    komvux_unit: Uuid,
    /// Every organisation of kind 'school', each of which gets a principal.
    schools: Vec<Uuid>,
}

#[derive(Default)]
struct Staff {
    /// Per grundskola (same order as `Organisations::grundskolor`).
    teachers: Vec<Vec<Uuid>>,
    class_of: HashMap<Uuid, Uuid>,
    mentor_of: HashMap<Uuid, Uuid>,
    principal_of: HashMap<Uuid, Uuid>,
}

struct Builder {
    rng: ChaCha8Rng,
    today: NaiveDate,
    calendar: Calendar,
    birth_numbers: HashSet<(NaiveDate, u16)>,
    emails: HashSet<String>,
    unit_codes: HashSet<u32>,
    plan: Plan,
}

impl Builder {
    fn new(seed: u64, today: NaiveDate) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            today,
            calendar: Calendar::new(today),
            birth_numbers: HashSet::new(),
            emails: HashSet::new(),
            unit_codes: HashSet::new(),
            plan: Plan::default(),
        }
    }

    fn id(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.rng.r#gen()).into_uuid()
    }

    fn date_between(&mut self, first: NaiveDate, last: NaiveDate) -> NaiveDate {
        let span = u64::try_from((last - first).num_days()).unwrap_or(0);
        first + Days::new(self.rng.gen_range(0..=span))
    }

    fn years_ago(&self, years: u32) -> NaiveDate {
        self.today - Months::new(12 * years)
    }

    fn stage(&self, birth_date: NaiveDate) -> Stage {
        let year = self.calendar.school_year - 6 - birth_date.year();
        match u8::try_from(year) {
            Ok(year) => Stage::School(year),
            Err(_) => Stage::Preschool,
        }
    }

    /// Minors are born from 1 January of the year-9 cohort until a year (and a bit) ago.
    fn minor_birth_range(&self) -> (NaiveDate, NaiveDate) {
        let first = NaiveDate::from_ymd_opt(self.calendar.school_year - 15, 1, 1).expect("valid");
        (first, self.years_ago(1) - Days::new(14))
    }

    fn birth_in_year(&mut self, year: i32) -> NaiveDate {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid date");
        let last = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date");
        self.date_between(first, last)
    }

    fn draft_families(&mut self, minors: usize) -> Vec<FamilyDraft> {
        let cohort = |school_year: i32| self.calendar.school_year - 6 - school_year;
        let older = self.rng.gen_range(4..=9);
        let younger = self.rng.gen_range(0..=older - 2);
        let (older, younger, toddler) = (cohort(older), cohort(younger), cohort(-3));
        let mut families = vec![
            FamilyDraft {
                children: vec![self.birth_in_year(older), self.birth_in_year(younger)],
                two_guardians: true,
            },
            FamilyDraft {
                children: vec![self.birth_in_year(toddler)],
                two_guardians: true,
            },
        ];
        let (first, last) = self.minor_birth_range();
        let mut count = 3;
        while count < minors {
            let size = match self.rng.gen_range(0..100) {
                0..45 => 1,
                45..85 => 2,
                _ => 3,
            }
            .min(minors - count);
            let eldest = self.date_between(first, last);
            let mut children = vec![eldest];
            while children.len() < size {
                let sibling = self.sibling_birth(eldest, first, last);
                children.push(sibling);
            }
            children.sort();
            count += size;
            let two_guardians = self.rng.gen_bool(0.7);
            families.push(FamilyDraft {
                children,
                two_guardians,
            });
        }
        families
    }

    fn sibling_birth(&mut self, eldest: NaiveDate, first: NaiveDate, last: NaiveDate) -> NaiveDate {
        if self.rng.gen_bool(0.03) {
            return eldest; // twins
        }
        let gap = Days::new(self.rng.gen_range(300..=2200));
        let earlier = eldest.checked_sub_days(gap).filter(|d| *d >= first);
        let later = eldest.checked_add_days(gap).filter(|d| *d <= last);
        match (earlier, later) {
            (Some(earlier), Some(later)) => {
                if self.rng.gen_bool(0.5) {
                    earlier
                } else {
                    later
                }
            }
            (Some(date), None) | (None, Some(date)) => date,
            (None, None) => self.date_between(first, last),
        }
    }

    /// Which families have protected identity: about 0.5 % of the minors, at least three,
    /// always the family of guardian3 and never that of guardian1.
    fn protected_families(&mut self, families: &[FamilyDraft], minors: usize) -> Vec<bool> {
        let target = ((minors as f64 * 0.005).round() as usize).max(3);
        let mut protected = vec![false; families.len()];
        protected[PROTECTED_FAMILY] = true;
        let mut count = families[PROTECTED_FAMILY].children.len();
        let mut others: Vec<usize> = (2..families.len()).collect();
        others.shuffle(&mut self.rng);
        for index in others {
            if count >= target {
                break;
            }
            protected[index] = true;
            count += families[index].children.len();
        }
        protected
    }

    /// The next municipal school or preschool in turn, or with probability `share` each, one
    /// of the two providers'. The first `count` choices are municipal, so that every municipal
    /// one gets children.
    fn choose(&mut self, next: &mut usize, count: usize, share: f64) -> Choice {
        let roll: f64 = self.rng.r#gen();
        if *next >= count && roll < 2.0 * share {
            return Choice::Independent(usize::from(roll >= share));
        }
        *next += 1;
        Choice::Municipal((*next - 1) % count)
    }

    fn organisation(
        &mut self,
        kind: &'static str,
        name: String,
        parent_id: Option<Uuid>,
        owner_kind: Option<&'static str>,
        school_form: Option<&'static str>,
    ) -> Uuid {
        let id = self.id();
        let unit_code = (kind == "unit").then(|| {
            loop {
                let code = self.rng.gen_range(10_000_000..100_000_000);
                if self.unit_codes.insert(code) {
                    break code.to_string();
                }
            }
        });
        self.plan.organisations.push(Organisation {
            id,
            kind,
            name,
            parent_id,
            owner_kind,
            school_form,
            unit_code,
        });
        id
    }

    fn school(&mut self, parent: Uuid, owner_kind: &'static str, name: &str) -> Uuid {
        self.organisation(
            "school",
            name.to_string(),
            Some(parent),
            Some(owner_kind),
            None,
        )
    }

    fn unit(&mut self, school: Uuid, name: String, school_form: &'static str) -> Uuid {
        self.organisation("unit", name, Some(school), None, Some(school_form))
    }

    fn grundskola(&mut self, parent: Uuid, owner_kind: &'static str, name: &str) -> SchoolUnits {
        let school = self.school(parent, owner_kind, name);
        SchoolUnits {
            school,
            grundskola: self.unit(school, format!("{name} F-9"), "grundskola"),
            fritidshem: self.unit(school, format!("{name} fritidshem"), "fritidshem"),
        }
    }

    fn organisations(&mut self, school_count: usize, preschool_count: usize) -> Organisations {
        let municipality =
            self.organisation("municipality", names::MUNICIPALITY.into(), None, None, None);
        let mut schools = Vec::new();
        let mut grundskolor = Vec::new();
        let mut school_names = names::SCHOOLS;
        school_names.shuffle(&mut self.rng);
        for index in 0..school_count {
            let name = numbered(&school_names, index);
            let units = self.grundskola(municipality, "municipal", &name);
            schools.push(units.school);
            grundskolor.push(units);
        }
        let mut preschool_names = names::PRESCHOOLS;
        preschool_names.shuffle(&mut self.rng);
        let mut preschools = Vec::new();
        for index in 0..preschool_count {
            let name = numbered(&preschool_names, index);
            let school = self.school(municipality, "municipal", &format!("Förskoleområde {name}"));
            schools.push(school);
            preschools.push(self.unit(school, format!("Förskolan {name}"), "forskola"));
        }
        let komvux = self.school(municipality, "municipal", names::KOMVUX_SCHOOL);
        schools.push(komvux);
        let komvux_unit = self.unit(komvux, names::KOMVUX_UNIT.into(), "komvux");

        let mut providers = [Uuid::nil(); 2];
        let mut independent_preschools = [Uuid::nil(); 2];
        for (index, provider) in names::PROVIDERS.iter().enumerate() {
            let id = self.organisation("provider", provider.name.into(), None, None, None);
            let units = self.grundskola(id, "independent", provider.school);
            schools.push(units.school);
            grundskolor.push(units);
            let preschool = self.school(id, "independent", provider.preschool_school);
            schools.push(preschool);
            independent_preschools[index] =
                self.unit(preschool, provider.preschool_unit.into(), "forskola");
            providers[index] = id;
        }
        Organisations {
            municipality,
            providers,
            grundskolor,
            preschools,
            independent_preschools,
            komvux_unit,
            schools,
        }
    }

    fn address(&mut self) -> Address {
        let index = self.rng.gen_range(0..names::STREETS.len());
        let (postal_code, city) = names::POSTAL_AREAS[index % names::POSTAL_AREAS.len()];
        Address {
            street: format!("{} {}", names::STREETS[index], self.rng.gen_range(1..=140)),
            postal_code,
            city,
        }
    }

    fn family_name(&mut self) -> &'static str {
        names::FAMILY_NAMES
            .choose(&mut self.rng)
            .expect("non-empty")
    }

    /// A valid personal number not yet used; the last digit of the birth number is even for
    /// women and odd for men.
    fn personal_number(&mut self, birth_date: NaiveDate, female: bool) -> anyhow::Result<String> {
        let parity = u16::from(!female);
        let make = |number| PersonalNumber::from_parts(birth_date, number).to_string();
        for _ in 0..64 {
            let number = self.rng.gen_range(0..500) * 2 + parity;
            if number != 0 && self.birth_numbers.insert((birth_date, number)) {
                return Ok(make(number));
            }
        }
        (0..500)
            .map(|n| n * 2 + parity)
            .find(|&number| number != 0 && self.birth_numbers.insert((birth_date, number)))
            .map(make)
            .with_context(|| format!("too many demo persons born on {birth_date}"))
    }

    fn email(&mut self, given_name: &str, family_name: &str) -> String {
        let local = format!(
            "{}.{}",
            names::ascii_fold(given_name),
            names::ascii_fold(family_name)
        );
        let mut email = format!("{local}@example.se");
        let mut n = 2;
        while !self.emails.insert(email.clone()) {
            email = format!("{local}{n}@example.se");
            n += 1;
        }
        email
    }

    fn person(
        &mut self,
        birth_date: NaiveDate,
        family_name: &'static str,
        address: &Address,
        with_email: bool,
    ) -> anyhow::Result<&mut Person> {
        let female = self.rng.gen_bool(0.5);
        self.person_of_sex(birth_date, female, family_name, address, with_email)
    }

    fn person_of_sex(
        &mut self,
        birth_date: NaiveDate,
        female: bool,
        family_name: &'static str,
        address: &Address,
        with_email: bool,
    ) -> anyhow::Result<&mut Person> {
        let given_names: &[&'static str] = if female {
            &names::FEMALE_GIVEN_NAMES
        } else {
            &names::MALE_GIVEN_NAMES
        };
        let given_name = *given_names.choose(&mut self.rng).expect("non-empty");
        let id = self.id();
        let personal_number = self.personal_number(birth_date, female)?;
        let email = with_email.then(|| self.email(given_name, family_name));
        self.plan.persons.push(Person {
            id,
            personal_number,
            given_name,
            family_name,
            birth_date,
            protected_identity: false,
            street: address.street.clone(),
            postal_code: address.postal_code,
            city: address.city,
            email,
        });
        Ok(self.plan.persons.last_mut().expect("just pushed"))
    }

    /// Guardians are 25–60 years old and usually 22–40 years older than the eldest child.
    fn guardian_birth(&mut self, eldest_child: NaiveDate) -> NaiveDate {
        let age_at_birth = self.rng.gen_range(22..=40);
        let birth =
            eldest_child - Months::new(12 * age_at_birth) - Days::new(self.rng.gen_range(0..365));
        birth.clamp(self.years_ago(60) + Days::new(1), self.years_ago(25))
    }

    /// The guardians and children of one family, sharing an address.
    fn family(&mut self, draft: &FamilyDraft, protected: bool) -> anyhow::Result<FamilyIds> {
        let address = self.address();
        let family_name = self.family_name();
        let first_female = self.rng.gen_bool(0.5);
        let birth = self.guardian_birth(draft.children[0]);
        let first = self
            .person_of_sex(birth, first_female, family_name, &address, true)?
            .id;
        let mut guardians = vec![first];
        if draft.two_guardians {
            let female = first_female != self.rng.gen_bool(0.95);
            let name = if self.rng.gen_bool(0.6) {
                family_name
            } else {
                self.family_name()
            };
            let birth = self.guardian_birth(draft.children[0]);
            guardians.push(self.person_of_sex(birth, female, name, &address, true)?.id);
        }
        self.plan.guardians += guardians.len() as u64;
        let mut children = Vec::new();
        for &birth_date in &draft.children {
            let child = self.person(birth_date, family_name, &address, false)?;
            child.protected_identity = protected;
            let child = child.id;
            for &guardian_id in &guardians {
                let id = self.id();
                self.plan.guardianships.push(Guardianship {
                    id,
                    guardian_id,
                    child_id: child,
                    valid_from: birth_date,
                });
            }
            children.push(child);
        }
        Ok(FamilyIds {
            guardians,
            children,
        })
    }

    fn preschool_placement(&mut self, child: Uuid, birth: NaiveDate, unit_id: Uuid) {
        let started =
            birth + Months::new(self.rng.gen_range(12..=20)) + Days::new(self.rng.gen_range(0..28));
        let hours = self.rng.gen_range(3..=9) * 5;
        self.placement(child, unit_id, "preschool", started, hours);
    }

    /// Fritidshem from the autumn of förskoleklass or a later autumn.
    fn after_school_placement(&mut self, child: Uuid, birth: NaiveDate, unit_id: Uuid) {
        let year = self
            .rng
            .gen_range(birth.year() + 6..=self.calendar.school_year);
        let started = NaiveDate::from_ymd_opt(year, 8, 15).expect("valid date");
        let hours = self.rng.gen_range(2..=6) * 5;
        self.placement(child, unit_id, "after_school", started, hours);
    }

    fn placement(
        &mut self,
        child_id: Uuid,
        unit_id: Uuid,
        kind: &'static str,
        start_date: NaiveDate,
        hours_per_week: i32,
    ) {
        let id = self.id();
        self.plan.placements.push(Placement {
            id,
            child_id,
            unit_id,
            kind,
            start_date: start_date.min(self.today - Days::new(1)),
            hours_per_week: f64::from(hours_per_week),
        });
    }

    fn group(
        &mut self,
        unit_id: Uuid,
        name: String,
        kind: &'static str,
        school_year: Option<i32>,
        valid_from: NaiveDate,
    ) -> Uuid {
        let id = self.id();
        self.plan.groups.push(Group {
            id,
            unit_id,
            name,
            kind,
            school_year,
            valid_from,
        });
        id
    }

    fn membership(&mut self, group_id: Uuid, person_id: Uuid, valid_from: NaiveDate) {
        let id = self.id();
        self.plan.memberships.push(Membership {
            id,
            group_id,
            person_id,
            valid_from,
        });
    }

    fn duty(
        &mut self,
        person_id: Uuid,
        duty: &'static str,
        organisation_id: Option<Uuid>,
        group_id: Option<Uuid>,
        valid_from: NaiveDate,
    ) {
        let id = self.id();
        self.plan.duties.push(Duty {
            id,
            person_id,
            duty,
            organisation_id,
            group_id,
            valid_from,
        });
    }

    /// When a member of staff took up an organisation-wide duty: one to fifteen years ago.
    fn appointed(&mut self) -> NaiveDate {
        let (first, last) = (self.years_ago(15), self.years_ago(1));
        self.date_between(first, last)
    }

    /// A member of staff, 25–64 years old, with a home of their own.
    fn staff_person(&mut self) -> anyhow::Result<Uuid> {
        let birth = self.date_between(self.years_ago(64), self.years_ago(25));
        let address = self.address();
        let family_name = self.family_name();
        self.plan.staff += 1;
        Ok(self.person(birth, family_name, &address, true)?.id)
    }

    /// Teachers for `groups`, each teaching about three of them; slot `i` goes to teacher
    /// `i % count`, so the two teacher slots of one class never share a teacher.
    fn teach(&mut self, groups: &[(Uuid, NaiveDate)]) -> anyhow::Result<Vec<Uuid>> {
        let count = groups.len().div_ceil(3).max(groups.len().min(2));
        let teachers = (0..count)
            .map(|_| self.staff_person())
            .collect::<anyhow::Result<Vec<_>>>()?;
        for (slot, &(group, since)) in groups.iter().enumerate() {
            self.duty(teachers[slot % count], "teacher", None, Some(group), since);
        }
        Ok(teachers)
    }

    /// Classes, teaching groups, memberships, teachers and mentors of one grundskola unit.
    fn classes(
        &mut self,
        unit: Uuid,
        years: &[Vec<Uuid>; 10],
        staff: &mut Staff,
    ) -> anyhow::Result<Vec<Uuid>> {
        let since = self.calendar.school_year_start;
        let mut slots = Vec::new();
        let mut mentor_slots = Vec::new();
        for (year, pupils) in years.iter().enumerate() {
            if pupils.is_empty() {
                continue;
            }
            let mut pupils = pupils.clone();
            pupils.shuffle(&mut self.rng);
            let count = pupils.len().div_ceil(CLASS_MAX);
            for class in 0..count {
                let name = class_name(year, class);
                let group = self.group(unit, name, "class", Some(year as i32), since);
                let members =
                    &pupils[class * pupils.len() / count..(class + 1) * pupils.len() / count];
                for &pupil in members {
                    self.membership(group, pupil, since);
                    staff.class_of.insert(pupil, group);
                }
                mentor_slots.push((group, slots.len()));
                let teachers = if self.rng.gen_bool(0.5) { 1 } else { 2 };
                slots.extend(std::iter::repeat_n((group, since), teachers));
            }
            if let Some(subject) = year
                .checked_sub(7)
                .and_then(|index| names::TEACHING_GROUPS.get(index))
            {
                let members: Vec<Uuid> = pupils
                    .iter()
                    .copied()
                    .filter(|_| self.rng.gen_bool(0.5))
                    .take(TEACHING_GROUP_MAX)
                    .collect();
                if !members.is_empty() {
                    let group = self.group(
                        unit,
                        subject.to_string(),
                        "teaching_group",
                        Some(year as i32),
                        since,
                    );
                    for pupil in members {
                        self.membership(group, pupil, since);
                    }
                    slots.push((group, since));
                }
            }
        }
        let teachers = self.teach(&slots)?;
        for (group, slot) in mentor_slots {
            let mentor = teachers[slot % teachers.len()];
            self.duty(mentor, "mentor", None, Some(group), since);
            staff.mentor_of.insert(group, mentor);
        }
        Ok(teachers)
    }

    /// Komvux students aged 19–40 (no guardians), in course groups of this term.
    fn komvux(&mut self, students: usize, unit: Uuid) -> anyhow::Result<Vec<Uuid>> {
        let since = self.calendar.term_start;
        let term = self.calendar.term.clone();
        let group_count = students.div_ceil(KOMVUX_GROUP_SIZE).max(1);
        let courses = names::KOMVUX_COURSES.len();
        let groups: Vec<Uuid> = (0..group_count)
            .map(|index| {
                let course = names::KOMVUX_COURSES[index % courses];
                let name = match index / courses {
                    0 => format!("{course} {term}"),
                    n => format!("{course} {term} grupp {}", n + 1),
                };
                self.group(unit, name, "teaching_group", None, since)
            })
            .collect();
        let mut ids = Vec::new();
        for student in 0..students {
            let birth = self.date_between(self.years_ago(40) + Days::new(1), self.years_ago(19));
            let address = self.address();
            let family_name = self.family_name();
            let id = self.person(birth, family_name, &address, true)?.id;
            let primary = student % group_count;
            self.membership(groups[primary], id, since);
            if group_count > 1 && self.rng.gen_bool(0.4) {
                let other = (primary + 1 + self.rng.gen_range(0..group_count - 1)) % group_count;
                self.membership(groups[other], id, since);
            }
            ids.push(id);
        }
        let slots: Vec<(Uuid, NaiveDate)> = groups.iter().map(|&g| (g, since)).collect();
        self.teach(&slots)?;
        Ok(ids)
    }
}

/// `list[index]`, with " 2", " 3" … once the list runs out.
fn numbered(list: &[&str], index: usize) -> String {
    let name = list[index % list.len()];
    match index / list.len() {
        0 => name.to_string(),
        n => format!("{name} {}", n + 1),
    }
}

/// "FA", "FB" … for förskoleklass, "3A", "3B" … for the other years.
fn class_name(year: usize, class: usize) -> String {
    let letter = |n: usize| char::from(b'A' + (n % 26) as u8);
    let letters = match class / 26 {
        0 => letter(class).to_string(),
        n => format!("{}{}", letter(n - 1), letter(class)),
    };
    match year {
        0 => format!("F{letters}"),
        year => format!("{year}{letters}"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use chrono::NaiveDate;
    use shared::personal_number::{PersonalNumber, age_on};
    use uuid::Uuid;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// Lookups over a plan, for asserting on relations.
    struct Index<'a> {
        plan: &'a Plan,
        persons: HashMap<Uuid, &'a Person>,
        organisations: HashMap<Uuid, &'a Organisation>,
        groups: HashMap<Uuid, &'a Group>,
    }

    impl<'a> Index<'a> {
        fn new(plan: &'a Plan) -> Self {
            Self {
                plan,
                persons: plan.persons.iter().map(|p| (p.id, p)).collect(),
                organisations: plan.organisations.iter().map(|o| (o.id, o)).collect(),
                groups: plan.groups.iter().map(|g| (g.id, g)).collect(),
            }
        }

        fn login(&self, username: &str) -> Uuid {
            self.plan
                .logins
                .iter()
                .find(|l| l.username == username)
                .unwrap()
                .person_id
        }

        fn children_of(&self, guardian: Uuid) -> Vec<Uuid> {
            let mut children: Vec<Uuid> = self
                .plan
                .guardianships
                .iter()
                .filter(|g| g.guardian_id == guardian)
                .map(|g| g.child_id)
                .collect();
            children.sort();
            children
        }

        fn guardians_of(&self, child: Uuid) -> Vec<Uuid> {
            let mut guardians: Vec<Uuid> = self
                .plan
                .guardianships
                .iter()
                .filter(|g| g.child_id == child)
                .map(|g| g.guardian_id)
                .collect();
            guardians.sort();
            guardians
        }

        fn groups_of(&self, person: Uuid) -> Vec<&'a Group> {
            self.plan
                .memberships
                .iter()
                .filter(|m| m.person_id == person)
                .map(|m| self.groups[&m.group_id])
                .collect()
        }

        fn duties_of(&self, person: Uuid) -> Vec<&'a Duty> {
            self.plan
                .duties
                .iter()
                .filter(|d| d.person_id == person)
                .collect()
        }

        /// The school (kind 'school') a unit belongs to.
        fn school_of_unit(&self, unit: Uuid) -> &'a Organisation {
            let parent = self.organisations[&unit].parent_id.unwrap();
            self.organisations[&parent]
        }

        fn class_of(&self, pupil: Uuid) -> &'a Group {
            let classes: Vec<_> = self
                .groups_of(pupil)
                .into_iter()
                .filter(|g| g.kind == "class")
                .collect();
            assert_eq!(classes.len(), 1, "one class per pupil");
            classes[0]
        }
    }

    #[test]
    fn more_logins_per_role_keep_the_fixed_ones_first() {
        let fixed = build(300, 7, today()).unwrap().logins;
        let many = build_with_logins(300, 7, today(), 6).unwrap().logins;
        assert_eq!(
            &many[..fixed.len()],
            &fixed[..],
            "the fixed logins, passwords and all"
        );
        let per_role = |role: Role| many.iter().filter(|l| l.role == role).count();
        for role in [Role::Guardian, Role::Teacher, Role::Principal] {
            assert_eq!(per_role(role), 6, "{role:?}");
        }
        assert_eq!(per_role(Role::ProviderAdmin), 2, "there are two providers");
        assert_eq!(per_role(Role::CaseWorker), 4);
        assert_eq!(per_role(Role::Registrar), 1);
        assert_eq!(per_role(Role::Admin), 1);
        let usernames: HashSet<&str> = many.iter().map(|l| l.username.as_str()).collect();
        let persons: HashSet<Uuid> = many.iter().map(|l| l.person_id).collect();
        assert_eq!((usernames.len(), persons.len()), (many.len(), many.len()));
        assert!(usernames.contains("guardian6") && usernames.contains("teacher6"));
    }

    #[test]
    fn the_same_seed_gives_the_same_municipality() {
        let first = build(200, 7, today()).unwrap();
        assert_eq!(first, build(200, 7, today()).unwrap());
        let other = build(200, 8, today()).unwrap();
        assert_ne!(first.persons[0].id, other.persons[0].id);
        assert_ne!(first.logins[0].password, other.logins[0].password);
    }

    #[test]
    fn passwords_depend_on_the_seed_only_and_are_memorable() {
        let small = build(60, 3, today()).unwrap();
        let large = build(2000, 3, today()).unwrap();
        let passwords = |plan: &Plan| -> Vec<String> {
            plan.logins.iter().map(|l| l.password.clone()).collect()
        };
        assert_eq!(passwords(&small), passwords(&large));
        for password in passwords(&small) {
            assert!(password.len() >= 12, "{password}");
            assert!(password.is_ascii(), "{password}");
            assert_eq!(password.split('-').count(), 3, "{password}");
        }
    }

    #[test]
    fn too_few_pupils_are_refused_naming_the_minimum() {
        let error = build(59, 1, today()).unwrap_err().to_string();
        assert!(error.contains("at least 60"), "{error}");
        assert!(build(60, 1, today()).is_ok());
    }

    #[test]
    fn personal_numbers_are_valid_unique_and_match_the_birth_date() {
        let plan = build(5000, 11, today()).unwrap();
        let mut seen = HashSet::new();
        for person in &plan.persons {
            let number = PersonalNumber::parse(&person.personal_number, today()).unwrap();
            assert_eq!(number.to_string(), person.personal_number);
            assert_eq!(number.birth_date(), person.birth_date);
            assert!(seen.insert(person.personal_number.clone()));
        }
    }

    #[test]
    fn the_demo_logins_have_the_promised_relations() {
        // Days around the turn of the year, the terms and a leap day.
        let days = [
            (2026, 11, 23),
            (2027, 1, 5),
            (2027, 1, 10),
            (2027, 8, 14),
            (2028, 2, 29),
        ]
        .map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let small = (0..40).map(|seed| (MIN_PUPILS, seed));
        for (pupils, seed) in small.chain([(61, 2), (200, 3), (1000, 4), (3000, 5)]) {
            let today = days[seed as usize % days.len()];
            assert_promised_relations(&build(pupils, seed, today).unwrap(), today);
        }
    }

    fn assert_promised_relations(plan: &Plan, today: NaiveDate) {
        let index = Index::new(plan);
        let usernames: Vec<&str> = plan.logins.iter().map(|l| l.username.as_str()).collect();
        assert_eq!(
            usernames,
            [
                "guardian1",
                "guardian2",
                "guardian3",
                "pupil1",
                "pupil2",
                "teacher1",
                "teacher2",
                "principal1",
                "principal2",
                "provider_admin1",
                "provider_admin2",
                "case_worker1",
                "case_worker2",
                "registrar1",
                "admin1",
            ]
        );
        let persons: HashSet<Uuid> = plan.logins.iter().map(|l| l.person_id).collect();
        assert_eq!(persons.len(), plan.logins.len(), "one person per login");

        // guardian1 and guardian2 share two minor children at one municipal grundskola.
        let (guardian1, guardian2) = (index.login("guardian1"), index.login("guardian2"));
        let children = index.children_of(guardian1);
        assert_eq!(children.len(), 2);
        assert_eq!(index.children_of(guardian2), children);
        let mut pair = vec![guardian1, guardian2];
        pair.sort();
        let mut schools = HashSet::new();
        for &child in &children {
            assert_eq!(index.guardians_of(child), pair);
            assert!(age_on(index.persons[&child].birth_date, today) < 18);
            assert!(!index.persons[&child].protected_identity);
            let unit = index.class_of(child).unit_id;
            assert_eq!(index.organisations[&unit].school_form, Some("grundskola"));
            schools.insert(index.school_of_unit(unit).id);
        }
        assert_eq!(schools.len(), 1, "both children at the same school");
        let school = index.organisations[schools.iter().next().unwrap()];
        assert_eq!(school.owner_kind, Some("municipal"));

        // guardian3: a protected child placed at the first independent provider.
        let guardian3 = index.login("guardian3");
        assert!(!pair.contains(&guardian3));
        let provider = plan
            .organisations
            .iter()
            .find(|o| o.kind == "provider")
            .unwrap();
        assert_eq!(provider.name, "Friskolan Norrsken AB");
        let placed_at_provider = index.children_of(guardian3).into_iter().any(|child| {
            index.persons[&child].protected_identity
                && plan.placements.iter().any(|p| {
                    p.child_id == child
                        && index.school_of_unit(p.unit_id).parent_id == Some(provider.id)
                })
        });
        assert!(placed_at_provider);

        for username in ["pupil1", "pupil2"] {
            let pupil = index.login(username);
            assert!(age_on(index.persons[&pupil].birth_date, today) >= 18);
            assert!(index.guardians_of(pupil).is_empty());
            let groups = index.groups_of(pupil);
            assert!(!groups.is_empty());
            for group in groups {
                assert_eq!(
                    index.organisations[&group.unit_id].school_form,
                    Some("komvux")
                );
            }
        }

        let teacher1 = index.duties_of(index.login("teacher1"));
        let first_class = index.class_of(children[0]).id;
        let second_class = index.class_of(children[1]).id;
        assert!(teacher1.iter().any(|d| d.duty == "mentor"
            && (d.group_id == Some(first_class) || d.group_id == Some(second_class))));

        let children_groups: HashSet<Uuid> = children
            .iter()
            .flat_map(|&c| index.groups_of(c))
            .map(|g| g.id)
            .collect();
        let teacher2 = index.duties_of(index.login("teacher2"));
        assert!(!teacher2.is_empty());
        for duty in teacher2 {
            let group = duty.group_id.unwrap();
            assert!(!children_groups.contains(&group));
            let other = index.school_of_unit(index.groups[&group].unit_id);
            assert_ne!(other.id, school.id);
            assert_eq!(other.owner_kind, Some("municipal"));
        }

        let principal1 = index.duties_of(index.login("principal1"));
        assert_eq!(principal1.len(), 1);
        assert_eq!(principal1[0].duty, "principal");
        assert_eq!(principal1[0].organisation_id, Some(school.id));
        let principal2 = index.duties_of(index.login("principal2"));
        let other = index.organisations[&principal2[0].organisation_id.unwrap()];
        assert_ne!(other.id, school.id);
        assert_eq!(
            (other.kind, other.owner_kind),
            ("school", Some("municipal"))
        );

        let providers: Vec<Uuid> = plan
            .organisations
            .iter()
            .filter(|o| o.kind == "provider")
            .map(|o| o.id)
            .collect();
        for (username, duty, organisation) in [
            ("provider_admin1", "provider_admin", providers[0]),
            ("provider_admin2", "provider_admin", providers[1]),
            ("case_worker1", "case_worker", plan.organisations[0].id),
            ("case_worker2", "case_worker", plan.organisations[0].id),
            ("registrar1", "registrar", plan.organisations[0].id),
            ("admin1", "administrator", plan.organisations[0].id),
        ] {
            let duties = index.duties_of(index.login(username));
            assert_eq!(duties.len(), 1, "{username}");
            assert_eq!(duties[0].duty, duty);
            assert_eq!(duties[0].organisation_id, Some(organisation));
        }
    }

    #[test]
    fn a_large_municipality_has_a_realistic_shape() {
        let plan = build(15_000, 1, today()).unwrap();
        let index = Index::new(&plan);
        assert_eq!(plan.organisations[0].kind, "municipality");
        assert_eq!(plan.pupils, 15_000);

        let minors: Vec<&Person> = plan
            .persons
            .iter()
            .filter(|p| age_on(p.birth_date, today()) < 18)
            .collect();
        let adults_in_komvux = plan
            .memberships
            .iter()
            .filter(|m| {
                index.organisations[&index.groups[&m.group_id].unit_id].school_form
                    == Some("komvux")
            })
            .map(|m| m.person_id)
            .collect::<HashSet<_>>()
            .len();
        assert_eq!(minors.len() + adults_in_komvux, 15_000);
        assert_eq!(adults_in_komvux, 150);

        // Every minor has one or two guardians aged 25–60, sharing the child's address.
        let mut two = 0;
        for child in &minors {
            let guardians = index.guardians_of(child.id);
            assert!((1..=2).contains(&guardians.len()));
            two += usize::from(guardians.len() == 2);
            for guardian in guardians {
                let guardian = index.persons[&guardian];
                assert!((25..=60).contains(&age_on(guardian.birth_date, today())));
                assert_eq!(guardian.street, child.street);
                assert!(guardian.email.as_ref().unwrap().ends_with("@example.se"));
            }
        }
        let share_two = two as f64 / minors.len() as f64;
        assert!((0.6..0.9).contains(&share_two), "{share_two}");

        let protected = minors.iter().filter(|p| p.protected_identity).count();
        assert!((60..=110).contains(&protected), "{protected}");
        assert!(
            plan.persons
                .iter()
                .filter(|p| p.protected_identity)
                .all(|p| age_on(p.birth_date, today()) < 18)
        );

        // Each minor is either placed in preschool or in exactly one class.
        let preschool: HashSet<Uuid> = plan
            .placements
            .iter()
            .filter(|p| p.kind == "preschool")
            .map(|p| p.child_id)
            .collect();
        let independent_preschool = plan
            .placements
            .iter()
            .filter(|p| p.kind == "preschool")
            .filter(|p| index.school_of_unit(p.unit_id).owner_kind == Some("independent"))
            .count();
        let share = independent_preschool as f64 / preschool.len() as f64;
        assert!(
            (0.18..0.32).contains(&share),
            "independent preschool share {share}"
        );
        for child in &minors {
            let in_class = index
                .groups_of(child.id)
                .iter()
                .filter(|g| g.kind == "class")
                .count();
            assert_eq!(usize::from(preschool.contains(&child.id)) + in_class, 1);
            let age = age_on(child.birth_date, today());
            if preschool.contains(&child.id) {
                assert!((1..=6).contains(&age), "preschool age {age}");
            } else {
                assert!((5..=16).contains(&age), "school age {age}");
            }
        }
        for placement in &plan.placements {
            assert!(placement.start_date < today());
            let unit = index.organisations[&placement.unit_id];
            let (form, hours) = match placement.kind {
                "preschool" => ("forskola", 15.0..=45.0),
                _ => ("fritidshem", 10.0..=30.0),
            };
            assert_eq!(unit.school_form, Some(form));
            assert!(hours.contains(&placement.hours_per_week));
        }

        // Classes of at most 26 with one mentor and one or two teachers; teachers teach a few
        // groups of one school.
        let classes: Vec<&Group> = plan.groups.iter().filter(|g| g.kind == "class").collect();
        let mut independent_pupils = 0;
        let mut class_pupils = 0;
        for class in &classes {
            let members = plan
                .memberships
                .iter()
                .filter(|m| m.group_id == class.id)
                .count();
            assert!((1..=26).contains(&members), "{} has {members}", class.name);
            class_pupils += members;
            if index.school_of_unit(class.unit_id).owner_kind == Some("independent") {
                independent_pupils += members;
            }
            let duties: Vec<&Duty> = plan
                .duties
                .iter()
                .filter(|d| d.group_id == Some(class.id))
                .collect();
            assert_eq!(duties.iter().filter(|d| d.duty == "mentor").count(), 1);
            // One or two class teachers, and the subject teachers of its timetable.
            let teachers = duties.iter().filter(|d| d.duty == "teacher").count();
            assert!(teachers >= 1);
            let lessons: Vec<&Slot> = plan
                .slots
                .iter()
                .filter(|s| s.group_id == class.id)
                .collect();
            let year = class.school_year.unwrap();
            assert_eq!(
                lessons.len(),
                timetable::lessons_per_week(year),
                "{}",
                class.name
            );
            assert!(lessons.iter().all(|s| {
                duties
                    .iter()
                    .any(|d| d.duty == "teacher" && d.person_id == s.teachers[0])
            }));
        }
        let share = independent_pupils as f64 / class_pupils as f64;
        assert!(
            (0.12..0.22).contains(&share),
            "independent school share {share}"
        );
        let mut schools_per_teacher: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
        for duty in plan.duties.iter().filter(|d| d.duty == "teacher") {
            let unit = index.groups[&duty.group_id.unwrap()].unit_id;
            schools_per_teacher
                .entry(duty.person_id)
                .or_default()
                .insert(index.school_of_unit(unit).id);
        }
        assert!(
            schools_per_teacher
                .values()
                .all(|schools| schools.len() == 1)
        );

        // One principal per school.
        for school in plan.organisations.iter().filter(|o| o.kind == "school") {
            let principals = plan
                .duties
                .iter()
                .filter(|d| d.duty == "principal" && d.organisation_id == Some(school.id))
                .count();
            assert_eq!(principals, 1, "{}", school.name);
        }
        let municipal_schools = plan
            .organisations
            .iter()
            .filter(|o| o.school_form == Some("grundskola"))
            .filter(|o| index.school_of_unit(o.id).owner_kind == Some("municipal"))
            .count();
        assert!(
            (20..=22).contains(&municipal_schools),
            "{municipal_schools}"
        );
        let codes: HashSet<&str> = plan
            .organisations
            .iter()
            .filter_map(|o| o.unit_code.as_deref())
            .collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 8 && c.bytes().all(|b| b.is_ascii_digit()))
        );
    }

    #[test]
    fn class_names_follow_the_swedish_pattern() {
        assert_eq!(class_name(0, 0), "FA");
        assert_eq!(class_name(0, 1), "FB");
        assert_eq!(class_name(3, 1), "3B");
        assert_eq!(class_name(9, 27), "9AB");
    }

    #[test]
    fn the_calendar_knows_the_school_year_and_term() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let autumn = Calendar::new(date(2026, 11, 23));
        assert_eq!((autumn.school_year, autumn.term.as_str()), (2026, "ht26"));
        assert_eq!(autumn.term_start, date(2026, 8, 15));
        let spring = Calendar::new(date(2027, 3, 1));
        assert_eq!((spring.school_year, spring.term.as_str()), (2026, "vt27"));
        assert_eq!(spring.school_year_start, date(2026, 8, 15));
        let new_year = Calendar::new(date(2027, 1, 5));
        assert_eq!(new_year.term, "ht26");
    }
}
