//! The owner's explicit step to see a protected pupil's identity: owning a case alone does not
//! unmask them. The reason is kept in the case history and the step in the access log.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::FieldError;
use shared::cases::{IdentityDisclosureRequest, TEXT_MAX_CHARS};

use super::case::{CaseState, Done};
use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, ErrorSummary, FieldErrors, FieldMessage};
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

const FIELDS: &[&str] = &["reason"];

fn problem(i18n: I18n, field: &str, code: &str) -> String {
    match (field, code) {
        ("reason", "required") => t_string!(i18n, identity.problem.reason),
        ("reason", "too_long") => t_string!(i18n, problem.text_too_long),
        (_, code) => labels::field_problem(i18n, code),
    }
    .to_owned()
}

fn check(reason: &str) -> Result<IdentityDisclosureRequest, Vec<FieldError>> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(vec![FieldError::new("reason", "required", "say why")]);
    }
    if reason.chars().count() > TEXT_MAX_CHARS {
        return Err(vec![FieldError::new("reason", "too_long", "too long")]);
    }
    Ok(IdentityDisclosureRequest {
        reason: reason.to_owned(),
    })
}

#[component]
pub fn IdentityDisclosureForm(state: CaseState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let errors = FieldErrors::new("identity", problem);
    let reason = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let disclose = Action::new_local(
        move |(csrf_token, request): &(String, IdentityDisclosureRequest)| {
            let (csrf_token, request) = (csrf_token.clone(), request.clone());
            async move {
                failure.set(None);
                match api::cases::disclose_identity(&csrf_token, state.id(), &request).await {
                    Ok(detail) => {
                        errors.clear();
                        state.update(detail, Done::IdentityDisclosed);
                    }
                    Err(error) => failure.set(errors.absorb(error)),
                }
            }
        },
    );
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match (check(&reason.get_untracked()), session.csrf_token()) {
            (Ok(request), Some(csrf_token)) => {
                errors.clear();
                disclose.dispatch((csrf_token, request));
            }
            (Err(problems), _) => errors.show(problems),
            (Ok(_), None) => {}
        }
    };
    let pending = disclose.pending();
    view! {
        <form class="stacked-form" novalidate on:submit=on_submit>
            <ErrorSummary errors fields=FIELDS />
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
            <p>{t!(i18n, identity.intro)}</p>
            <div class="field">
                <label for="identity-reason">{t!(i18n, identity.reason)}</label>
                <p class="hint" id="identity-reason-hint">{t!(i18n, identity.reason_hint)}</p>
                <FieldMessage errors field="reason" />
                <textarea
                    id="identity-reason"
                    rows="3"
                    required
                    aria-invalid=errors.invalid("reason")
                    aria-describedby=errors.described_by("reason", true)
                    bind:value=reason
                ></textarea>
            </div>
            <button type="submit" class="button" disabled=pending>
                {t!(i18n, identity.submit)}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disclosure_needs_a_reason() {
        assert_eq!(check("  ").unwrap_err()[0].code, "required");
        assert_eq!(
            check(" Beslut kräver kontakt med skolan. ").unwrap().reason,
            "Beslut kräver kontakt med skolan."
        );
    }
}
