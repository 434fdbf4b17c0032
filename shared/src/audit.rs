//! The access log as a person sees it: who read their data (or their child's), when, and
//! what (GDPR art. 15). Entries name the reader; what was read is said in words.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cases::Names;
use crate::register::NamedRef;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessLogEntry {
    pub at: DateTime<Utc>,
    pub reader: NamedRef,
    /// The logged action's code, e.g. `case.read`.
    pub action: String,
    /// What was read, in Swedish and English.
    pub what: Names,
}

/// `GET /api/my/access-log`: every logged read of one person's data, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessLogExtract {
    pub person: NamedRef,
    pub entries: Vec<AccessLogEntry>,
}
