//! Cases: types as data, gapless registry numbers, status changes along allowed transitions,
//! history, parties, notes, subtasks and decisions.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::register::Reader;
use super::{Db, Tx, sqlite};
use crate::{with_db, with_tx};

/// A case type with its statuses, transitions, document and result types (seeded data).
pub struct CaseTypeSeed {
    pub code: &'static str,
    pub name: (&'static str, &'static str),
    pub handling_days: i32,
    pub publicity_class: &'static str,
    /// code, (internal sv, en), (public sv, en), notify applicant
    pub statuses: &'static [StatusSeed],
    pub transitions: &'static [(&'static str, &'static str)],
    /// code, (sv, en), publicity class
    pub document_types: &'static [(&'static str, (&'static str, &'static str), &'static str)],
    /// outcome, retention years (None: keep permanently)
    pub result_types: &'static [(&'static str, Option<i32>)],
}

pub struct StatusSeed {
    pub code: &'static str,
    pub name: (&'static str, &'static str),
    pub public_name: (&'static str, &'static str),
    pub notify: bool,
}

/// Inserts the case types that are missing; existing ones (perhaps edited) are left alone.
pub async fn seed_case_types(
    db: &Db,
    seeds: &[CaseTypeSeed],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    for seed in seeds {
        with_tx!(&mut tx, |conn| {
            let inserted = sqlx::query(
                "INSERT INTO case_types (code, name_sv, name_en, handling_days, publicity_class, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (code) DO NOTHING",
            )
            .bind(seed.code)
            .bind(seed.name.0)
            .bind(seed.name.1)
            .bind(seed.handling_days)
            .bind(seed.publicity_class)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if inserted == 1 {
                for (position, status) in seed.statuses.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO case_statuses (case_type, code, position, name_sv, name_en, \
                         public_name_sv, public_name_en, notify_applicant, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                    )
                    .bind(seed.code)
                    .bind(status.code)
                    .bind(position as i32)
                    .bind(status.name.0)
                    .bind(status.name.1)
                    .bind(status.public_name.0)
                    .bind(status.public_name.1)
                    .bind(status.notify)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                }
                for (from, to) in seed.transitions {
                    sqlx::query(
                        "INSERT INTO case_transitions (case_type, from_status, to_status, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $4)",
                    )
                    .bind(seed.code)
                    .bind(*from)
                    .bind(*to)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                }
                for (code, (sv, en), publicity) in seed.document_types {
                    sqlx::query(
                        "INSERT INTO document_types (case_type, code, name_sv, name_en, publicity_class, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    )
                    .bind(seed.code)
                    .bind(*code)
                    .bind(*sv)
                    .bind(*en)
                    .bind(*publicity)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                }
                for (outcome, years) in seed.result_types {
                    sqlx::query(
                        "INSERT INTO result_types (case_type, outcome, retention_years, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $4)",
                    )
                    .bind(seed.code)
                    .bind(*outcome)
                    .bind(*years)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                }
            }
        });
    }
    tx.commit().await
}

pub struct NewCase<'a> {
    pub case_type: &'a str,
    pub status: &'a str,
    pub title: &'a str,
    pub applicant: Uuid,
    pub co_applicants: &'a [Uuid],
    pub subject: Option<Uuid>,
    pub actor: Option<Uuid>,
}

/// Creates a case inside `tx`, taking the year's next registry number. The number is only
/// used if `tx` commits, and the series row's lock (PostgreSQL) or the single writer (SQLite)
/// hands numbers out one at a time: gapless and unique.
pub async fn create(
    tx: &mut Tx,
    case: &NewCase<'_>,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> sqlx::Result<(Uuid, i32, i32)> {
    use chrono::Datelike;
    let id = Uuid::new_v4();
    let year = today.year();
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO case_number_series (year, last_serial) VALUES ($1, 0) \
             ON CONFLICT (year) DO NOTHING",
        )
        .bind(year)
        .execute(&mut *conn)
        .await?;
        let (serial,): (i32,) = sqlx::query_as(
            "UPDATE case_number_series SET last_serial = last_serial + 1 WHERE year = $1 \
             RETURNING last_serial",
        )
        .bind(year)
        .fetch_one(&mut *conn)
        .await?;
        let (handling_days, publicity): (i32, String) =
            sqlx::query_as("SELECT handling_days, publicity_class FROM case_types WHERE code = $1")
                .bind(case.case_type)
                .fetch_one(&mut *conn)
                .await?;
        let due_date = today + chrono::Days::new(handling_days as u64);
        sqlx::query(
            "INSERT INTO cases (id, year, serial, case_type, status, title, applicant_id, subject_id, \
             due_date, publicity_class, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(id)
        .bind(year)
        .bind(serial)
        .bind(case.case_type)
        .bind(case.status)
        .bind(case.title)
        .bind(case.applicant)
        .bind(case.subject)
        .bind(due_date)
        .bind(publicity)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        let parties = std::iter::once((case.applicant, "applicant"))
            .chain(case.co_applicants.iter().map(|p| (*p, "co_applicant")));
        for (person, role) in parties {
            sqlx::query(
                "INSERT INTO case_parties (case_id, person_id, role, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(id)
            .bind(person)
            .bind(role)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok((id, year, serial))
    })
}

