//! Attendance per lesson (use case 4): the teacher's day, the register grid with its editing
//! window, reopenings by the principal, a lesson's history, and a pupil's attendance for the
//! readers within reach. Every answer with pupils' data is in the access log.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use axum::extract::State;
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Timelike};
use chrono_tz::Europe::Stockholm;
use serde::Deserialize;
use shared::api::FieldError;
use shared::attendance::{
    AbsenceReason, AttendanceMark, AttendanceTotals, Lesson, LessonChange, LessonRegister,
    MarkInput, MarkMinutes, PupilAttendance, PupilLesson, RegisterInput, RegisterState,
    ReopenInput, Reopening,
};
use shared::register::{NamedRef, PupilRef};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::access;
use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path, Query};
use crate::state::AppState;
use crate::store::Db;
use crate::store::attendance::{
    self as store, LessonRelation, LessonRow, MarkRow, NewMark, ReasonRow, SaveRefused,
};
use crate::store::register as register_store;

pub mod calendar;
pub mod follow_up;
pub mod notices;
pub mod planning;
pub mod reports;
pub mod statistics;

/// How far ahead a principal may reopen a register for a teacher.
const REOPEN_DAYS_MAX: u64 = 30;
/// The longest period `GET /api/pupils/{id}/attendance` answers for.
const PERIOD_DAYS_MAX: i64 = 366;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_lessons))
        .routes(routes!(unregistered_lessons))
        .routes(routes!(lesson_register, save_register))
        .routes(routes!(lesson_history))
        .routes(routes!(reopen_lesson))
        .routes(routes!(pupil_attendance))
        .merge(calendar::router())
        .merge(follow_up::router())
        .merge(reports::router())
        .merge(statistics::router())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayParams {
    /// The day (YYYY-MM-DD); today in Swedish time if omitted.
    date: Option<NaiveDate>,
}

/// The signed-in teacher's lessons on a day, by time, with each register's state.
#[utoipa::path(get, path = "/lessons", tag = "attendance", params(DayParams),
    responses((status = 200, body = Vec<Lesson>),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn my_lessons(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<DayParams>,
) -> AppResult<Json<Vec<Lesson>>> {
    let date = params.date.unwrap_or_else(clock::today);
    let rows = store::lessons_of_teacher(&state.db, user.person_id, date).await?;
    Ok(Json(lessons(&state.db, &rows).await?))
}

/// The lessons of a day at the caller's schools (as principal) that have begun and have no
/// register yet, by time, with their teachers: today's up to now, a past day's all of them, a
/// later day's none. Empty for a caller who leads no school.
#[utoipa::path(get, path = "/lessons/unregistered", tag = "attendance", params(DayParams),
    responses((status = 200, body = Vec<Lesson>),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn unregistered_lessons(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<DayParams>,
) -> AppResult<Json<Vec<Lesson>>> {
    let today = clock::today();
    let date = params.date.unwrap_or(today);
    let begun_before = match date.cmp(&today) {
        Ordering::Less => NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default(),
        Ordering::Equal => {
            let now = clock::now().with_timezone(&Stockholm).time();
            now.with_nanosecond(0).unwrap_or(now)
        }
        Ordering::Greater => return Ok(Json(Vec::new())),
    };
    let rows = store::unregistered_lessons(&state.db, user.person_id, date, begun_before).await?;
    Ok(Json(lessons(&state.db, &rows).await?))
}

/// The register of a lesson: every pupil of the group on the lesson's date, with their
/// mark or what the teacher starts from. Its teachers and the school's principal only.
#[utoipa::path(get, path = "/lessons/{id}/attendance", tag = "attendance",
    params(("id" = Uuid, Path, description = "Lesson id")),
    responses((status = 200, body = LessonRegister),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope)))]
