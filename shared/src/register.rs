//! The student register as the API shows it: pupils, units, groups and placements
//! (shaped after SS 12000). Fields a reader may not see are `None`, with `masked` set.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SchoolForm {
    Forskola,
    Grundskola,
    Fritidshem,
    Gymnasieskola,
    Komvux,
}

impl SchoolForm {
    pub fn as_str(self) -> &'static str {
        match self {
            SchoolForm::Forskola => "forskola",
            SchoolForm::Grundskola => "grundskola",
            SchoolForm::Fritidshem => "fritidshem",
            SchoolForm::Gymnasieskola => "gymnasieskola",
            SchoolForm::Komvux => "komvux",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            SchoolForm::Forskola,
            SchoolForm::Grundskola,
            SchoolForm::Fritidshem,
            SchoolForm::Gymnasieskola,
            SchoolForm::Komvux,
        ]
        .into_iter()
        .find(|form| form.as_str() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    Municipal,
    Independent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Class,
    TeachingGroup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlacementKind {
    Preschool,
    AfterSchool,
}

/// A reference to something by id and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NamedRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupRef {
    pub id: Uuid,
    pub name: String,
    pub kind: GroupKind,
}

/// A pupil in a list. A protected-identity pupil seen without a direct relation has
/// `masked: true` and no name, school or groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PupilSummary {
    pub id: Uuid,
    pub masked: bool,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub school: Option<NamedRef>,
    pub unit: Option<NamedRef>,
    pub groups: Vec<GroupRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    pub street: String,
    pub postal_code: String,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PupilDetail {
    #[serde(flatten)]
    pub summary: PupilSummary,
    /// `YYYYMMDD-NNNN`, only for readers with a direct relation.
    pub personal_number: Option<String>,
    pub protected_identity: bool,
    /// Completed years today; 18 or more means the pupil acts for themselves.
    pub age: Option<u32>,
    pub address: Option<Address>,
    /// Acting guardians (none for a pupil aged 18 or more).
    pub guardians: Vec<NamedRef>,
    pub mentors: Vec<NamedRef>,
    pub placements: Vec<Placement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placement {
    pub id: Uuid,
    pub kind: PlacementKind,
    pub unit: NamedRef,
    pub start_date: NaiveDate,
    /// Inclusive; `None` while the placement runs on.
    pub end_date: Option<NaiveDate>,
    pub hours_per_week: f64,
}

/// A placement as seen from its unit, with the child it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitPlacement {
    #[serde(flatten)]
    pub placement: Placement,
    pub pupil: PupilRef,
}

/// A pupil named only as far as the reader may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PupilRef {
    pub id: Uuid,
    pub masked: bool,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitSummary {
    pub id: Uuid,
    pub name: String,
    pub school_form: SchoolForm,
    pub school: NamedRef,
    pub owner: NamedRef,
    pub owner_kind: OwnerKind,
    pub unit_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitDetail {
    #[serde(flatten)]
    pub summary: UnitSummary,
    pub groups: Vec<UnitGroup>,
    /// Current placements of children the reader may see.
    pub placements: Vec<UnitPlacement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitGroup {
    pub id: Uuid,
    pub name: String,
    pub kind: GroupKind,
    pub member_count: i64,
}

/// The reader's relation to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupRelation {
    Teacher,
    Mentor,
    /// Seen through the school (principal) or the unit's owner (provider admin).
    Organisation,
}

/// `GET /api/groups`: the groups a member of staff works with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupSummary {
    pub id: Uuid,
    pub name: String,
    pub kind: GroupKind,
    pub unit: NamedRef,
    pub school: NamedRef,
    pub relation: GroupRelation,
    pub member_count: i64,
}

/// `GET /api/staff`: colleagues a member of staff can give a subtask to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub id: Uuid,
    pub name: String,
    /// Current duties: teacher, mentor, principal, case_worker, provider_admin, registrar,
    /// administrator.
    pub duties: Vec<String>,
}
