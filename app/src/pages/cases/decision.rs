//! The owner's decision, and closing a decided case.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::FieldError;
use shared::cases::{DecisionRequest, Outcome, TEXT_MAX_CHARS};

use super::case::{CaseState, Done};
use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, ErrorSummary, FieldErrors, FieldMessage};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

const FIELDS: &[&str] = &["outcome", "motivation"];
const OUTCOMES: [Outcome; 3] = [Outcome::Approved, Outcome::Rejected, Outcome::Dismissed];

fn problem(i18n: I18n, field: &str, code: &str) -> String {
    match (field, code) {
        ("outcome", _) => t_string!(i18n, decision.problem.outcome).to_owned(),
        ("motivation", "required") => t_string!(i18n, decision.problem.motivation).to_owned(),
        (_, "too_long") => format::fill(
            t_string!(i18n, problem.text_too_long),
            &[("max", &TEXT_MAX_CHARS.to_string())],
        ),
        (_, code) => labels::field_problem(i18n, code).to_owned(),
    }
}

/// What the owner may decide (the applicant withdraws, the owner does not).
fn choice(i18n: I18n, outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Approved => t_string!(i18n, decision.approve),
        Outcome::Rejected => t_string!(i18n, decision.reject),
        Outcome::Dismissed | Outcome::Withdrawn => t_string!(i18n, decision.dismiss),
    }
}

/// Checks the decision as the server will: an outcome and a motivation within the limit.
fn check(outcome: Option<Outcome>, motivation: &str) -> Result<DecisionRequest, Vec<FieldError>> {
    let mut problems = Vec::new();
    if outcome.is_none() {
        problems.push(FieldError::new("outcome", "required", "choose an outcome"));
    }
    let motivation = motivation.trim();
    if motivation.is_empty() {
        problems.push(FieldError::new(
            "motivation",
            "required",
            "give a motivation",
        ));
    } else if motivation.chars().count() > TEXT_MAX_CHARS {
        problems.push(FieldError::new("motivation", "too_long", "too long"));
    }
    match outcome {
        Some(outcome) if problems.is_empty() => Ok(DecisionRequest {
            outcome,
            motivation: motivation.to_owned(),
            legal_basis: None,
            valid_from: None,
            valid_to: None,
        }),
        _ => Err(problems),
    }
}

#[component]
pub fn DecisionForm(state: CaseState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let errors = FieldErrors::new("decision", problem);
    let outcome = RwSignal::new(None::<Outcome>);
    let motivation = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    // What the case's process tells the decider (a leave: who decides, what follows).
    let hint = state.case.with_untracked(|case| case.decision_hint.clone());
    let decide = Action::new_local(move |(csrf_token, request): &(String, DecisionRequest)| {
        let (csrf_token, request) = (csrf_token.clone(), request.clone());
        async move {
            failure.set(None);
            match api::cases::decide(&csrf_token, state.id(), &request).await {
                Ok(detail) => {
                    errors.clear();
                    state.update(detail, Done::Decided);
                }
                Err(error) => failure.set(errors.absorb(error)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match (
            check(outcome.get_untracked(), &motivation.get_untracked()),
            session.csrf_token(),
        ) {
            (Ok(request), Some(csrf_token)) => {
                errors.clear();
                decide.dispatch((csrf_token, request));
            }
            (Ok(_), None) => {}
            (Err(problems), _) => errors.show(problems),
        }
    };
    let pending = decide.pending();
    let radios = OUTCOMES
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            let id = if index == 0 {
                errors.id("outcome")
            } else {
                format!("{}-{}", errors.id("outcome"), value.as_str())
            };
            view! {
                <div class="choice">
                    <input
                        type="radio"
                        id=id.clone()
                        name="outcome"
                        value=value.as_str()
                        prop:checked=move || outcome.get() == Some(value)
                        on:change=move |_| outcome.set(Some(value))
                    />
                    <label for=id>{move || choice(i18n, value)}</label>
                </div>
            }
        })
        .collect_view();

    view! {
        <form class="stacked-form" novalidate on:submit=on_submit>
            <ErrorSummary errors fields=FIELDS />
            {move || {
                failure
                    .get()
                    .map(|error| {
                        if error.status == 403 {
                            view! { <p class="alert" role="alert">{t!(i18n, decision.forbidden)}</p> }
                                .into_any()
                        } else {
                            view! { <ErrorAlert error /> }.into_any()
                        }
                    })
            }}
            <fieldset
                class="field"
                role="radiogroup"
                aria-labelledby="decision-outcome-legend"
                aria-required="true"
                aria-invalid=errors.invalid("outcome")
                aria-describedby=errors.described_by("outcome", false)
            >
                <legend id="decision-outcome-legend">{t!(i18n, decision.outcome)}</legend>
                <FieldMessage errors field="outcome" />
                {radios}
            </fieldset>
            <div class="field">
                <label for="decision-motivation">{t!(i18n, decision.motivation)}</label>
                <p class="hint" id="decision-motivation-hint">
                    {match hint {
                        Some(hint) => (move || labels::names(i18n, &hint)).into_any(),
                        None => t!(i18n, decision.motivation_hint).into_any(),
                    }}
                </p>
                <FieldMessage errors field="motivation" />
                <textarea
                    id="decision-motivation"
                    rows="5"
                    required
                    aria-invalid=errors.invalid("motivation")
                    aria-describedby=errors.described_by("motivation", true)
                    bind:value=motivation
                ></textarea>
            </div>
            <button type="submit" class="button" disabled=pending>
                {move || {
                    if pending.get() {
                        t!(i18n, decision.submitting).into_any()
                    } else {
                        t!(i18n, decision.submit).into_any()
                    }
                }}
            </button>
        </form>
    }
}

/// "Avsluta ärendet" for a decided case (leave cases close by themselves).
#[component]
pub fn CloseForm(state: CaseState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let close = Action::new_local(move |csrf_token: &String| {
        let csrf_token = csrf_token.clone();
        async move {
            let detail = api::cases::close(&csrf_token, state.id()).await?;
            state.update(detail, Done::Closed);
            Ok::<(), ApiError>(())
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(csrf_token) = session.csrf_token() {
            close.dispatch(csrf_token);
        }
    };
    view! {
        <form class="stacked-form" on:submit=on_submit>
            {move || close.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error /> })}
            <p>{t!(i18n, decision.close_text)}</p>
            <button type="submit" class="button" disabled=close.pending()>
                {t!(i18n, decision.close)}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_needs_an_outcome_and_a_motivation() {
        let problems = check(None, "  ").unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["outcome", "motivation"]);
        let request = check(Some(Outcome::Approved), " Resan är planerad. ").unwrap();
        assert_eq!(request.motivation, "Resan är planerad.");
    }
}