/// Appends to the case's history.
pub async fn record_event(
    tx: &mut Tx,
    case_id: Uuid,
    actor: Option<Uuid>,
    kind: &str,
    change: Option<(&str, &str)>,
    detail: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO case_events (id, case_id, at, actor_id, kind, from_status, to_status, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::new_v4())
        .bind(case_id)
        .bind(now)
        .bind(actor)
        .bind(kind)
        .bind(change.map(|c| c.0))
        .bind(change.map(|c| c.1))
        .bind(detail)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

/// The result of asking for a status change.
#[derive(Debug, PartialEq, Eq)]
pub enum Transition {
    /// Done; the case was in `from`.
    Done { from: String },
    /// The case type does not allow going from the current status to the new one.
    NotAllowed { from: String },
}

/// Moves the case to `to` if its type allows it from the current status, and records it.
pub async fn transition(
    tx: &mut Tx,
    case_id: Uuid,
    to: &str,
    actor: Option<Uuid>,
    detail: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Transition> {
    let (from,): (String,) = with_tx!(&mut *tx, |conn| {
        sqlx::query_as("SELECT status FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_one(&mut *conn)
            .await?
    });
    let changed = with_tx!(&mut *tx, |conn| {
        sqlx::query(
            "UPDATE cases SET status = $2, updated_at = $4, \
                 closed_at = CASE WHEN $2 IN ('closed', 'withdrawn') THEN $4 ELSE closed_at END \
             WHERE id = $1 AND status = $3 AND EXISTS (SELECT 1 FROM case_transitions t \
                 WHERE t.case_type = cases.case_type AND t.from_status = $3 AND t.to_status = $2)",
        )
        .bind(case_id)
        .bind(to)
        .bind(&from)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    if changed != 1 {
        return Ok(Transition::NotAllowed { from });
    }
    record_event(tx, case_id, actor, "status", Some((&from, to)), detail, now).await?;
    Ok(Transition::Done { from })
}

/// The columns behind [`shared::cases::CaseSummary`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: Uuid,
    pub year: i32,
    pub serial: i32,
    pub case_type: String,
    pub type_name_sv: String,
    pub type_name_en: String,
    pub status: String,
    pub status_name_sv: String,
    pub status_name_en: String,
    pub public_name_sv: String,
    pub public_name_en: String,
    pub title: String,
    pub applicant_id: Uuid,
    pub subject_id: Option<Uuid>,
    pub subject_given_name: Option<String>,
    pub subject_family_name: Option<String>,
    pub subject_protected: Option<bool>,
    pub owner_id: Option<Uuid>,
    pub owner_given_name: Option<String>,
    pub owner_family_name: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub due_date: NaiveDate,
    pub publicity_class: String,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `case_row` reads these by position: keep the order of [`CaseRow`]'s fields.
const CASE_COLUMNS: &str = "c.id, c.year, c.serial, c.case_type, ct.name_sv AS type_name_sv, \
    ct.name_en AS type_name_en, c.status, cs.name_sv AS status_name_sv, cs.name_en AS status_name_en, \
    cs.public_name_sv, cs.public_name_en, c.title, c.applicant_id, c.subject_id, \
    s.given_name AS subject_given_name, s.family_name AS subject_family_name, \
    s.protected_identity AS subject_protected, c.owner_id, \
    o.given_name AS owner_given_name, o.family_name AS owner_family_name, c.deadline, c.due_date, \
    c.publicity_class, c.outcome, c.created_at";
const CASE_JOINS: &str = "cases c JOIN case_types ct ON ct.code = c.case_type \
    JOIN case_statuses cs ON cs.case_type = c.case_type AND cs.code = c.status \
    LEFT JOIN persons o ON o.id = c.owner_id LEFT JOIN persons s ON s.id = c.subject_id";

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseView {
    /// Cases nobody owns that the case office handles — new ones, and open ones an owner
    /// handed over to a team: the distributors' queue, of the case types the reader's duty
    /// covers (a registrar's: every type).
    Queue(Uuid, NaiveDate),
    /// Cases the reader owns and has not closed.
    Mine(Uuid),
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub case_type: Option<String>,
    pub status: Option<String>,
    /// Only cases whose due date has passed (as of `today`).
    pub overdue_on: Option<NaiveDate>,
}

/// Where a case sorts in a list: by due date, then id. A page's cursor seals the last one's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CasePosition {
    pub due_date: NaiveDate,
    pub id: Uuid,
}

impl CasePosition {
    pub fn of(row: &CaseRow) -> CasePosition {
        CasePosition {
            due_date: row.due_date,
            id: row.id,
        }
    }
}

/// One page of cases in [`CasePosition`] order, after `after`.
pub async fn list(
    db: &Db,
    view: CaseView,
    filter: &CaseFilter,
    after: Option<CasePosition>,
    limit: u32,
) -> sqlx::Result<Vec<CaseRow>> {
    let (sql, values) = list_statement(view, filter, after, limit);
    match db {
        // Read on this thread: through sqlx's worker thread the hand-offs of 50 rows of 25
        // columns cost several times the statement (see `store::sqlite`).
        Db::Sqlite { direct, .. } => {
            let values: Vec<Box<dyn rusqlite::ToSql + '_>> = values
                .into_iter()
                .map(|value| -> Box<dyn rusqlite::ToSql + '_> {
                    match value {
                        ListValue::Id(id) => Box::new(sqlite::Id(id)),
                        ListValue::Text(text) => Box::new(text),
                        ListValue::Date(date) => Box::new(sqlite::Date(date)),
                    }
                })
                .collect();
            let values: Vec<&dyn rusqlite::ToSql> = values.iter().map(|v| &**v).collect();
            direct.all(&sql, &values, case_row)
        }
        Db::Postgres(pool) => {
            let mut query = sqlx::query_as(&sql);
            for value in values {
                query = match value {
                    ListValue::Id(id) => query.bind(id),
                    ListValue::Text(text) => query.bind(text),
                    ListValue::Date(date) => query.bind(date),
                };
            }
            query.fetch_all(pool).await
        }
    }
}

/// A value bound to the list statement.
enum ListValue<'a> {
    Id(Uuid),
    Text(&'a str),
    Date(NaiveDate),
}

/// The list statement with only the filters that are set, so that each combination is planned
/// for what it asks (a generic `$n IS NULL OR …` plan made PostgreSQL several times slower).
/// Its placeholders are `$1`, `$2`, … in the order of the values.
fn list_statement<'a>(
    view: CaseView,
    filter: &'a CaseFilter,
    after: Option<CasePosition>,
    limit: u32,
) -> (String, Vec<ListValue<'a>>) {
    let mut sql = format!("SELECT {CASE_COLUMNS} FROM {CASE_JOINS} WHERE ");
    let mut values = Vec::new();
    let mut condition = |sql: &mut String, before: &str, value: ListValue<'a>, after: &str| {
        values.push(value);
        sql.push_str(&format!("{before}${}{after}", values.len()));
    };
    match view {
        CaseView::Queue(person, today) => {
            condition(
                &mut sql,
                "c.owner_id IS NULL AND c.closed_at IS NULL AND c.status IN ('new', 'open') \
                 AND c.routed_to_organisation_id IS NULL \
                 AND EXISTS (SELECT 1 FROM duties d WHERE d.person_id = ",
                ListValue::Id(person),
                " AND (d.duty = 'registrar' OR d.duty = 'case_worker' AND (\
                   NOT EXISTS (SELECT 1 FROM duty_case_types x WHERE x.duty_id = d.id) \
                   OR EXISTS (SELECT 1 FROM duty_case_types x WHERE x.duty_id = d.id \
                                                                AND x.case_type = c.case_type)))",
            );
            condition(
                &mut sql,
                " AND d.valid_from <= ",
                ListValue::Date(today),
                "",
            );
            condition(
                &mut sql,
                " AND (d.valid_to IS NULL OR d.valid_to >= ",
                ListValue::Date(today),
                "))",
            );
        }
        CaseView::Mine(person) => condition(
            &mut sql,
            "c.owner_id = ",
            ListValue::Id(person),
            " AND c.closed_at IS NULL",
        ),
    }
    if let Some(case_type) = &filter.case_type {
        condition(
            &mut sql,
            " AND c.case_type = ",
            ListValue::Text(case_type),
            "",
        );
    }
    if let Some(status) = &filter.status {
        condition(&mut sql, " AND c.status = ", ListValue::Text(status), "");
    }
    if let Some(today) = filter.overdue_on {
        condition(&mut sql, " AND c.due_date < ", ListValue::Date(today), "");
    }
    if let Some(after) = after {
        condition(
            &mut sql,
            " AND (c.due_date, c.id) > (",
            ListValue::Date(after.due_date),
            "",
        );
        condition(&mut sql, ", ", ListValue::Id(after.id), ")");
    }
    sql.push_str(&format!(" ORDER BY c.due_date, c.id LIMIT {limit}"));
    (sql, values)
}

/// A [`CaseRow`] from a row of a `CASE_COLUMNS` select, read with rusqlite. By position, in
/// `CASE_COLUMNS`' order: looking 25 names up in every row was 7 % of a list request's CPU.
fn case_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    let id = |column| row.get::<_, sqlite::Id>(column).map(|id| id.0);
    let maybe_id = |column| {
        row.get::<_, Option<sqlite::Id>>(column)
            .map(|id| id.map(|id| id.0))
    };
    Ok(CaseRow {
        id: id(0)?,
        year: row.get(1)?,
        serial: row.get(2)?,
        case_type: row.get(3)?,
        type_name_sv: row.get(4)?,
        type_name_en: row.get(5)?,
        status: row.get(6)?,
        status_name_sv: row.get(7)?,
        status_name_en: row.get(8)?,
        public_name_sv: row.get(9)?,
        public_name_en: row.get(10)?,
        title: row.get(11)?,
        applicant_id: id(12)?,
        subject_id: maybe_id(13)?,
        subject_given_name: row.get(14)?,
        subject_family_name: row.get(15)?,
        subject_protected: row.get(16)?,
        owner_id: maybe_id(17)?,
        owner_given_name: row.get(18)?,
        owner_family_name: row.get(19)?,
        deadline: row.get::<_, Option<sqlite::Date>>(20)?.map(|d| d.0),
        due_date: row.get::<_, sqlite::Date>(21)?.0,
        publicity_class: row.get(22)?,
        outcome: row.get(23)?,
        created_at: row.get::<_, sqlite::Time>(24)?.0,
    })
}

