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
    let Some((first, last)) = number.split_once('-') else {
        return false;
    };
    let digits = format!("{first}{last}");
    first.len() == 6
        && last.len() == 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.as_bytes()[2] >= b'2'
        && shared::personal_number::luhn_check_digit(&digits[..9])
            == u16::from(digits.as_bytes()[9] - b'0')
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
