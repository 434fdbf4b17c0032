//! Attendance: the school calendar, timetables and lessons, and the marks per pupil and lesson
//! with their history. Same SQL on both databases except where a lesson id is made in SQL.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use uuid::Uuid;

use shared::calendar::{self, PeriodKind, Span};

use super::{Db, DbKind, Tx, placeholders};
use crate::{with_db, with_tx};

/// A calendar period: a term, a break or a holiday.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PeriodRow {
    pub kind: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

/// The term `day` falls in, or else the last one that began before it.
pub async fn term_around(tx: &mut Tx, day: NaiveDate) -> sqlx::Result<Option<PeriodRow>> {
    with_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT kind, start_date, end_date FROM calendar_periods \
             WHERE kind = 'term' AND organisation_id IS NULL AND start_date <= $1 \
             ORDER BY start_date DESC LIMIT 1",
        )
        .bind(day)
        .fetch_optional(&mut *conn)
        .await
    })
}

/// A row of the municipality's school calendar as the school-day count reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
struct CalendarRow {
    school_year: String,
    kind: String,
    start_date: NaiveDate,
    end_date: NaiveDate,
}

/// Every term, and the breaks and holidays that touch `from`..=`to`: a small table.
const CALENDAR_SQL: &str = "SELECT school_year, kind, start_date, end_date FROM calendar_periods \
     WHERE organisation_id IS NULL AND (kind = 'term' OR (start_date <= $2 AND end_date >= $1))";

/// The school days from `from` to `to`: the weekdays that no break or holiday covers and,
/// in a school year the calendar has terms for, inside a term; a year without terms counts
/// every such weekday, so that a count is never low for want of a calendar.
pub async fn school_days(
    tx: &mut Tx,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<NaiveDate>> {
    let rows: Vec<CalendarRow> = with_tx!(tx, |conn| {
        sqlx::query_as(CALENDAR_SQL)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *conn)
            .await
    })?;
    Ok(school_days_by(&rows, from, to))
}

/// [`school_days`] outside a transaction.
pub async fn school_days_in(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<NaiveDate>> {
    let rows: Vec<CalendarRow> = with_db!(db, |pool| {
        sqlx::query_as(CALENDAR_SQL)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
    })?;
    Ok(school_days_by(&rows, from, to))
}

fn school_days_by(rows: &[CalendarRow], from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let spans: Vec<Span> = rows
        .iter()
        .filter_map(|row| {
            Some(Span {
                school_year: calendar::start_year(&row.school_year)?,
                kind: PeriodKind::parse(&row.kind)?,
                start_date: row.start_date,
                end_date: row.end_date,
            })
        })
        .collect();
    calendar::school_days(&spans, from, to)
}

/// Generates the lessons of every weekly timetable slot on `days`, set-based, and gives each
/// lesson its slot's teachers.
pub async fn generate_lessons(
    tx: &mut Tx,
    kind: DbKind,
    days: &[NaiveDate],
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let mut made = 0;
    let new_id = match kind {
        DbKind::Sqlite => "randomblob(16)",
        DbKind::Postgres => "gen_random_uuid()",
    };
    for chunk in days.chunks(200) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "({}, {})",
                    placeholders(2 + 2 * i, 1),
                    placeholders(3 + 2 * i, 1)
                )
            })
            .collect();
        let sql = format!(
            "WITH d (day, weekday) AS (VALUES {values}) \
             INSERT INTO lessons (id, group_id, slot_id, subject_code, subject, room, date, \
                                  start_time, end_time, cancelled, created_at, updated_at) \
             SELECT {new_id}, s.group_id, s.id, s.subject_code, s.subject, s.room, d.day, \
                    s.start_time, s.end_time, FALSE, $1, $1 \
               FROM timetable_slots s JOIN d ON d.weekday = s.weekday \
              WHERE s.valid_from <= d.day AND (s.valid_to IS NULL OR s.valid_to >= d.day)",
            values = values.join(", ")
        );
        made += with_tx!(tx, |conn| {
            let mut query = sqlx::query(&sql).bind(now);
            for day in chunk {
                query = query
                    .bind(*day)
                    .bind(i32::try_from(day.weekday().number_from_monday()).unwrap_or(1));
            }
            query.execute(&mut *conn).await?.rows_affected()
        });
    }
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        with_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO lesson_teachers (lesson_id, person_id) \
                 SELECT l.id, t.person_id FROM lessons l \
                   JOIN timetable_slot_teachers t ON t.slot_id = l.slot_id \
                  WHERE l.date >= $1 AND l.date <= $2 \
                    AND NOT EXISTS (SELECT 1 FROM lesson_teachers x WHERE x.lesson_id = l.id)",
            )
            .bind(*first)
            .bind(*last)
            .execute(&mut *conn)
            .await
            .map(drop)
        })?;
    }
    Ok(made)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LessonRow {
    pub id: Uuid,
    pub group_id: Uuid,
    pub group_name: String,
    pub school_id: Uuid,
    pub subject_code: String,
    pub subject: String,
    pub room: Option<String>,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub register_taken_at: Option<DateTime<Utc>>,
    /// 1 when a mark has been changed after it was first saved.
    pub changed: i32,
}

const LESSON_COLUMNS: &str = "l.id, l.group_id, gr.name AS group_name, u.parent_id AS school_id, \
    l.subject_code, l.subject, l.room, l.date, l.start_time, l.end_time, l.register_taken_at, \
    CASE WHEN EXISTS (SELECT 1 FROM attendance_marks c WHERE c.lesson_id = l.id AND c.version > 1) \
         THEN 1 ELSE 0 END AS changed";
const LESSON_JOINS: &str = "lessons l JOIN groups gr ON gr.id = l.group_id \
    JOIN organisations u ON u.id = gr.unit_id";

/// The lessons `teacher` teaches on `date`, by time.
pub async fn lessons_of_teacher(
    db: &Db,
    teacher: Uuid,
    date: NaiveDate,
) -> sqlx::Result<Vec<LessonRow>> {
    let sql = format!(
        "SELECT {LESSON_COLUMNS} FROM {LESSON_JOINS} \
           JOIN lesson_teachers t ON t.lesson_id = l.id \
         WHERE t.person_id = $1 AND l.date = $2 AND NOT l.cancelled \
         ORDER BY l.start_time, gr.name, l.id"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(teacher)
        .bind(date)
        .fetch_all(pool)
        .await)
}