pub async fn get(db: &Db, id: Uuid) -> sqlx::Result<Option<CaseRow>> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM {CASE_JOINS} WHERE c.id = $1");
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// The reader's relations to a case, for deciding what they may see and do (the rules are
/// in `crate::access`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseRelation {
    /// A case worker whose duty covers the case: its type, and the case office's cases or
    /// those of the school the duty is at.
    pub case_office: bool,
    /// A registrar: the registry's metadata of every case, not its content.
    pub registrar: bool,
    pub owner: bool,
    /// Has a subtask on the case, while the case is not closed (a solved subtask's answer
    /// may still be asked about until the decision is made and the case closed).
    pub subtask_assignee: bool,
    /// The applicant or a co-applicant: the subject themselves, their acting guardian now,
    /// or on a case without a subject.
    pub party: bool,
    /// Has taken the explicit, logged step to see the protected subject's identity.
    pub identity_disclosed: bool,
}

impl CaseRelation {
    /// Handles the case: reads its content.
    pub fn is_staff(&self) -> bool {
        self.case_office || self.owner || self.subtask_assignee
    }

    pub fn any(&self) -> bool {
        self.is_staff() || self.registrar || self.party
    }
}

pub async fn relation(
    db: &Db,
    person: Uuid,
    case_id: Uuid,
    today: NaiveDate,
) -> sqlx::Result<CaseRelation> {
    const RELATION: &str = "SELECT 'office' FROM duties d JOIN cases c ON c.id = $2 \
         WHERE d.person_id = $1 AND d.duty = 'case_worker' AND (\
               NOT EXISTS (SELECT 1 FROM duty_case_types x WHERE x.duty_id = d.id) \
               OR EXISTS (SELECT 1 FROM duty_case_types x WHERE x.duty_id = d.id \
                                                            AND x.case_type = c.case_type)) \
           AND d.valid_from <= $3 AND (d.valid_to IS NULL OR d.valid_to >= $3) \
           AND (c.routed_to_organisation_id IS NULL OR c.routed_to_organisation_id = d.organisation_id) \
         UNION ALL SELECT 'registrar' FROM duties d WHERE d.person_id = $1 AND d.duty = 'registrar' \
           AND d.valid_from <= $3 AND (d.valid_to IS NULL OR d.valid_to >= $3) \
           AND EXISTS (SELECT 1 FROM cases c WHERE c.id = $2) \
         UNION ALL SELECT 'owner' FROM cases c WHERE c.id = $2 AND c.owner_id = $1 \
         UNION ALL SELECT 'assignee' FROM case_subtasks s JOIN cases c ON c.id = s.case_id \
          WHERE s.case_id = $2 AND s.assignee_id = $1 AND c.status NOT IN ('closed', 'withdrawn') \
         UNION ALL SELECT 'party' FROM case_parties p JOIN cases c ON c.id = p.case_id \
          WHERE p.case_id = $2 AND p.person_id = $1 \
            AND (c.subject_id IS NULL OR c.subject_id = $1 OR EXISTS ( \
                 SELECT 1 FROM guardianships g JOIN persons ch ON ch.id = g.child_id \
                  WHERE g.guardian_id = $1 AND g.child_id = c.subject_id AND ch.birth_date > $4 \
                    AND g.valid_from <= $3 AND (g.valid_to IS NULL OR g.valid_to >= $3))) \
         UNION ALL SELECT 'disclosed' FROM case_identity_disclosures x \
          WHERE x.case_id = $2 AND x.person_id = $1";
    let adult_cutoff = super::register::Reader {
        person_id: person,
        today,
    }
    .adult_cutoff();
    // Asked before nearly every answer about a case: read on this thread (see `store::sqlite`).
    let rows: Vec<(String,)> = match db {
        Db::Sqlite { direct, .. } => direct.all(
            RELATION,
            &[
                &sqlite::Id(person),
                &sqlite::Id(case_id),
                &sqlite::Date(today),
                &sqlite::Date(adult_cutoff),
            ],
            |row| Ok((row.get(0)?,)),
        )?,
        Db::Postgres(pool) => {
            sqlx::query_as(RELATION)
                .bind(person)
                .bind(case_id)
                .bind(today)
                .bind(adult_cutoff)
                .fetch_all(pool)
                .await?
        }
    };
    let mut relation = CaseRelation::default();
    for (kind,) in rows {
        match kind.as_str() {
            "office" => relation.case_office = true,
            "registrar" => relation.registrar = true,
            "owner" => relation.owner = true,
            "assignee" => relation.subtask_assignee = true,
            "disclosed" => relation.identity_disclosed = true,
            _ => relation.party = true,
        }
    }
    Ok(relation)
}

