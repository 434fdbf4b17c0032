//! The school calendar as others read it: the school days of a period, counted from the
//! municipality's terms, breaks and holidays (the leave form shows them, and they decide who
//! decides a leave).

use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use shared::api::FieldError;
use shared::applications::principal_decides;
use shared::attendance::{SCHOOL_DAYS_PERIOD_MAX, SchoolDays};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, Json, Query};
use crate::state::AppState;
use crate::store::attendance as store;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(school_days))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// The first day (YYYY-MM-DD).
    from: NaiveDate,
    /// The last day (YYYY-MM-DD), inclusive.
    to: NaiveDate,
}

/// The school days from `from` to `to`, both inclusive, by the school calendar, and whether a
/// leave over them is the principal's to decide. Any signed-in reader: the calendar is public.
#[utoipa::path(get, path = "/calendar/school-days", tag = "attendance", params(PeriodParams),
    responses((status = 200, body = SchoolDays),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn school_days(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(period): Query<PeriodParams>,
) -> AppResult<Json<SchoolDays>> {
    let PeriodParams { from, to } = period;
    if to < from {
        return Err(AppError::Validation(vec![FieldError::new(
            "to",
            "before_from",
            "the last day is before the first",
        )]));
    }
    if (to - from).num_days() >= SCHOOL_DAYS_PERIOD_MAX {
        return Err(AppError::Validation(vec![FieldError::new(
            "to",
            "period_too_long",
            format!("at most {SCHOOL_DAYS_PERIOD_MAX} days"),
        )]));
    }
    let days = store::school_days_in(&state.db, from, to).await?;
    let count = days.len() as u32;
    Ok(Json(SchoolDays {
        from,
        to,
        school_days: count,
        days,
        principal_decides: principal_decides(count),
    }))
}