/// The lessons on `date` at the schools `principal` leads that day whose register has not been
/// taken and that began before `begun_before`, by time.
pub async fn unregistered_lessons(
    db: &Db,
    principal: Uuid,
    date: NaiveDate,
    begun_before: NaiveTime,
) -> sqlx::Result<Vec<LessonRow>> {
    let sql = format!(
        "SELECT {LESSON_COLUMNS} FROM {LESSON_JOINS} \
         WHERE l.date = $2 AND NOT l.cancelled AND l.register_taken_at IS NULL \
           AND l.start_time <= $3 \
           AND u.parent_id IN (SELECT d.organisation_id FROM duties d \
             WHERE d.person_id = $1 AND d.duty = 'principal' AND d.valid_from <= $2 \
               AND (d.valid_to IS NULL OR d.valid_to >= $2)) \
         ORDER BY l.start_time, gr.name, l.id"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(principal)
        .bind(date)
        .bind(begun_before)
        .fetch_all(pool)
        .await)
}

pub async fn lesson(db: &Db, id: Uuid) -> sqlx::Result<Option<LessonRow>> {
    let sql = format!("SELECT {LESSON_COLUMNS} FROM {LESSON_JOINS} WHERE l.id = $1");
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// The teachers of the lessons, by lesson: (lesson, teacher, given name, family name).
pub async fn teachers_of(
    db: &Db,
    lessons: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, Uuid, String, String)>> {
    if lessons.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t.lesson_id, p.id, p.given_name, p.family_name FROM lesson_teachers t \
           JOIN persons p ON p.id = t.person_id WHERE t.lesson_id IN ({}) \
         ORDER BY t.lesson_id, p.family_name, p.given_name",
        placeholders(1, lessons.len())
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql);
        for id in lessons {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })
}

/// How the reader stands to a lesson: one of its teachers, or the principal of its school.
#[derive(Debug, Clone, Copy, Default)]
pub struct LessonRelation {
    pub teacher: bool,
    pub principal: bool,
}

pub async fn relation(
    db: &Db,
    person: Uuid,
    lesson: &LessonRow,
    today: NaiveDate,
) -> sqlx::Result<LessonRelation> {
    let rows: Vec<(String,)> = with_db!(db, |pool| {
        sqlx::query_as(
            "SELECT 'teacher' FROM lesson_teachers WHERE lesson_id = $1 AND person_id = $2 \
             UNION ALL \
             SELECT 'principal' FROM duties d WHERE d.person_id = $2 AND d.duty = 'principal' \
               AND d.organisation_id = $3 AND d.valid_from <= $4 \
               AND (d.valid_to IS NULL OR d.valid_to >= $4)",
        )
        .bind(lesson.id)
        .bind(person)
        .bind(lesson.school_id)
        .bind(today)
        .fetch_all(pool)
        .await
    })?;
    Ok(LessonRelation {
        teacher: rows.iter().any(|(r,)| r == "teacher"),
        principal: rows.iter().any(|(r,)| r == "principal"),
    })
}

/// A member of a group: (id, given name, family name, protected identity).
pub type MemberRow = (Uuid, String, String, bool);

/// The members of a group on a date (effective-dated membership), by name.
pub async fn members_on(db: &Db, group: Uuid, date: NaiveDate) -> sqlx::Result<Vec<MemberRow>> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT m.person_id, p.given_name, p.family_name, p.protected_identity \
           FROM group_memberships m \
           JOIN persons p ON p.id = m.person_id \
         WHERE m.group_id = $1 AND m.valid_from <= $2 AND (m.valid_to IS NULL OR m.valid_to >= $2) \
         ORDER BY p.family_name, p.given_name, p.id"
    )
    .bind(group)
    .bind(date)
    .fetch_all(pool)
    .await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MarkRow {
    pub lesson_id: Uuid,
    pub pupil_id: Uuid,
    pub attendance_minutes: i32,
    pub valid_absence_minutes: i32,
    pub invalid_absence_minutes: i32,
    pub other_activity_minutes: i32,
    pub reason: Option<String>,
    pub reported: bool,
    pub marked_by: Uuid,
    pub marked_by_given: String,
    pub marked_by_family: String,
    pub marked_at: DateTime<Utc>,
    pub version: i32,
}

const MARK_COLUMNS: &str = "a.lesson_id, a.pupil_id, a.attendance_minutes, a.valid_absence_minutes, \
    a.invalid_absence_minutes, a.other_activity_minutes, a.reason, a.reported, a.marked_by, \
    p.given_name AS marked_by_given, p.family_name AS marked_by_family, a.marked_at, a.version";

pub async fn marks_of(db: &Db, lesson: Uuid) -> sqlx::Result<Vec<MarkRow>> {
    let sql = format!(
        "SELECT {MARK_COLUMNS} FROM attendance_marks a JOIN persons p ON p.id = a.marked_by \
         WHERE a.lesson_id = $1"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(lesson)
        .fetch_all(pool)
        .await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReasonRow {
    pub code: String,
    pub name_sv: String,
    pub name_en: String,
    pub valid: bool,
}

pub async fn reasons(db: &Db) -> sqlx::Result<Vec<ReasonRow>> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT code, name_sv, name_en, valid FROM absence_reasons WHERE active ORDER BY position"
    )
    .fetch_all(pool)
    .await)
}

/// One mark to save, with the version the saver read (0: not marked yet).
pub struct NewMark<'a> {
    pub pupil_id: Uuid,
    pub attendance_minutes: i32,
    pub valid_absence_minutes: i32,
    pub invalid_absence_minutes: i32,
    pub other_activity_minutes: i32,
    pub reason: Option<&'a str>,
    pub version: i32,
}

/// Why a save did not happen.
pub enum SaveRefused {
    /// The mark changed since `version` was read.
    Stale {
        pupil_id: Uuid,
    },
    Database(sqlx::Error),
}

