//! Attendance: the teacher's lessons of a day, a lesson's register, and a pupil's attendance.

use chrono::NaiveDate;
use gloo_net::http::Request;
use shared::attendance::{
    AbsenceReport, AbsenceReportInput, Lesson, LessonRegister, PupilAttendance, RegisterInput,
    SchoolDays,
};
use uuid::Uuid;

use super::{ApiError, get_json, send_json, with_csrf};

/// `GET /api/lessons?date=…`: the signed-in teacher's lessons that day, by time.
pub async fn lessons(date: NaiveDate) -> Result<Vec<Lesson>, ApiError> {
    get_json(Request::get("/api/lessons").query([("date", date.to_string())])).await
}

/// `GET /api/lessons/unregistered?date=…`: the begun lessons without a register that day at
/// the schools the signed-in principal leads.
pub async fn unregistered_lessons(date: NaiveDate) -> Result<Vec<Lesson>, ApiError> {
    get_json(Request::get("/api/lessons/unregistered").query([("date", date.to_string())])).await
}

/// `GET /api/lessons/{id}/attendance`: 404 unless the reader teaches the lesson or leads
/// its school.
pub async fn register(id: Uuid) -> Result<LessonRegister, ApiError> {
    get_json(Request::get(&format!("/api/lessons/{id}/attendance"))).await
}

/// `PUT /api/lessons/{id}/attendance`: 422 with `marks[i].field` problems, 409 when a mark
/// was changed by someone else, 403 when the editing window has closed.
pub async fn save_register(
    csrf_token: &str,
    id: Uuid,
    input: &RegisterInput,
) -> Result<LessonRegister, ApiError> {
    let request = with_csrf(
        Request::put(&format!("/api/lessons/{id}/attendance")),
        csrf_token,
    );
    Ok(send_json(request, input).await?.json().await?)
}

/// `GET /api/pupils/{id}/attendance?from=&to=`: the pupil's lessons and marks in the period.
pub async fn pupil_attendance(
    id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PupilAttendance, ApiError> {
    let request = Request::get(&format!("/api/pupils/{id}/attendance"))
        .query([("from", from.to_string()), ("to", to.to_string())]);
    get_json(request).await
}

/// `GET /api/pupils/{id}/attendance?lessons=false`: the totals only (a term's summary).
pub async fn pupil_totals(
    id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PupilAttendance, ApiError> {
    let request = Request::get(&format!("/api/pupils/{id}/attendance")).query([
        ("from", from.to_string()),
        ("to", to.to_string()),
        ("lessons", "false".to_owned()),
    ]);
    get_json(request).await
}

/// `GET /api/pupils/{id}/absence-reports`: the reports from today on; 404 unless the reader is
/// an acting guardian of the child, or the pupil at 18 or more.
pub async fn absence_reports(id: Uuid) -> Result<Vec<AbsenceReport>, ApiError> {
    get_json(Request::get(&format!("/api/pupils/{id}/absence-reports"))).await
}

/// `POST /api/pupils/{id}/absence-reports`: 422 with `from`, `to` or `note` problems.
pub async fn report_absence(
    csrf_token: &str,
    id: Uuid,
    input: &AbsenceReportInput,
) -> Result<AbsenceReport, ApiError> {
    let request = with_csrf(
        Request::post(&format!("/api/pupils/{id}/absence-reports")),
        csrf_token,
    );
    Ok(send_json(request, input).await?.json().await?)
}

/// `GET /api/calendar/school-days?from=&to=`: the school days of a period by the school
/// calendar, and whether a leave over them is the principal's to decide.
pub async fn school_days(from: NaiveDate, to: NaiveDate) -> Result<SchoolDays, ApiError> {
    let request = Request::get("/api/calendar/school-days")
        .query([("from", from.to_string()), ("to", to.to_string())]);
    get_json(request).await
}

/// `GET /api/attendance/rules`: the follow-up rules (administrators).
pub async fn rules() -> Result<Vec<shared::attendance::AttendanceRule>, ApiError> {
    get_json(Request::get("/api/attendance/rules")).await
}

/// `PUT /api/attendance/rules/{code}`: 422 with `threshold` or `window_days` out of bounds.
pub async fn set_rule(
    csrf_token: &str,
    code: &str,
    input: &shared::attendance::AttendanceRuleInput,
) -> Result<shared::attendance::AttendanceRule, ApiError> {
    let request = with_csrf(
        Request::put(&format!("/api/attendance/rules/{code}")),
        csrf_token,
    );
    Ok(send_json(request, input).await?.json().await?)
}

/// `GET /api/calendar/{year}`: the school year that starts in `year`.
pub async fn calendar(year: i32) -> Result<shared::calendar::SchoolCalendar, ApiError> {
    get_json(Request::get(&format!("/api/calendar/{year}"))).await
}

/// `PUT /api/calendar/{year}` (administrators): 422 with one problem per bad field.
pub async fn save_calendar(
    csrf_token: &str,
    year: i32,
    input: &shared::calendar::CalendarInput,
) -> Result<shared::calendar::CalendarSaved, ApiError> {
    let request = with_csrf(Request::put(&format!("/api/calendar/{year}")), csrf_token);
    Ok(send_json(request, input).await?.json().await?)
}
