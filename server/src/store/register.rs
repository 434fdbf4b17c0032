//! The student register: who may see which pupil and unit, and what they see.
//!
//! Reach is computed in SQL from the register as it stands on `today`: guardianships,
//! group memberships, staff duties and placements, each effective-dated. Every query takes
//! the reader as `$1`, today as `$2` and the 18th-birthday cutoff as `$3`.

use std::sync::LazyLock;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Db, placeholders};
use crate::with_db;

/// The reader of register data and the day the register is read as of.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    pub person_id: Uuid,
    pub today: NaiveDate,
}

impl Reader {
    /// Persons born after this date are under 18 on `today`.
    pub fn adult_cutoff(&self) -> NaiveDate {
        self.today
            .checked_sub_months(chrono::Months::new(18 * 12))
            .expect("today is a recent date")
    }
}

/// `alias` is in effect on `$2`.
fn active(alias: &str) -> String {
    format!("{alias}.valid_from <= $2 AND ({alias}.valid_to IS NULL OR {alias}.valid_to >= $2)")
}

/// A placement that runs now or starts later.
const PLACEMENT_CURRENT: &str = "(pl.end_date IS NULL OR pl.end_date >= $2)";

/// `reach(pupil_id, direct)`: every pupil the reader may see, once per relation; `direct` is 1
/// for relations that may see a protected identity (the pupil, an acting guardian, the
/// pupil's teachers, mentor and principal) and 0 for a placement's provider.
static REACH: LazyLock<String> = LazyLock::new(|| {
    let (m, g, d, pl_now) = (active("m"), active("g"), active("d"), PLACEMENT_CURRENT);
    format!(
        "reach (pupil_id, direct) AS (
            SELECT p.id, CAST(1 AS BIGINT) FROM persons p WHERE p.id = $1 AND (
                EXISTS (SELECT 1 FROM group_memberships m WHERE m.person_id = p.id AND {m})
                OR EXISTS (SELECT 1 FROM placements pl WHERE pl.child_id = p.id AND {pl_now}))
            UNION ALL
            SELECT g.child_id, 1 FROM guardianships g JOIN persons c ON c.id = g.child_id
             WHERE g.guardian_id = $1 AND {g} AND c.birth_date > $3
            UNION ALL
            SELECT m.person_id, 1 FROM duties d JOIN group_memberships m ON m.group_id = d.group_id
             WHERE d.person_id = $1 AND d.duty IN ('teacher', 'mentor') AND {d} AND {m}
            UNION ALL
            SELECT m.person_id, 1 FROM duties d
              JOIN organisations u ON u.parent_id = d.organisation_id
              JOIN groups gr ON gr.unit_id = u.id
              JOIN group_memberships m ON m.group_id = gr.id
             WHERE d.person_id = $1 AND d.duty = 'principal' AND {d} AND {m}
            UNION ALL
            SELECT pl.child_id, 1 FROM duties d
              JOIN organisations u ON u.parent_id = d.organisation_id
              JOIN placements pl ON pl.unit_id = u.id
             WHERE d.person_id = $1 AND d.duty = 'principal' AND {d} AND {pl_now}
            UNION ALL
            SELECT m.person_id, 0 FROM duties d
              JOIN organisations s ON s.parent_id = d.organisation_id
              JOIN organisations u ON u.parent_id = s.id
              JOIN groups gr ON gr.unit_id = u.id
              JOIN group_memberships m ON m.group_id = gr.id
             WHERE d.person_id = $1 AND d.duty = 'provider_admin' AND {d} AND {m}
            UNION ALL
            SELECT pl.child_id, 0 FROM duties d
              JOIN organisations s ON s.parent_id = d.organisation_id
              JOIN organisations u ON u.parent_id = s.id
              JOIN placements pl ON pl.unit_id = u.id
             WHERE d.person_id = $1 AND d.duty = 'provider_admin' AND {d} AND {pl_now}
        ),
        visible (pupil_id, direct) AS (
            SELECT pupil_id, MAX(direct) FROM reach GROUP BY pupil_id
        )"
    )
});

