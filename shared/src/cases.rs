//! Cases: registry numbers, case types, statuses, the case as case workers and applicants
//! see it, subtasks and decisions.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::register::{NamedRef, PupilRef};

/// A registry number, unique and gapless per year: `2026/00042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber {
    pub year: u16,
    pub serial: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a case number is written YYYY/NNNNN, e.g. 2026/00042")]
pub struct CaseNumberError;

impl CaseNumber {
    /// The number of the `index`th document in this case: `2026/00042-4`.
    pub fn document(&self, index: u32) -> String {
        format!("{self}-{index}")
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}/{:05}", self.year, self.serial)
    }
}

impl std::str::FromStr for CaseNumber {
    type Err = CaseNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (year, serial) = s.split_once('/').ok_or(CaseNumberError)?;
        if year.len() != 4 || serial.len() < 5 {
            return Err(CaseNumberError);
        }
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(year) || !all_digits(serial) {
            return Err(CaseNumberError);
        }
        let serial: u32 = serial.parse().map_err(|_| CaseNumberError)?;
        if serial == 0 {
            return Err(CaseNumberError);
        }
        Ok(CaseNumber {
            year: year.parse().map_err(|_| CaseNumberError)?,
            serial,
        })
    }
}

impl Serialize for CaseNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CaseNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for CaseNumber {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .examples(["2026/00042"])
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for CaseNumber {}

/// How openly a case or document may be shown (offentlighets- och sekretesslagen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PublicityClass {
    Public,
    Restricted,
    Confidential,
}

impl PublicityClass {
    pub fn as_str(self) -> &'static str {
        match self {
            PublicityClass::Public => "public",
            PublicityClass::Restricted => "restricted",
            PublicityClass::Confidential => "confidential",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "public" => Some(PublicityClass::Public),
            "restricted" => Some(PublicityClass::Restricted),
            "confidential" => Some(PublicityClass::Confidential),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Rejected,
    Dismissed,
    Withdrawn,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Rejected => "rejected",
            Outcome::Dismissed => "dismissed",
            Outcome::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "approved" => Some(Outcome::Approved),
            "rejected" => Some(Outcome::Rejected),
            "dismissed" => Some(Outcome::Dismissed),
            "withdrawn" => Some(Outcome::Withdrawn),
            _ => None,
        }
    }
}

/// A name in each language the platform speaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Names {
    pub sv: String,
    pub en: String,
}

impl Names {
    pub fn new(sv: &str, en: &str) -> Names {
        Names {
            sv: sv.to_owned(),
            en: en.to_owned(),
        }
    }
}

/// A status of a case type: internal and citizen-facing names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusView {
    pub code: String,
    pub name: Names,
    pub public_name: Names,
}

/// A case in a case worker's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    pub id: Uuid,
    pub number: CaseNumber,
    pub case_type: String,
    pub case_type_name: Names,
    pub status: StatusView,
    pub subject: Option<PupilRef>,
    pub owner: Option<NamedRef>,
    /// Legal handling time from registration.
    pub due_date: NaiveDate,
    /// The distributor's advisory deadline for the owner.
    pub deadline: Option<NaiveDate>,
    pub overdue: bool,
    pub publicity_class: PublicityClass,
    pub created_at: DateTime<Utc>,
}

/// A case as the applicant sees it in "My cases".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyCase {
    pub id: Uuid,
    pub number: CaseNumber,
    pub case_type_name: Names,
    pub status_name: Names,
    pub subject: Option<PupilRef>,
    pub created_at: DateTime<Utc>,
    pub outcome: Option<Outcome>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_round_trip_with_five_digits() {
        let n: CaseNumber = "2026/00042".parse().unwrap();
        assert_eq!(
            n,
            CaseNumber {
                year: 2026,
                serial: 42
            }
        );
        assert_eq!(n.to_string(), "2026/00042");
        assert_eq!(n.document(4), "2026/00042-4");
        assert_eq!(
            CaseNumber {
                year: 2026,
                serial: 123_456
            }
            .to_string(),
            "2026/123456"
        );
    }

    #[test]
    fn malformed_case_numbers_are_refused() {
        for bad in [
            "",
            "2026",
            "2026/42",
            "26/00042",
            "2026/0004x",
            "2026/00000",
        ] {
            assert!(bad.parse::<CaseNumber>().is_err(), "{bad}");
        }
    }
}

