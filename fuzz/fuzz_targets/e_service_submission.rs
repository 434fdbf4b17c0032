//! (b) The e-service platform's two untrusted inputs, end to end as the server takes them:
//!
//! 1. a submission's body (`POST /api/e-services/{code}/submissions`): bytes → `serde_json` →
//!    `SubmissionRequest` → `shared::e_services::validate` against two definitions — one with
//!    a question of every type and a conditional one, and the seeded IKE e-service;
//! 2. a definition an administrator sends (`PUT /api/e-services/{code}/draft`): bytes →
//!    `EServiceDefinition` → `check`, and an accepted definition's validation of no answers.
//!
//! Invariants beyond no panic: accepted answers hold only visible fields and every required
//! one, each within its bounds, and their normalised wire form is accepted again as the same
//! answers (what is stored validates as it did); a refusal names a field of the definition or
//! a key that was sent, with a known code and a message in both languages; an accepted
//! definition survives JSON unchanged.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use shared::e_services::{
    Answers, EServiceDefinition, FieldType, Lang, Problem, SubmissionContext, SubmissionRequest,
    ValidValue, localise, validate,
};
use std::sync::LazyLock;
use uuid::Uuid;

const CHILD: Uuid = Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_0001);
const UNITS: [Uuid; 3] = [
    Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_0101),
    Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_0102),
    Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_0103),
];

/// A question of every type, bounds on those that take them, and a question shown only for
/// one answer of another (the shape the editor's browser test builds).
static EVERY_TYPE: LazyLock<EServiceDefinition> = LazyLock::new(|| {
    let names = |sv: &str| serde_json::json!({ "sv": sv, "en": sv });
    let definition: EServiceDefinition = serde_json::from_value(serde_json::json!({
        "code": "fuzz",
        "version": 1,
        "title": names("Fuzz"),
        "who_may_apply": "guardian",
        "intake": { "mode": "new_case", "case_type": "general" },
        "signing": "one_guardian",
        "steps": [
            { "title": names("Ett"), "fields": [
                { "key": "child", "type": "child", "required": true, "label": names("Barn") },
                { "key": "name", "type": "text", "required": true, "label": names("Namn"),
                  "max_length": 20 },
                { "key": "story", "type": "textarea", "label": names("Berätta") },
                { "key": "count", "type": "number", "label": names("Antal"),
                  "min": -3.5, "max": 100.0 },
                { "key": "day", "type": "date", "label": names("Dag") },
                { "key": "period", "type": "date_range", "required": true,
                  "label": names("Period") },
            ]},
            { "title": names("Två"), "fields": [
                { "key": "colour", "type": "choice", "required": true, "label": names("Färg"),
                  "options": [
                      { "value": "red", "label": names("Röd") },
                      { "value": "blue", "label": names("Blå") },
                  ]},
                { "key": "why_red", "type": "text", "required": true, "label": names("Varför"),
                  "visible_when": { "field": "colour", "equals": "red" } },
                { "key": "tags", "type": "multi_choice", "label": names("Taggar"),
                  "options": [
                      { "value": "a", "label": names("A") },
                      { "value": "b", "label": names("B") },
                  ]},
                { "key": "agree", "type": "yes_no", "label": names("Ja?") },
                { "key": "only_if_yes", "type": "date", "required": true,
                  "label": names("När"), "visible_when": { "field": "agree", "equals": true } },
                { "key": "unit", "type": "unit", "label": names("Enhet") },
                { "key": "ranking", "type": "ranked_units", "label": names("Val") },
                { "key": "files", "type": "attachment", "label": names("Filer"),
                  "max_files": 2, "media_types": ["application/pdf"] },
                { "key": "declare", "type": "declaration", "required": true,
                  "label": names("Intygar") },
            ]},
        ],
    }))
    .expect("the fuzz definition parses");
    definition.check().expect("the fuzz definition is valid");
    definition
});

static IKE: LazyLock<EServiceDefinition> = LazyLock::new(skolflyt::applications::ike::definition);

/// Today for the date checks: an ordinary day, and the edges of chrono's calendar.
const TODAYS: [NaiveDate; 3] = [
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    NaiveDate::MIN,
    NaiveDate::MAX,
];

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = serde_json::from_slice::<SubmissionRequest>(data) {
        for definition in [&*EVERY_TYPE, &*IKE] {
            for today in TODAYS {
                submission(definition, &request.answers, today);
            }
        }
    }
    if let Ok(definition) = serde_json::from_slice::<EServiceDefinition>(data) {
        drafted(&definition);
    }
});

