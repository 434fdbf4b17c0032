//! The one place that reads the clock: UTC instants, and dates as Stockholm sees them.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Today's date in Sweden (not UTC's, which is behind by one or two hours at midnight).
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&Stockholm).date_naive()
}