impl From<sqlx::Error> for SaveRefused {
    fn from(error: sqlx::Error) -> Self {
        SaveRefused::Database(error)
    }
}

type Minutes = (i32, i32, i32, i32, Option<String>, i32);

/// Saves the marks: a new mark only where none exists, a change only where the version is the
/// one read (conditional update); an unchanged mark is left alone. Each write is a history row.
/// Answers the pupils whose mark was written.
pub async fn save_marks(
    tx: &mut Tx,
    lesson: Uuid,
    marks: &[NewMark<'_>],
    source: &str,
    actor: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, SaveRefused> {
    // The lesson's marks in one read (inside the write transaction, so that they cannot change
    // under it): the held write lock then waits for one query, not one per pupil.
    let mut currents: HashMap<Uuid, Minutes> = with_tx!(tx, |conn| {
        sqlx::query_as::<_, (Uuid, i32, i32, i32, i32, Option<String>, i32)>(
            "SELECT pupil_id, attendance_minutes, valid_absence_minutes, \
                    invalid_absence_minutes, other_activity_minutes, reason, version \
             FROM attendance_marks WHERE lesson_id = $1",
        )
        .bind(lesson)
        .fetch_all(&mut *conn)
        .await
    })?
    .into_iter()
    .map(|(pupil, a, v, i, o, r, version)| (pupil, (a, v, i, o, r, version)))
    .collect();
    let mut changed_pupils = Vec::new();
    for mark in marks {
        let current = currents.remove(&mark.pupil_id);
        let wanted = (
            mark.attendance_minutes,
            mark.valid_absence_minutes,
            mark.invalid_absence_minutes,
            mark.other_activity_minutes,
            mark.reason.map(str::to_owned),
        );
        let version = match &current {
            Some((a, v, i, o, r, version)) => {
                if (*a, *v, *i, *o, r.clone()) == wanted {
                    continue;
                }
                if *version != mark.version {
                    return Err(SaveRefused::Stale {
                        pupil_id: mark.pupil_id,
                    });
                }
                let changed = with_tx!(tx, |conn| {
                    sqlx::query(
                        "UPDATE attendance_marks SET attendance_minutes = $3, \
                         valid_absence_minutes = $4, invalid_absence_minutes = $5, \
                         other_activity_minutes = $6, reason = $7, reported = TRUE, source = $8, \
                         marked_by = $9, marked_at = $10, updated_at = $10, version = version + 1 \
                         WHERE lesson_id = $1 AND pupil_id = $2 AND version = $11",
                    )
                    .bind(lesson)
                    .bind(mark.pupil_id)
                    .bind(mark.attendance_minutes)
                    .bind(mark.valid_absence_minutes)
                    .bind(mark.invalid_absence_minutes)
                    .bind(mark.other_activity_minutes)
                    .bind(mark.reason)
                    .bind(source)
                    .bind(actor)
                    .bind(now)
                    .bind(mark.version)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected()
                });
                if changed != 1 {
                    return Err(SaveRefused::Stale {
                        pupil_id: mark.pupil_id,
                    });
                }
                version + 1
            }
            None => {
                if mark.version != 0 {
                    return Err(SaveRefused::Stale {
                        pupil_id: mark.pupil_id,
                    });
                }
                let inserted = with_tx!(tx, |conn| {
                    sqlx::query(
                        "INSERT INTO attendance_marks (lesson_id, pupil_id, attendance_minutes, \
                         valid_absence_minutes, invalid_absence_minutes, other_activity_minutes, \
                         reason, reported, source, marked_by, marked_at, version, created_at, \
                         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $9, $10, 1, $10, $10) \
                         ON CONFLICT (lesson_id, pupil_id) DO NOTHING",
                    )
                    .bind(lesson)
                    .bind(mark.pupil_id)
                    .bind(mark.attendance_minutes)
                    .bind(mark.valid_absence_minutes)
                    .bind(mark.invalid_absence_minutes)
                    .bind(mark.other_activity_minutes)
                    .bind(mark.reason)
                    .bind(source)
                    .bind(actor)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected()
                });
                if inserted != 1 {
                    return Err(SaveRefused::Stale {
                        pupil_id: mark.pupil_id,
                    });
                }
                1
            }
        };
        let from = current.map(|(a, v, i, o, r, _)| (a, v, i, o, r));
        with_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO attendance_mark_changes (lesson_id, pupil_id, version, source, \
                 changed_by, changed_at, from_attendance_minutes, from_valid_absence_minutes, \
                 from_invalid_absence_minutes, from_other_activity_minutes, from_reason, \
                 to_attendance_minutes, to_valid_absence_minutes, to_invalid_absence_minutes, \
                 to_other_activity_minutes, to_reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(lesson)
            .bind(mark.pupil_id)
            .bind(version)
            .bind(source)
            .bind(actor)
            .bind(now)
            .bind(from.as_ref().map(|f| f.0))
            .bind(from.as_ref().map(|f| f.1))
            .bind(from.as_ref().map(|f| f.2))
            .bind(from.as_ref().map(|f| f.3))
            .bind(from.as_ref().and_then(|f| f.4.clone()))
            .bind(mark.attendance_minutes)
            .bind(mark.valid_absence_minutes)
            .bind(mark.invalid_absence_minutes)
            .bind(mark.other_activity_minutes)
            .bind(mark.reason)
            .execute(&mut *conn)
            .await
            .map(drop)
        })?;
        changed_pupils.push(mark.pupil_id);
    }
    with_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE lessons SET register_taken_at = $2, register_taken_by = $3, updated_at = $2 \
             WHERE id = $1 AND register_taken_at IS NULL",
        )
        .bind(lesson)
        .bind(now)
        .bind(actor)
        .execute(&mut *conn)
        .await
        .map(drop)
    })?;
    Ok(changed_pupils)
}

/// Who may read a pupil's attendance, beyond the register's reach: `full` readers see every
/// lesson (the pupil, an acting guardian, the mentor, the school's principal, a case worker
/// whose duty covers the school); a teacher sees the lessons of the groups they teach.
#[derive(Debug, Clone, Default)]
pub struct AttendanceReach {
    pub full: bool,
    pub taught_groups: Vec<Uuid>,
}

