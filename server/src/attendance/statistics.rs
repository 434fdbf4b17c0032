//! Attendance statistics for planning (use case 4, step 5): a unit's attendance per group,
//! pupil and month in the shape of SS 12000 AggregatedAttendance, as JSON and as CSV, for the
//! readers whose duty covers the unit. Every answer names pupils, so every answer is logged.

use std::collections::{BTreeMap, HashSet};

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Months, NaiveDate};
use chrono_tz::Europe::Stockholm;
use serde::Deserialize;
use shared::api::FieldError;
use shared::attendance::{AggregatedAttendance, AttendanceStatistics, GroupMonth, percent};
use shared::register::{NamedRef, PupilRef};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::access;
use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Query};
use crate::state::AppState;
use crate::store::attendance::{self as store, AggregateRow};
use crate::store::register as register_store;

/// The longest period one request covers, in months.
const MONTHS_MAX: u32 = 12;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(attendance_statistics))
        .routes(routes!(attendance_statistics_csv))
        .routes(routes!(attendance_statistics_xlsx))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsParams {
    /// The unit; or give `group_id` and its unit is used.
    unit_id: Option<Uuid>,
    /// Only this group of the unit.
    group_id: Option<Uuid>,
    /// The first month (`YYYY-MM`); this month if omitted.
    from: Option<String>,
    /// The last month (`YYYY-MM`), at most 12 months from `from`; `from` if omitted.
    to: Option<String>,
}

/// A unit's attendance per group, pupil and month (SS 12000 AggregatedAttendance), with each
/// group's month summed. The school's principal, the provider's admins (independent schools)
/// and the municipality's case workers and administrators (municipal schools); 404 otherwise.
#[utoipa::path(get, path = "/statistics/attendance", tag = "attendance", params(StatisticsParams),
    responses((status = 200, body = AttendanceStatistics),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn attendance_statistics(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<StatisticsParams>,
) -> AppResult<Json<AttendanceStatistics>> {
    Ok(Json(statistics(&state, &user, &params).await?))
}

/// The same rows as CSV (UTF-8, comma-separated, one row per pupil, group and month), for a
/// spreadsheet.
#[utoipa::path(get, path = "/statistics/attendance.csv", tag = "attendance",
    params(StatisticsParams),
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn attendance_statistics_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<StatisticsParams>,
) -> AppResult<Response> {
    let statistics = statistics(&state, &user, &params).await?;
    let csv = to_csv(&statistics)?;
    let file = format!("attendance-{}-{}.csv", statistics.from, statistics.to);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        csv,
    )
        .into_response())
}

async fn statistics(
    state: &AppState,
    user: &CurrentUser,
    params: &StatisticsParams,
) -> AppResult<AttendanceStatistics> {
    let today = clock::today();
    let (from, to) = months(params, today)?;
    let unit = match (params.unit_id, params.group_id) {
        (None, None) => {
            return Err(AppError::field(
                "unit_id",
                "required",
                "give a unit_id or a group_id",
            ));
        }
        (Some(unit), None) => unit,
        (unit, Some(group)) => {
            let of_group = store::unit_of_group(&state.db, group)
                .await?
                .ok_or(AppError::NotFound)?;
            if unit.is_some_and(|unit| unit != of_group) {
                return Err(AppError::field(
                    "group_id",
                    "not_in_unit",
                    "the group is not one of the unit's",
                ));
            }
            of_group
        }
    };
    let (unit_name, school_form) = store::statistics_unit(&state.db, user.person_id, unit, today)
        .await?
        .ok_or(AppError::NotFound)?;
    let last_day = to
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(to);
    let time = clock::now().with_timezone(&Stockholm).time();
    let rows = store::aggregates(
        &state.db,
        unit,
        params.group_id,
        from,
        last_day,
        today,
        time,
    )
    .await?;
    let pupils: Vec<Uuid> = {
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.pupil_id).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let protected: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.protected_identity)
        .map(|r| r.pupil_id)
        .collect();
    let direct: HashSet<Uuid> =
        register_store::visible_pupils_among(&state.db, user.reader(), &protected)
            .await?
            .into_iter()
            .filter(|pupil| !pupil.is_masked())
            .map(|pupil| pupil.id)
            .collect();
    access::log_read(
        &state.db,
        user,
        "attendance.statistics",
        &format!("unit={unit} from={from} to={last_day}"),
        &pupils,
    )
    .await?;
    let mut out: Vec<AggregatedAttendance> = rows
        .iter()
        .map(|row| {
            aggregated(
                row,
                row.protected_identity && !direct.contains(&row.pupil_id),
            )
        })
        .collect();
    // A masked pupil sorts after the named ones of the group and month, by id: the place in
    // the alphabet would tell the name.
    out.sort_by(|a, b| {
        (&a.month, &a.group.name, a.group.id, a.student.masked)
            .cmp(&(&b.month, &b.group.name, b.group.id, b.student.masked))
            .then_with(|| match (&a.student.name, &b.student.name) {
                (Some(_), Some(_)) => std::cmp::Ordering::Equal,
                _ => a.student.id.cmp(&b.student.id),
            })
    });
    Ok(AttendanceStatistics {
        unit: NamedRef {
            id: unit,
            name: unit_name,
        },
        school_form,
        from: from.format("%Y-%m").to_string(),
        to: to.format("%Y-%m").to_string(),
        groups: group_months(&out),
        rows: out,
    })
}