async fn lesson_register(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<LessonRegister>> {
    let (row, relation) = lesson_in_reach(&state, &user, id).await?;
    let register = register_of(&state, &user, &row, relation).await?;
    let pupils: Vec<Uuid> = register.marks.iter().map(|m| m.pupil.id).collect();
    access::log_read(
        &state.db,
        &user,
        "attendance.register",
        &format!("lesson={id}"),
        &pupils,
    )
    .await?;
    Ok(Json(register))
}

/// Saves the register: one mark per pupil sent, each with the version read. A mark changed by
/// someone else since then is a 409; nothing is saved unless every mark is valid.
#[utoipa::path(put, path = "/lessons/{id}/attendance", tag = "attendance",
    params(("id" = Uuid, Path, description = "Lesson id")),
    request_body = RegisterInput,
    responses((status = 200, body = LessonRegister),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, body = shared::api::ErrorEnvelope,
               description = "The editing window has closed and the lesson is not reopened for you"),
              (status = 404, body = shared::api::ErrorEnvelope),
              (status = 409, body = shared::api::ErrorEnvelope,
               description = "A mark was changed by someone else since it was read"),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn save_register(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(input): Json<RegisterInput>,
) -> AppResult<Json<LessonRegister>> {
    let (row, relation) = lesson_in_reach(&state, &user, id).await?;
    let now = clock::now();
    if local(row.date, row.start_time) > now {
        return Err(AppError::field(
            "lesson",
            "lesson_not_begun",
            "a lesson that has not begun cannot be marked",
        ));
    }
    let window = editing_window(&state, &user, &row, relation).await?;
    if !window.editable {
        return Err(AppError::Forbidden);
    }
    let members: HashSet<Uuid> = store::members_on(&state.db, row.group_id, row.date)
        .await?
        .into_iter()
        .map(|(id, ..)| id)
        .collect();
    let reasons = store::reasons(&state.db).await?;
    check_marks(&input.marks, lesson_minutes(&row), &members, &reasons)?;
    let marks: Vec<NewMark<'_>> = input
        .marks
        .iter()
        .map(|m| NewMark {
            pupil_id: m.pupil_id,
            attendance_minutes: m.attendance_minutes,
            valid_absence_minutes: m.valid_absence_minutes,
            invalid_absence_minutes: m.invalid_absence_minutes,
            other_activity_minutes: m.other_activity_minutes,
            reason: m.reason.as_deref(),
            version: m.version.unwrap_or(0),
        })
        .collect();
    let source = if relation.teacher {
        "teacher"
    } else {
        "principal"
    };
    let mut tx = state.db.begin().await?;
    let changed = match store::save_marks(&mut tx, id, &marks, source, user.person_id, now).await {
        Ok(changed) => changed,
        Err(SaveRefused::Stale { pupil_id }) => {
            return Err(AppError::Conflict(format!(
                "the mark of pupil {pupil_id} was changed by someone else since you read it; \
                 reload the register and make your change again"
            )));
        }
        Err(SaveRefused::Database(error)) => return Err(error.into()),
    };
    // Only a changed mark can change a notice or cross a rule: an unchanged one had its steps
    // queued when it was saved.
    let with_invalid_absence: Vec<Uuid> = input
        .marks
        .iter()
        .filter(|m| m.invalid_absence_minutes > 0 && changed.contains(&m.pupil_id))
        .map(|m| m.pupil_id)
        .collect();
    notices::queue(&mut tx, &state, row.date, &with_invalid_absence, &changed).await?;
    follow_up::queue(&mut tx, id, &changed).await?;
    tx.commit().await?;
    let row = store::lesson(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let register = register_of(&state, &user, &row, relation).await?;
    let pupils: Vec<Uuid> = register.marks.iter().map(|m| m.pupil.id).collect();
    access::log_read(
        &state.db,
        &user,
        "attendance.save",
        &format!("lesson={id}"),
        &pupils,
    )
    .await?;
    Ok(Json(register))
}

/// Every change to the lesson's marks, oldest first: who, when, from → to.
#[utoipa::path(get, path = "/lessons/{id}/attendance/history", tag = "attendance",
    params(("id" = Uuid, Path, description = "Lesson id")),
    responses((status = 200, body = Vec<LessonChange>),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope)))]