pub async fn attendance_reach(
    db: &Db,
    reader: Uuid,
    pupil: Uuid,
    today: NaiveDate,
    adult_cutoff: NaiveDate,
) -> sqlx::Result<AttendanceReach> {
    const ACTIVE_D: &str = "d.valid_from <= $3 AND (d.valid_to IS NULL OR d.valid_to >= $3)";
    const ACTIVE_M: &str = "m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to >= $3)";
    // The branch with a group id first: PostgreSQL types a UNION's NULLs from the left.
    let sql = format!(
        "SELECT CASE WHEN d.duty = 'mentor' THEN 'full' ELSE 'teacher' END, m.group_id \
           FROM duties d JOIN group_memberships m ON m.group_id = d.group_id \
          WHERE d.person_id = $1 AND m.person_id = $2 AND d.duty IN ('teacher', 'mentor') \
            AND {ACTIVE_D} AND {ACTIVE_M} \
         UNION ALL \
         SELECT 'full', NULL FROM persons p WHERE p.id = $2 AND $1 = $2 \
         UNION ALL \
         SELECT 'full', NULL FROM guardianships g JOIN persons c ON c.id = g.child_id \
          WHERE g.guardian_id = $1 AND g.child_id = $2 AND c.birth_date > $4 \
            AND g.valid_from <= $3 AND (g.valid_to IS NULL OR g.valid_to >= $3) \
         UNION ALL \
         SELECT 'full', NULL FROM duties d \
           JOIN organisations s ON s.id = d.organisation_id OR s.parent_id = d.organisation_id \
           JOIN organisations u ON u.parent_id = s.id \
           JOIN groups gr ON gr.unit_id = u.id \
           JOIN group_memberships m ON m.group_id = gr.id \
          WHERE d.person_id = $1 AND m.person_id = $2 AND s.kind = 'school' AND {ACTIVE_D} \
            AND {ACTIVE_M} AND (d.duty = 'case_worker' \
                                OR (d.duty = 'principal' AND s.id = d.organisation_id))"
    );
    let rows: Vec<(String, Option<Uuid>)> = with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(reader)
        .bind(pupil)
        .bind(today)
        .bind(adult_cutoff)
        .fetch_all(pool)
        .await)?;
    let mut reach = AttendanceReach::default();
    for (kind, group) in rows {
        match (kind.as_str(), group) {
            ("teacher", Some(group)) => reach.taught_groups.push(group),
            _ => reach.full = true,
        }
    }
    Ok(reach)
}

/// The pupil's lessons from `from` to `to`: those of the groups they were a member of on
/// the lesson's date.
pub async fn lessons_of_pupil(
    db: &Db,
    pupil: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<LessonRow>> {
    let sql = format!(
        "SELECT {LESSON_COLUMNS} FROM {LESSON_JOINS} \
           JOIN group_memberships m ON m.group_id = l.group_id AND m.person_id = $1 \
         WHERE l.date >= $2 AND l.date <= $3 AND NOT l.cancelled \
           AND m.valid_from <= l.date AND (m.valid_to IS NULL OR m.valid_to >= l.date) \
         ORDER BY l.date, l.start_time, l.id"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(pupil)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)
}

pub async fn marks_of_pupil(
    db: &Db,
    pupil: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<MarkRow>> {
    let sql = format!(
        "SELECT {MARK_COLUMNS} FROM attendance_marks a JOIN persons p ON p.id = a.marked_by \
           JOIN lessons l ON l.id = a.lesson_id \
         WHERE a.pupil_id = $1 AND l.date >= $2 AND l.date <= $3"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(pupil)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)
}

/// Of `pupils`, those with a granted leave or a reported absence covering `date`, with its
/// kind (`granted_leave` first where both cover the day).
pub async fn absences_on(
    db: &Db,
    pupils: &[Uuid],
    date: NaiveDate,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    if pupils.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT person_id, kind FROM absences \
         WHERE from_date <= $1 AND to_date >= $1 AND person_id IN ({}) ORDER BY person_id, kind",
        placeholders(2, pupils.len())
    );
    with_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql).bind(date);
        for id in pupils {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })
}

/// The pupil's granted leaves and reported absences overlapping `from`..=`to`:
/// `(from_date, to_date, kind)`, granted leave first where both cover a day.
pub async fn absences_of_pupil(
    db: &Db,
    pupil: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<(NaiveDate, NaiveDate, String)>> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT from_date, to_date, kind FROM absences \
         WHERE person_id = $1 AND from_date <= $3 AND to_date >= $2 ORDER BY kind, from_date"
    )
    .bind(pupil)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await)
}

/// Until when the lesson's register is reopened for `person`, if it is.
pub async fn reopened_until(
    db: &Db,
    lesson: Uuid,
    person: Uuid,
) -> sqlx::Result<Option<NaiveDate>> {
    with_db!(db, |pool| sqlx::query_scalar(
        "SELECT until FROM lesson_reopenings WHERE lesson_id = $1 AND person_id = $2"
    )
    .bind(lesson)
    .bind(person)
    .fetch_optional(pool)
    .await)
}

/// Reopens the lesson's register for `person` until `until` (a later reopening replaces it).
pub async fn reopen(
    tx: &mut Tx,
    lesson: Uuid,
    person: Uuid,
    until: NaiveDate,
    by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO lesson_reopenings (lesson_id, person_id, until, reopened_by, reopened_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (lesson_id, person_id) \
             DO UPDATE SET until = excluded.until, reopened_by = excluded.reopened_by, \
                           reopened_at = excluded.reopened_at",
        )
        .bind(lesson)
        .bind(person)
        .bind(until)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(drop)
    })
}

/// A lesson outside the weekly timetable (a substitute lesson, an import; the tests' fixtures).
pub struct NewLesson<'a> {
    pub group_id: Uuid,
    pub subject_code: &'a str,
    pub subject: &'a str,
    pub room: Option<&'a str>,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub teachers: &'a [Uuid],
}

