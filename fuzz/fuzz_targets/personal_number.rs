//! (a) `PersonalNumber` parsing from any text: never a panic, and whatever parses is a
//! valid number that prints in its canonical form and parses back to itself.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use shared::PersonalNumber;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Reference dates around century and leap-day edges, and the extremes chrono allows.
    let todays = [
        day(2026, 11, 23),
        day(2000, 1, 1),
        day(1999, 12, 31),
        day(2100, 2, 28),
        day(1, 1, 1),
        NaiveDate::MIN,
        NaiveDate::MAX,
    ];
    for today in todays {
        let Ok(pn) = PersonalNumber::parse(text, today) else {
            continue;
        };
        let digits = text.chars().filter(char::is_ascii_digit).count();
        assert!(
            digits == 10 || digits == 12,
            "{text:?} parsed with {digits} digits"
        );
        let birth = pn.birth_date();
        assert!(birth <= today, "{text:?} is born {birth} after {today}");
        let _ = pn.age_on(today);
        let _ = pn.is_coordination_number();

        let canonical = pn.to_string();
        assert_eq!(canonical.len(), 13, "{text:?} printed as {canonical:?}");
        assert_eq!(
            canonical.parse::<PersonalNumber>(),
            Ok(pn),
            "{text:?} printed as {canonical:?}, which does not parse back"
        );
        assert_eq!(
            PersonalNumber::parse(&canonical, today),
            Ok(pn),
            "{text:?} printed as {canonical:?}, which does not parse back as of {today}"
        );
        let json = serde_json::to_string(&pn).expect("a personal number serializes");
        assert_eq!(
            serde_json::from_str::<PersonalNumber>(&json).ok(),
            Some(pn),
            "{text:?} does not survive JSON as {json}"
        );
    }
    // The twelve-digit-only entry point (also what serde uses).
    if let Ok(pn) = text.parse::<PersonalNumber>() {
        assert_eq!(pn.to_string().parse::<PersonalNumber>(), Ok(pn));
    }
});