/// The reader's duties in the case office on `today`: what lists and choices they get.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OfficeDuties {
    /// Distributes and handles the cases of the types the duty covers.
    pub case_worker: bool,
    /// Keeps the registry: sees every case's metadata.
    pub registrar: bool,
}

impl OfficeDuties {
    pub fn any(&self) -> bool {
        self.case_worker || self.registrar
    }
}

pub async fn office_duties(db: &Db, person: Uuid, today: NaiveDate) -> sqlx::Result<OfficeDuties> {
    let duties: Vec<(String,)> = with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT d.duty FROM duties d WHERE d.person_id = $1 \
               AND d.duty IN ('case_worker', 'registrar') \
               AND d.valid_from <= $2 AND (d.valid_to IS NULL OR d.valid_to >= $2)",
        )
        .bind(person)
        .bind(today)
        .fetch_all(pool)
        .await
    })?;
    Ok(OfficeDuties {
        case_worker: duties.iter().any(|(d,)| d == "case_worker"),
        registrar: duties.iter().any(|(d,)| d == "registrar"),
    })
}

/// Records that `person` stated their need to see the case subject's protected identity.
pub async fn disclose_identity(
    tx: &mut Tx,
    case_id: Uuid,
    person: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    with_tx!(tx, |conn| {
        let done = sqlx::query(
            "INSERT INTO case_identity_disclosures (case_id, person_id, reason, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (case_id, person_id) DO NOTHING",
        )
        .bind(case_id)
        .bind(person)
        .bind(reason)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Records the school a case was routed to (it leaves the case office's reach).
pub async fn route_to(
    tx: &mut Tx,
    case_id: Uuid,
    organisation: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE cases SET routed_to_organisation_id = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(case_id)
        .bind(organisation)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

/// Takes the case from its owner and from the school it was routed to, back to the case
/// office's queue (a handover to a team).
pub async fn release(tx: &mut Tx, case_id: Uuid, now: DateTime<Utc>) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE cases SET owner_id = NULL, routed_to_organisation_id = NULL, updated_at = $2 \
             WHERE id = $1",
        )
        .bind(case_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

/// Sets the case owner and the distributor's advisory deadline.
pub async fn assign(
    tx: &mut Tx,
    case_id: Uuid,
    owner: Uuid,
    deadline: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE cases SET owner_id = $2, deadline = $3, updated_at = $4 WHERE id = $1")
            .bind(case_id)
            .bind(owner)
            .bind(deadline)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_given_name: Option<String>,
    pub actor_family_name: Option<String>,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub detail: String,
}

pub async fn events(db: &Db, case_id: Uuid) -> sqlx::Result<Vec<EventRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT e.at, e.actor_id, p.given_name AS actor_given_name, p.family_name AS actor_family_name, \
                    e.kind, e.from_status, e.to_status, e.detail \
             FROM case_events e LEFT JOIN persons p ON p.id = e.actor_id \
             WHERE e.case_id = $1 ORDER BY e.at, e.id",
        )
        .bind(case_id)
        .fetch_all(pool)
        .await
    })
}

/// The public names of a case type's statuses, for an applicant's view of the history.
pub async fn status_names(
    db: &Db,
    case_type: &str,
) -> sqlx::Result<Vec<(String, String, String, bool)>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT code, public_name_sv, public_name_en, notify_applicant FROM case_statuses \
             WHERE case_type = $1 ORDER BY position",
        )
        .bind(case_type)
        .fetch_all(pool)
        .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub id: Uuid,
    pub author_id: Uuid,
    pub author_given_name: String,
    pub author_family_name: String,
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn add_note(
    tx: &mut Tx,
    case_id: Uuid,
    author: Uuid,
    internal: bool,
    body: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO case_notes (id, case_id, author_id, internal, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(id)
        .bind(case_id)
        .bind(author)
        .bind(internal)
        .bind(body)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(id)
    })
}