pub async fn insert_lesson(
    tx: &mut Tx,
    lesson: &NewLesson<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    with_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO lessons (id, group_id, slot_id, subject_code, subject, room, date, \
                                  start_time, end_time, cancelled, created_at, updated_at) \
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, FALSE, $9, $9)",
        )
        .bind(id)
        .bind(lesson.group_id)
        .bind(lesson.subject_code)
        .bind(lesson.subject)
        .bind(lesson.room)
        .bind(lesson.date)
        .bind(lesson.start_time)
        .bind(lesson.end_time)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(drop)
    })?;
    for teacher in lesson.teachers {
        with_tx!(tx, |conn| {
            sqlx::query("INSERT INTO lesson_teachers (lesson_id, person_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*teacher)
                .execute(&mut *conn)
                .await
                .map(drop)
        })?;
    }
    Ok(id)
}

/// One change to a mark, oldest first.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChangeRow {
    pub pupil_id: Uuid,
    pub version: i32,
    pub source: String,
    pub changed_by: Uuid,
    pub changed_by_given: String,
    pub changed_by_family: String,
    pub changed_at: DateTime<Utc>,
    pub from_attendance_minutes: Option<i32>,
    pub from_valid_absence_minutes: Option<i32>,
    pub from_invalid_absence_minutes: Option<i32>,
    pub from_other_activity_minutes: Option<i32>,
    pub from_reason: Option<String>,
    pub to_attendance_minutes: i32,
    pub to_valid_absence_minutes: i32,
    pub to_invalid_absence_minutes: i32,
    pub to_other_activity_minutes: i32,
    pub to_reason: Option<String>,
}

pub async fn changes_of(db: &Db, lesson: Uuid) -> sqlx::Result<Vec<ChangeRow>> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT c.pupil_id, c.version, c.source, c.changed_by, p.given_name AS changed_by_given, \
                p.family_name AS changed_by_family, c.changed_at, c.from_attendance_minutes, \
                c.from_valid_absence_minutes, c.from_invalid_absence_minutes, \
                c.from_other_activity_minutes, c.from_reason, c.to_attendance_minutes, \
                c.to_valid_absence_minutes, c.to_invalid_absence_minutes, \
                c.to_other_activity_minutes, c.to_reason \
           FROM attendance_mark_changes c JOIN persons p ON p.id = c.changed_by \
          WHERE c.lesson_id = $1 ORDER BY c.id"
    )
    .bind(lesson)
    .fetch_all(pool)
    .await)
}

/// One lesson of a day with the pupil's unexcused (invalid) absence in it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InvalidAbsenceRow {
    pub subject: String,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub invalid_absence_minutes: i32,
}

/// The pupil's lessons on `date` with invalid absence, by time.
pub async fn invalid_absences_on(
    tx: &mut Tx,
    pupil: Uuid,
    date: NaiveDate,
) -> sqlx::Result<Vec<InvalidAbsenceRow>> {
    with_tx!(tx, |conn| sqlx::query_as(
        "SELECT l.subject, l.start_time, l.end_time, a.invalid_absence_minutes \
           FROM attendance_marks a JOIN lessons l ON l.id = a.lesson_id \
          WHERE a.pupil_id = $1 AND l.date = $2 AND a.invalid_absence_minutes > 0 \
            AND NOT l.cancelled \
          ORDER BY l.start_time, l.id"
    )
    .bind(pupil)
    .bind(date)
    .fetch_all(&mut *conn)
    .await)
}

/// What the family was last told about the pupil's day: (content, notices sent).
pub async fn notice_of(
    tx: &mut Tx,
    pupil: Uuid,
    date: NaiveDate,
) -> sqlx::Result<Option<(String, i32)>> {
    with_tx!(tx, |conn| sqlx::query_as(
        "SELECT content, notices FROM absence_notices WHERE pupil_id = $1 AND date = $2"
    )
    .bind(pupil)
    .bind(date)
    .fetch_optional(&mut *conn)
    .await)
}

/// Of `pupils`, those whose family has been told about `date`.
pub async fn noticed_on(tx: &mut Tx, pupils: &[Uuid], date: NaiveDate) -> sqlx::Result<Vec<Uuid>> {
    if pupils.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT pupil_id FROM absence_notices WHERE date = $1 AND pupil_id IN ({})",
        placeholders(2, pupils.len())
    );
    with_tx!(tx, |conn| {
        let mut query = sqlx::query_scalar(&sql).bind(date);
        for id in pupils {
            query = query.bind(*id);
        }
        query.fetch_all(&mut *conn).await
    })
}

pub async fn record_notice(
    tx: &mut Tx,
    pupil: Uuid,
    date: NaiveDate,
    content: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    with_tx!(tx, |conn| sqlx::query(
        "INSERT INTO absence_notices (pupil_id, date, content, notices, sent_at) \
         VALUES ($1, $2, $3, 1, $4) ON CONFLICT (pupil_id, date) \
         DO UPDATE SET content = excluded.content, notices = absence_notices.notices + 1, \
                       sent_at = excluded.sent_at"
    )
    .bind(pupil)
    .bind(date)
    .bind(content)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(drop))
}

/// Who is told about a pupil's absence, and how much the message may say.
#[derive(Debug, Clone)]
pub struct NoticeRecipients {
    pub given_name: String,
    pub protected_identity: bool,
    /// The pupil themself when 18 or older on `today`, else the acting guardians.
    pub persons: Vec<Uuid>,
}

pub async fn notice_recipients(
    tx: &mut Tx,
    pupil: Uuid,
    today: NaiveDate,
    adult_cutoff: NaiveDate,
) -> sqlx::Result<Option<NoticeRecipients>> {
    let person: Option<(String, bool, NaiveDate)> = with_tx!(tx, |conn| sqlx::query_as(
        "SELECT given_name, protected_identity, birth_date FROM persons WHERE id = $1"
    )
    .bind(pupil)
    .fetch_optional(&mut *conn)
    .await)?;
    let Some((given_name, protected_identity, birth_date)) = person else {
        return Ok(None);
    };
    let persons = if birth_date <= adult_cutoff {
        vec![pupil]
    } else {
        with_tx!(tx, |conn| sqlx::query_scalar(
            "SELECT guardian_id FROM guardianships WHERE child_id = $1 AND valid_from <= $2 \
               AND (valid_to IS NULL OR valid_to >= $2) ORDER BY guardian_id"
        )
        .bind(pupil)
        .bind(today)
        .fetch_all(&mut *conn)
        .await)?
    };
    Ok(Some(NoticeRecipients {
        given_name,
        protected_identity,
        persons,
    }))
}