/// `unit_reach(unit_id)`: units the reader works in or with, or that hold a pupil they see.
/// Municipality-wide staff (case workers, registrars, administrators) reach every unit.
static UNIT_REACH: LazyLock<String> = LazyLock::new(|| {
    let (m, d) = (active("m"), active("d"));
    format!(
        "{reach},
        unit_reach (unit_id) AS (
            SELECT u.id FROM organisations u WHERE u.kind = 'unit' AND EXISTS (
                SELECT 1 FROM duties d WHERE d.person_id = $1 AND {d}
                   AND d.duty IN ('case_worker', 'registrar', 'administrator'))
            UNION
            SELECT u.id FROM duties d JOIN organisations u ON u.parent_id = d.organisation_id
             WHERE d.person_id = $1 AND d.duty = 'principal' AND {d}
            UNION
            SELECT u.id FROM duties d
              JOIN organisations s ON s.parent_id = d.organisation_id
              JOIN organisations u ON u.parent_id = s.id
             WHERE d.person_id = $1 AND d.duty = 'provider_admin' AND {d}
            UNION
            SELECT gr.unit_id FROM duties d JOIN groups gr ON gr.id = d.group_id
             WHERE d.person_id = $1 AND d.duty IN ('teacher', 'mentor') AND {d}
            UNION
            SELECT gr.unit_id FROM visible v
              JOIN group_memberships m ON m.person_id = v.pupil_id
              JOIN groups gr ON gr.id = m.group_id
             WHERE {m}
            UNION
            SELECT pl.unit_id FROM visible v JOIN placements pl ON pl.child_id = v.pupil_id
             WHERE {PLACEMENT_CURRENT}
        )",
        reach = *REACH
    )
});

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PupilRow {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub protected_identity: bool,
    pub personal_number: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// 1 when the reader's relation may see a protected identity.
    pub direct: i64,
}

const PUPIL_COLUMNS: &str = "p.id, p.given_name, p.family_name, p.birth_date, \
    p.protected_identity, p.personal_number, p.street, p.postal_code, p.city, v.direct";

/// Where a pupil sorts in the reader's list: by family name, given name and id, and a pupil
/// the reader sees masked after all the others by id alone, so that their place in the list
/// says nothing of their name. A page's cursor seals the last pupil's position.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PupilPosition {
    pub masked: bool,
    pub family_name: String,
    pub given_name: String,
    pub id: Uuid,
}

impl PupilPosition {
    pub fn of(row: &PupilRow) -> PupilPosition {
        let masked = row.is_masked();
        let name = |name: &str| {
            if masked {
                String::new()
            } else {
                name.to_owned()
            }
        };
        PupilPosition {
            masked,
            family_name: name(&row.family_name),
            given_name: name(&row.given_name),
            id: row.id,
        }
    }
}

impl PupilRow {
    /// A protected identity the reader's relation may not see.
    pub fn is_masked(&self) -> bool {
        self.protected_identity && self.direct == 0
    }
}

/// One page of the pupils the reader may see, in [`PupilPosition`] order, after `after`;
/// `group` limits to a group's members.
pub async fn visible_pupils(
    db: &Db,
    reader: Reader,
    group: Option<Uuid>,
    after: Option<&PupilPosition>,
    limit: u32,
) -> sqlx::Result<Vec<PupilRow>> {
    let mut sql = format!(
        "WITH {reach}, listed AS (
            SELECT {PUPIL_COLUMNS},
                   CASE WHEN p.protected_identity AND v.direct = 0 THEN 1 ELSE 0 END AS masked
              FROM visible v JOIN persons p ON p.id = v.pupil_id
             WHERE ($4 IS NULL OR p.id IN (SELECT m.person_id FROM group_memberships m
                                           WHERE m.group_id = $4 AND {m}))),
         sorted AS (
            SELECT listed.*,
                   CASE WHEN masked = 1 THEN '' ELSE family_name END AS sort_family,
                   CASE WHEN masked = 1 THEN '' ELSE given_name END AS sort_given
              FROM listed)
         SELECT id, given_name, family_name, birth_date, protected_identity, personal_number,
                street, postal_code, city, direct FROM sorted",
        reach = *REACH,
        m = active("m"),
    );
    if after.is_some() {
        sql.push_str(" WHERE (masked, sort_family, sort_given, id) > ($5, $6, $7, $8)");
    }
    sql.push_str(" ORDER BY masked, sort_family, sort_given, id LIMIT ");
    sql.push_str(&limit.to_string());
    with_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql)
            .bind(reader.person_id)
            .bind(reader.today)
            .bind(reader.adult_cutoff())
            .bind(group);
        if let Some(after) = after {
            query = query
                .bind(i32::from(after.masked))
                .bind(&after.family_name)
                .bind(&after.given_name)
                .bind(after.id);
        }
        query.fetch_all(pool).await
    })
}

