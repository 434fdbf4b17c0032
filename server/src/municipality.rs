//! The municipality's profile: the name, organisation number, postal address, registry e-mail
//! and logo its letters carry. Configured per deployment (`SKOLFLYT_MUNICIPALITY_*`); without
//! a configured name, the name of the municipality organisation in the register is used.

use crate::config::MunicipalityProfile;
use crate::documents::pdf::Sender;
use crate::state::AppState;
use crate::store::register as register_store;

/// The sender of the municipality's letters now.
pub async fn sender(state: &AppState) -> sqlx::Result<Sender> {
    let profile: &MunicipalityProfile = &state.config.municipality;
    let name = match &profile.name {
        Some(name) => name.clone(),
        None => register_store::municipality_name(&state.db)
            .await?
            .unwrap_or_else(|| "Kommunen".to_owned()),
    };
    Ok(Sender {
        name,
        organisation_number: profile.organisation_number.clone(),
        address: profile.address.clone(),
        registry_email: profile.registry_email.clone(),
        logo: profile.logo.clone(),
    })
}

/// Whether `number` is a Swedish organisation number: ten digits as `NNNNNN-NNNN`, the third
/// at least 2 (a legal person, not a birth month), the last a Luhn check digit.
pub fn is_organisation_number(number: &str) -> bool {
    let bytes = number.as_bytes();
    if bytes.len() != 11 || bytes[6] != b'-' {
        return false;
    }
    let digits: Vec<u32> = number
        .chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .unwrap_or_default();
    if digits.len() != 10 || digits[2] < 2 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(index, digit)| {
            let weighted = if index % 2 == 0 { digit * 2 } else { *digit };
            weighted / 10 + weighted % 10
        })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_numbers_are_checked() {
        // Sundsvalls kommun and Stockholms stad.
        assert!(is_organisation_number("212000-2411"));
        assert!(is_organisation_number("212000-0142"));
        assert!(!is_organisation_number("212000-2412"), "check digit");
        assert!(!is_organisation_number("2120002411"), "no hyphen");
        assert!(
            !is_organisation_number("201201-2411"),
            "a birth month, not a legal person"
        );
        assert!(!is_organisation_number("21200a-2411"));
    }
}
