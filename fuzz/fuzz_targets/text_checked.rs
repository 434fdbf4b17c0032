//! (b) `shared::text::checked`, the free-text check every e-service answer goes through:
//! never a panic, and an accepted text is the trimmed input, short enough, free of refused
//! characters, and accepted again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::applications::LEAVE_REASON_MAX_CHARS;
use shared::text::{TextProblem, checked};

/// An independent statement of what `checked` refuses (C0, DEL, C1 except line breaks and
/// tabs; U+FDD0–U+FDEF; and U+xxFFFE/U+xxFFFF).
fn refused(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && !matches!(c, '\n' | '\r' | '\t'))
        || (0x7F..=0x9F).contains(&n)
        || (0xFDD0..=0xFDEF).contains(&n)
        || n & 0xFFFF >= 0xFFFE
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (max_chars, required) in [
        (0, false),
        (1, true),
        (10, true),
        (LEAVE_REASON_MAX_CHARS, true),
        (LEAVE_REASON_MAX_CHARS, false),
        (usize::MAX, false),
    ] {
        let trimmed = text.trim();
        match checked(text, max_chars, required) {
            Ok(ok) => {
                assert_eq!(ok, trimmed, "{text:?}: not the trimmed text");
                assert!(ok.chars().count() <= max_chars, "{text:?}: too long");
                assert!(!required || !ok.is_empty(), "{text:?}: empty but required");
                assert!(
                    !ok.chars().any(refused),
                    "{text:?}: a refused character passed"
                );
                message(ok);
                assert_eq!(checked(ok, max_chars, required), Ok(ok), "not idempotent");
            }
            Err(problem) => {
                assert!(!problem.code().is_empty() && !problem.message().is_empty());
                match problem {
                    TextProblem::Required => {
                        assert!(required && trimmed.is_empty(), "{text:?}: wrongly required")
                    }
                    TextProblem::ControlCharacter => assert!(
                        trimmed.chars().any(refused),
                        "{text:?}: refused without a refused character"
                    ),
                    TextProblem::TooLong { max_chars: max } => assert!(
                        max == max_chars && trimmed.chars().count() > max_chars,
                        "{text:?}: wrongly too long"
                    ),
                }
            }
        }
    }
});

/// What the server does with an accepted text next: puts it into JSON.
fn message(text: &str) {
    let json = serde_json::to_string(text).expect("a str serializes");
    assert_eq!(
        serde_json::from_str::<String>(&json).ok().as_deref(),
        Some(text)
    );
}