/// The pupil, if the reader may see them.
pub async fn visible_pupil(db: &Db, reader: Reader, id: Uuid) -> sqlx::Result<Option<PupilRow>> {
    let sql = format!(
        "WITH {reach} SELECT {PUPIL_COLUMNS} FROM visible v JOIN persons p ON p.id = v.pupil_id \
         WHERE p.id = $4",
        reach = *REACH
    );
    with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(reader.person_id)
            .bind(reader.today)
            .bind(reader.adult_cutoff())
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// The pupils among `ids` that the reader may see.
pub async fn visible_pupils_among(
    db: &Db,
    reader: Reader,
    ids: &[Uuid],
) -> sqlx::Result<Vec<PupilRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "WITH {reach} SELECT {PUPIL_COLUMNS} FROM visible v JOIN persons p ON p.id = v.pupil_id \
         WHERE p.id IN ({list})",
        reach = *REACH,
        list = placeholders(4, ids.len())
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql)
            .bind(reader.person_id)
            .bind(reader.today)
            .bind(reader.adult_cutoff());
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })
}

/// A pupil's current group, with its unit and school.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRow {
    pub person_id: Uuid,
    pub group_id: Uuid,
    pub group_name: String,
    pub group_kind: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub school_id: Uuid,
    pub school_name: String,
}

pub async fn memberships_of(
    db: &Db,
    today: NaiveDate,
    persons: &[Uuid],
) -> sqlx::Result<Vec<MembershipRow>> {
    if persons.is_empty() {
        return Ok(Vec::new());
    }
    // `$1` is unused here; keeping `$2` as today lets `active()` serve every query.
    let sql = format!(
        "SELECT m.person_id, gr.id AS group_id, gr.name AS group_name, gr.kind AS group_kind, \
                u.id AS unit_id, u.name AS unit_name, s.id AS school_id, s.name AS school_name \
         FROM group_memberships m JOIN groups gr ON gr.id = m.group_id \
           JOIN organisations u ON u.id = gr.unit_id JOIN organisations s ON s.id = u.parent_id \
         WHERE $1 = $1 AND {m} AND m.person_id IN ({list}) \
         ORDER BY m.person_id, gr.kind, gr.name",
        m = active("m"),
        list = placeholders(3, persons.len())
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql).bind(0_i64).bind(today);
        for id in persons {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlacementRow {
    pub id: Uuid,
    pub child_id: Uuid,
    pub kind: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub school_id: Uuid,
    pub school_name: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub hours_per_week: f64,
}

const PLACEMENT_COLUMNS: &str = "pl.id, pl.child_id, pl.kind, u.id AS unit_id, \
    u.name AS unit_name, s.id AS school_id, s.name AS school_name, pl.start_date, pl.end_date, \
    pl.hours_per_week";

/// Current and coming placements of the given children.
pub async fn placements_of(
    db: &Db,
    today: NaiveDate,
    children: &[Uuid],
) -> sqlx::Result<Vec<PlacementRow>> {
    if children.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {PLACEMENT_COLUMNS} FROM placements pl \
           JOIN organisations u ON u.id = pl.unit_id JOIN organisations s ON s.id = u.parent_id \
         WHERE $1 = $1 AND {PLACEMENT_CURRENT} AND pl.child_id IN ({list}) \
         ORDER BY pl.child_id, pl.start_date",
        list = placeholders(3, children.len())
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql).bind(0_i64).bind(today);
        for id in children {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })
}

