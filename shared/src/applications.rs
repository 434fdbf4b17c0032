//! E-service applications. Validation lives here so the form and the API refuse the same
//! input with the same field codes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::FieldError;
use crate::cases::CaseNumber;

/// Longest reason a leave application may give.
pub const LEAVE_REASON_MAX_CHARS: usize = 1000;
/// Largest attachment, in bytes.
pub const ATTACHMENT_MAX_BYTES: usize = 5 * 1024 * 1024;
/// Attachments an e-service accepts.
pub const ATTACHMENT_MEDIA_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];
/// Leave of at most this many school days may be decided by the mentor; longer leave only by
/// the principal (skollagen 7 kap. 18 §).
pub const LEAVE_MENTOR_MAX_SCHOOL_DAYS: u32 = 10;

/// `POST /api/applications/leave`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaveApplicationForm {
    /// The child (for a guardian) or oneself (for a pupil aged 18 or more).
    pub pupil_id: Uuid,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub reason: String,
    pub attachment: Option<Attachment>,
    /// Apply although the period overlaps another leave of the child's that is granted or
    /// pending; without it such an application is refused with `from`/`overlaps_leave`.
    #[serde(default)]
    pub confirm_overlap: bool,
}

/// A file sent with a form, base64-encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub file_name: String,
    pub media_type: String,
    pub content_base64: String,
}

/// A validated leave period, both days inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeavePeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Whether only the principal may decide a leave of `school_days` school days (more than
/// [`LEAVE_MENTOR_MAX_SCHOOL_DAYS`]). The server counts the days from the school calendar.
pub fn principal_decides(school_days: u32) -> bool {
    school_days > LEAVE_MENTOR_MAX_SCHOOL_DAYS
}

/// The checked parts of a leave application.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidLeave {
    pub period: LeavePeriod,
    pub reason: String,
}

/// Checks a leave form as of `today`: both dates given, from ≤ to, not in the past, a reason
/// of at most [`LEAVE_REASON_MAX_CHARS`] characters, and an acceptable attachment (its size is
/// checked by the server, which decodes it).
/// The longest leave one application covers: a school year.
pub const LEAVE_MAX_DAYS: i64 = 365;
/// How far ahead a leave can be applied for.
pub const LEAVE_MAX_DAYS_AHEAD: i64 = 400;

pub fn validate_leave(
    form: &LeaveApplicationForm,
    today: NaiveDate,
) -> Result<ValidLeave, Vec<FieldError>> {
    let mut problems = Vec::new();
    if form.from.is_none() {
        problems.push(FieldError::new(
            "from",
            "required",
            "enter the first day of leave",
        ));
    }
    if form.to.is_none() {
        problems.push(FieldError::new(
            "to",
            "required",
            "enter the last day of leave",
        ));
    }
    if let Some(from) = form.from
        && from < today
    {
        problems.push(FieldError::new(
            "from",
            "in_past",
            "the leave cannot start in the past",
        ));
    }
    if let (Some(from), Some(to)) = (form.from, form.to)
        && to < from
    {
        problems.push(FieldError::new(
            "to",
            "before_from",
            "the last day is before the first",
        ));
    }
    if let (Some(from), Some(to)) = (form.from, form.to)
        && to >= from
        && (to - from).num_days() >= LEAVE_MAX_DAYS
    {
        problems.push(FieldError::new(
            "to",
            "too_long_period",
            format!("a leave is at most {LEAVE_MAX_DAYS} days; apply again for the rest"),
        ));
    }
    if let Some(from) = form.from
        && (from - today).num_days() > LEAVE_MAX_DAYS_AHEAD
    {
        problems.push(FieldError::new(
            "from",
            "too_far_ahead",
            format!("apply at most {LEAVE_MAX_DAYS_AHEAD} days before the leave starts"),
        ));
    }
    let reason = match crate::text::checked(&form.reason, LEAVE_REASON_MAX_CHARS, true) {
        Ok(reason) => reason,
        Err(crate::text::TextProblem::Required) => {
            problems.push(FieldError::new(
                "reason",
                "required",
                "give a reason for the leave",
            ));
            ""
        }
        Err(problem) => {
            problems.push(FieldError::new("reason", problem.code(), problem.message()));
            ""
        }
    };
    if let Some(attachment) = &form.attachment {
        if !ATTACHMENT_MEDIA_TYPES.contains(&attachment.media_type.as_str()) {
            problems.push(FieldError::new(
                "attachment",
                "media_type",
                "attach a PDF, JPEG or PNG file",
            ));
        }
        if attachment.content_base64.len() > ATTACHMENT_MAX_BYTES / 3 * 4 + 4 {
            problems.push(FieldError::new("attachment", "too_large", "at most 5 MB"));
        }
    }
    match (form.from, form.to) {
        (Some(from), Some(to)) if problems.is_empty() => Ok(ValidLeave {
            period: LeavePeriod { from, to },
            reason: reason.to_owned(),
        }),
        _ => Err(problems),
    }
}

