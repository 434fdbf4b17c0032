//! Swedish personal identity numbers (personnummer) and coordination numbers
//! (samordningsnummer), parsed once into a value that is always valid.
//!
//! Accepted forms: `YYYYMMDD-NNNN`, `YYYYMMDDNNNN`, and the ten-digit forms `YYMMDD-NNNN`,
//! `YYMMDDNNNN` and `YYMMDD+NNNN`, where `+` marks a person aged 100 or more (Skatteverket
//! SKV 704). The ten-digit forms need a reference date to fix the century.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonalNumber {
    /// Four-digit year, month and day as written (coordination numbers keep day + 60).
    year: u16,
    month: u8,
    day: u8,
    /// The birth number and check digit, `NNNN`.
    serial: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonalNumberError {
    #[error("a personal number has 10 or 12 digits, written YYYYMMDD-NNNN")]
    Format,
    #[error("the date in the personal number does not exist")]
    Date,
    #[error("the check digit does not match (wrong digit or a typo)")]
    Checksum,
    #[error("the birth date in the personal number is in the future")]
    Future,
}

impl PersonalNumberError {
    /// Stable key for field-level validation messages.
    pub fn code(self) -> &'static str {
        match self {
            Self::Format => "personal_number_format",
            Self::Date => "personal_number_date",
            Self::Checksum => "personal_number_checksum",
            Self::Future => "personal_number_future",
        }
    }
}

impl PersonalNumber {
    /// Parses any accepted form; `today` fixes the century of ten-digit forms and rejects
    /// birth dates after it.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, PersonalNumberError> {
        let trimmed = input.trim();
        let plus = trimmed.contains('+');
        let digits: String = trimmed
            .chars()
            .filter(|c| !matches!(c, '-' | '+' | ' '))
            .collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) || trimmed.matches(['-', '+']).count() > 1 {
            return Err(PersonalNumberError::Format);
        }
        let number = |range: std::ops::Range<usize>| -> u16 {
            digits[range].parse().expect("checked to be digits")
        };
        let (year, rest) = match digits.len() {
            12 if !plus => (number(0..4), 4),
            10 => {
                let yy = number(0..2) as i32;
                let mut year = today.year() - (today.year() - yy).rem_euclid(100);
                if plus {
                    year -= 100;
                }
                (
                    u16::try_from(year).map_err(|_| PersonalNumberError::Format)?,
                    2,
                )
            }
            _ => return Err(PersonalNumberError::Format),
        };
        let value = Self {
            year,
            month: number(rest..rest + 2) as u8,
            day: number(rest + 2..rest + 4) as u8,
            serial: number(rest + 4..rest + 8),
        };
        let birth_date = value
            .birth_date_checked()
            .ok_or(PersonalNumberError::Date)?;
        if luhn_check_digit(&value.ten_digits()[..9]) != value.serial % 10 {
            return Err(PersonalNumberError::Checksum);
        }
        if birth_date > today {
            // A ten-digit form without `+` always resolves to the past; this catches 12 digits.
            return Err(PersonalNumberError::Future);
        }
        Ok(value)
    }

    /// Builds a valid number from a birth date and a three-digit birth number, computing the
    /// check digit (used by the demo generator).
    pub fn from_parts(birth_date: NaiveDate, birth_number: u16) -> Self {
        let mut value = Self {
            year: birth_date.year() as u16,
            month: birth_date.month() as u8,
            day: birth_date.day() as u8,
            serial: (birth_number % 1000) * 10,
        };
        value.serial += luhn_check_digit(&value.ten_digits()[..9]);
        value
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date_checked()
            .expect("a parsed personal number has a valid date")
    }

    /// Coordination numbers add 60 to the day of birth.
    pub fn is_coordination_number(&self) -> bool {
        self.day > 60
    }

    /// Completed years on `date`.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        age_on(self.birth_date(), date)
    }

    fn birth_date_checked(&self) -> Option<NaiveDate> {
        let day = if self.day > 60 {
            self.day - 60
        } else {
            self.day
        };
        NaiveDate::from_ymd_opt(self.year.into(), self.month.into(), day.into())
    }

    fn ten_digits(&self) -> String {
        format!(
            "{:02}{:02}{:02}{:04}",
            self.year % 100,
            self.month,
            self.day,
            self.serial
        )
    }
}

/// Completed years between `birth` and `date`.
pub fn age_on(birth: NaiveDate, date: NaiveDate) -> u32 {
    date.years_since(birth).unwrap_or(0)
}

/// Luhn check digit over the given ASCII digits, weights 2,1,2,1… from the left (personal and
/// organisation numbers).
pub fn luhn_check_digit(digits: &str) -> u16 {
    let sum: u32 = digits
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u16
}

impl fmt::Display for PersonalNumber {
    /// The canonical twelve-digit form `YYYYMMDD-NNNN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:02}{:02}-{:04}",
            self.year, self.month, self.day, self.serial
        )
    }
}