/// Current and coming placements at a unit.
pub async fn placements_at(
    db: &Db,
    today: NaiveDate,
    unit: Uuid,
) -> sqlx::Result<Vec<PlacementRow>> {
    let sql = format!(
        "SELECT {PLACEMENT_COLUMNS} FROM placements pl \
           JOIN organisations u ON u.id = pl.unit_id JOIN organisations s ON s.id = u.parent_id \
         WHERE pl.unit_id = $1 AND {PLACEMENT_CURRENT} ORDER BY pl.start_date, pl.id"
    );
    with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(unit)
            .bind(today)
            .fetch_all(pool)
            .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonNameRow {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
}

/// Acting guardians: none once the pupil has turned 18.
pub async fn guardians_of(
    db: &Db,
    reader: Reader,
    child: Uuid,
) -> sqlx::Result<Vec<PersonNameRow>> {
    let sql = format!(
        "SELECT p.id, p.given_name, p.family_name FROM guardianships g \
           JOIN persons p ON p.id = g.guardian_id JOIN persons c ON c.id = g.child_id \
         WHERE g.child_id = $1 AND {g} AND c.birth_date > $3 ORDER BY p.family_name, p.given_name",
        g = active("g")
    );
    with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(child)
            .bind(reader.today)
            .bind(reader.adult_cutoff())
            .fetch_all(pool)
            .await
    })
}

pub async fn mentors_of(
    db: &Db,
    today: NaiveDate,
    pupil: Uuid,
) -> sqlx::Result<Vec<PersonNameRow>> {
    let sql = format!(
        "SELECT DISTINCT p.id, p.given_name, p.family_name FROM group_memberships m \
           JOIN duties d ON d.group_id = m.group_id JOIN persons p ON p.id = d.person_id \
         WHERE m.person_id = $1 AND d.duty = 'mentor' AND {m} AND {d} \
         ORDER BY p.family_name, p.given_name",
        m = active("m"),
        d = active("d")
    );
    with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(pupil)
            .bind(today)
            .fetch_all(pool)
            .await
    })
}

/// Whether the reader is the person or one of their acting guardians: the only readers of a
/// protected person's address.
pub async fn is_self_or_guardian(db: &Db, reader: Reader, person: Uuid) -> sqlx::Result<bool> {
    if reader.person_id == person {
        return Ok(true);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM guardianships g JOIN persons c ON c.id = g.child_id \
         WHERE g.guardian_id = $1 AND {g} AND c.birth_date > $3 AND g.child_id = $4",
        g = active("g")
    );
    let (count,): (i64,) = with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(reader.person_id)
            .bind(reader.today)
            .bind(reader.adult_cutoff())
            .bind(person)
            .fetch_one(pool)
            .await
    })?;
    Ok(count > 0)
}

/// The duties a person holds on `today`, plus whether they are a pupil or acting guardian:
/// the input for their roles.
#[derive(Debug, Clone, Default)]
pub struct Relations {
    pub duties: Vec<String>,
    pub is_pupil: bool,
    pub is_guardian: bool,
}

pub async fn relations_of(db: &Db, reader: Reader) -> sqlx::Result<Relations> {
    let sql = format!(
        "SELECT 'duty', d.duty FROM duties d WHERE d.person_id = $1 AND {d}
         UNION ALL
         SELECT 'pupil', '' FROM group_memberships m WHERE m.person_id = $1 AND {m}
         UNION ALL
         SELECT 'pupil', '' FROM placements pl WHERE pl.child_id = $1 AND {PLACEMENT_CURRENT}
         UNION ALL
         SELECT 'guardian', '' FROM guardianships g JOIN persons c ON c.id = g.child_id
          WHERE g.guardian_id = $1 AND {g} AND c.birth_date > $3",
        d = active("d"),
        m = active("m"),
        g = active("g")
    );
    let rows: Vec<(String, String)> = with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(reader.person_id)
            .bind(reader.today)
            .bind(reader.adult_cutoff())
            .fetch_all(pool)
            .await
    })?;
    let mut relations = Relations::default();
    for (kind, duty) in rows {
        match kind.as_str() {
            "duty" => relations.duties.push(duty),
            "pupil" => relations.is_pupil = true,
            _ => relations.is_guardian = true,
        }
    }
    Ok(relations)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRow {
    pub id: Uuid,
    pub name: String,
    pub school_form: String,
    pub unit_code: Option<String>,
    pub school_id: Uuid,
    pub school_name: String,
    pub owner_kind: String,
    pub owner_id: Uuid,
    pub owner_name: String,
}

