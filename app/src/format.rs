//! How values read on screen.

use chrono::{DateTime, NaiveDate, Utc};

use crate::i18n::Locale;

/// Today in the browser's time zone (the date the person sees on their calendar).
pub fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    local_date(&now).unwrap_or_else(|| Utc::now().date_naive())
}

fn local_date(date: &js_sys::Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        date.get_full_year() as i32,
        date.get_month() + 1,
        date.get_date(),
    )
}

/// A moment as the browser's local date and time, `YYYY-MM-DD HH:MM`.
pub fn date_time(at: DateTime<Utc>) -> String {
    let local = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        at.timestamp_millis() as f64
    ));
    match local_date(&local) {
        Some(day) => format!(
            "{} {:02}:{:02}",
            date(day),
            local.get_hours(),
            local.get_minutes()
        ),
        None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// A file size in kB or MB (1000-based, as file managers show them), with the language's
/// decimal separator.
pub fn file_size(bytes: i64, locale: Locale) -> String {
    let text = if bytes < 1_000_000 {
        format!("{} kB", (bytes as f64 / 1000.0).ceil() as i64)
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    };
    match locale {
        Locale::sv => text.replace('.', ","),
        Locale::en => text,
    }
}

/// ISO 8601 (`YYYY-MM-DD`) in both languages, as Swedish practice has it (and `NaiveDate`'s
/// `Display` writes).
pub fn date(date: NaiveDate) -> String {
    date.to_string()
}

/// A translation with `{name}` placeholders filled in. Translations used as plain strings
/// (titles, labels, messages built in code) write their values so, since `t_string!` cannot
/// interpolate in this build (`{{ name }}` is only for `t!`).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
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

    #[test]
    fn placeholders_are_filled_by_name() {
        assert_eq!(
            fill(
                "Ärende {number} till {owner}",
                &[("number", "2026/00001"), ("owner", "Ann")]
            ),
            "Ärende 2026/00001 till Ann"
        );
        assert_eq!(
            fill("högst {max} tecken", &[("max", "1000")]),
            "högst 1000 tecken"
        );
    }

    #[test]
    fn file_sizes_round_up_to_whole_kilobytes_below_a_megabyte() {
        assert_eq!(file_size(35_796, Locale::sv), "36 kB");
        assert_eq!(file_size(1_260_000, Locale::sv), "1,3 MB");
        assert_eq!(file_size(1_260_000, Locale::en), "1.3 MB");
    }
}
