//! How values read on screen.

use chrono::NaiveDate;

use crate::i18n::Locale;

/// ISO 8601 (`YYYY-MM-DD`) in both languages, as Swedish practice has it (and `NaiveDate`'s
/// `Display` writes).
pub fn date(date: NaiveDate) -> String {
    date.to_string()
}

/// Hours with the language's decimal separator: "37,5" in Swedish, "37.5" in English.
pub fn hours(hours: f64, locale: Locale) -> String {
    let text = hours.to_string();
    match locale {
        Locale::sv => text.replace('.', ","),
        Locale::en => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_iso_8601() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert_eq!(date(day), "2026-03-07");
    }

    #[test]
    fn hours_use_the_languages_decimal_separator() {
        assert_eq!(hours(37.5, Locale::sv), "37,5");
        assert_eq!(hours(37.5, Locale::en), "37.5");
        assert_eq!(hours(40.0, Locale::sv), "40");
    }
}