const UNIT_COLUMNS: &str = "u.id, u.name, u.school_form, u.unit_code, s.id AS school_id, \
    s.name AS school_name, s.owner_kind, o.id AS owner_id, o.name AS owner_name";
const UNIT_JOINS: &str = "organisations u JOIN organisations s ON s.id = u.parent_id JOIN organisations o ON o.id = s.parent_id";

/// Where a unit sorts: by school name, unit name and id. A page's cursor seals the last one's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitPosition {
    pub school_name: String,
    pub name: String,
    pub id: Uuid,
}

impl UnitPosition {
    pub fn of(row: &UnitRow) -> UnitPosition {
        UnitPosition {
            school_name: row.school_name.clone(),
            name: row.name.clone(),
            id: row.id,
        }
    }
}

/// One page of the units the reader reaches, in [`UnitPosition`] order, after `after`.
pub async fn visible_units(
    db: &Db,
    reader: Reader,
    after: Option<&UnitPosition>,
    limit: u32,
) -> sqlx::Result<Vec<UnitRow>> {
    let mut sql = format!(
        "WITH {reach} SELECT {UNIT_COLUMNS} FROM {UNIT_JOINS} \
         WHERE u.id IN (SELECT unit_id FROM unit_reach)",
        reach = *UNIT_REACH
    );
    if after.is_some() {
        sql.push_str(" AND (s.name, u.name, u.id) > ($4, $5, $6)");
    }
    sql.push_str(" ORDER BY s.name, u.name, u.id LIMIT ");
    sql.push_str(&limit.to_string());
    with_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql)
            .bind(reader.person_id)
            .bind(reader.today)
            .bind(reader.adult_cutoff());
        if let Some(after) = after {
            query = query
                .bind(&after.school_name)
                .bind(&after.name)
                .bind(after.id);
        }
        query.fetch_all(pool).await
    })
}

pub async fn visible_unit(db: &Db, reader: Reader, id: Uuid) -> sqlx::Result<Option<UnitRow>> {
    let sql = format!(
        "WITH {reach} SELECT {UNIT_COLUMNS} FROM {UNIT_JOINS} \
         WHERE u.id = $4 AND u.id IN (SELECT unit_id FROM unit_reach)",
        reach = *UNIT_REACH
    );
    with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(reader.person_id)
            .bind(reader.today)
            .bind(reader.adult_cutoff())
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub member_count: i64,
}

/// The unit's groups in effect today, with their current member counts.
pub async fn groups_at(db: &Db, today: NaiveDate, unit: Uuid) -> sqlx::Result<Vec<GroupRow>> {
    let sql = format!(
        "SELECT gr.id, gr.name, gr.kind, \
                (SELECT COUNT(*) FROM group_memberships m WHERE m.group_id = gr.id AND {m}) \
                  AS member_count \
         FROM groups gr WHERE gr.unit_id = $1 AND {gr} ORDER BY gr.kind, gr.name",
        m = active("m"),
        gr = active("gr")
    );
    with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(unit)
            .bind(today)
            .fetch_all(pool)
            .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffGroupRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub school_id: Uuid,
    pub school_name: String,
    /// 3 mentor, 2 teacher, 1 through the organisation.
    pub relation: i64,
    pub member_count: i64,
}

