//! E-service definitions (the forms an administrator builds in the editor) and the validation of
//! a submission's answers.
//!
//! The browser and the server run the very same [`validate`]: the SPA checks each step before
//! the applicant moves on, and the server checks the submission again because it cannot trust
//! the browser. Both produce the same [`FieldError`]s (the field's key, a stable code, an
//! English message), and [`localise`] turns each into the Swedish or English text the form
//! shows, so a person sees the same words whichever side refused the answer.
//!
//! What only the caller knows (which children the applicant may apply for, which units exist,
//! and what day it is in Sweden) comes in a [`SubmissionContext`]; nothing here reads a
//! database or a clock.

use std::collections::{BTreeMap, HashSet};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::FieldError;
use crate::applications::{ATTACHMENT_MAX_BYTES, ATTACHMENT_MEDIA_TYPES};
use crate::cases::Names;
use crate::text::{self, TextProblem};

/// Longest e-service code; the code is part of the e-service's address, so it stays short.
pub const CODE_MAX_CHARS: usize = 40;
/// Longest field key; keys name the answers in the API and in stored submissions.
pub const KEY_MAX_CHARS: usize = 40;
/// Longest answer to a `text` field when the definition sets no `max_length`.
pub const TEXT_MAX_CHARS: u32 = 200;
/// Longest answer to a `textarea` field when the definition sets no `max_length`.
pub const TEXTAREA_MAX_CHARS: u32 = 4000;
/// The largest `max_length` a definition may set: longer texts belong in an attachment.
pub const MAX_LENGTH_LIMIT: u32 = 10_000;
/// Most files one attachment field takes (also when the definition sets no `max_files`), so
/// that a submission stays within what the server accepts in one request.
pub const ATTACHMENT_MAX_FILES: u32 = 10;
/// Longest attachment file name (common file systems allow 255).
pub const ATTACHMENT_NAME_MAX_CHARS: usize = 255;
/// A date answer more than this many years back is a typo, not a date in a school matter.
pub const DATE_MAX_YEARS_BACK: u32 = 120;
/// A date answer more than this many years ahead is a typo.
pub const DATE_MAX_YEARS_AHEAD: u32 = 10;

/// An e-service as the administrator defines it and the runner shows it. `version` increases
/// with each published change; a submission is validated against the version it was made in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EServiceDefinition {
    /// Stable, lowercase `[a-z0-9_-]`, 2 to 40 characters (e.g. `leave`).
    pub code: String,
    pub version: i32,
    pub title: Names,
    /// Introductory text shown before the first step; may be empty.
    #[serde(default = "no_names")]
    pub description: Names,
    pub who_may_apply: WhoMayApply,
    pub steps: Vec<Step>,
    pub intake: Intake,
    pub signing: Signing,
}

/// Who may start the e-service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WhoMayApply {
    /// A guardian, for a child in their custody.
    Guardian,
    /// A student aged 18 or more, for themselves.
    AdultStudent,
    /// A pupil of any age, for themselves.
    Pupil,
    AnyoneLoggedIn,
}

/// Whose signatures a submission needs before it is taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Signing {
    OneGuardian,
    /// Every guardian with custody must sign (joint custody decisions, e.g. a school change).
    AllGuardians,
}

/// What a submission becomes once it is taken in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Intake {
    pub mode: IntakeMode,
    /// The case type of the new case; needed for `new_case`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_type: Option<String>,
    /// The document type the submission is registered as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// Who gets the case or the assignment; needed for `assignment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign_to: Option<AssignTo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntakeMode {
    /// Registers a new case.
    NewCase,
    /// Adds a document to a case the applicant already has.
    ExistingCase,
    /// Gives a team or persons a task, without a case.
    Assignment,
}

/// A team, persons, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignTo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_ids: Option<Vec<Uuid>>,
}

/// One page of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    /// The step's heading; may be empty (a form of one step needs none).
    #[serde(default = "no_names")]
    pub title: Names,
    pub fields: Vec<Field>,
}

/// One question of the form. The bounds only mean something for the types named beside them
/// and are ignored for the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Field {
    /// The answer's name: lowercase `[a-z][a-z0-9_]*`, unique in the e-service.
    pub key: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    pub label: Names,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Names>,
    /// The choices of a `choice` or `multi_choice` field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// Smallest `number` accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest `number` accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Longest `text` or `textarea` answer in characters; [`TEXT_MAX_CHARS`] or
    /// [`TEXTAREA_MAX_CHARS`] when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Most files an `attachment` takes; [`ATTACHMENT_MAX_FILES`] when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_files: Option<u32>,
    /// Media types an `attachment` accepts, a subset of [`ATTACHMENT_MEDIA_TYPES`]; all of
    /// those when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_types: Vec<String>,
    /// Shows the field only when an earlier field has a given answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_when: Option<Condition>,
}

/// The kinds of question. The answer each takes is described on [`Answer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Textarea,
    Number,
    Date,
    DateRange,
    Choice,
    MultiChoice,
    YesNo,
    /// One of the children the applicant may apply for.
    Child,
    /// A school, preschool or other unit.
    Unit,
    /// Units in the applicant's order of preference (e.g. a school choice).
    RankedUnits,
    Attachment,
    /// A statement the applicant confirms ("I have informed the other guardian").
    Declaration,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChoiceOption {
    /// What the answer holds; stable when the label is reworded.
    pub value: String,
    pub label: Names,
}

/// Met when the answer to the earlier field `field` equals `equals` (for a `multi_choice`
/// field: when its answer contains it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Condition {
    pub field: String,
    pub equals: ConditionValue,
}

/// A text for `choice`, `multi_choice`, `text` and `textarea` fields, a bool for `yes_no`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ConditionValue {
    Bool(bool),
    Text(String),
}

/// One answer as it crosses the wire, told apart by its JSON shape alone. Dates and ids stay
/// text here so that a mistyped one is refused as that field's `invalid`, not as a body that
/// does not parse. An unanswered field is left out (or sent as `""` or `[]`); `null` is not
/// an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Answer {
    /// `yes_no`, `declaration`.
    Bool(bool),
    /// `number`.
    Number(f64),
    /// `text`, `textarea`, `date` (`YYYY-MM-DD`), `choice` (the option's value), `child` and
    /// `unit` (ids).
    Text(String),
    /// `multi_choice` (option values), `ranked_units` (ids, most wanted first). An empty list
    /// is also how an `attachment` field without files arrives.
    List(Vec<String>),
    /// `attachment`.
    Attachments(Vec<AttachmentAnswer>),
    /// `date_range`, both days inclusive, each `YYYY-MM-DD`.
    DateRange(DateRangeAnswer),
}

/// The answers of a submission by field key.
pub type Answers = BTreeMap<String, Answer>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DateRangeAnswer {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// A file sent with a submission, base64-encoded. The content is decoded and its bytes
/// checked against the media type by the server only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentAnswer {
    pub name: String,
    pub media_type: String,
    pub content_base64: String,
}

/// What the caller knows and the definition does not.
#[derive(Debug, Clone, Copy)]
pub struct SubmissionContext<'a> {
    /// The children the applicant may apply for (for a pupil or an adult student: themselves).
    pub children: &'a [Uuid],
    /// The units that exist and may be chosen.
    pub units: &'a [Uuid],
    /// Today in Swedish time.
    pub today: NaiveDate,
}

/// A checked answer, in the type its field stands for. Text is trimmed.
#[derive(Debug, Clone, PartialEq)]
pub enum ValidValue {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    DateRange {
        from: NaiveDate,
        to: NaiveDate,
    },
    Choice(String),
    Choices(Vec<String>),
    YesNo(bool),
    Child(Uuid),
    Unit(Uuid),
    /// Most wanted first.
    RankedUnits(Vec<Uuid>),
    Attachments(Vec<AttachmentAnswer>),
    Declaration(bool),
}

/// The answers of a submission that passed [`validate`]: every visible field that was
/// answered, and nothing else (hidden and unanswered fields are absent).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ValidAnswers {
    pub values: BTreeMap<String, ValidValue>,
}

impl ValidAnswers {
    pub fn get(&self, key: &str) -> Option<&ValidValue> {
        self.values.get(key)
    }

    /// The children the submission is about, in field order of key; the case's subject is
    /// usually the only one.
    pub fn children(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.values.values().filter_map(|value| match value {
            ValidValue::Child(id) => Some(*id),
            _ => None,
        })
    }

    /// The checked answers in their wire form, normalised (trimmed text, canonical ids and
    /// dates), which is what to store with the submission.
    pub fn to_answers(&self) -> Answers {
        self.values
            .iter()
            .map(|(key, value)| (key.clone(), value.to_answer()))
            .collect()
    }
}