/// The first days of the first and the last month.
fn months(params: &StatisticsParams, today: NaiveDate) -> AppResult<(NaiveDate, NaiveDate)> {
    let this_month = today.with_day(1).unwrap_or(today);
    let parse = |field: &str, value: &Option<String>| -> Result<Option<NaiveDate>, FieldError> {
        match value {
            None => Ok(None),
            Some(text) => NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
                .ok()
                .filter(|_| text.len() == 7)
                .map(Some)
                .ok_or_else(|| FieldError::new(field, "invalid_month", "a month as YYYY-MM")),
        }
    };
    let mut problems = Vec::new();
    let from = parse("from", &params.from).unwrap_or_else(|e| {
        problems.push(e);
        None
    });
    let to = parse("to", &params.to).unwrap_or_else(|e| {
        problems.push(e);
        None
    });
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let from = from.unwrap_or(this_month);
    let to = to.unwrap_or(from);
    if to < from {
        return Err(AppError::field(
            "to",
            "before_from",
            "the last month is before the first",
        ));
    }
    if from
        .checked_add_months(Months::new(MONTHS_MAX))
        .is_none_or(|limit| to >= limit)
    {
        return Err(AppError::field(
            "to",
            "period_too_long",
            format!("at most {MONTHS_MAX} months at a time"),
        ));
    }
    Ok((from, to))
}

fn aggregated(row: &AggregateRow, masked: bool) -> AggregatedAttendance {
    let start_date =
        NaiveDate::parse_from_str(&format!("{}-01", row.month), "%Y-%m-%d").unwrap_or_default();
    let end_date = start_date
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(start_date);
    AggregatedAttendance {
        month: row.month.clone(),
        start_date,
        end_date,
        group: NamedRef {
            id: row.group_id,
            name: row.group_name.clone(),
        },
        student: PupilRef {
            id: row.pupil_id,
            masked,
            name: (!masked).then(|| format!("{} {}", row.given_name, row.family_name)),
        },
        lessons: row.lessons,
        offered_minutes: row.offered_minutes,
        attendance_minutes: row.attendance_minutes,
        valid_absence_minutes: row.valid_absence_minutes,
        invalid_absence_minutes: row.invalid_absence_minutes,
        other_activity_minutes: row.other_activity_minutes,
        unmarked_minutes: row.unmarked_minutes,
        valid_absence_percent: percent(row.valid_absence_minutes, row.offered_minutes),
        invalid_absence_percent: percent(row.invalid_absence_minutes, row.offered_minutes),
    }
}

fn group_months(rows: &[AggregatedAttendance]) -> Vec<GroupMonth> {
    let mut groups: BTreeMap<(String, String, Uuid), GroupMonth> = BTreeMap::new();
    for row in rows {
        let key = (row.month.clone(), row.group.name.clone(), row.group.id);
        let group = groups.entry(key).or_insert_with(|| GroupMonth {
            month: row.month.clone(),
            group: row.group.clone(),
            pupils: 0,
            offered_minutes: 0,
            attendance_minutes: 0,
            valid_absence_minutes: 0,
            invalid_absence_minutes: 0,
            other_activity_minutes: 0,
            unmarked_minutes: 0,
            valid_absence_percent: 0.0,
            invalid_absence_percent: 0.0,
        });
        group.pupils += 1;
        group.offered_minutes += row.offered_minutes;
        group.attendance_minutes += row.attendance_minutes;
        group.valid_absence_minutes += row.valid_absence_minutes;
        group.invalid_absence_minutes += row.invalid_absence_minutes;
        group.other_activity_minutes += row.other_activity_minutes;
        group.unmarked_minutes += row.unmarked_minutes;
    }
    groups
        .into_values()
        .map(|mut group| {
            group.valid_absence_percent =
                percent(group.valid_absence_minutes, group.offered_minutes);
            group.invalid_absence_percent =
                percent(group.invalid_absence_minutes, group.offered_minutes);
            group
        })
        .collect()
}