/// The groups a member of staff works with: taught or mentored, or in their school's or
/// provider's units.
pub async fn staff_groups(db: &Db, reader: Reader) -> sqlx::Result<Vec<StaffGroupRow>> {
    let (d, m, gr) = (active("d"), active("m"), active("gr"));
    let sql = format!(
        "WITH related (group_id, relation) AS (
            SELECT d.group_id, CASE WHEN d.duty = 'mentor' THEN CAST(3 AS BIGINT) ELSE 2 END
              FROM duties d WHERE d.person_id = $1 AND d.duty IN ('teacher', 'mentor') AND {d}
            UNION ALL
            SELECT gr.id, 1 FROM duties d
              JOIN organisations u ON u.parent_id = d.organisation_id
              JOIN groups gr ON gr.unit_id = u.id
             WHERE d.person_id = $1 AND d.duty = 'principal' AND {d}
            UNION ALL
            SELECT gr.id, 1 FROM duties d
              JOIN organisations s ON s.parent_id = d.organisation_id
              JOIN organisations u ON u.parent_id = s.id
              JOIN groups gr ON gr.unit_id = u.id
             WHERE d.person_id = $1 AND d.duty = 'provider_admin' AND {d}
        ),
        strongest (group_id, relation) AS (
            SELECT group_id, MAX(relation) FROM related GROUP BY group_id
        )
        SELECT gr.id, gr.name, gr.kind, u.id AS unit_id, u.name AS unit_name,
               s.id AS school_id, s.name AS school_name, r.relation,
               (SELECT COUNT(*) FROM group_memberships m WHERE m.group_id = gr.id AND {m})
                 AS member_count
          FROM strongest r JOIN groups gr ON gr.id = r.group_id
          JOIN organisations u ON u.id = gr.unit_id JOIN organisations s ON s.id = u.parent_id
         WHERE $3 = $3 AND {gr}
         ORDER BY r.relation DESC, s.name, gr.name"
    );
    with_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(reader.person_id)
            .bind(reader.today)
            .bind(reader.adult_cutoff())
            .fetch_all(pool)
            .await
    })
}

pub async fn person_name(db: &Db, id: Uuid) -> sqlx::Result<PersonNameRow> {
    with_db!(db, |pool| {
        sqlx::query_as("SELECT id, given_name, family_name FROM persons WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
    })
}

pub async fn person_name_opt(db: &Db, id: Uuid) -> sqlx::Result<Option<PersonNameRow>> {
    with_db!(db, |pool| {
        sqlx::query_as("SELECT id, given_name, family_name FROM persons WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// The principals of the schools where the pupil is in a group today.
pub async fn principals_of(
    db: &Db,
    today: NaiveDate,
    pupil: Uuid,
) -> sqlx::Result<Vec<PersonNameRow>> {
    let sql = format!(
        "SELECT DISTINCT p.id, p.given_name, p.family_name FROM group_memberships m \
           JOIN groups gr ON gr.id = m.group_id JOIN organisations u ON u.id = gr.unit_id \
           JOIN duties d ON d.organisation_id = u.parent_id AND d.duty = 'principal' \
           JOIN persons p ON p.id = d.person_id \
         WHERE m.person_id = $1 AND {m} AND {d} ORDER BY p.family_name, p.given_name",
        m = active("m"),
        d = active("d")
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(pupil)
        .bind(today)
        .fetch_all(pool)
        .await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonBasicRow {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub protected_identity: bool,
}

pub async fn person_basic(db: &Db, id: Uuid) -> sqlx::Result<Option<PersonBasicRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, given_name, family_name, birth_date, protected_identity FROM persons WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

/// Whether `guardian` has custody of `child` today, whatever the child's age.
pub async fn has_guardianship(
    db: &Db,
    guardian: Uuid,
    child: Uuid,
    today: NaiveDate,
) -> sqlx::Result<bool> {
    let sql = format!(
        "SELECT COUNT(*) FROM guardianships g WHERE g.guardian_id = $1 AND {g} AND g.child_id = $3",
        g = active("g")
    );
    let count: i64 = with_db!(db, |pool| {
        sqlx::query_scalar(&sql)
            .bind(guardian)
            .bind(today)
            .bind(child)
            .fetch_one(pool)
            .await
    })?;
    Ok(count > 0)
}

/// Everyone with a duty today and the duty, by name.
pub async fn staff(db: &Db, today: NaiveDate) -> sqlx::Result<Vec<(Uuid, String, String, String)>> {
    let sql = format!(
        "SELECT DISTINCT p.id, p.given_name, p.family_name, d.duty FROM duties d \
           JOIN persons p ON p.id = d.person_id WHERE $1 = $1 AND {d} \
         ORDER BY p.family_name, p.given_name, p.id, d.duty",
        d = active("d")
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(0_i64)
        .bind(today)
        .fetch_all(pool)
        .await)
}

/// The municipality's name, as its organisation is named in the register.
pub async fn municipality_name(db: &Db) -> sqlx::Result<Option<String>> {
    with_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT name FROM organisations WHERE kind = 'municipality' ORDER BY created_at LIMIT 1",
        )
        .fetch_optional(pool)
        .await
    })
}