/// One entry in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    pub at: DateTime<Utc>,
    /// `None` when an automated step acted.
    pub actor: Option<NamedRef>,
    /// `created`, `status`, `assigned`, `note`, `document`, `subtask`, `decision`, `confirmed`, …
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub detail: String,
    /// A handover's new owner or team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NamedRef>,
    /// A handover's note to whoever takes the case on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseNote {
    pub id: Uuid,
    pub author: NamedRef,
    /// Internal notes are for staff only; public ones the applicant sees too.
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDocument {
    pub id: Uuid,
    /// `2026/00042-1`
    pub number: String,
    pub document_type: String,
    pub title: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub publicity_class: PublicityClass,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubtaskStatus {
    New,
    Open,
    Solved,
}

impl SubtaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubtaskStatus::New => "new",
            SubtaskStatus::Open => "open",
            SubtaskStatus::Solved => "solved",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "new" => Some(SubtaskStatus::New),
            "open" => Some(SubtaskStatus::Open),
            "solved" => Some(SubtaskStatus::Solved),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subtask {
    pub id: Uuid,
    pub case_id: Uuid,
    pub assignee: NamedRef,
    pub description: String,
    pub due_date: Option<NaiveDate>,
    pub status: SubtaskStatus,
    pub answer: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub outcome: Outcome,
    /// E.g. "skollagen (2010:800) 7 kap. 18 §".
    pub legal_basis: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub motivation: String,
    pub decided_by: NamedRef,
    pub decided_on: NaiveDate,
    pub appeal_information: String,
}

/// A case as its handlers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub title: String,
    /// Absent where the subject is masked for the reader: the applicant's name would give
    /// the family away.
    pub applicant: Option<NamedRef>,
    pub events: Vec<CaseEvent>,
    pub notes: Vec<CaseNote>,
    pub documents: Vec<CaseDocument>,
    pub subtasks: Vec<Subtask>,
    pub decision: Option<Decision>,
    /// What the reader may do now.
    pub actions: CaseActions,
    /// What the case's process tells about it, for a reader who sees the case's content.
    #[serde(default)]
    pub facts: Vec<CaseFact>,
    /// What the decider should know, from the case's process (leave: the principal decides
    /// more than 10 school days).
    #[serde(default)]
    pub decision_hint: Option<Names>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseActions {
    pub assign: bool,
    pub add_note: bool,
    pub add_subtask: bool,
    pub decide: bool,
    pub close: bool,
    /// The owner may state their need to see the subject's protected identity.
    #[serde(default)]
    pub disclose_identity: bool,
    /// The owner may hand the case over to another person or a team.
    #[serde(default)]
    pub hand_over: bool,
    /// The owner may not decide the case (its process names someone else, e.g. the principal
    /// for a long leave): they hand it over instead.
    #[serde(default)]
    pub decided_elsewhere: bool,
}

/// `POST /api/cases/{id}/handover`: the owner passes an open case on, to a person (who becomes
/// its owner) or a team (the case goes back to the distribution queue and the team gets a
/// task), with a note that the history keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_person_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_team_id: Option<Uuid>,
    pub note: String,
}

/// Longest handover note.
pub const HANDOVER_NOTE_MAX_CHARS: usize = 2000;

/// Who a case can be handed over to: the persons who may handle or decide it, and the teams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverOptions {
    pub persons: Vec<HandoverPerson>,
    pub teams: Vec<NamedRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverPerson {
    pub id: Uuid,
    pub name: String,
    /// May decide the case (its process says so), not only handle it.
    pub may_decide: bool,
}

/// `POST /api/cases/{id}/identity-disclosure`: the owner needs to see the protected subject's
/// identity to handle the case, and says why (kept in the case history and the access log).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityDisclosureRequest {
    pub reason: String,
}

/// `POST /api/cases/{id}/assignment`: the distributor sets the owner and an advisory deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentRequest {
    pub owner_id: Uuid,
    pub deadline: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteRequest {
    pub body: String,
    pub internal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubtaskRequest {
    pub assignee_id: Uuid,
    pub description: String,
    pub due_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubtaskUpdate {
    pub status: SubtaskStatus,
    pub answer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRequest {
    pub outcome: Outcome,
    pub motivation: String,
    /// Defaults to the case type's legal basis.
    pub legal_basis: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// Longest note, subtask description, answer or motivation.
pub const TEXT_MAX_CHARS: usize = 4000;

/// A public status change in the applicant's view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicStatusChange {
    pub at: DateTime<Utc>,
    pub status_name: Names,
}

/// `GET /api/my/cases/{id}`: what an applicant sees of their case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyCaseDetail {
    #[serde(flatten)]
    pub case: MyCase,
    pub history: Vec<PublicStatusChange>,
    pub documents: Vec<CaseDocument>,
    pub decision: Option<Decision>,
    /// The reader is the other guardian and must confirm before the case goes on.
    pub awaiting_my_confirmation: bool,
    /// The applicant may withdraw before the decision (a co-applicant declines instead).
    pub can_withdraw: bool,
    /// The reader is a co-applicant who has not agreed yet and may decline, with a reason.
    #[serde(default)]
    pub can_decline: bool,
    /// What the case's process tells about it (for a leave: the period, the school days and
    /// the reason applied for), in the order to show them.
    #[serde(default)]
    pub facts: Vec<CaseFact>,
    /// The application waits for another guardian to confirm it.
    #[serde(default)]
    pub awaiting_other_party: bool,
}

/// `GET/PUT /api/case-types/{code}/legal-basis`: the legal basis a case type's decisions cite
/// (editable by administrators; IKE's is skollagen 20 kap.).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalBasis {
    #[serde(default)]
    pub case_type: String,
    pub text: String,
}

/// One fact a case's process tells about the case, labelled in every language: the SPA shows
/// them without knowing the case type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseFact {
    /// Stable per process, e.g. `period`; for tests and for clients that pick one.
    pub key: String,
    pub label: Names,
    pub value: FactValue,
}

impl CaseFact {
    pub fn new(key: &str, sv: &str, en: &str, value: FactValue) -> CaseFact {
        CaseFact {
            key: key.to_owned(),
            label: Names::new(sv, en),
            value,
        }
    }
}

/// A fact's value, typed so that each reader's language formats it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FactValue {
    /// Words as written (a reason, a course): shown as prose.
    Text {
        text: String,
    },
    Date {
        date: NaiveDate,
    },
    DateRange {
        from: NaiveDate,
        to: NaiveDate,
    },
    Count {
        count: i64,
    },
}

/// `POST /api/my/cases/{id}/declination`: a co-applicant does not agree to the application;
/// the reason is told to the applicant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclineRequest {
    pub reason: String,
}

/// A staff member who can own cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseOwnerOption {
    pub id: Uuid,
    pub name: String,
}