impl ValidValue {
    fn to_answer(&self) -> Answer {
        match self {
            ValidValue::Text(text) | ValidValue::Choice(text) => Answer::Text(text.clone()),
            ValidValue::Number(number) => Answer::Number(*number),
            ValidValue::Date(date) => Answer::Text(date.to_string()),
            ValidValue::DateRange { from, to } => Answer::DateRange(DateRangeAnswer {
                from: from.to_string(),
                to: to.to_string(),
            }),
            ValidValue::Choices(values) => Answer::List(values.clone()),
            ValidValue::YesNo(yes) | ValidValue::Declaration(yes) => Answer::Bool(*yes),
            ValidValue::Child(id) | ValidValue::Unit(id) => Answer::Text(id.to_string()),
            ValidValue::RankedUnits(ids) => Answer::List(ids.iter().map(Uuid::to_string).collect()),
            ValidValue::Attachments(files) => Answer::Attachments(files.clone()),
        }
    }
}

/// Why an answer, or a part of a definition, was refused; [`Problem::code`] is the
/// `FieldError.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    Required,
    Invalid,
    TooLong,
    ControlCharacter,
    OutOfRange,
    NotAnOption,
    BeforeFrom,
    /// A required declaration was not confirmed.
    MustAccept,
    /// The child is not one the applicant may apply for. The server answers this with `404`
    /// (see [`refers_to_unknown_child`]): whether a child exists outside one's reach is not
    /// for the applicant to learn.
    UnknownChild,
    UnknownUnit,
    Duplicate,
    TooManyFiles,
    MediaType,
    TooLarge,
    /// An answer, or a condition, names a field the e-service does not have.
    UnknownField,
    /// A condition names a field that comes at or after the field it belongs to (definitions
    /// only).
    NotEarlier,
}

impl Problem {
    pub const ALL: [Problem; 16] = [
        Problem::Required,
        Problem::Invalid,
        Problem::TooLong,
        Problem::ControlCharacter,
        Problem::OutOfRange,
        Problem::NotAnOption,
        Problem::BeforeFrom,
        Problem::MustAccept,
        Problem::UnknownChild,
        Problem::UnknownUnit,
        Problem::Duplicate,
        Problem::TooManyFiles,
        Problem::MediaType,
        Problem::TooLarge,
        Problem::UnknownField,
        Problem::NotEarlier,
    ];

    /// The field error code (docs/API.md).
    pub fn code(self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::Invalid => "invalid",
            Problem::TooLong => "too_long",
            Problem::ControlCharacter => "control_character",
            Problem::OutOfRange => "out_of_range",
            Problem::NotAnOption => "not_an_option",
            Problem::BeforeFrom => "before_from",
            Problem::MustAccept => "must_accept",
            Problem::UnknownChild => "unknown_child",
            Problem::UnknownUnit => "unknown_unit",
            Problem::Duplicate => "duplicate",
            Problem::TooManyFiles => "too_many_files",
            Problem::MediaType => "media_type",
            Problem::TooLarge => "too_large",
            Problem::UnknownField => "unknown_field",
            Problem::NotEarlier => "not_earlier",
        }
    }

    /// The problem a field error code stands for, as the SPA reads it back from the API.
    pub fn from_code(code: &str) -> Option<Problem> {
        Problem::ALL
            .into_iter()
            .find(|problem| problem.code() == code)
    }
}

impl From<TextProblem> for Problem {
    fn from(problem: TextProblem) -> Self {
        match problem {
            TextProblem::Required => Problem::Required,
            TextProblem::TooLong { .. } => Problem::TooLong,
            TextProblem::ControlCharacter => Problem::ControlCharacter,
        }
    }
}

/// Whether the errors name a child the applicant may not apply for, which the server answers
/// with `404` rather than `422`.
pub fn refers_to_unknown_child(errors: &[FieldError]) -> bool {
    errors
        .iter()
        .any(|error| error.code == Problem::UnknownChild.code())
}

/// The languages the messages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Sv,
    En,
}

