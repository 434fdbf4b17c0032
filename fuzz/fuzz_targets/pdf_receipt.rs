//! (c) `render_receipt` with submitted text from the fuzz input. For any UTF-8 text it must
//! neither panic nor fail: an `Err` is a finding, and this target panics on it.
//!
//! The input is split at U+001E (record separator) into: the "Skäl" (reason) value, the
//! recipient's name, the receipt's title, then label/value pairs of more fields. Missing
//! parts keep a realistic default, so a plain text file is a reason.
#![no_main]

use chrono::{NaiveDate, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use skolflyt::documents::{LetterHeader, Sender, render_receipt};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\u{1e}');
    let reason = parts.next().unwrap_or_default().to_owned();
    let recipient = parts.next().unwrap_or("Anna Lind").to_owned();
    let title = parts
        .next()
        .unwrap_or("Kvitto: ansökan om ledighet")
        .to_owned();
    let mut fields = vec![
        ("Elev".to_owned(), "Elsa Lind".to_owned()),
        ("Första dag".to_owned(), "2026-11-23".to_owned()),
        ("Skäl".to_owned(), reason),
    ];
    let rest: Vec<&str> = parts.collect();
    for pair in rest.chunks(2) {
        fields.push((
            pair[0].to_owned(),
            pair.get(1).copied().unwrap_or("").to_owned(),
        ));
    }
    let header = LetterHeader {
        sender: Sender {
            name: "Norrfjärdens kommun".to_owned(),
            ..Sender::default()
        },
        case_number: "2026/00123".to_owned(),
        date: NaiveDate::from_ymd_opt(2026, 11, 20).expect("a real date"),
        recipient_name: (!recipient.is_empty()).then_some(recipient),
    };
    let submitted_at = Utc.with_ymd_and_hms(2026, 11, 20, 13, 5, 0).unwrap();
    match render_receipt(&header, &title, submitted_at, &fields) {
        Ok(pdf) => assert!(pdf.starts_with(b"%PDF-"), "not a PDF"),
        Err(error) => panic!("render_receipt failed: {error:#}"),
    }
});