/// The answer to a submitted application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submitted {
    pub case_id: Uuid,
    pub number: CaseNumber,
    /// True while the other guardian has yet to confirm.
    pub awaiting_other_guardian: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn form(from: Option<NaiveDate>, to: Option<NaiveDate>, reason: &str) -> LeaveApplicationForm {
        LeaveApplicationForm {
            pupil_id: Uuid::nil(),
            from,
            to,
            reason: reason.into(),
            attachment: None,
            confirm_overlap: false,
        }
    }

    fn codes(result: Result<ValidLeave, Vec<FieldError>>) -> Vec<(String, String)> {
        result
            .unwrap_err()
            .into_iter()
            .map(|f| (f.field, f.code))
            .collect()
    }

    const TODAY: fn() -> NaiveDate = || day(2026, 11, 23);

    #[test]
    fn a_complete_form_is_valid() {
        let valid = validate_leave(
            &form(Some(day(2026, 12, 1)), Some(day(2026, 12, 3)), " Resa "),
            TODAY(),
        )
        .unwrap();
        assert_eq!(valid.reason, "Resa");
        assert_eq!(valid.period.to, day(2026, 12, 3));
    }

    #[test]
    fn each_problem_names_its_field() {
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert_eq!(
            codes(validate_leave(&form(None, None, ""), TODAY())),
            pairs(&[
                ("from", "required"),
                ("to", "required"),
                ("reason", "required")
            ])
        );
        assert_eq!(
            codes(validate_leave(
                &form(Some(day(2026, 11, 20)), Some(day(2026, 11, 19)), "x"),
                TODAY()
            )),
            pairs(&[("from", "in_past"), ("to", "before_from")])
        );
        let long = "å".repeat(LEAVE_REASON_MAX_CHARS + 1);
        assert_eq!(
            codes(validate_leave(
                &form(Some(TODAY()), Some(TODAY()), &long),
                TODAY()
            )),
            pairs(&[("reason", "too_long")])
        );
    }

    #[test]
    fn attachments_must_be_pdf_jpeg_or_png() {
        let mut f = form(Some(TODAY()), Some(TODAY()), "Läkarbesök");
        f.attachment = Some(Attachment {
            file_name: "x.exe".into(),
            media_type: "application/x-msdownload".into(),
            content_base64: "AAAA".into(),
        });
        assert_eq!(
            codes(validate_leave(&f, TODAY())),
            vec![("attachment".to_string(), "media_type".to_string())]
        );
    }

    #[test]
    fn the_principal_decides_more_than_ten_school_days() {
        assert!(!principal_decides(10));
        assert!(principal_decides(11));
    }
}

/// A leave application as its readers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaveSummary {
    pub case_id: Uuid,
    pub number: CaseNumber,
    pub pupil: crate::register::PupilRef,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub school_days: u32,
    pub reason: Option<String>,
    pub status: String,
    pub outcome: Option<crate::cases::Outcome>,
}