async fn lesson_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<LessonChange>>> {
    let (row, _) = lesson_in_reach(&state, &user, id).await?;
    let seen: HashMap<Uuid, PupilRef> = members_seen(&state, &user, &row)
        .await?
        .into_iter()
        .map(|pupil| (pupil.id, pupil))
        .collect();
    let changes = store::changes_of(&state.db, id).await?;
    let pupils: Vec<Uuid> = changes.iter().map(|c| c.pupil_id).collect();
    access::log_read(
        &state.db,
        &user,
        "attendance.history",
        &format!("lesson={id}"),
        &pupils,
    )
    .await?;
    Ok(Json(
        changes
            .into_iter()
            .map(|c| LessonChange {
                // A pupil who has left the group since keeps their place, unnamed.
                pupil: seen.get(&c.pupil_id).cloned().unwrap_or(PupilRef {
                    id: c.pupil_id,
                    masked: true,
                    name: None,
                }),
                version: c.version,
                source: c.source,
                changed_by: NamedRef {
                    id: c.changed_by,
                    name: format!("{} {}", c.changed_by_given, c.changed_by_family),
                },
                changed_at: c.changed_at,
                from: c.from_attendance_minutes.map(|attendance| MarkMinutes {
                    attendance_minutes: attendance,
                    valid_absence_minutes: c.from_valid_absence_minutes.unwrap_or(0),
                    invalid_absence_minutes: c.from_invalid_absence_minutes.unwrap_or(0),
                    other_activity_minutes: c.from_other_activity_minutes.unwrap_or(0),
                    reason: c.from_reason.clone(),
                }),
                to: MarkMinutes {
                    attendance_minutes: c.to_attendance_minutes,
                    valid_absence_minutes: c.to_valid_absence_minutes,
                    invalid_absence_minutes: c.to_invalid_absence_minutes,
                    other_activity_minutes: c.to_other_activity_minutes,
                    reason: c.to_reason,
                },
            })
            .collect(),
    ))
}