pub async fn notes(db: &Db, case_id: Uuid) -> sqlx::Result<Vec<NoteRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT n.id, n.author_id, p.given_name AS author_given_name, p.family_name AS author_family_name, \
                    n.internal, n.body, n.created_at \
             FROM case_notes n JOIN persons p ON p.id = n.author_id WHERE n.case_id = $1 ORDER BY n.created_at, n.id",
        )
        .bind(case_id)
        .fetch_all(pool)
        .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubtaskRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub assignee_id: Uuid,
    pub assignee_given_name: String,
    pub assignee_family_name: String,
    pub description: String,
    pub due_date: Option<NaiveDate>,
    pub status: String,
    pub answer: Option<String>,
    pub created_at: DateTime<Utc>,
}

const SUBTASK_SELECT: &str = "SELECT s.id, s.case_id, s.assignee_id, p.given_name AS assignee_given_name, \
    p.family_name AS assignee_family_name, s.description, s.due_date, s.status, s.answer, s.created_at \
    FROM case_subtasks s JOIN persons p ON p.id = s.assignee_id";

pub async fn add_subtask(
    tx: &mut Tx,
    case_id: Uuid,
    assignee: Uuid,
    description: &str,
    due_date: Option<NaiveDate>,
    created_by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO case_subtasks (id, case_id, assignee_id, description, due_date, status, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'new', $6, $7, $7)",
        )
        .bind(id)
        .bind(case_id)
        .bind(assignee)
        .bind(description)
        .bind(due_date)
        .bind(created_by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(id)
    })
}