impl EServiceDefinition {
    /// Every field, in the order the applicant meets them.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.steps.iter().flat_map(|step| &step.fields)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields().find(|field| field.key == key)
    }

    /// The fields shown for these answers, in order. A field is shown when it has no condition,
    /// or when the field its condition names is itself shown and its answer meets the
    /// condition: a field that depends on a hidden field is hidden too, even if an answer to
    /// the hidden field is still around (the SPA keeps answers when a field is hidden, so that
    /// changing one's mind back does not lose them). That is why visibility is decided for
    /// the whole definition, and why a condition may only name an earlier field: one pass in
    /// order decides it, and no two fields can hide each other.
    pub fn visible_fields(&self, answers: &Answers) -> Vec<&Field> {
        let mut shown: HashSet<&str> = HashSet::new();
        let mut visible = Vec::new();
        for field in self.fields() {
            let is_shown = match &field.visible_when {
                None => true,
                Some(condition) => {
                    shown.contains(condition.field.as_str())
                        && condition.is_met_by(answers.get(&condition.field))
                }
            };
            if is_shown {
                shown.insert(&field.key);
                visible.push(field);
            }
        }
        visible
    }

    /// Whether the field `key` is shown for these answers (see [`Self::visible_fields`]).
    pub fn is_visible(&self, key: &str, answers: &Answers) -> bool {
        self.visible_fields(answers)
            .iter()
            .any(|field| field.key == key)
    }

    /// Checks a definition before it is saved in the editor: a well-formed code, unique and
    /// well-formed keys, at least one step with one field, options for choices, conditions on
    /// earlier fields and values those can have, sensible bounds, and titles and labels in
    /// both languages. `FieldError.field` is the path in the definition, e.g.
    /// `steps[0].fields[2].key`.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut refuse = |path: &str, problem: Problem, message: &str| {
            problems.push(FieldError::new(path, problem.code(), message));
        };
        if !is_code(&self.code) {
            refuse(
                "code",
                Problem::Invalid,
                "use 2 to 40 lowercase letters, digits, - or _",
            );
        }
        if self.version < 1 {
            refuse("version", Problem::OutOfRange, "versions start at 1");
        }
        check_names(&self.title, "title", true, &mut refuse);
        check_names(&self.description, "description", false, &mut refuse);
        if self.steps.is_empty() {
            refuse("steps", Problem::Required, "add at least one step");
        }
        let all_keys: HashSet<&str> = self.fields().map(|field| field.key.as_str()).collect();
        let mut earlier: Vec<&Field> = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            check_names(
                &step.title,
                &format!("steps[{i}].title"),
                false,
                &mut refuse,
            );
            if step.fields.is_empty() {
                refuse(
                    &format!("steps[{i}].fields"),
                    Problem::Required,
                    "add at least one field",
                );
            }
            for (j, field) in step.fields.iter().enumerate() {
                let path = format!("steps[{i}].fields[{j}]");
                if !is_key(&field.key) {
                    refuse(
                        &format!("{path}.key"),
                        Problem::Invalid,
                        "start with a lowercase letter; use lowercase letters, digits and _",
                    );
                } else if earlier.iter().any(|other| other.key == field.key) {
                    refuse(
                        &format!("{path}.key"),
                        Problem::Duplicate,
                        "another field has this key",
                    );
                }
                check_names(&field.label, &format!("{path}.label"), true, &mut refuse);
                if let Some(help) = &field.help {
                    check_names(help, &format!("{path}.help"), false, &mut refuse);
                }
                if matches!(field.field_type, FieldType::Choice | FieldType::MultiChoice) {
                    if field.options.is_empty() {
                        refuse(
                            &format!("{path}.options"),
                            Problem::Required,
                            "add at least one option",
                        );
                    }
                    for (k, option) in field.options.iter().enumerate() {
                        let option_path = format!("{path}.options[{k}]");
                        if option.value.trim().is_empty() || option.value.trim() != option.value {
                            refuse(
                                &format!("{option_path}.value"),
                                Problem::Required,
                                "give the option a value without surrounding spaces",
                            );
                        } else if field.options[..k].iter().any(|o| o.value == option.value) {
                            refuse(
                                &format!("{option_path}.value"),
                                Problem::Duplicate,
                                "another option has this value",
                            );
                        }
                        check_names(
                            &option.label,
                            &format!("{option_path}.label"),
                            true,
                            &mut refuse,
                        );
                    }
                }
                if let (Some(min), Some(max)) = (field.min, field.max)
                    && min > max
                {
                    refuse(
                        &format!("{path}.max"),
                        Problem::OutOfRange,
                        "max is below min",
                    );
                }
                if let Some(max_length) = field.max_length
                    && !(1..=MAX_LENGTH_LIMIT).contains(&max_length)
                {
                    refuse(
                        &format!("{path}.max_length"),
                        Problem::OutOfRange,
                        &format!("max_length is 1 to {MAX_LENGTH_LIMIT}"),
                    );
                }
                if let Some(max_files) = field.max_files
                    && !(1..=ATTACHMENT_MAX_FILES).contains(&max_files)
                {
                    refuse(
                        &format!("{path}.max_files"),
                        Problem::OutOfRange,
                        &format!("max_files is 1 to {ATTACHMENT_MAX_FILES}"),
                    );
                }
                for (k, media_type) in field.media_types.iter().enumerate() {
                    if !ATTACHMENT_MEDIA_TYPES.contains(&media_type.as_str()) {
                        refuse(
                            &format!("{path}.media_types[{k}]"),
                            Problem::MediaType,
                            "attachments can be application/pdf, image/jpeg or image/png",
                        );
                    }
                }
                if let Some(condition) = &field.visible_when {
                    match earlier.iter().find(|other| other.key == condition.field) {
                        Some(target) if target.can_answer(&condition.equals) => {}
                        Some(_) => refuse(
                            &format!("{path}.visible_when.equals"),
                            Problem::NotAnOption,
                            "the field named cannot have this answer",
                        ),
                        None if all_keys.contains(condition.field.as_str()) => refuse(
                            &format!("{path}.visible_when.field"),
                            Problem::NotEarlier,
                            "a condition can only name an earlier field",
                        ),
                        None => refuse(
                            &format!("{path}.visible_when.field"),
                            Problem::UnknownField,
                            "no field has this key",
                        ),
                    }
                }
                earlier.push(field);
            }
        }
        match self.intake.mode {
            IntakeMode::NewCase
                if self
                    .intake
                    .case_type
                    .as_deref()
                    .is_none_or(|case_type| case_type.trim().is_empty()) =>
            {
                refuse(
                    "intake.case_type",
                    Problem::Required,
                    "a new case needs a case type",
                );
            }
            IntakeMode::Assignment
                if self.intake.assign_to.as_ref().is_none_or(|to| {
                    to.team_id.is_none() && to.person_ids.as_ref().is_none_or(Vec::is_empty)
                }) =>
            {
                refuse(
                    "intake.assign_to",
                    Problem::Required,
                    "an assignment needs a team or a person",
                );
            }
            _ => {}
        }
        if self.signing == Signing::AllGuardians {
            // The guardians confirm a case about their child: it needs all three.
            if self.who_may_apply != WhoMayApply::Guardian {
                refuse(
                    "signing",
                    Problem::Invalid,
                    "every guardian confirming is for e-services that guardians use",
                );
            } else if self.intake.mode != IntakeMode::NewCase {
                refuse(
                    "signing",
                    Problem::Invalid,
                    "every guardian confirming needs the intake mode new_case",
                );
            } else if !self
                .fields()
                .any(|field| field.field_type == FieldType::Child)
            {
                refuse(
                    "signing",
                    Problem::Required,
                    "every guardian confirming needs a child question",
                );
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

impl Condition {
    /// Whether `answer`, the answer to the field the condition names, meets it. Text is
    /// compared trimmed, as it will be stored.
    pub fn is_met_by(&self, answer: Option<&Answer>) -> bool {
        match (answer, &self.equals) {
            (Some(Answer::Text(text)), ConditionValue::Text(value)) => text.trim() == value,
            (Some(Answer::Bool(yes)), ConditionValue::Bool(value)) => yes == value,
            (Some(Answer::List(values)), ConditionValue::Text(value)) => values.contains(value),
            _ => false,
        }
    }
}

/// The answer a new condition on `field` starts with (the editor's default): yes, the first
/// choice, or an empty text to fill in; `None` for a field a condition cannot name.
pub fn new_condition_value(field: &Field) -> Option<ConditionValue> {
    match field.field_type {
        FieldType::YesNo => Some(ConditionValue::Bool(true)),
        FieldType::Choice | FieldType::MultiChoice => Some(ConditionValue::Text(
            field
                .options
                .first()
                .map(|option| option.value.clone())
                .unwrap_or_default(),
        )),
        FieldType::Text | FieldType::Textarea => Some(ConditionValue::Text(String::new())),
        _ => None,
    }
}

/// Validates a submission's answers against its definition. Fields hidden by their condition
/// are not required and their answers are dropped unchecked, not refused: the SPA keeps what
/// was typed into a field that a later change hid (so changing one's mind back does not lose
/// it), and the applicant did not mean to send what they cannot see, so it is neither refused
/// nor stored. An answer to a key the definition does not have is `unknown_field`.
///
/// Each bad field gives one [`FieldError`] whose `field` is the field's key and whose
/// `message` is the English text of [`Field::message`]; a child the applicant may not apply
/// for is `unknown_child` (see [`refers_to_unknown_child`]).
pub fn validate(
    definition: &EServiceDefinition,
    answers: &Answers,
    context: &SubmissionContext<'_>,
) -> Result<ValidAnswers, Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut values = BTreeMap::new();
    for field in definition.visible_fields(answers) {
        match field.check_answer(answers.get(&field.key), context) {
            Ok(Some(value)) => {
                values.insert(field.key.clone(), value);
            }
            Ok(None) => {}
            Err(problem) => problems.push(FieldError::new(
                &field.key,
                problem.code(),
                field.message(problem, Lang::En),
            )),
        }
    }
    for key in answers.keys() {
        if definition.field(key).is_none() {
            problems.push(FieldError::new(
                key,
                Problem::UnknownField.code(),
                describe(Problem::UnknownField, Lang::En),
            ));
        }
    }
    if problems.is_empty() {
        Ok(ValidAnswers { values })
    } else {
        Err(problems)
    }
}

impl Field {
    /// Checks one answer of a visible field: `Ok(None)` when it is rightly unanswered.
    fn check_answer(
        &self,
        answer: Option<&Answer>,
        context: &SubmissionContext<'_>,
    ) -> Result<Option<ValidValue>, Problem> {
        let Some(answer) = answer.filter(|answer| !is_unanswered(answer)) else {
            return match (self.required, self.field_type) {
                (false, _) => Ok(None),
                (true, FieldType::Declaration) => Err(Problem::MustAccept),
                (true, _) => Err(Problem::Required),
            };
        };
        let value = match (self.field_type, answer) {
            (FieldType::Text | FieldType::Textarea, Answer::Text(text)) => {
                let max_chars = self.max_length() as usize;
                ValidValue::Text(text::checked(text, max_chars, false)?.to_owned())
            }
            (FieldType::Number, Answer::Number(number)) => {
                if !number.is_finite() {
                    return Err(Problem::Invalid);
                }
                if self.min.is_some_and(|min| *number < min)
                    || self.max.is_some_and(|max| *number > max)
                {
                    return Err(Problem::OutOfRange);
                }
                ValidValue::Number(*number)
            }
            (FieldType::Date, Answer::Text(text)) => {
                ValidValue::Date(parse_date(text, context.today)?)
            }
            (FieldType::DateRange, Answer::DateRange(range)) => {
                if range.from.trim().is_empty() || range.to.trim().is_empty() {
                    return Err(Problem::Required);
                }
                let from = parse_date(&range.from, context.today)?;
                let to = parse_date(&range.to, context.today)?;
                if to < from {
                    return Err(Problem::BeforeFrom);
                }
                ValidValue::DateRange { from, to }
            }
            (FieldType::Choice, Answer::Text(text)) => {
                let value = text.trim();
                if !self.has_option(value) {
                    return Err(Problem::NotAnOption);
                }
                ValidValue::Choice(value.to_owned())
            }
            (FieldType::MultiChoice, Answer::List(values)) => {
                if !values.iter().all(|value| self.has_option(value)) {
                    return Err(Problem::NotAnOption);
                }
                if has_duplicates(values) {
                    return Err(Problem::Duplicate);
                }
                ValidValue::Choices(values.clone())
            }
            (FieldType::YesNo, Answer::Bool(yes)) => ValidValue::YesNo(*yes),
            (FieldType::Declaration, Answer::Bool(accepted)) => {
                if self.required && !accepted {
                    return Err(Problem::MustAccept);
                }
                ValidValue::Declaration(*accepted)
            }
            (FieldType::Child, Answer::Text(text)) => {
                let id = parse_id(text)?;
                if !context.children.contains(&id) {
                    return Err(Problem::UnknownChild);
                }
                ValidValue::Child(id)
            }
            (FieldType::Unit, Answer::Text(text)) => {
                ValidValue::Unit(known_unit(text, context.units)?)
            }
            (FieldType::RankedUnits, Answer::List(texts)) => {
                let ids = texts
                    .iter()
                    .map(|text| known_unit(text, context.units))
                    .collect::<Result<Vec<_>, _>>()?;
                if has_duplicates(&ids) {
                    return Err(Problem::Duplicate);
                }
                ValidValue::RankedUnits(ids)
            }
            (FieldType::Attachment, Answer::Attachments(files)) => {
                ValidValue::Attachments(self.check_files(files)?)
            }
            _ => return Err(Problem::Invalid),
        };
        Ok(Some(value))
    }

    fn check_files(&self, files: &[AttachmentAnswer]) -> Result<Vec<AttachmentAnswer>, Problem> {
        if files.len() > self.max_files() as usize {
            return Err(Problem::TooManyFiles);
        }
        let media_types = self.media_types();
        files
            .iter()
            .map(|file| {
                let name = text::checked(&file.name, ATTACHMENT_NAME_MAX_CHARS, true).map_err(
                    |problem| match problem {
                        TextProblem::Required => Problem::Invalid,
                        other => other.into(),
                    },
                )?;
                let media_type = file.media_type.trim().to_ascii_lowercase();
                if !media_types.contains(&media_type.as_str()) {
                    return Err(Problem::MediaType);
                }
                // The base64 of the largest file accepted; the server checks the decoded size.
                if file.content_base64.len() > ATTACHMENT_MAX_BYTES.div_ceil(3) * 4 {
                    return Err(Problem::TooLarge);
                }
                Ok(AttachmentAnswer {
                    name: name.to_owned(),
                    media_type,
                    content_base64: file.content_base64.clone(),
                })
            })
            .collect()
    }

    fn has_option(&self, value: &str) -> bool {
        self.options.iter().any(|option| option.value == value)
    }

    /// Whether this field can have an answer that meets `value` (for checking conditions).
    fn can_answer(&self, value: &ConditionValue) -> bool {
        match (self.field_type, value) {
            (FieldType::Choice | FieldType::MultiChoice, ConditionValue::Text(value)) => {
                self.has_option(value)
            }
            (FieldType::Text | FieldType::Textarea, ConditionValue::Text(value)) => {
                !value.trim().is_empty() && value.trim() == value
            }
            (FieldType::YesNo, ConditionValue::Bool(_)) => true,
            _ => false,
        }
    }

    /// The longest text answer this field takes.
    pub fn max_length(&self) -> u32 {
        self.max_length.unwrap_or(match self.field_type {
            FieldType::Textarea => TEXTAREA_MAX_CHARS,
            _ => TEXT_MAX_CHARS,
        })
    }

    /// The most files this field takes.
    pub fn max_files(&self) -> u32 {
        self.max_files.unwrap_or(ATTACHMENT_MAX_FILES)
    }

    /// The media types this field accepts.
    pub fn media_types(&self) -> Vec<&str> {
        if self.media_types.is_empty() {
            ATTACHMENT_MEDIA_TYPES.to_vec()
        } else {
            self.media_types.iter().map(String::as_str).collect()
        }
    }

    /// What to tell the applicant about `problem` with this field, in `lang`, with the
    /// field's own bounds (e.g. "The text can be at most 200 characters.").
    pub fn message(&self, problem: Problem, lang: Lang) -> String {
        use FieldType as T;
        let say = |sv: &str, en: &str| match lang {
            Lang::Sv => sv.to_owned(),
            Lang::En => en.to_owned(),
        };
        match (problem, self.field_type) {
            (Problem::Required, T::Number) => say("Ange ett tal.", "Enter a number."),
            (Problem::Required, T::Date) => say("Ange ett datum.", "Enter a date."),
            (Problem::Required, T::DateRange) => say(
                "Ange både första och sista dagen.",
                "Enter both the first and the last day.",
            ),
            (Problem::Required, T::Choice) => {
                say("Välj ett av alternativen.", "Choose one of the options.")
            }
            (Problem::Required, T::MultiChoice) => {
                say("Välj minst ett alternativ.", "Choose at least one option.")
            }
            (Problem::Required, T::YesNo) => say("Svara ja eller nej.", "Answer yes or no."),
            (Problem::Required, T::Child) => say(
                "Välj vilket barn ansökan gäller.",
                "Choose which child the application is for.",
            ),
            (Problem::Required, T::Unit) => say(
                "Välj en skola eller förskola.",
                "Choose a school or preschool.",
            ),
            (Problem::Required, T::RankedUnits) => say(
                "Välj minst en skola eller förskola.",
                "Choose at least one school or preschool.",
            ),
            (Problem::Required, T::Attachment) => say("Bifoga en fil.", "Attach a file."),
            (Problem::Required, T::Declaration) => describe(Problem::MustAccept, lang).to_owned(),
            (Problem::Invalid, T::Date | T::DateRange) => say(
                "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-01.",
                "Write the date as YYYY-MM-DD, for example 2026-12-01.",
            ),
            (Problem::Invalid, T::Number) => say(
                "Ange ett tal, till exempel 12.",
                "Enter a number, such as 12.",
            ),
            (Problem::Invalid, T::Attachment) => say(
                "En fil saknar namn. Välj den igen.",
                "A file has no name. Choose it again.",
            ),
            (Problem::TooLong, T::Attachment) => match lang {
                Lang::Sv => format!("Filnamnet får vara högst {ATTACHMENT_NAME_MAX_CHARS} tecken."),
                Lang::En => {
                    format!("The file name can be at most {ATTACHMENT_NAME_MAX_CHARS} characters.")
                }
            },
            (Problem::TooLong, _) => match lang {
                Lang::Sv => format!("Texten får vara högst {} tecken.", self.max_length()),
                Lang::En => format!("The text can be at most {} characters.", self.max_length()),
            },
            (Problem::ControlCharacter, T::Attachment) => say(
                "Filnamnet innehåller osynliga styrtecken. Byt namn på filen.",
                "The file name contains invisible control characters. Rename the file.",
            ),
            (Problem::OutOfRange, T::Number) => {
                let number = |n: f64| match lang {
                    Lang::Sv => n.to_string().replace('.', ","),
                    Lang::En => n.to_string(),
                };
                match (self.min, self.max, lang) {
                    (Some(min), Some(max), Lang::Sv) => {
                        format!("Ange ett tal från {} till {}.", number(min), number(max))
                    }
                    (Some(min), Some(max), Lang::En) => {
                        format!("Enter a number from {} to {}.", number(min), number(max))
                    }
                    (Some(min), None, Lang::Sv) => {
                        format!("Ange ett tal som är minst {}.", number(min))
                    }
                    (Some(min), None, Lang::En) => {
                        format!("Enter a number of at least {}.", number(min))
                    }
                    (None, Some(max), Lang::Sv) => {
                        format!("Ange ett tal som är högst {}.", number(max))
                    }
                    (None, Some(max), Lang::En) => {
                        format!("Enter a number of at most {}.", number(max))
                    }
                    (None, None, _) => describe(problem, lang).to_owned(),
                }
            }
            (Problem::OutOfRange, T::Date | T::DateRange) => {
                say("Kontrollera årtalet.", "Check the year.")
            }
            (Problem::Duplicate, T::MultiChoice) => say(
                "Välj varje alternativ bara en gång.",
                "Choose each option only once.",
            ),
            (Problem::Duplicate, T::RankedUnits) => say(
                "Välj varje skola eller förskola bara en gång.",
                "Choose each school or preschool only once.",
            ),
            (Problem::TooManyFiles, _) => match (self.max_files(), lang) {
                (1, Lang::Sv) => "Bifoga bara en fil.".to_owned(),
                (1, Lang::En) => "Attach only one file.".to_owned(),
                (n, Lang::Sv) => format!("Bifoga högst {n} filer."),
                (n, Lang::En) => format!("Attach at most {n} files."),
            },
            (Problem::MediaType, _) => {
                let names: Vec<&str> = self.media_types().into_iter().map(media_name).collect();
                match lang {
                    Lang::Sv => format!("Filen måste vara av typen {}.", list(&names, "eller")),
                    Lang::En => format!("The file must be a {}.", list(&names, "or")),
                }
            }
            (Problem::TooLarge, _) => {
                let megabytes = ATTACHMENT_MAX_BYTES / (1024 * 1024);
                match lang {
                    Lang::Sv => format!("Varje fil får vara högst {megabytes} MB."),
                    Lang::En => format!("Each file can be at most {megabytes} MB."),
                }
            }
            _ => describe(problem, lang).to_owned(),
        }
    }
}

/// What to tell a person about `problem` when there is no field to be more specific about
/// (an answer to an unknown field, or a problem in a definition).
pub fn describe(problem: Problem, lang: Lang) -> &'static str {
    let (sv, en) = match problem {
        Problem::Required => ("Fältet måste fyllas i.", "This field is required."),
        Problem::Invalid => ("Värdet är inte giltigt.", "The value is not valid."),
        Problem::TooLong => ("Texten är för lång.", "The text is too long."),
        Problem::ControlCharacter => (
            "Texten innehåller osynliga styrtecken. Ta bort dem.",
            "The text contains invisible control characters. Remove them.",
        ),
        Problem::OutOfRange => (
            "Värdet är utanför det tillåtna intervallet.",
            "The value is outside the allowed range.",
        ),
        Problem::NotAnOption => ("Välj ett av alternativen.", "Choose one of the options."),
        Problem::BeforeFrom => (
            "Sista dagen kan inte vara före första dagen.",
            "The last day cannot be before the first day.",
        ),
        Problem::MustAccept => ("Bekräfta för att gå vidare.", "Confirm to continue."),
        Problem::UnknownChild => (
            "Du kan inte ansöka för det här barnet.",
            "You cannot apply for this child.",
        ),
        Problem::UnknownUnit => (
            "Välj en skola eller förskola i listan.",
            "Choose a school or preschool in the list.",
        ),
        Problem::Duplicate => ("Värdet används redan.", "The value is already used."),
        Problem::TooManyFiles => ("För många filer.", "Too many files."),
        Problem::MediaType => (
            "Filen måste vara av typen PDF, JPEG eller PNG.",
            "The file must be a PDF, JPEG or PNG.",
        ),
        Problem::TooLarge => ("Filen är för stor.", "The file is too large."),
        Problem::UnknownField => (
            "Formuläret har ingen sådan fråga.",
            "The form has no such question.",
        ),
        Problem::NotEarlier => (
            "Hänvisa till en fråga tidigare i formuläret.",
            "Refer to a question earlier in the form.",
        ),
    };
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

/// The text to show for a [`FieldError`] from [`validate`] (the SPA's own run or the server's
/// `422`), in `lang`. A code this version does not know shows its English `message`.
pub fn localise(definition: &EServiceDefinition, error: &FieldError, lang: Lang) -> String {
    match (
        Problem::from_code(&error.code),
        definition.field(&error.field),
    ) {
        (Some(problem), Some(field)) => field.message(problem, lang),
        (Some(problem), None) => describe(problem, lang).to_owned(),
        (None, _) => error.message.clone(),
    }
}

/// Serde default for optional headings and descriptions (`Names` has no `Default`).
fn no_names() -> Names {
    Names {
        sv: String::new(),
        en: String::new(),
    }
}

/// Refuses a missing language: always when `required`, otherwise when only the other language
/// is given, so the form never shows a heading in one language and nothing in the other.
fn check_names(
    names: &Names,
    path: &str,
    required: bool,
    refuse: &mut impl FnMut(&str, Problem, &str),
) {
    let sv = names.sv.trim().is_empty();
    let en = names.en.trim().is_empty();
    if sv && (required || !en) {
        refuse(
            &format!("{path}.sv"),
            Problem::Required,
            "write it in Swedish",
        );
    }
    if en && (required || !sv) {
        refuse(
            &format!("{path}.en"),
            Problem::Required,
            "write it in English",
        );
    }
}

fn is_code(code: &str) -> bool {
    (2..=CODE_MAX_CHARS).contains(&code.len())
        && code
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
}

fn is_key(key: &str) -> bool {
    key.len() <= KEY_MAX_CHARS
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

fn is_unanswered(answer: &Answer) -> bool {
    match answer {
        Answer::Text(text) => text.trim().is_empty(),
        Answer::List(values) => values.is_empty(),
        Answer::Attachments(files) => files.is_empty(),
        Answer::DateRange(range) => range.from.trim().is_empty() && range.to.trim().is_empty(),
        Answer::Bool(_) | Answer::Number(_) => false,
    }
}

/// A date written exactly `YYYY-MM-DD`, within [`DATE_MAX_YEARS_BACK`] and
/// [`DATE_MAX_YEARS_AHEAD`] of `today` (a year like 0226 or 2206 is a slip of the keyboard).
fn parse_date(text: &str, today: NaiveDate) -> Result<NaiveDate, Problem> {
    let text = text.trim();
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return Err(Problem::Invalid);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| Problem::Invalid)?;
    let earliest = today
        .checked_sub_months(Months::new(DATE_MAX_YEARS_BACK * 12))
        .unwrap_or(NaiveDate::MIN);
    let latest = today
        .checked_add_months(Months::new(DATE_MAX_YEARS_AHEAD * 12))
        .unwrap_or(NaiveDate::MAX);
    if date < earliest || date > latest {
        return Err(Problem::OutOfRange);
    }
    Ok(date)
}

fn parse_id(text: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(text.trim()).map_err(|_| Problem::Invalid)
}

fn known_unit(text: &str, units: &[Uuid]) -> Result<Uuid, Problem> {
    let id = parse_id(text)?;
    if units.contains(&id) {
        Ok(id)
    } else {
        Err(Problem::UnknownUnit)
    }
}

fn has_duplicates<T: PartialEq>(values: &[T]) -> bool {
    values
        .iter()
        .enumerate()
        .any(|(i, value)| values[..i].contains(value))
}

/// The name people know a media type by.
fn media_name(media_type: &str) -> &str {
    match media_type {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        other => other,
    }
}

/// "A, B or C".
fn list(items: &[&str], or: &str) -> String {
    match items {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [rest @ .., last] => format!("{} {or} {last}", rest.join(", ")),
    }
}

/// `GET /api/e-services`: one published e-service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EServiceSummary {
    pub code: String,
    pub version: i32,
    pub title: Names,
    pub intake_mode: IntakeMode,
    #[serde(default)]
    pub description: Option<Names>,
    #[serde(default)]
    pub who_may_apply: Option<WhoMayApply>,
}

