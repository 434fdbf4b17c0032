use leptos::prelude::*;

use crate::I18n;
use crate::api::ApiError;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

/// An API failure as an alert, translated by its code. A 401 means the session has ended, so
/// it also signs the person out, which sends protected pages to the login page.
#[component]
pub fn ErrorAlert(error: ApiError) -> impl IntoView {
    let i18n = use_i18n();
    if error.is_unauthenticated() {
        let session = use_session();
        Effect::new(move |_| session.sign_out());
    }
    // A code is for whoever helps the person: shown only with a failure the app cannot put
    // in words of its own (an internal error, a code it does not know).
    let code = (!knows(error.code())).then(|| error.code().to_owned());
    let fields = error.error.fields.clone();
    let message = move || describe(i18n, &error);
    view! {
        <div class="alert" role="alert">
            <p>{message}</p>
            {(!fields.is_empty())
                .then(|| {
                    view! {
                        <ul>
                            {fields
                                .into_iter()
                                .map(|field| {
                                    view! { <li>{labels::field_problem(i18n, &field.code)}</li> }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            {code
                .map(|code| {
                    view! { <p class="alert-code">{t!(i18n, errors.code)}": "<code>{code}</code></p> }
                })}
        </div>
    }
}

/// The codes [`describe`] says in a sentence of the app's own.
const KNOWN: &[&str] = &[
    "network",
    "bad_response",
    "unauthenticated",
    "forbidden",
    "not_found",
    "csrf",
    "validation",
    "conflict",
    "bad_request",
    "invalid_credentials",
    "too_many_attempts",
];

fn knows(code: &str) -> bool {
    KNOWN.contains(&code)
}

/// The message for an error in the current language; codes the app does not know fall back to
/// the server's own (English) message.
fn describe(i18n: I18n, error: &ApiError) -> String {
    let text = match error.code() {
        "network" => t_string!(i18n, errors.network),
        "bad_response" => t_string!(i18n, errors.bad_response),
        "unauthenticated" => t_string!(i18n, errors.unauthenticated),
        "forbidden" => t_string!(i18n, errors.forbidden),
        "not_found" => t_string!(i18n, errors.not_found),
        "csrf" => t_string!(i18n, errors.csrf),
        "validation" => t_string!(i18n, errors.validation),
        "conflict" => t_string!(i18n, errors.conflict),
        "bad_request" => t_string!(i18n, errors.bad_request),
        "internal" => t_string!(i18n, errors.internal),
        "invalid_credentials" => t_string!(i18n, login.invalid_credentials),
        "too_many_attempts" => t_string!(i18n, login.too_many_attempts),
        _ if !error.error.message.is_empty() => return error.error.message.clone(),
        _ => t_string!(i18n, errors.generic),
    };
    text.to_owned()
}