pub async fn subtasks_of_case(db: &Db, case_id: Uuid) -> sqlx::Result<Vec<SubtaskRow>> {
    let sql = format!("{SUBTASK_SELECT} WHERE s.case_id = $1 ORDER BY s.created_at, s.id");
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(case_id)
        .fetch_all(pool)
        .await)
}

/// The subtasks assigned to a specialist that are not solved yet, by due date.
pub async fn open_subtasks_of(db: &Db, assignee: Uuid) -> sqlx::Result<Vec<SubtaskRow>> {
    let sql = format!(
        "{SUBTASK_SELECT} WHERE s.assignee_id = $1 AND s.status <> 'solved' \
         ORDER BY s.due_date IS NULL, s.due_date, s.created_at"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(assignee)
        .fetch_all(pool)
        .await)
}

pub async fn subtask(db: &Db, id: Uuid) -> sqlx::Result<Option<SubtaskRow>> {
    let sql = format!("{SUBTASK_SELECT} WHERE s.id = $1");
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// Moves a subtask new → open or (new|open) → solved with an answer.
pub async fn update_subtask(
    tx: &mut Tx,
    id: Uuid,
    status: &str,
    answer: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    with_tx!(tx, |conn| {
        let changed = sqlx::query(
            "UPDATE case_subtasks SET status = $2, answer = COALESCE($3, answer), updated_at = $4 \
             WHERE id = $1 AND status <> 'solved' AND status <> $2",
        )
        .bind(id)
        .bind(status)
        .bind(answer)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok(changed == 1)
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DecisionRow {
    pub outcome: String,
    pub legal_basis: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub motivation: String,
    pub decided_by: Uuid,
    pub decided_by_given_name: String,
    pub decided_by_family_name: String,
    pub decided_on: NaiveDate,
    pub appeal_information: String,
}

pub struct NewDecision<'a> {
    pub outcome: &'a str,
    pub legal_basis: std::borrow::Cow<'a, str>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub motivation: &'a str,
    pub decided_by: Uuid,
    pub decided_on: NaiveDate,
    pub appeal_information: &'a str,
}

pub async fn record_decision(
    tx: &mut Tx,
    case_id: Uuid,
    decision: &NewDecision<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO decisions (case_id, outcome, legal_basis, valid_from, valid_to, motivation, \
             decided_by, decided_on, appeal_information, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(case_id)
        .bind(decision.outcome)
        .bind(decision.legal_basis.as_ref())
        .bind(decision.valid_from)
        .bind(decision.valid_to)
        .bind(decision.motivation)
        .bind(decision.decided_by)
        .bind(decision.decided_on)
        .bind(decision.appeal_information)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE cases SET outcome = $2, updated_at = $3 WHERE id = $1")
            .bind(case_id)
            .bind(decision.outcome)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

pub async fn decision(db: &Db, case_id: Uuid) -> sqlx::Result<Option<DecisionRow>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT d.outcome, d.legal_basis, d.valid_from, d.valid_to, d.motivation, d.decided_by, \
                    p.given_name AS decided_by_given_name, p.family_name AS decided_by_family_name, \
                    d.decided_on, d.appeal_information \
             FROM decisions d JOIN persons p ON p.id = d.decided_by WHERE d.case_id = $1",
        )
        .bind(case_id)
        .fetch_optional(pool)
        .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub position: i32,
    pub document_type: String,
    pub title: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub blob_key: String,
    pub publicity_class: String,
    pub created_at: DateTime<Utc>,
}

pub struct NewDocument<'a> {
    pub case_id: Uuid,
    pub document_type: &'a str,
    pub title: &'a str,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub blob_key: &'a str,
    pub created_by: Option<Uuid>,
}

/// A document's publicity class: its document type's, never lower than its case's.
const STRICTER: &str = "CASE \
    WHEN c.publicity_class = 'confidential' OR dt.publicity_class = 'confidential' THEN 'confidential' \
    WHEN c.publicity_class = 'restricted' OR dt.publicity_class = 'restricted' THEN 'restricted' \
    ELSE 'public' END";

/// Adds a document as the case's next one; it inherits its document type's publicity class,
/// raised to its case's where that is stricter.
pub async fn add_document(
    tx: &mut Tx,
    doc: &NewDocument<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<(Uuid, i32)> {
    let id = Uuid::new_v4();
    with_tx!(tx, |conn| {
        let (position,): (i32,) = sqlx::query_as(
            "SELECT CAST(COALESCE(MAX(position), 0) + 1 AS INTEGER) FROM case_documents WHERE case_id = $1",
        )
        .bind(doc.case_id)
        .fetch_one(&mut *conn)
        .await?;
        let sql = format!(
            "INSERT INTO case_documents (id, case_id, position, document_type, title, file_name, media_type, \
             size, sha256, blob_key, publicity_class, created_by, created_at, updated_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, {STRICTER}, $11, $12, $12 \
             FROM cases c JOIN document_types dt ON dt.case_type = c.case_type AND dt.code = $4 \
             WHERE c.id = $2"
        );
        let inserted = sqlx::query(&sql)
            .bind(id)
            .bind(doc.case_id)
            .bind(position)
            .bind(doc.document_type)
            .bind(doc.title)
            .bind(doc.file_name)
            .bind(doc.media_type)
            .bind(doc.size)
            .bind(doc.sha256)
            .bind(doc.blob_key)
            .bind(doc.created_by)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if inserted != 1 {
            // A document type the case type does not have: a programming error, not input.
            return Err(sqlx::Error::RowNotFound);
        }
        Ok((id, position))
    })
}

const DOCUMENT_COLUMNS: &str = "id, case_id, position, document_type, title, file_name, media_type, size, \
    sha256, blob_key, publicity_class, created_at";

pub async fn documents(db: &Db, case_id: Uuid) -> sqlx::Result<Vec<DocumentRow>> {
    let sql = format!(
        "SELECT {DOCUMENT_COLUMNS} FROM case_documents WHERE case_id = $1 ORDER BY position"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(case_id)
        .fetch_all(pool)
        .await)
}

pub async fn document(db: &Db, case_id: Uuid, id: Uuid) -> sqlx::Result<Option<DocumentRow>> {
    let sql =
        format!("SELECT {DOCUMENT_COLUMNS} FROM case_documents WHERE case_id = $1 AND id = $2");
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(case_id)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// Cases where the person is a party, newest first.
/// The cases the reader is a party to, newest first: as applicant or co-applicant, while the
/// case is about themselves, about a child they are an acting guardian of now, or no one.
pub async fn cases_of_party(db: &Db, reader: Reader) -> sqlx::Result<Vec<CaseRow>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM {CASE_JOINS} JOIN case_parties cp ON cp.case_id = c.id \
         WHERE cp.person_id = $1 AND (c.subject_id IS NULL OR c.subject_id = $1 OR EXISTS ( \
             SELECT 1 FROM guardianships g JOIN persons ch ON ch.id = g.child_id \
              WHERE g.guardian_id = $1 AND g.child_id = c.subject_id AND ch.birth_date > $3 \
                AND g.valid_from <= $2 AND (g.valid_to IS NULL OR g.valid_to >= $2))) \
         ORDER BY c.created_at DESC, c.id"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(reader.person_id)
        .bind(reader.today)
        .bind(reader.adult_cutoff())
        .fetch_all(pool)
        .await)
}

pub async fn parties(db: &Db, case_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    with_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT person_id FROM case_parties WHERE case_id = $1 ORDER BY role, person_id",
        )
        .bind(case_id)
        .fetch_all(pool)
        .await
    })
}

