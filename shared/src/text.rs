//! Free text a person types (reasons, notes, motivations, comments): trimmed, within a length,
//! and without control characters (a NUL or an escape in a reason is never a person's words,
//! and it breaks the PDF/A documents and e-mails the text goes into). Line breaks and tabs
//! are kept.

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Required,
    TooLong { max_chars: usize },
    ControlCharacter,
}

impl TextProblem {
    /// The field error code (docs/API.md).
    pub fn code(self) -> &'static str {
        match self {
            TextProblem::Required => "required",
            TextProblem::TooLong { .. } => "too_long",
            TextProblem::ControlCharacter => "control_character",
        }
    }

    pub fn message(self) -> String {
        match self {
            TextProblem::Required => "this field is required".to_owned(),
            TextProblem::TooLong { max_chars } => format!("at most {max_chars} characters"),
            TextProblem::ControlCharacter => "remove the control characters".to_owned(),
        }
    }
}

/// `text` trimmed, if it is within `max_chars` characters, has no control character other than
/// a line break or a tab, and (when `required`) is not empty.
pub fn checked(text: &str, max_chars: usize, required: bool) -> Result<&str, TextProblem> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(TextProblem::Required);
    }
    if text.chars().any(is_refused) {
        return Err(TextProblem::ControlCharacter);
    }
    if text.chars().count() > max_chars {
        return Err(TextProblem::TooLong { max_chars });
    }
    Ok(text)
}

/// A control character a person does not type (C0, DEL, C1), or a Unicode non-character.
fn is_refused(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c as u32, 0xFDD0..=0xFDEF)
        || (c as u32 & 0xFFFE) == 0xFFFE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_kept_with_line_breaks_and_emoji() {
        assert_eq!(checked("  resa 😀\nhem\t ", 100, true), Ok("resa 😀\nhem"));
    }

    #[test]
    fn control_characters_are_refused() {
        for text in [
            "a\u{0}b",
            "a\u{7}",
            "\u{1b}[31m",
            "a\u{7f}",
            "a\u{85}b",
            "a\u{FFFF}",
        ] {
            assert_eq!(
                checked(text, 100, true),
                Err(TextProblem::ControlCharacter),
                "{text:?}"
            );
        }
    }

    #[test]
    fn empty_and_long_texts_are_refused() {
        assert_eq!(checked("   ", 10, true), Err(TextProblem::Required));
        assert_eq!(checked("   ", 10, false), Ok(""));
        assert_eq!(
            checked(&"å".repeat(11), 10, true),
            Err(TextProblem::TooLong { max_chars: 10 })
        );
        assert_eq!(checked(&"å".repeat(10), 10, true).map(str::len), Ok(20));
    }
}