/// A reported absence: (id, pupil, from, to, note, reported by and their names, when).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AbsenceReportRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub note: Option<String>,
    pub reported_by: Option<Uuid>,
    pub reporter_given: Option<String>,
    pub reporter_family: Option<String>,
    pub created_at: DateTime<Utc>,
}

const REPORT_SELECT: &str = "SELECT a.id, a.person_id, a.from_date, a.to_date, a.note, \
    a.reported_by, r.given_name AS reporter_given, r.family_name AS reporter_family, a.created_at \
    FROM absences a LEFT JOIN persons r ON r.id = a.reported_by";

/// The pupil's reported absences that end on or after `since`, by first day.
pub async fn reports_of(
    db: &Db,
    pupil: Uuid,
    since: NaiveDate,
) -> sqlx::Result<Vec<AbsenceReportRow>> {
    let sql = format!(
        "{REPORT_SELECT} WHERE a.person_id = $1 AND a.kind = 'reported_absence' \
           AND a.to_date >= $2 ORDER BY a.from_date, a.id"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(pupil)
        .bind(since)
        .fetch_all(pool)
        .await)
}

/// A reported absence of the pupil overlapping `from`–`to`, if there is one.
pub async fn overlapping_report(
    tx: &mut Tx,
    pupil: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Option<AbsenceReportRow>> {
    let sql = format!(
        "{REPORT_SELECT} WHERE a.person_id = $1 AND a.kind = 'reported_absence' \
           AND a.from_date <= $3 AND a.to_date >= $2 ORDER BY a.from_date LIMIT 1"
    );
    with_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(pupil)
        .bind(from)
        .bind(to)
        .fetch_optional(&mut *conn)
        .await)
}

pub struct NewReport<'a> {
    pub pupil: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub note: Option<&'a str>,
    pub reported_by: Uuid,
}

pub async fn insert_report(
    tx: &mut Tx,
    report: &NewReport<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    with_tx!(tx, |conn| sqlx::query(
        "INSERT INTO absences (id, person_id, kind, from_date, to_date, case_id, reported_by, \
                               note, created_at, updated_at) \
         VALUES ($1, $2, 'reported_absence', $3, $4, NULL, $5, $6, $7, $7)"
    )
    .bind(id)
    .bind(report.pupil)
    .bind(report.from)
    .bind(report.to)
    .bind(report.reported_by)
    .bind(report.note)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(drop))?;
    Ok(id)
}

/// One pupil's attendance in one group and month (SS 12000 AggregatedAttendance): minutes of
/// the lessons that had begun by `now`, and of their marks.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AggregateRow {
    pub month: String,
    pub group_id: Uuid,
    pub group_name: String,
    pub pupil_id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub protected_identity: bool,
    pub lessons: i64,
    pub offered_minutes: i64,
    pub attendance_minutes: i64,
    pub valid_absence_minutes: i64,
    pub invalid_absence_minutes: i64,
    pub other_activity_minutes: i64,
    pub unmarked_minutes: i64,
}

/// The unit's attendance per group, pupil and month from `from` to `to` (days), set-based.
#[allow(clippy::too_many_arguments)]
pub async fn aggregates(
    db: &Db,
    unit: Uuid,
    group: Option<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    time: NaiveTime,
) -> sqlx::Result<Vec<AggregateRow>> {
    let minutes = match db.kind() {
        DbKind::Sqlite => {
            "CAST((strftime('%s', l.end_time) - strftime('%s', l.start_time)) / 60 AS INTEGER)"
        }
        DbKind::Postgres => "CAST(EXTRACT(EPOCH FROM (l.end_time - l.start_time)) / 60 AS INTEGER)",
    };
    let sql = format!(
        "SELECT SUBSTR(CAST(l.date AS TEXT), 1, 7) AS month, gr.id AS group_id, \
                gr.name AS group_name, p.id AS pupil_id, p.given_name, p.family_name, \
                p.protected_identity, COUNT(*) AS lessons, \
                CAST(SUM({minutes}) AS BIGINT) AS offered_minutes, \
                CAST(SUM(COALESCE(a.attendance_minutes, 0)) AS BIGINT) AS attendance_minutes, \
                CAST(SUM(COALESCE(a.valid_absence_minutes, 0)) AS BIGINT) AS valid_absence_minutes, \
                CAST(SUM(COALESCE(a.invalid_absence_minutes, 0)) AS BIGINT) AS invalid_absence_minutes, \
                CAST(SUM(COALESCE(a.other_activity_minutes, 0)) AS BIGINT) AS other_activity_minutes, \
                CAST(SUM(CASE WHEN a.lesson_id IS NULL THEN {minutes} ELSE 0 END) AS BIGINT) AS unmarked_minutes \
           FROM lessons l JOIN groups gr ON gr.id = l.group_id \
           JOIN group_memberships m ON m.group_id = l.group_id AND m.valid_from <= l.date \
                AND (m.valid_to IS NULL OR m.valid_to >= l.date) \
           JOIN persons p ON p.id = m.person_id \
           LEFT JOIN attendance_marks a ON a.lesson_id = l.id AND a.pupil_id = m.person_id \
          WHERE gr.unit_id = $1 AND ($2 IS NULL OR gr.id = $2) AND l.date >= $3 AND l.date <= $4 \
            AND NOT l.cancelled AND (l.date < $5 OR (l.date = $5 AND l.start_time <= $6)) \
          GROUP BY SUBSTR(CAST(l.date AS TEXT), 1, 7), gr.id, gr.name, p.id, p.given_name, \
                   p.family_name, p.protected_identity \
          ORDER BY month, gr.name, gr.id, p.family_name, p.given_name, p.id"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(unit)
        .bind(group)
        .bind(from)
        .bind(to)
        .bind(today)
        .bind(time)
        .fetch_all(pool)
        .await)
}