/// `POST /api/e-services/{code}/submissions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionRequest {
    pub answers: Answers,
    /// For an e-service whose intake adds to an existing case: which of the applicant's cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<Uuid>,
}

/// The answer to a submission: what it became.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionReceipt {
    pub id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<crate::cases::CaseNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_id: Option<Uuid>,
    /// The case waits for the child's other guardians to confirm it (signing `all_guardians`);
    /// they are asked in their inbox.
    #[serde(default)]
    pub awaiting_confirmation: bool,
}

/// `PUT /api/e-services/{code}/saved-answers`: answers saved to continue later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedAnswersRequest {
    pub answers: Answers,
    /// The step the applicant was on (0-based).
    #[serde(default)]
    pub step: u32,
}

/// Saved answers, on the version they were started on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedAnswers {
    pub code: String,
    pub version: i32,
    pub answers: Answers,
    pub step: u32,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// `GET /api/e-services/{code}/draft` (administrators): the definition being edited and what
/// is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EServiceDraft {
    pub definition: EServiceDefinition,
    pub published_version: Option<i32>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// `GET /api/e-service-drafts` (administrators): every e-service, published or not, as the
/// editor lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EServiceOverview {
    pub code: String,
    /// The draft's title.
    pub title: Names,
    pub intake_mode: IntakeMode,
    pub who_may_apply: WhoMayApply,
    /// The version applicants see; `None` while unpublished.
    pub published_version: Option<i32>,
    /// Whether the draft differs from what is published (always true while unpublished).
    pub unpublished_changes: bool,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// `GET /api/case-types`: a case type an e-service can register its submissions as, with the