impl std::str::FromStr for PersonalNumber {
    type Err = PersonalNumberError;

    /// Only the unambiguous twelve-digit forms; use [`PersonalNumber::parse`] for ten digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.chars().filter(char::is_ascii_digit).count() != 12 {
            return Err(PersonalNumberError::Format);
        }
        Self::parse(s, NaiveDate::MAX)
    }
}

impl Serialize for PersonalNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PersonalNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const TODAY: fn() -> NaiveDate = || day(2026, 11, 23);

    #[test]
    fn a_valid_twelve_digit_number_parses_and_round_trips() {
        let pn = PersonalNumber::parse("19811218-9876", TODAY()).unwrap();
        assert_eq!(pn.to_string(), "19811218-9876");
        assert_eq!(pn.birth_date(), day(1981, 12, 18));
        assert!(!pn.is_coordination_number());
    }

    #[test]
    fn a_ten_digit_number_gets_the_century_of_the_reference_date() {
        let pn = PersonalNumber::parse("811218-9876", TODAY()).unwrap();
        assert_eq!(pn.to_string(), "19811218-9876");
        let young = PersonalNumber::from_parts(day(2015, 3, 1), 123);
        let ten = &young.to_string()[2..];
        assert_eq!(PersonalNumber::parse(ten, TODAY()).unwrap(), young);
    }

    #[test]
    fn plus_separator_marks_a_centenarian() {
        let old = PersonalNumber::from_parts(day(1918, 5, 4), 42);
        let digits = old.to_string();
        let with_plus = format!("{}+{}", &digits[2..8], &digits[9..]);
        let parsed = PersonalNumber::parse(&with_plus, TODAY()).unwrap();
        assert_eq!(parsed.birth_date(), day(1918, 5, 4));
        let with_minus = format!("{}-{}", &digits[2..8], &digits[9..]);
        assert_eq!(
            PersonalNumber::parse(&with_minus, TODAY())
                .unwrap()
                .birth_date(),
            day(2018, 5, 4)
        );
    }

    #[test]
    fn a_wrong_check_digit_is_rejected() {
        assert_eq!(
            PersonalNumber::parse("19811218-9875", TODAY()),
            Err(PersonalNumberError::Checksum)
        );
    }

    #[test]
    fn an_impossible_date_is_rejected() {
        // 30 February, with a check digit that would otherwise fit.
        let mut digits = "0230123".to_string();
        digits.insert_str(0, "81");
        let check = luhn_check_digit(&digits[..9]);
        let input = format!("1981{}-{}{}", &digits[2..6], &digits[6..9], check);
        assert_eq!(
            PersonalNumber::parse(&input, TODAY()),
            Err(PersonalNumberError::Date)
        );
        assert_eq!(
            PersonalNumber::parse("19811318-9876", TODAY()),
            Err(PersonalNumberError::Date)
        );
    }

    #[test]
    fn coordination_numbers_add_sixty_to_the_day() {
        // Skatteverket's example coordination number 701063-2391.
        let pn = PersonalNumber::parse("701063-2391", TODAY()).unwrap();
        assert!(pn.is_coordination_number());
        assert_eq!(pn.birth_date(), day(1970, 10, 3));
        assert_eq!(pn.to_string(), "19701063-2391");
    }

    #[test]
    fn malformed_input_is_rejected() {
        for bad in [
            "",
            "abc",
            "1981121-9876",
            "19811218--9876",
            "19811218+9876",
            "8112189876x",
        ] {
            assert_eq!(
                PersonalNumber::parse(bad, TODAY()),
                Err(PersonalNumberError::Format),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_future_birth_date_is_rejected() {
        let future = PersonalNumber::from_parts(day(2030, 1, 1), 1);
        assert_eq!(
            PersonalNumber::parse(&future.to_string(), TODAY()),
            Err(PersonalNumberError::Future)
        );
    }

    #[test]
    fn from_parts_always_makes_a_valid_number() {
        for n in 0..1000 {
            let pn = PersonalNumber::from_parts(day(2012, 2, 29), n);
            assert_eq!(PersonalNumber::parse(&pn.to_string(), TODAY()), Ok(pn));
        }
    }

    #[test]
    fn age_counts_completed_years() {
        let pn = PersonalNumber::from_parts(day(2008, 11, 24), 1);
        assert_eq!(pn.age_on(TODAY()), 17);
        assert_eq!(pn.age_on(day(2026, 11, 24)), 18);
    }

    #[test]
    fn serde_uses_the_canonical_form() {
        let pn: PersonalNumber = serde_json::from_str("\"19811218-9876\"").unwrap();
        assert_eq!(serde_json::to_string(&pn).unwrap(), "\"19811218-9876\"");
        assert!(serde_json::from_str::<PersonalNumber>("\"811218-9876\"").is_err());
    }
}