/// Persons with a current case-worker duty: who a distributor may make case owner.
pub async fn case_workers(db: &Db, today: NaiveDate) -> sqlx::Result<Vec<(Uuid, String, String)>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT DISTINCT p.id, p.given_name, p.family_name FROM duties d JOIN persons p ON p.id = d.person_id \
             WHERE d.duty = 'case_worker' AND d.valid_from <= $1 AND (d.valid_to IS NULL OR d.valid_to >= $1) \
             ORDER BY p.family_name, p.given_name",
        )
        .bind(today)
        .fetch_all(pool)
        .await
    })
}

/// The case workers whose duty today covers cases of `case_type` (a duty naming no case
/// types covers every type).
pub async fn case_workers_for(
    db: &Db,
    today: NaiveDate,
    case_type: &str,
) -> sqlx::Result<Vec<(Uuid, String, String)>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT DISTINCT p.id, p.given_name, p.family_name FROM duties d JOIN persons p ON p.id = d.person_id \
             WHERE d.duty = 'case_worker' AND d.valid_from <= $1 AND (d.valid_to IS NULL OR d.valid_to >= $1) \
             AND (NOT EXISTS (SELECT 1 FROM duty_case_types x WHERE x.duty_id = d.id) \
                  OR EXISTS (SELECT 1 FROM duty_case_types x WHERE x.duty_id = d.id AND x.case_type = $2)) \
             ORDER BY p.family_name, p.given_name",
        )
        .bind(today)
        .bind(case_type)
        .fetch_all(pool)
        .await
    })
}

/// Whether the person holds any staff duty today (who may be given a subtask).
pub async fn is_staff(db: &Db, person: Uuid, today: NaiveDate) -> sqlx::Result<bool> {
    let count: i64 = with_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM duties d WHERE d.person_id = $1 \
             AND d.valid_from <= $2 AND (d.valid_to IS NULL OR d.valid_to >= $2)",
        )
        .bind(person)
        .bind(today)
        .fetch_one(pool)
        .await
    })?;
    Ok(count > 0)
}

/// What a status notice to the parties says, read inside the transaction that changed it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusNotice {
    pub year: i32,
    pub serial: i32,
    pub type_name_sv: String,
    pub type_name_en: String,
    pub public_name_sv: String,
    pub public_name_en: String,
    pub notify_applicant: bool,
}