/// document types of its classification plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseTypeInfo {
    pub code: String,
    pub name: Names,
    pub publicity_class: crate::cases::PublicityClass,
    pub document_types: Vec<DocumentTypeInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentTypeInfo {
    pub code: String,
    pub name: Names,
    pub publicity_class: crate::cases::PublicityClass,
}

impl EServiceDefinition {
    /// Whether two definitions say the same, whatever their version numbers.
    pub fn same_content(&self, other: &EServiceDefinition) -> bool {
        EServiceDefinition {
            version: other.version,
            ..self.clone()
        } == *other
    }
}

/// `POST /api/e-services/{code}/publish`: the version now published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Published {
    pub code: String,
    pub version: i32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CHILD: Uuid = Uuid::from_u128(1);
    const OTHER_CHILD: Uuid = Uuid::from_u128(2);
    const UNIT_A: Uuid = Uuid::from_u128(10);
    const UNIT_B: Uuid = Uuid::from_u128(11);
    const UNKNOWN_UNIT: Uuid = Uuid::from_u128(99);

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn context() -> SubmissionContext<'static> {
        SubmissionContext {
            children: &[CHILD],
            units: &[UNIT_A, UNIT_B],
            today: today(),
        }
    }

    fn names(sv: &str, en: &str) -> serde_json::Value {
        json!({ "sv": sv, "en": en })
    }

    /// A definition with the given fields in one step.
    fn definition(fields: serde_json::Value) -> EServiceDefinition {
        serde_json::from_value(json!({
            "code": "test",
            "version": 1,
            "title": names("Test", "Test"),
            "who_may_apply": "guardian",
            "steps": [{ "fields": fields }],
            "intake": { "mode": "new_case", "case_type": "test" },
            "signing": "one_guardian",
        }))
        .unwrap()
    }

    /// A definition of one required field of `field_type` with `extra` properties.
    fn one_field(field_type: &str, extra: serde_json::Value) -> EServiceDefinition {
        let mut field = json!({
            "key": "answer",
            "type": field_type,
            "required": true,
            "label": names("Svar", "Answer"),
        });
        field
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        definition(json!([field]))
    }

    fn answers(value: serde_json::Value) -> Answers {
        serde_json::from_value(value).unwrap()
    }

    /// The (field, code) pairs `validate` refuses with.
    fn refused(definition: &EServiceDefinition, value: serde_json::Value) -> Vec<(String, String)> {
        validate(definition, &answers(value), &context())
            .unwrap_err()
            .into_iter()
            .map(|error| (error.field, error.code))
            .collect()
    }

    /// The code `validate` refuses the single answer of `one_field` with.
    fn refusal(definition: &EServiceDefinition, answer: serde_json::Value) -> String {
        let pairs = refused(definition, json!({ "answer": answer }));
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!(pairs[0].0, "answer");
        pairs[0].1.clone()
    }

    fn accepted(definition: &EServiceDefinition, answer: serde_json::Value) -> ValidValue {
        let valid = validate(
            definition,
            &answers(json!({ "answer": answer })),
            &context(),
        )
        .unwrap_or_else(|errors| panic!("{errors:?}"));
        valid.get("answer").cloned().expect("answered")
    }

    fn checked(definition: &EServiceDefinition) -> Vec<(String, String)> {
        definition
            .check()
            .unwrap_err()
            .into_iter()
            .map(|error| (error.field, error.code))
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(field, code)| (field.to_string(), code.to_string()))
            .collect()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_minimal_definition_in_the_contract_shape_parses_and_round_trips() {
        let text = r#"{
            "code": "leave", "version": 1,
            "title": {"sv": "Ledighet", "en": "Leave"},
            "who_may_apply": "guardian",
            "steps": [{"fields": [{"key": "period", "type": "date_range", "required": true,
                                   "label": {"sv": "Period", "en": "Period"}},
                                  {"key": "child", "type": "child", "required": true,
                                   "label": {"sv": "Barn", "en": "Child"}}]}],
            "intake": {"mode": "new_case", "case_type": "leave"},
            "signing": "all_guardians"
        }"#;
        let parsed: EServiceDefinition = serde_json::from_str(text).unwrap();
        assert_eq!(parsed.who_may_apply, WhoMayApply::Guardian);
        assert_eq!(parsed.signing, Signing::AllGuardians);
        assert_eq!(parsed.description.sv, "");
        assert_eq!(parsed.steps[0].title.en, "");
        assert_eq!(parsed.steps[0].fields[0].field_type, FieldType::DateRange);
        assert_eq!(parsed.check(), Ok(()));
        let written = serde_json::to_value(&parsed).unwrap();
        assert_eq!(written["steps"][0]["fields"][0]["type"], "date_range");
        assert_eq!(
            written["intake"],
            json!({"mode": "new_case", "case_type": "leave"})
        );
        let field = written["steps"][0]["fields"][0].as_object().unwrap();
        assert!(!field.contains_key("visible_when") && !field.contains_key("options"));
        assert_eq!(
            serde_json::from_value::<EServiceDefinition>(written).unwrap(),
            parsed
        );
    }

    #[test]
    fn a_full_definition_round_trips_and_passes_the_check() {
        let value = json!({
            "code": "school-choice_2027",
            "version": 3,
            "title": names("Skolval", "School choice"),
            "description": names("Välj skola.", "Choose a school."),
            "who_may_apply": "guardian",
            "steps": [
                {
                    "title": names("Barnet", "The child"),
                    "fields": [
                        {"key": "child", "type": "child", "required": true,
                         "label": names("Barn", "Child"), "help": names("Hjälp", "Help")},
                        {"key": "reason", "type": "choice", "required": true,
                         "label": names("Skäl", "Reason"),
                         "options": [{"value": "move", "label": names("Flytt", "Move")},
                                     {"value": "other", "label": names("Annat", "Other")}]},
                        {"key": "other_reason", "type": "textarea", "required": true,
                         "label": names("Annat skäl", "Other reason"), "max_length": 500,
                         "visible_when": {"field": "reason", "equals": "other"}},
                    ]
                },
                {
                    "title": names("Skolor", "Schools"),
                    "fields": [
                        {"key": "schools", "type": "ranked_units", "required": true,
                         "label": names("Skolor", "Schools")},
                        {"key": "siblings", "type": "number", "required": false,
                         "label": names("Syskon", "Siblings"), "min": 0.0, "max": 10.0},
                        {"key": "needs", "type": "yes_no", "required": true,
                         "label": names("Behov", "Needs")},
                        {"key": "certificate", "type": "attachment", "required": false,
                         "label": names("Intyg", "Certificate"), "max_files": 2,
                         "media_types": ["application/pdf"],
                         "visible_when": {"field": "needs", "equals": true}},
                        {"key": "informed", "type": "declaration", "required": true,
                         "label": names("Jag har informerat", "I have informed")},
                    ]
                }
            ],
            "intake": {"mode": "new_case", "case_type": "school_choice",
                       "assign_to": {"team_id": Uuid::from_u128(5),
                                     "person_ids": [Uuid::from_u128(6)]}},
            "signing": "all_guardians",
        });
        let parsed: EServiceDefinition = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(parsed.check(), Ok(()));
        assert_eq!(serde_json::to_value(&parsed).unwrap(), value);
        let condition = parsed.field("certificate").unwrap().visible_when.clone();
        assert_eq!(
            condition.unwrap().equals,
            ConditionValue::Bool(true),
            "a JSON true is a bool condition, not the text \"true\""
        );
    }

    #[test]
    fn answers_are_told_apart_by_their_json_shape() {
        let parsed = answers(json!({
            "a": true, "b": 3, "c": 2.5, "d": "text", "e": ["x", "y"], "f": [],
            "g": {"from": "2026-12-01", "to": "2026-12-02"},
            "h": [{"name": "x.pdf", "media_type": "application/pdf", "content_base64": "AA=="}],
            "i": {"from": "2026-12-01"},
        }));
        assert_eq!(parsed["a"], Answer::Bool(true));
        assert_eq!(parsed["b"], Answer::Number(3.0));
        assert_eq!(parsed["c"], Answer::Number(2.5));
        assert_eq!(parsed["d"], Answer::Text("text".into()));
        assert_eq!(parsed["e"], Answer::List(vec!["x".into(), "y".into()]));
        assert_eq!(parsed["f"], Answer::List(vec![]));
        assert!(matches!(&parsed["g"], Answer::DateRange(r) if r.to == "2026-12-02"));
        assert!(matches!(&parsed["h"], Answer::Attachments(files) if files[0].name == "x.pdf"));
        assert!(matches!(&parsed["i"], Answer::DateRange(r) if r.to.is_empty()));
        let again: Answers =
            serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
        assert_eq!(again, parsed);
        assert!(serde_json::from_value::<Answers>(json!({"a": null})).is_err());
    }

    #[test]
    fn text_is_trimmed_and_length_limited() {
        let text = one_field("text", json!({ "max_length": 5 }));
        assert_eq!(
            accepted(&text, json!("  hej  ")),
            ValidValue::Text("hej".into())
        );
        assert_eq!(refusal(&text, json!("sexsex")), "too_long");
        assert_eq!(refusal(&text, json!("a\u{0}b")), "control_character");
        assert_eq!(refusal(&text, json!("   ")), "required");
        assert_eq!(refusal(&text, json!(5)), "invalid");
        let textarea = one_field("textarea", json!({}));
        let long = "å".repeat(TEXTAREA_MAX_CHARS as usize);
        assert_eq!(
            accepted(&textarea, json!(format!("{long}\n"))),
            ValidValue::Text(long.clone())
        );
        assert_eq!(refusal(&textarea, json!(format!("{long}å"))), "too_long");
        let short = one_field("text", json!({}));
        assert_eq!(
            refusal(&short, json!("a".repeat(TEXT_MAX_CHARS as usize + 1))),
            "too_long"
        );
    }

    #[test]
    fn numbers_keep_within_their_bounds() {
        let number = one_field("number", json!({ "min": 1, "max": 10 }));
        assert_eq!(accepted(&number, json!(10)), ValidValue::Number(10.0));
        assert_eq!(accepted(&number, json!(1.5)), ValidValue::Number(1.5));
        assert_eq!(refusal(&number, json!(0.5)), "out_of_range");
        assert_eq!(refusal(&number, json!(11)), "out_of_range");
        assert_eq!(refusal(&number, json!("5")), "invalid");
        assert_eq!(refusal(&number, json!(true)), "invalid");
    }

    #[test]
    fn dates_are_written_exactly_and_have_sane_years() {
        let date = one_field("date", json!({}));
        assert_eq!(
            accepted(&date, json!("2026-12-01")),
            ValidValue::Date(day(2026, 12, 1))
        );
        for bad in [
            "2026-1-05",
            "2026-02-30",
            "01/12/2026",
            "+2026-12-01",
            "20261-12-01",
        ] {
            assert_eq!(refusal(&date, json!(bad)), "invalid", "{bad}");
        }
        assert_eq!(refusal(&date, json!("1900-01-01")), "out_of_range");
        assert_eq!(refusal(&date, json!("2206-01-01")), "out_of_range");
        assert_eq!(
            accepted(&date, json!("1907-01-01")),
            ValidValue::Date(day(1907, 1, 1))
        );
    }

    #[test]
    fn a_date_range_needs_both_days_in_order() {
        let range = one_field("date_range", json!({}));
        assert_eq!(
            accepted(&range, json!({"from": "2026-12-01", "to": "2026-12-01"})),
            ValidValue::DateRange {
                from: day(2026, 12, 1),
                to: day(2026, 12, 1)
            }
        );
        assert_eq!(
            refusal(&range, json!({"from": "2026-12-02", "to": "2026-12-01"})),
            "before_from"
        );
        assert_eq!(refusal(&range, json!({"from": "2026-12-02"})), "required");
        assert_eq!(
            refusal(&range, json!({"from": "2026-12-02", "to": "soon"})),
            "invalid"
        );
        assert_eq!(refusal(&range, json!({"from": "", "to": ""})), "required");
        assert_eq!(refusal(&range, json!("2026-12-02")), "invalid");
    }

    fn colours(field_type: &str) -> EServiceDefinition {
        one_field(
            field_type,
            json!({"options": [{"value": "red", "label": names("Röd", "Red")},
                               {"value": "blue", "label": names("Blå", "Blue")}]}),
        )
    }

    #[test]
    fn a_choice_is_one_of_the_options() {
        let choice = colours("choice");
        assert_eq!(
            accepted(&choice, json!("red")),
            ValidValue::Choice("red".into())
        );
        assert_eq!(refusal(&choice, json!("green")), "not_an_option");
        assert_eq!(refusal(&choice, json!(["red"])), "invalid");
        assert_eq!(refusal(&choice, json!("")), "required");
    }

    #[test]
    fn a_multi_choice_is_distinct_options() {
        let multi = colours("multi_choice");
        assert_eq!(
            accepted(&multi, json!(["blue", "red"])),
            ValidValue::Choices(vec!["blue".into(), "red".into()])
        );
        assert_eq!(refusal(&multi, json!(["red", "green"])), "not_an_option");
        assert_eq!(refusal(&multi, json!(["red", "red"])), "duplicate");
        assert_eq!(refusal(&multi, json!([])), "required");
        assert_eq!(refusal(&multi, json!("red")), "invalid");
    }

    #[test]
    fn yes_no_takes_either_and_a_declaration_must_be_confirmed() {
        let yes_no = one_field("yes_no", json!({}));
        assert_eq!(accepted(&yes_no, json!(false)), ValidValue::YesNo(false));
        assert_eq!(refusal(&yes_no, json!("no")), "invalid");
        assert_eq!(
            refused(&yes_no, json!({})),
            pairs(&[("answer", "required")])
        );
        let declaration = one_field("declaration", json!({}));
        assert_eq!(
            accepted(&declaration, json!(true)),
            ValidValue::Declaration(true)
        );
        assert_eq!(refusal(&declaration, json!(false)), "must_accept");
        assert_eq!(
            refused(&declaration, json!({})),
            pairs(&[("answer", "must_accept")])
        );
    }

    #[test]
    fn a_child_must_be_one_the_applicant_may_apply_for() {
        let child = one_field("child", json!({}));
        assert_eq!(
            accepted(&child, json!(CHILD.to_string())),
            ValidValue::Child(CHILD)
        );
        assert_eq!(
            refusal(&child, json!(OTHER_CHILD.to_string())),
            "unknown_child"
        );
        assert_eq!(refusal(&child, json!("not-an-id")), "invalid");
        let errors = validate(
            &child,
            &answers(json!({"answer": OTHER_CHILD.to_string()})),
            &context(),
        )
        .unwrap_err();
        assert!(refers_to_unknown_child(&errors));
        let errors = validate(&child, &answers(json!({})), &context()).unwrap_err();
        assert!(!refers_to_unknown_child(&errors));
    }

    #[test]
    fn units_must_exist_and_be_ranked_once_each() {
        let unit = one_field("unit", json!({}));
        assert_eq!(
            accepted(&unit, json!(UNIT_A.to_string())),
            ValidValue::Unit(UNIT_A)
        );
        assert_eq!(
            refusal(&unit, json!(UNKNOWN_UNIT.to_string())),
            "unknown_unit"
        );
        assert_eq!(refusal(&unit, json!("x")), "invalid");
        let ranked = one_field("ranked_units", json!({}));
        assert_eq!(
            accepted(&ranked, json!([UNIT_B.to_string(), UNIT_A.to_string()])),
            ValidValue::RankedUnits(vec![UNIT_B, UNIT_A])
        );
        assert_eq!(
            refusal(&ranked, json!([UNIT_A.to_string(), UNIT_A.to_string()])),
            "duplicate"
        );
        assert_eq!(
            refusal(
                &ranked,
                json!([UNIT_A.to_string(), UNKNOWN_UNIT.to_string()])
            ),
            "unknown_unit"
        );
        assert_eq!(refusal(&ranked, json!([])), "required");
    }

    fn file(name: &str, media_type: &str) -> serde_json::Value {
        json!({"name": name, "media_type": media_type, "content_base64": "AAAA"})
    }

    #[test]
    fn attachments_are_checked_by_count_name_type_and_size() {
        let attachment = one_field(
            "attachment",
            json!({"max_files": 2, "media_types": ["application/pdf", "image/png"]}),
        );
        let ValidValue::Attachments(files) = accepted(
            &attachment,
            json!([
                file(" intyg.pdf ", "application/PDF"),
                file("b.png", "image/png")
            ]),
        ) else {
            panic!("attachments expected");
        };
        assert_eq!(
            (files[0].name.as_str(), files[0].media_type.as_str()),
            ("intyg.pdf", "application/pdf")
        );
        let three = json!(vec![file("a.pdf", "application/pdf"); 3]);
        assert_eq!(refusal(&attachment, three), "too_many_files");
        assert_eq!(
            refusal(&attachment, json!([file("a.jpg", "image/jpeg")])),
            "media_type"
        );
        assert_eq!(
            refusal(&attachment, json!([file(&"a".repeat(256), "image/png")])),
            "too_long"
        );
        assert_eq!(
            refusal(&attachment, json!([file(" ", "image/png")])),
            "invalid"
        );
        let huge = "A".repeat(ATTACHMENT_MAX_BYTES / 3 * 4 + 8);
        assert_eq!(
            refusal(
                &attachment,
                json!([{"name": "a.png", "media_type": "image/png", "content_base64": huge}])
            ),
            "too_large"
        );
        assert_eq!(refusal(&attachment, json!([])), "required");
        assert_eq!(refusal(&attachment, json!("a.pdf")), "invalid");
        let optional = definition(json!([{"key": "answer", "type": "attachment",
                                          "label": names("Bilaga", "Attachment")}]));
        let valid = validate(&optional, &answers(json!({"answer": []})), &context()).unwrap();
        assert_eq!(valid.get("answer"), None);
    }

    /// `reason` (choice), then `other` shown for reason "other", then `details` shown when
    /// `other` is "details", then `extra` shown when `picks` (multi_choice) contains "b".
    fn conditional() -> EServiceDefinition {
        definition(json!([
            {"key": "reason", "type": "choice", "required": true, "label": names("Skäl", "Reason"),
             "options": [{"value": "move", "label": names("Flytt", "Move")},
                         {"value": "other", "label": names("Annat", "Other")}]},
            {"key": "other", "type": "text", "required": true, "label": names("Annat", "Other"),
             "visible_when": {"field": "reason", "equals": "other"}},
            {"key": "details", "type": "text", "required": true,
             "label": names("Detaljer", "Details"),
             "visible_when": {"field": "other", "equals": "details"}},
            {"key": "picks", "type": "multi_choice", "label": names("Val", "Picks"),
             "options": [{"value": "a", "label": names("A", "A")},
                         {"value": "b", "label": names("B", "B")}]},
            {"key": "extra", "type": "yes_no", "required": true, "label": names("Extra", "Extra"),
             "visible_when": {"field": "picks", "equals": "b"}},
        ]))
    }

    #[test]
    fn a_hidden_required_field_is_not_required_and_its_answer_is_dropped() {
        let definition = conditional();
        assert_eq!(definition.check(), Ok(()));
        let valid = validate(
            &definition,
            &answers(json!({"reason": "move", "other": "a\u{0}stale answer"})),
            &context(),
        )
        .unwrap();
        assert_eq!(valid.get("other"), None);
        assert_eq!(
            valid.to_answers(),
            answers(json!({"reason": "move"})),
            "only what was visible is kept"
        );
    }

    #[test]
    fn a_visible_required_field_is_required() {
        let definition = conditional();
        assert_eq!(
            refused(&definition, json!({"reason": "other"})),
            pairs(&[("other", "required")])
        );
        assert_eq!(
            refused(&definition, json!({"reason": "other", "other": "details"})),
            pairs(&[("details", "required")])
        );
        assert_eq!(
            refused(&definition, json!({"reason": "move", "picks": ["a", "b"]})),
            pairs(&[("extra", "required")])
        );
    }

    #[test]
    fn a_field_behind_a_hidden_field_is_hidden_too() {
        let definition = conditional();
        let stale = answers(json!({"reason": "move", "other": "details"}));
        let keys: Vec<&str> = definition
            .visible_fields(&stale)
            .iter()
            .map(|field| field.key.as_str())
            .collect();
        assert_eq!(keys, ["reason", "picks"]);
        assert!(!definition.is_visible("details", &stale));
        let shown = answers(json!({"reason": " other ", "other": "details", "picks": ["b"]}));
        assert!(definition.is_visible("details", &shown));
        assert!(definition.is_visible("extra", &shown));
    }

    #[test]
    fn answers_to_unknown_fields_are_refused() {
        let definition = one_field("yes_no", json!({}));
        assert_eq!(
            refused(&definition, json!({"answer": true, "smuggled": "x"})),
            pairs(&[("smuggled", "unknown_field")])
        );
    }

    #[test]
    fn every_bad_field_is_reported_once_by_its_key() {
        let definition = definition(json!([
            {"key": "name", "type": "text", "required": true, "label": names("Namn", "Name")},
            {"key": "child", "type": "child", "required": true, "label": names("Barn", "Child")},
            {"key": "count", "type": "number", "max": 3, "label": names("Antal", "Count")},
        ]));
        assert_eq!(
            refused(
                &definition,
                json!({"child": OTHER_CHILD.to_string(), "count": 4, "zzz": 1})
            ),
            pairs(&[
                ("name", "required"),
                ("child", "unknown_child"),
                ("count", "out_of_range"),
                ("zzz", "unknown_field"),
            ])
        );
    }

    #[test]
    fn the_definition_check_names_each_problem_by_its_path() {
        let mut definition = definition(json!([
            {"key": "Bad-Key", "type": "text", "label": names("Text", "")},
            {"key": "colour", "type": "choice", "label": names("Färg", "Colour"),
             "options": [{"value": "red", "label": names("Röd", "Red")},
                         {"value": "red", "label": names("Röd", "Red")}]},
            {"key": "colour", "type": "multi_choice", "label": names("Färg", "Colour")},
            {"key": "count", "type": "number", "min": 5, "max": 1,
             "label": names("Antal", "Count"),
             "visible_when": {"field": "colour", "equals": "green"}},
            {"key": "early", "type": "text", "label": names("Tidig", "Early"),
             "visible_when": {"field": "late", "equals": "x"}},
            {"key": "nowhere", "type": "text", "label": names("Ingen", "None"),
             "visible_when": {"field": "missing", "equals": "x"}},
            {"key": "late", "type": "text", "label": names("Sen", "Late"), "max_length": 0},
            {"key": "files", "type": "attachment", "label": names("Filer", "Files"),
             "max_files": 11, "media_types": ["application/zip"]},
            {"key": "on_count", "type": "text", "label": names("Om", "If"),
             "visible_when": {"field": "count", "equals": "3"}},
        ]));
        definition.code = "Leave!".into();
        definition.version = 0;
        definition.title.en = " ".into();
        definition.description.sv = "Bara svenska".into();
        definition.intake.case_type = None;
        definition.steps.push(Step {
            title: no_names(),
            fields: vec![],
        });
        let f = |i: usize, rest: &str| format!("steps[0].fields[{i}].{rest}");
        let expected = vec![
            ("code".to_string(), "invalid"),
            ("version".into(), "out_of_range"),
            ("title.en".into(), "required"),
            ("description.en".into(), "required"),
            (f(0, "key"), "invalid"),
            (f(0, "label.en"), "required"),
            (f(1, "options[1].value"), "duplicate"),
            (f(2, "key"), "duplicate"),
            (f(2, "options"), "required"),
            (f(3, "max"), "out_of_range"),
            (f(3, "visible_when.equals"), "not_an_option"),
            (f(4, "visible_when.field"), "not_earlier"),
            (f(5, "visible_when.field"), "unknown_field"),
            (f(6, "max_length"), "out_of_range"),
            (f(7, "max_files"), "out_of_range"),
            (f(7, "media_types[0]"), "media_type"),
            (f(8, "visible_when.equals"), "not_an_option"),
            ("steps[1].fields".into(), "required"),
            ("intake.case_type".into(), "required"),
        ];
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(field, code)| (field, code.to_string()))
            .collect();
        assert_eq!(checked(&definition), expected);
    }

    #[test]
    fn a_definition_needs_steps_and_an_assignment_someone_to_assign_to() {
        let mut definition = definition(json!([]));
        definition.steps.clear();
        definition.intake = Intake {
            mode: IntakeMode::Assignment,
            case_type: None,
            document_type: None,
            assign_to: Some(AssignTo {
                team_id: None,
                person_ids: Some(vec![]),
            }),
        };
        assert_eq!(
            checked(&definition),
            pairs(&[("steps", "required"), ("intake.assign_to", "required")])
        );
        definition.code = "x".into();
        assert_eq!(checked(&definition)[0], ("code".into(), "invalid".into()));
    }

    #[test]
    fn messages_come_in_both_languages_with_the_fields_bounds() {
        let number = one_field("number", json!({"min": 0.5, "max": 10}));
        let errors = validate(&number, &answers(json!({"answer": 11})), &context()).unwrap_err();
        assert_eq!(errors[0].message, "Enter a number from 0.5 to 10.");
        assert_eq!(
            localise(&number, &errors[0], Lang::Sv),
            "Ange ett tal från 0,5 till 10."
        );
        let text = one_field("textarea", json!({"max_length": 50}));
        assert_eq!(
            text.steps[0].fields[0].message(Problem::TooLong, Lang::Sv),
            "Texten får vara högst 50 tecken."
        );
        let attachment = one_field(
            "attachment",
            json!({"media_types": ["application/pdf", "image/png"]}),
        );
        assert_eq!(
            attachment.steps[0].fields[0].message(Problem::MediaType, Lang::En),
            "The file must be a PDF or PNG."
        );
        let unknown = FieldError::new("nope", "unknown_field", "x");
        assert_eq!(
            localise(&text, &unknown, Lang::Sv),
            "Formuläret har ingen sådan fråga."
        );
        let future = FieldError::new("answer", "some_new_code", "Something new.");
        assert_eq!(localise(&text, &future, Lang::Sv), "Something new.");
        for problem in Problem::ALL {
            assert_eq!(Problem::from_code(problem.code()), Some(problem));
            assert_ne!(describe(problem, Lang::Sv), describe(problem, Lang::En));
        }
        assert_eq!(Problem::from_code("nonsense"), None);
    }

    #[test]
    fn valid_answers_are_normalised_for_storage() {
        let definition = definition(json!([
            {"key": "child", "type": "child", "required": true, "label": names("Barn", "Child")},
            {"key": "day", "type": "date", "label": names("Dag", "Day")},
            {"key": "note", "type": "text", "label": names("Not", "Note")},
        ]));
        let valid = validate(
            &definition,
            &answers(
                json!({"child": CHILD.simple().to_string(), "day": " 2026-12-01 ",
                            "note": "  hej "}),
            ),
            &context(),
        )
        .unwrap();
        assert_eq!(valid.children().collect::<Vec<_>>(), [CHILD]);
        assert_eq!(
            valid.to_answers(),
            answers(json!({"child": CHILD.to_string(), "day": "2026-12-01", "note": "hej"}))
        );
    }
}
