//! (c) `render_decision_letter` with its free text from the fuzz input. For any UTF-8 text it
//! must neither panic nor fail: an `Err` is a finding, and this target panics on it.
//!
//! The input is split at U+001E (record separator) into: motivation, appeal information,
//! subject, outcome, legal basis, decided by, decided-by title, recipient, municipality.
//! Missing parts keep a realistic default, so a plain text file is a motivation.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use skolflyt::documents::{DecisionLetter, LetterHeader, Sender, render_decision_letter};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\u{1e}');
    let mut next = |default: &str| parts.next().unwrap_or(default).to_owned();
    let motivation = next("");
    let appeal_information = next("Beslutet kan inte överklagas.");
    let subject = next("Beslut om ledighet för Elsa Lind");
    let outcome_text = next("Ansökan beviljas.");
    let legal_basis = next("skollagen (2010:800) 7 kap. 18 §");
    let decided_by = next("Karin Berg");
    let decided_by_title = next("Rektor");
    let recipient = next("Anna Lind");
    let municipality = next("Norrfjärdens kommun");
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("a real date");
    let letter = DecisionLetter {
        header: LetterHeader {
            sender: Sender {
                name: municipality,
                address: Some(next("Box 100, 123 45 Norrfjärden")),
                ..Sender::default()
            },
            case_number: "2026/00123".to_owned(),
            date: day(20),
            recipient_name: (!recipient.is_empty()).then_some(recipient),
        },
        subject,
        outcome_text,
        period: Some((day(23), day(27))),
        legal_basis,
        motivation,
        decided_by,
        decided_by_title,
        appeal_information,
    };
    match render_decision_letter(&letter) {
        Ok(pdf) => assert!(pdf.starts_with(b"%PDF-"), "not a PDF"),
        Err(error) => panic!("render_decision_letter failed: {error:#}"),
    }
});