pub async fn status_notice(
    tx: &mut Tx,
    case_id: Uuid,
    status: &str,
) -> sqlx::Result<Option<StatusNotice>> {
    with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT c.year, c.serial, ct.name_sv AS type_name_sv, ct.name_en AS type_name_en, \
                    cs.public_name_sv, cs.public_name_en, cs.notify_applicant \
             FROM cases c JOIN case_types ct ON ct.code = c.case_type \
               JOIN case_statuses cs ON cs.case_type = c.case_type AND cs.code = $2 \
             WHERE c.id = $1",
        )
        .bind(case_id)
        .bind(status)
        .fetch_optional(&mut *conn)
        .await
    })
}

/// The person's role among the case's parties (`applicant`, `co_applicant`), if any.
pub async fn party_role(db: &Db, case_id: Uuid, person: Uuid) -> sqlx::Result<Option<String>> {
    with_db!(db, |pool| {
        sqlx::query_scalar("SELECT role FROM case_parties WHERE case_id = $1 AND person_id = $2")
            .bind(case_id)
            .bind(person)
            .fetch_optional(pool)
            .await
    })
}

pub async fn parties_in(tx: &mut Tx, case_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    with_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT person_id FROM case_parties WHERE case_id = $1 ORDER BY role, person_id",
        )
        .bind(case_id)
        .fetch_all(&mut *conn)
        .await
    })
}

/// The case's parties who were not asked to confirm it (the applicant, mostly).
pub async fn parties_not_asked(tx: &mut Tx, case_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    with_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT p.person_id FROM case_parties p WHERE p.case_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM case_confirmations c \
              WHERE c.case_id = p.case_id AND c.person_id = p.person_id) \
             ORDER BY p.role, p.person_id",
        )
        .bind(case_id)
        .fetch_all(&mut *conn)
        .await
    })
}

pub async fn set_outcome(
    tx: &mut Tx,
    case_id: Uuid,
    outcome: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE cases SET outcome = $2, updated_at = $3 WHERE id = $1")
            .bind(case_id)
            .bind(outcome)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

/// Sets the legal basis unless one is set (`replace`: always).
pub async fn set_legal_basis(
    tx: &mut Tx,
    case_type: &str,
    text: &str,
    by: Option<Uuid>,
    replace: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let conflict = if replace {
        "DO UPDATE SET text = $2, updated_at = $3, updated_by = $4"
    } else {
        "DO NOTHING"
    };
    let sql = format!(
        "INSERT INTO legal_bases (case_type, text, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (case_type) {conflict}"
    );
    with_tx!(tx, |conn| {
        sqlx::query(&sql)
            .bind(case_type)
            .bind(text)
            .bind(now)
            .bind(by)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

pub async fn legal_basis(db: &Db, case_type: &str) -> sqlx::Result<Option<String>> {
    with_db!(db, |pool| {
        sqlx::query_scalar("SELECT text FROM legal_bases WHERE case_type = $1")
            .bind(case_type)
            .fetch_optional(pool)
            .await
    })
}

/// Asks `persons` to confirm the case (guardians' signing), once each.
pub async fn ask_confirmation(
    tx: &mut Tx,
    case_id: Uuid,
    persons: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    for person in persons {
        with_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO case_confirmations (case_id, person_id, requested_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (case_id, person_id) DO NOTHING",
            )
            .bind(case_id)
            .bind(*person)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok::<_, sqlx::Error>(())
        })?;
    }
    Ok(())
}

/// Who was asked to confirm the case, and when each did (`None`: not yet).
pub async fn confirmations(
    db: &Db,
    case_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, Option<DateTime<Utc>>)>> {
    with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT person_id, confirmed_at FROM case_confirmations WHERE case_id = $1 \
             ORDER BY requested_at, person_id",
        )
        .bind(case_id)
        .fetch_all(pool)
        .await
    })
}

/// Records `person`'s confirmation; `false` when they were not asked or have confirmed.
pub async fn confirm(
    tx: &mut Tx,
    case_id: Uuid,
    person: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    with_tx!(tx, |conn| {
        let changed = sqlx::query(
            "UPDATE case_confirmations SET confirmed_at = $3 \
             WHERE case_id = $1 AND person_id = $2 AND confirmed_at IS NULL",
        )
        .bind(case_id)
        .bind(person)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok(changed == 1)
    })
}

/// Takes the case's row for the rest of `tx` (PostgreSQL's row lock; SQLite has one writer):
/// two guardians confirming at once are counted one after the other.
pub async fn lock(tx: &mut Tx, case_id: Uuid, now: DateTime<Utc>) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE cases SET updated_at = $2 WHERE id = $1")
            .bind(case_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

/// How many confirmations the case still waits for.
pub async fn confirmations_missing(tx: &mut Tx, case_id: Uuid) -> sqlx::Result<i64> {
    with_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM case_confirmations WHERE case_id = $1 AND confirmed_at IS NULL",
        )
        .bind(case_id)
        .fetch_one(&mut *conn)
        .await
    })
}
