use leptos::prelude::*;
use shared::register::PupilSummary;

use crate::i18n::{t, use_i18n};

/// A pupil's name, or "Skyddad identitet" for a protected identity the reader may not see
/// (never an empty cell).
#[component]
pub fn PupilName(masked: bool, name: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    match name {
        Some(name) if !masked => name.into_any(),
        _ if masked => view! { <span class="masked">{t!(i18n, masked)}</span> }.into_any(),
        _ => view! { <span class="missing">{t!(i18n, not_available)}</span> }.into_any(),
    }
}

/// "Given Family", when the reader may see it.
pub fn summary_name(pupil: &PupilSummary) -> Option<String> {
    match (&pupil.given_name, &pupil.family_name) {
        _ if pupil.masked => None,
        (Some(given), Some(family)) => Some(format!("{given} {family}")),
        (Some(name), None) | (None, Some(name)) => Some(name.clone()),
        (None, None) => None,
    }
}