/// The unit (name, its school) if the reader's duty covers its attendance statistics: the
/// school's principal, the provider's admins for an independent school, the municipality's
/// case workers and administrators for a municipal one.
pub async fn statistics_unit(
    db: &Db,
    reader: Uuid,
    unit: Uuid,
    today: NaiveDate,
) -> sqlx::Result<Option<(String, String)>> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT u.name, COALESCE(u.school_form, '') FROM organisations u \
           JOIN organisations s ON s.id = u.parent_id \
           JOIN duties d ON d.person_id = $1 AND d.valid_from <= $3 \
                AND (d.valid_to IS NULL OR d.valid_to >= $3) \
          WHERE u.id = $2 AND u.kind = 'unit' AND s.kind = 'school' AND ( \
                (d.duty = 'principal' AND d.organisation_id = s.id) \
             OR (d.duty IN ('provider_admin', 'case_worker', 'administrator') \
                 AND d.organisation_id = s.parent_id)) \
          LIMIT 1"
    )
    .bind(reader)
    .bind(unit)
    .bind(today)
    .fetch_optional(pool)
    .await)
}

/// The unit a group belongs to.
pub async fn unit_of_group(db: &Db, group: Uuid) -> sqlx::Result<Option<Uuid>> {
    with_db!(db, |pool| sqlx::query_scalar(
        "SELECT unit_id FROM groups WHERE id = $1"
    )
    .bind(group)
    .fetch_optional(pool)
    .await)
}

/// One pupil's school day in one group, for the planning module: the day's lessons that were
/// not cancelled, and their marks.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DayAggregateRow {
    pub unit_id: Uuid,
    pub school_form: String,
    pub group_id: Uuid,
    pub pupil_id: Uuid,
    pub protected_identity: bool,
    pub lessons: i64,
    pub offered_minutes: i64,
    pub attendance_minutes: i64,
    pub valid_absence_minutes: i64,
    pub invalid_absence_minutes: i64,
    pub other_activity_minutes: i64,
    pub unmarked_minutes: i64,
}

/// Every unit's attendance on `day` per group and pupil, set-based, ordered by unit, group and
/// pupil id (never by name: the receiver gets no names).
pub async fn day_aggregates(db: &Db, day: NaiveDate) -> sqlx::Result<Vec<DayAggregateRow>> {
    let minutes = match db.kind() {
        DbKind::Sqlite => {
            "CAST((strftime('%s', l.end_time) - strftime('%s', l.start_time)) / 60 AS INTEGER)"
        }
        DbKind::Postgres => "CAST(EXTRACT(EPOCH FROM (l.end_time - l.start_time)) / 60 AS INTEGER)",
    };
    let sql = format!(
        "SELECT gr.unit_id, COALESCE(u.school_form, '') AS school_form, gr.id AS group_id, \
                p.id AS pupil_id, p.protected_identity, COUNT(*) AS lessons, \
                CAST(SUM({minutes}) AS BIGINT) AS offered_minutes, \
                CAST(SUM(COALESCE(a.attendance_minutes, 0)) AS BIGINT) AS attendance_minutes, \
                CAST(SUM(COALESCE(a.valid_absence_minutes, 0)) AS BIGINT) AS valid_absence_minutes, \
                CAST(SUM(COALESCE(a.invalid_absence_minutes, 0)) AS BIGINT) AS invalid_absence_minutes, \
                CAST(SUM(COALESCE(a.other_activity_minutes, 0)) AS BIGINT) AS other_activity_minutes, \
                CAST(SUM(CASE WHEN a.lesson_id IS NULL THEN {minutes} ELSE 0 END) AS BIGINT) AS unmarked_minutes \
           FROM lessons l JOIN groups gr ON gr.id = l.group_id \
           JOIN organisations u ON u.id = gr.unit_id \
           JOIN group_memberships m ON m.group_id = l.group_id AND m.valid_from <= l.date \
                AND (m.valid_to IS NULL OR m.valid_to >= l.date) \
           JOIN persons p ON p.id = m.person_id \
           LEFT JOIN attendance_marks a ON a.lesson_id = l.id AND a.pupil_id = m.person_id \
          WHERE l.date = $1 AND NOT l.cancelled \
          GROUP BY gr.unit_id, u.school_form, gr.id, p.id, p.protected_identity \
          ORDER BY gr.unit_id, gr.id, p.id"
    );
    with_db!(db, |pool| sqlx::query_as(&sql)
        .bind(day)
        .fetch_all(pool)
        .await)
}

/// The newest change to any mark: figures read after it include every change up to it.
pub async fn change_watermark(db: &Db) -> sqlx::Result<i64> {
    with_db!(db, |pool| sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM attendance_mark_changes"
    )
    .fetch_one(pool)
    .await)
}

/// Adds `day` to the days the planning module is to receive (once).
pub async fn add_planning_day(tx: &mut Tx, day: NaiveDate, now: DateTime<Utc>) -> sqlx::Result<()> {
    with_tx!(tx, |conn| sqlx::query(
        "INSERT INTO planning_exports (day, revision, created_at) VALUES ($1, 1, $2) \
         ON CONFLICT (day) DO NOTHING"
    )
    .bind(day)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(drop))
}

/// Puts back the sent days since `since` whose marks changed after they were sent, as their
/// next revision; returns how many.
pub async fn reopen_changed_planning_days(tx: &mut Tx, since: NaiveDate) -> sqlx::Result<u64> {
    let done = with_tx!(tx, |conn| sqlx::query(
        "UPDATE planning_exports SET revision = revision + 1, sent_at = NULL \
          WHERE sent_at IS NOT NULL AND day >= $1 AND EXISTS ( \
                SELECT 1 FROM lessons l JOIN attendance_mark_changes c ON c.lesson_id = l.id \
                 WHERE l.date = planning_exports.day AND c.id > planning_exports.change_watermark)"
    )
    .bind(since)
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(done)
}

/// The days not yet acknowledged by the planning module up to `until`, oldest first, with
/// the revision to send.
pub async fn unsent_planning_days(
    db: &Db,
    until: NaiveDate,
) -> sqlx::Result<Vec<(NaiveDate, i32)>> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT day, revision FROM planning_exports WHERE sent_at IS NULL AND day <= $1 \
          ORDER BY day"
    )
    .bind(until)
    .fetch_all(pool)
    .await)
}