fn submission(definition: &EServiceDefinition, answers: &Answers, today: NaiveDate) {
    let context = SubmissionContext {
        children: &[CHILD],
        units: &UNITS,
        today,
    };
    match validate(definition, answers, &context) {
        Ok(valid) => {
            let visible: Vec<_> = definition.visible_fields(answers);
            for field in &visible {
                let value = valid.get(&field.key);
                assert!(
                    !field.required || value.is_some(),
                    "{}: required but absent",
                    field.key
                );
                if let Some(value) = value {
                    within_bounds(field, value, &context);
                }
            }
            for key in valid.values.keys() {
                assert!(
                    visible.iter().any(|field| &field.key == key),
                    "{key}: accepted but not a visible field"
                );
            }
            let stored = valid.to_answers();
            let json = serde_json::to_vec(&stored).expect("answers serialize");
            let read: Answers = serde_json::from_slice(&json).expect("stored answers parse");
            assert_eq!(read, stored, "stored answers change through JSON");
            assert_eq!(
                validate(definition, &read, &context).as_ref(),
                Ok(&valid),
                "the stored answers do not validate as they did"
            );
        }
        Err(problems) => {
            assert!(!problems.is_empty(), "refused without a problem");
            for problem in &problems {
                assert!(
                    definition.field(&problem.field).is_some()
                        || answers.contains_key(&problem.field),
                    "{}: a problem with an unknown name",
                    problem.field
                );
                let code = Problem::from_code(&problem.code)
                    .unwrap_or_else(|| panic!("{}: unknown code", problem.code));
                assert!(!problem.message.is_empty());
                for lang in [Lang::Sv, Lang::En] {
                    assert!(
                        !localise(definition, problem, lang).is_empty(),
                        "{code:?}: no {lang:?} text"
                    );
                }
            }
        }
    }
}

fn within_bounds(
    field: &shared::e_services::Field,
    value: &ValidValue,
    context: &SubmissionContext<'_>,
) {
    let key = &field.key;
    match (field.field_type, value) {
        (FieldType::Text | FieldType::Textarea, ValidValue::Text(text)) => {
            assert!(text.chars().count() <= field.max_length() as usize, "{key}: too long");
            assert_eq!(text.trim(), text, "{key}: not trimmed");
        }
        (FieldType::Number, ValidValue::Number(number)) => {
            assert!(number.is_finite(), "{key}: not finite");
            assert!(field.min.is_none_or(|min| *number >= min), "{key}: below min");
            assert!(field.max.is_none_or(|max| *number <= max), "{key}: above max");
        }
        (FieldType::Date, ValidValue::Date(_)) => {}
        (FieldType::DateRange, ValidValue::DateRange { from, to }) => {
            assert!(from <= to, "{key}: a range ending before it starts")
        }
        (FieldType::Choice, ValidValue::Choice(choice)) => assert!(
            field.options.iter().any(|option| &option.value == choice),
            "{key}: not an option"
        ),
        (FieldType::MultiChoice, ValidValue::Choices(choices)) => {
            for choice in choices {
                assert!(
                    field.options.iter().any(|option| &option.value == choice),
                    "{key}: not an option"
                );
            }
        }
        (FieldType::YesNo, ValidValue::YesNo(_)) => {}
        (FieldType::Declaration, ValidValue::Declaration(accepted)) => {
            assert!(!field.required || *accepted, "{key}: required but not accepted")
        }
        (FieldType::Child, ValidValue::Child(id)) => {
            assert!(context.children.contains(id), "{key}: not the applicant's child")
        }
        (FieldType::Unit, ValidValue::Unit(id)) => {
            assert!(context.units.contains(id), "{key}: unknown unit")
        }
        (FieldType::RankedUnits, ValidValue::RankedUnits(ids)) => {
            for (i, id) in ids.iter().enumerate() {
                assert!(context.units.contains(id), "{key}: unknown unit");
                assert!(!ids[..i].contains(id), "{key}: a unit ranked twice");
            }
        }
        (FieldType::Attachment, ValidValue::Attachments(files)) => {
            assert!(files.len() <= field.max_files() as usize, "{key}: too many files");
            let media_types = field.media_types();
            for file in files {
                assert!(
                    media_types.contains(&file.media_type.as_str()),
                    "{key}: a media type not accepted"
                );
                assert!(!file.name.is_empty(), "{key}: a file without a name");
            }
        }
        (field_type, value) => panic!("{key}: a {field_type:?} field accepted {value:?}"),
    }
}

fn drafted(definition: &EServiceDefinition) {
    if definition.check().is_err() {
        return;
    }
    let json = serde_json::to_vec(definition).expect("a definition serializes");
    let read: EServiceDefinition = serde_json::from_slice(&json).expect("and parses back");
    assert!(read.same_content(definition), "a definition changes through JSON");
    let context = SubmissionContext {
        children: &[CHILD],
        units: &UNITS,
        today: TODAYS[0],
    };
    // No answers: every visible required field is refused by its key, nothing else is.
    if let Err(problems) = validate(definition, &Answers::new(), &context) {
        for problem in &problems {
            let field = definition
                .field(&problem.field)
                .unwrap_or_else(|| panic!("{}: not a field", problem.field));
            assert!(field.required, "{}: refused but not required", field.key);
        }
    }
}
