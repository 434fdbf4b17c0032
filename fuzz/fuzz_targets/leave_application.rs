//! (b) + (e) The leave application's JSON body end to end, as `POST /api/applications/leave`
//! takes it: any bytes through serde_json into a `LeaveApplicationForm` (what axum's `Json`
//! extractor does), then `validate_leave`. Never a panic; an accepted form keeps every rule
//! the validator promises, a refused one names its fields, and a form survives a JSON round
//! trip unchanged.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use shared::applications::{
    ATTACHMENT_MEDIA_TYPES, LEAVE_MAX_DAYS, LEAVE_MAX_DAYS_AHEAD, LEAVE_REASON_MAX_CHARS,
    LeaveApplicationForm, validate_leave,
};

const FIELDS: [&str; 4] = ["from", "to", "reason", "attachment"];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fuzz_target!(|data: &[u8]| {
    let Ok(form) = serde_json::from_slice::<LeaveApplicationForm>(data) else {
        return;
    };
    let json = serde_json::to_vec(&form).expect("a form serializes");
    let again: LeaveApplicationForm =
        serde_json::from_slice(&json).expect("a serialized form deserializes");
    assert_eq!(again, form, "the form changed in a JSON round trip");

    let mut todays = vec![day(2026, 11, 23), NaiveDate::MIN, NaiveDate::MAX];
    // The day the form asks to start on, so that accepted forms are reached too.
    todays.extend(form.from);
    for today in todays {
        match validate_leave(&form, today) {
            Ok(valid) => {
                let (from, to) = (valid.period.from, valid.period.to);
                assert_eq!((Some(from), Some(to)), (form.from, form.to));
                assert!(today <= from && from <= to, "{today}: {from} – {to}");
                assert!((to - from).num_days() < LEAVE_MAX_DAYS);
                assert!((from - today).num_days() <= LEAVE_MAX_DAYS_AHEAD);
                assert_eq!(valid.reason, form.reason.trim());
                assert!(!valid.reason.is_empty());
                assert!(valid.reason.chars().count() <= LEAVE_REASON_MAX_CHARS);
                if let Some(a) = &form.attachment {
                    assert!(ATTACHMENT_MEDIA_TYPES.contains(&a.media_type.as_str()));
                }
            }
            Err(problems) => {
                assert!(!problems.is_empty(), "refused without a reason");
                for problem in &problems {
                    assert!(FIELDS.contains(&problem.field.as_str()), "{problem:?}");
                    assert!(!problem.code.is_empty() && !problem.message.is_empty());
                }
                let problems_json = serde_json::to_string(&problems).expect("errors serialize");
                assert!(!problems_json.is_empty());
            }
        }
    }
});