/// Records that the planning module acknowledged `revision` of `day`; false if that revision
/// is no longer the one waiting (another run sent it).
pub async fn planning_day_sent(
    tx: &mut Tx,
    day: NaiveDate,
    revision: i32,
    watermark: i64,
    rows: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = with_tx!(tx, |conn| sqlx::query(
        "UPDATE planning_exports SET sent_at = $3, change_watermark = $4, row_count = $5 \
          WHERE day = $1 AND revision = $2 AND sent_at IS NULL"
    )
    .bind(day)
    .bind(revision)
    .bind(now)
    .bind(watermark)
    .bind(rows)
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(done == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(year: &str, kind: &str, start: (i32, u32, u32), end: (i32, u32, u32)) -> CalendarRow {
        let day = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        CalendarRow {
            school_year: year.into(),
            kind: kind.into(),
            start_date: day(start),
            end_date: day(end),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn school_days_leave_out_breaks_holidays_and_the_summer() {
        let calendar = [
            row("2026/27", "term", (2026, 8, 17), (2026, 12, 18)),
            row("2026/27", "break", (2026, 12, 21), (2027, 1, 6)),
            row("2026/27", "holiday", (2026, 12, 24), (2026, 12, 24)),
            row("2026/27", "term", (2027, 1, 7), (2027, 6, 11)),
        ];
        // 14 Dec – 8 Jan: five days before the break, two after it.
        let christmas = school_days_by(&calendar, day(2026, 12, 14), day(2027, 1, 8));
        assert_eq!(christmas.len(), 7);
        assert_eq!(christmas.last(), Some(&day(2027, 1, 8)));
        // The summer between the terms of a known year has none.
        assert!(school_days_by(&calendar, day(2027, 6, 14), day(2027, 6, 30)).is_empty());
        // A year the calendar does not know counts every weekday.
        assert_eq!(
            school_days_by(&calendar, day(2027, 8, 16), day(2027, 8, 29)).len(),
            10
        );
        assert_eq!(calendar::start_of_school_year(day(2026, 12, 14)), 2026);
        assert_eq!(calendar::start_of_school_year(day(2027, 6, 30)), 2026);
        assert_eq!(calendar::start_of_school_year(day(2099, 7, 1)), 2099);
    }
}

/// One of the municipality's rules for following up absence.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleRow {
    pub code: String,
    pub enabled: bool,
    pub threshold: i32,
    pub window_days: i32,
}

pub async fn rules(db: &Db) -> sqlx::Result<Vec<RuleRow>> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT code, enabled, threshold, window_days FROM attendance_rules ORDER BY position"
    )
    .fetch_all(pool)
    .await)
}

/// Sets a rule; `false` when there is no rule `code`.
pub async fn set_rule(db: &Db, rule: &RuleRow, by: Uuid, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let changed = with_db!(db, |pool| sqlx::query(
        "UPDATE attendance_rules SET enabled = $2, threshold = $3, window_days = $4, \
         updated_by = $5, updated_at = $6 WHERE code = $1"
    )
    .bind(&rule.code)
    .bind(rule.enabled)
    .bind(rule.threshold)
    .bind(rule.window_days)
    .bind(by)
    .bind(now)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(changed == 1)
}

/// A pupil's mark at one lesson, as the follow-up rules read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleMarkRow {
    pub date: NaiveDate,
    pub subject_code: String,
    pub subject: String,
    pub attendance_minutes: i32,
    pub valid_absence_minutes: i32,
    pub invalid_absence_minutes: i32,
    pub other_activity_minutes: i32,
}

/// The pupil's marks of lessons from `from` to `to`, by date.
pub async fn rule_marks(
    db: &Db,
    pupil: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<RuleMarkRow>> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT l.date, l.subject_code, l.subject, a.attendance_minutes, a.valid_absence_minutes, \
                a.invalid_absence_minutes, a.other_activity_minutes \
         FROM attendance_marks a JOIN lessons l ON l.id = a.lesson_id \
         WHERE a.pupil_id = $1 AND l.date >= $2 AND l.date <= $3 AND NOT l.cancelled \
         ORDER BY l.date, l.start_time"
    )
    .bind(pupil)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await)
}

/// An open alert: (id, rule, subject code).
pub async fn open_alerts(db: &Db, pupil: Uuid) -> sqlx::Result<Vec<(Uuid, String, String)>> {
    with_db!(db, |pool| sqlx::query_as(
        "SELECT id, rule_code, subject_code FROM attendance_alerts \
         WHERE pupil_id = $1 AND cleared_on IS NULL"
    )
    .bind(pupil)
    .fetch_all(pool)
    .await)
}

pub struct NewAlert<'a> {
    pub pupil_id: Uuid,
    pub rule_code: &'a str,
    pub subject_code: &'a str,
    pub value: i32,
    pub raised_on: NaiveDate,
    pub follow_up_id: Option<Uuid>,
}

/// Records a crossing; `false` when the same alert is open already (another instance raised
/// it first), so that the caller rolls back what it made for it.
pub async fn raise_alert(
    tx: &mut Tx,
    alert: &NewAlert<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let inserted = with_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO attendance_alerts (id, pupil_id, rule_code, subject_code, value, raised_on, \
         follow_up_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (pupil_id, rule_code, subject_code) WHERE cleared_on IS NULL DO NOTHING"
    )
    .bind(Uuid::new_v4())
    .bind(alert.pupil_id)
    .bind(alert.rule_code)
    .bind(alert.subject_code)
    .bind(alert.value)
    .bind(alert.raised_on)
    .bind(alert.follow_up_id)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected())
    })?;
    Ok(inserted == 1)
}

pub async fn clear_alert(tx: &mut Tx, id: Uuid, on: NaiveDate) -> sqlx::Result<()> {
    with_tx!(tx, |conn| {
        sqlx::query("UPDATE attendance_alerts SET cleared_on = $2 WHERE id = $1")
            .bind(id)
            .bind(on)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}