/// The same rows as an Excel workbook, with the column names in the reader's language, the
/// minutes and percentages as numbers, and the header row frozen.
#[utoipa::path(get, path = "/statistics/attendance.xlsx", tag = "attendance",
    params(StatisticsParams),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn attendance_statistics_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<StatisticsParams>,
) -> AppResult<Response> {
    let statistics = statistics(&state, &user, &params).await?;
    let english = user.locale == shared::auth::Locale::En;
    let bytes =
        tokio::task::spawn_blocking(move || to_xlsx(&statistics, english).map(|b| (b, statistics)))
            .await
            .map_err(anyhow::Error::from)??;
    let (bytes, statistics) = bytes;
    let file = format!("attendance-{}-{}.xlsx", statistics.from, statistics.to);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn to_xlsx(statistics: &AttendanceStatistics, english: bool) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let headers: [(&str, &str); 14] = [
        ("Månad", "Month"),
        ("Enhet", "Unit"),
        ("Grupp", "Group"),
        ("Elev-id", "Student id"),
        ("Elev", "Student"),
        ("Lektioner", "Lessons"),
        ("Erbjuden tid (min)", "Offered (min)"),
        ("Närvaro (min)", "Present (min)"),
        ("Giltig frånvaro (min)", "Valid absence (min)"),
        ("Ogiltig frånvaro (min)", "Invalid absence (min)"),
        ("Annan verksamhet (min)", "Other activity (min)"),
        ("Ej registrerat (min)", "Not registered (min)"),
        ("Giltig frånvaro (%)", "Valid absence (%)"),
        ("Ogiltig frånvaro (%)", "Invalid absence (%)"),
    ];
    let masked = if english {
        "(protected identity)"
    } else {
        "(skyddad identitet)"
    };
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(if english { "Attendance" } else { "Närvaro" })?;
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0");
    for (column, (sv, en)) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, if english { *en } else { *sv }, &bold)?;
    }
    for (index, row) in statistics.rows.iter().enumerate() {
        let line = index as u32 + 1;
        // Strings are written as text cells, never read as formulas.
        sheet.write_string(line, 0, &row.month)?;
        sheet.write_string(line, 1, &statistics.unit.name)?;
        sheet.write_string(line, 2, &row.group.name)?;
        sheet.write_string(line, 3, row.student.id.to_string())?;
        sheet.write_string(line, 4, row.student.name.as_deref().unwrap_or(masked))?;
        for (column, minutes) in [
            row.lessons,
            row.offered_minutes,
            row.attendance_minutes,
            row.valid_absence_minutes,
            row.invalid_absence_minutes,
            row.other_activity_minutes,
            row.unmarked_minutes,
        ]
        .into_iter()
        .enumerate()
        {
            sheet.write_number(line, 5 + column as u16, minutes as f64)?;
        }
        sheet.write_number_with_format(line, 12, row.valid_absence_percent, &percent)?;
        sheet.write_number_with_format(line, 13, row.invalid_absence_percent, &percent)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    Ok(workbook.save_to_buffer()?)
}

fn to_csv(statistics: &AttendanceStatistics) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "month",
        "unit",
        "group",
        "student_id",
        "student",
        "lessons",
        "offered_minutes",
        "attendance_minutes",
        "valid_absence_minutes",
        "invalid_absence_minutes",
        "other_activity_minutes",
        "unmarked_minutes",
        "valid_absence_percent",
        "invalid_absence_percent",
    ])?;
    for row in &statistics.rows {
        writer.write_record([
            row.month.clone(),
            cell(&statistics.unit.name),
            cell(&row.group.name),
            row.student.id.to_string(),
            cell(row.student.name.as_deref().unwrap_or_default()),
            row.lessons.to_string(),
            row.offered_minutes.to_string(),
            row.attendance_minutes.to_string(),
            row.valid_absence_minutes.to_string(),
            row.invalid_absence_minutes.to_string(),
            row.other_activity_minutes.to_string(),
            row.unmarked_minutes.to_string(),
            row.valid_absence_percent.to_string(),
            row.invalid_absence_percent.to_string(),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// Text as a spreadsheet shows it, never as a formula (CSV injection).
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}