/// The principal reopens a lesson's register for one of its teachers after the editing
/// window has closed, until a day at most 30 days ahead.
#[utoipa::path(post, path = "/lessons/{id}/reopenings", tag = "attendance",
    params(("id" = Uuid, Path, description = "Lesson id")),
    request_body = ReopenInput,
    responses((status = 201, body = Reopening),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, body = shared::api::ErrorEnvelope, description = "Not the principal"),
              (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn reopen_lesson(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Json(input): Json<ReopenInput>,
) -> AppResult<(axum::http::StatusCode, Json<Reopening>)> {
    let (row, relation) = lesson_in_reach(&state, &user, id).await?;
    if !relation.principal {
        return Err(AppError::Forbidden);
    }
    let today = clock::today();
    let latest = today + Days::new(REOPEN_DAYS_MAX);
    let mut problems = Vec::new();
    let teachers = store::teachers_of(&state.db, &[id]).await?;
    let teacher = teachers.iter().find(|(_, t, ..)| *t == input.person_id);
    if teacher.is_none() {
        problems.push(FieldError::new(
            "person_id",
            "not_a_teacher_of_the_lesson",
            "a register is reopened for one of the lesson's teachers",
        ));
    }
    if input.until < today || input.until > latest {
        problems.push(FieldError::new(
            "until",
            "out_of_range",
            format!("a day from today to {latest}"),
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let (_, teacher, given, family) = teacher.expect("checked above");
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    store::reopen(&mut tx, row.id, *teacher, input.until, user.person_id, now).await?;
    tx.commit().await?;
    let me = register_store::person_name(&state.db, user.person_id).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(Reopening {
            lesson_id: row.id,
            person: NamedRef {
                id: *teacher,
                name: format!("{given} {family}"),
            },
            until: input.until,
            reopened_by: NamedRef {
                id: user.person_id,
                name: format!("{} {}", me.given_name, me.family_name),
            },
            reopened_at: now,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// The first day (YYYY-MM-DD); Monday of this week if omitted.
    from: Option<NaiveDate>,
    /// The last day (YYYY-MM-DD), at most 366 days after `from`; Sunday of `from`'s week if
    /// omitted.
    to: Option<NaiveDate>,
    /// `false`: the totals only, without the lessons (a term's summary).
    lessons: Option<bool>,
}

/// A pupil's lessons in a period with their marks and totals, for the readers within reach:
/// the pupil, an acting guardian, the mentor, the principal and case workers of the school see
/// every lesson; a teacher the lessons of the groups they teach. Others get 404.
#[utoipa::path(get, path = "/pupils/{id}/attendance", tag = "attendance",
    params(("id" = Uuid, Path, description = "Pupil id"), PeriodParams),
    responses((status = 200, body = PupilAttendance),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn pupil_attendance(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(params): Query<PeriodParams>,
) -> AppResult<Json<PupilAttendance>> {
    let today = clock::today();
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let from = params.from.unwrap_or(monday);
    let to = params.to.unwrap_or_else(|| {
        from - Days::new(u64::from(from.weekday().num_days_from_monday())) + Days::new(6)
    });
    if to < from {
        return Err(AppError::field(
            "to",
            "before_from",
            "the period ends before it begins",
        ));
    }
    if (to - from).num_days() > PERIOD_DAYS_MAX {
        return Err(AppError::field(
            "to",
            "period_too_long",
            format!("at most {PERIOD_DAYS_MAX} days at a time"),
        ));
    }
    let reader = user.reader();
    let reach =
        store::attendance_reach(&state.db, user.person_id, id, today, reader.adult_cutoff())
            .await?;
    if !reach.full && reach.taught_groups.is_empty() {
        return Err(AppError::NotFound);
    }
    let pupil = crate::access::may_read_pupil(&state, &user, id).await?;
    if pupil.is_masked() {
        return Err(AppError::NotFound);
    }
    let rows: Vec<LessonRow> = store::lessons_of_pupil(&state.db, id, from, to)
        .await?
        .into_iter()
        .filter(|l| reach.full || reach.taught_groups.contains(&l.group_id))
        .collect();
    let marks: HashMap<Uuid, MarkRow> = store::marks_of_pupil(&state.db, id, from, to)
        .await?
        .into_iter()
        .map(|m| (m.lesson_id, m))
        .collect();
    access::log_read(
        &state.db,
        &user,
        "attendance.pupil",
        &format!("from={from} to={to}"),
        &[id],
    )
    .await?;
    let absences = store::absences_of_pupil(&state.db, id, from, to).await?;
    let now = clock::now();
    let mut totals = AttendanceTotals::default();
    let mut lessons_out = Vec::with_capacity(rows.len());
    for (lesson, row) in lessons(&state.db, &rows).await?.into_iter().zip(&rows) {
        let mark = marks.get(&row.id).map(minutes_of);
        if lesson.starts_at <= now {
            totals.add(lesson.minutes, mark.as_ref());
        }
        let expected_absence = if mark.is_some() {
            None
        } else {
            absences
                .iter()
                .find(|(first, last, _)| *first <= row.date && row.date <= *last)
                .map(|(.., kind)| absence_reason(kind).to_owned())
        };
        lessons_out.push(PupilLesson {
            lesson,
            mark,
            expected_absence,
        });
    }
    let by_subject = shared::attendance::by_subject(
        lessons_out
            .iter()
            .filter(|l| l.lesson.starts_at <= now)
            .map(|l| (l.lesson.subject.as_str(), l.lesson.minutes, l.mark.as_ref())),
    );
    if params.lessons == Some(false) {
        lessons_out.clear();
    }
    Ok(Json(PupilAttendance {
        pupil: PupilRef {
            id,
            masked: false,
            name: Some(format!("{} {}", pupil.given_name, pupil.family_name)),
        },
        from,
        to,
        lessons: lessons_out,
        totals,
        by_subject,
    }))
}

/// The absence reason a register starts from for an absence of `kind` (granted leave or a
/// guardian's report).
fn absence_reason(kind: &str) -> &'static str {
    match kind {
        "granted_leave" => "granted_leave",
        _ => "reported_by_guardian",
    }
}

/// The lesson and how the reader stands to it; 404 unless they teach it or lead its school.
async fn lesson_in_reach(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(LessonRow, LessonRelation)> {
    let row = store::lesson(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let relation = store::relation(&state.db, user.person_id, &row, clock::today()).await?;
    if !relation.teacher && !relation.principal {
        return Err(AppError::NotFound);
    }
    Ok((row, relation))
}

struct EditingWindow {
    editable: bool,
    until: Option<NaiveDate>,
}

/// A teacher changes marks up to `attendance_edit_days` after the lesson, or until the
/// principal's reopening; the principal always.
async fn editing_window(
    state: &AppState,
    user: &CurrentUser,
    row: &LessonRow,
    relation: LessonRelation,
) -> AppResult<EditingWindow> {
    if relation.principal {
        return Ok(EditingWindow {
            editable: true,
            until: None,
        });
    }
    let window_end = row.date + Days::new(u64::from(state.config.attendance_edit_days));
    let reopened = store::reopened_until(&state.db, row.id, user.person_id).await?;
    let until = reopened.map_or(window_end, |r| r.max(window_end));
    Ok(EditingWindow {
        editable: clock::today() <= until,
        until: Some(until),
    })
}

async fn register_of(
    state: &AppState,
    user: &CurrentUser,
    row: &LessonRow,
    relation: LessonRelation,
) -> AppResult<LessonRegister> {
    let lesson = lessons(&state.db, std::slice::from_ref(row))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let members = members_seen(state, user, row).await?;
    let ids: Vec<Uuid> = members.iter().map(|pupil| pupil.id).collect();
    let saved: HashMap<Uuid, MarkRow> = store::marks_of(&state.db, row.id)
        .await?
        .into_iter()
        .map(|m| (m.pupil_id, m))
        .collect();
    let absences: HashMap<Uuid, String> = store::absences_on(&state.db, &ids, row.date)
        .await?
        .into_iter()
        .rev()
        .collect();
    let minutes = lesson.minutes;
    let marks = members
        .into_iter()
        .map(|pupil| {
            let id = pupil.id;
            match saved.get(&id) {
                Some(mark) => AttendanceMark {
                    pupil,
                    attendance_minutes: mark.attendance_minutes,
                    valid_absence_minutes: mark.valid_absence_minutes,
                    invalid_absence_minutes: mark.invalid_absence_minutes,
                    other_activity_minutes: mark.other_activity_minutes,
                    reason: mark.reason.clone(),
                    reported: mark.reported,
                    prefilled: false,
                    marked_by: Some(NamedRef {
                        id: mark.marked_by,
                        name: format!("{} {}", mark.marked_by_given, mark.marked_by_family),
                    }),
                    marked_at: Some(mark.marked_at),
                    version: mark.version,
                },
                None => {
                    let reason = absences
                        .get(&id)
                        .map(|kind| absence_reason(kind).to_owned());
                    let absent = reason.is_some();
                    AttendanceMark {
                        pupil,
                        attendance_minutes: if absent { 0 } else { minutes },
                        valid_absence_minutes: if absent { minutes } else { 0 },
                        invalid_absence_minutes: 0,
                        other_activity_minutes: 0,
                        reason,
                        reported: false,
                        prefilled: absent,
                        marked_by: None,
                        marked_at: None,
                        version: 0,
                    }
                }
            }
        })
        .collect();
    let window = editing_window(state, user, row, relation).await?;
    Ok(LessonRegister {
        lesson,
        marks,
        editable: window.editable,
        editable_until: window.until,
        reasons: store::reasons(&state.db)
            .await?
            .into_iter()
            .map(|r| AbsenceReason {
                code: r.code,
                name_sv: r.name_sv,
                name_en: r.name_en,
                valid: r.valid,
            })
            .collect(),
    })
}

/// The group's members on the lesson's date as the reader may see them: a protected pupil
/// without the reader's direct relation is masked, and listed last by id, so that neither the
/// name nor its place in the alphabet shows.
async fn members_seen(
    state: &AppState,
    user: &CurrentUser,
    row: &LessonRow,
) -> AppResult<Vec<PupilRef>> {
    let members = store::members_on(&state.db, row.group_id, row.date).await?;
    let protected: Vec<Uuid> = members
        .iter()
        .filter(|(.., protected)| *protected)
        .map(|(id, ..)| *id)
        .collect();
    let direct: HashSet<Uuid> =
        register_store::visible_pupils_among(&state.db, user.reader(), &protected)
            .await?
            .into_iter()
            .filter(|pupil| !pupil.is_masked())
            .map(|pupil| pupil.id)
            .collect();
    let (mut named, mut masked): (Vec<PupilRef>, Vec<PupilRef>) = members
        .into_iter()
        .map(|(id, given, family, protected)| {
            if protected && !direct.contains(&id) {
                PupilRef {
                    id,
                    masked: true,
                    name: None,
                }
            } else {
                PupilRef {
                    id,
                    masked: false,
                    name: Some(format!("{given} {family}")),
                }
            }
        })
        .partition(|pupil| !pupil.masked);
    masked.sort_by_key(|pupil| pupil.id);
    named.append(&mut masked);
    Ok(named)
}

/// Every problem of the marks at once, each naming the mark's field and the pupil.
fn check_marks(
    marks: &[MarkInput],
    minutes: i32,
    members: &HashSet<Uuid>,
    reasons: &[ReasonRow],
) -> AppResult<()> {
    if marks.is_empty() {
        return Err(AppError::field(
            "marks",
            "empty",
            "send the marks of at least one pupil",
        ));
    }
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (index, mark) in marks.iter().enumerate() {
        let field = |name: &str| format!("marks[{index}].{name}");
        let pupil = mark.pupil_id;
        if !members.contains(&pupil) {
            problems.push(FieldError::new(
                &field("pupil_id"),
                "not_in_group",
                format!("pupil {pupil} is not in the lesson's group on its date"),
            ));
            continue;
        }
        if !seen.insert(pupil) {
            problems.push(FieldError::new(
                &field("pupil_id"),
                "duplicate",
                format!("pupil {pupil} is marked twice"),
            ));
            continue;
        }
        if mark.version.is_some_and(|v| v < 0) {
            problems.push(FieldError::new(
                &field("version"),
                "out_of_range",
                format!("pupil {pupil}: the version read, 0 or more"),
            ));
        }
        let reason = match mark.reason.as_deref() {
            None => None,
            Some(code) => match reasons.iter().find(|r| r.code == code) {
                Some(reason) => Some(reason),
                None => {
                    problems.push(FieldError::new(
                        &field("reason"),
                        "unknown_reason",
                        format!("pupil {pupil}: {code} is not one of the municipality's reasons"),
                    ));
                    continue;
                }
            },
        };
        let own = mark.problems(index, minutes);
        if !own.is_empty() {
            problems.extend(own);
            continue;
        }
        if mark.valid_absence_minutes > 0 && !reason.is_some_and(|r| r.valid) {
            problems.push(FieldError::new(
                &field("reason"),
                "valid_absence_needs_valid_reason",
                format!("pupil {pupil}: valid absence needs a reason that excuses it"),
            ));
        }
        if mark.invalid_absence_minutes > 0
            && mark.valid_absence_minutes == 0
            && reason.is_some_and(|r| r.valid)
        {
            problems.push(FieldError::new(
                &field("reason"),
                "invalid_absence_with_valid_reason",
                format!("pupil {pupil}: a reason that excuses the absence makes it valid absence"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(problems))
    }
}

/// The lessons as the API shows them, with their teachers.
async fn lessons(db: &Db, rows: &[LessonRow]) -> AppResult<Vec<Lesson>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut teachers: HashMap<Uuid, Vec<NamedRef>> = HashMap::new();
    for (lesson, id, given, family) in store::teachers_of(db, &ids).await? {
        teachers.entry(lesson).or_default().push(NamedRef {
            id,
            name: format!("{given} {family}"),
        });
    }
    Ok(rows
        .iter()
        .map(|row| Lesson {
            id: row.id,
            group: NamedRef {
                id: row.group_id,
                name: row.group_name.clone(),
            },
            subject: row.subject.clone(),
            subject_code: row.subject_code.clone(),
            room: row.room.clone(),
            date: row.date,
            starts_at: local(row.date, row.start_time).fixed_offset(),
            ends_at: local(row.date, row.end_time).fixed_offset(),
            minutes: lesson_minutes(row),
            teachers: teachers.remove(&row.id).unwrap_or_default(),
            register: if row.register_taken_at.is_some() {
                RegisterState::Taken
            } else {
                RegisterState::NotTaken
            },
            changed: row.changed == 1,
        })
        .collect())
}

fn lesson_minutes(row: &LessonRow) -> i32 {
    i32::try_from((row.end_time - row.start_time).num_minutes()).unwrap_or(0)
}

/// A Swedish wall-clock time on a date; the earlier of two at the autumn change, the hour
/// after the gap at the spring change.
fn local(date: NaiveDate, time: NaiveTime) -> DateTime<chrono_tz::Tz> {
    let naive = date.and_time(time);
    Stockholm
        .from_local_datetime(&naive)
        .earliest()
        .unwrap_or_else(|| Stockholm.from_utc_datetime(&(naive - chrono::Duration::hours(1))))
}

fn minutes_of(mark: &MarkRow) -> MarkMinutes {
    MarkMinutes {
        attendance_minutes: mark.attendance_minutes,
        valid_absence_minutes: mark.valid_absence_minutes,
        invalid_absence_minutes: mark.invalid_absence_minutes,
        other_activity_minutes: mark.other_activity_minutes,
        reason: mark.reason.clone(),
    }
}
