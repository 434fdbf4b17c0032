use leptos::prelude::*;
use shared::cases::Decision;

use crate::format;
use crate::i18n::{t, use_i18n};
use crate::labels;

/// A decision as the applicant and the handlers read it: outcome, period, motivation, legal
/// basis, who decided and when, and how to appeal.
#[component]
pub fn DecisionFacts(decision: Decision) -> impl IntoView {
    let i18n = use_i18n();
    let Decision {
        outcome,
        legal_basis,
        valid_from,
        valid_to,
        motivation,
        decided_by,
        decided_on,
        appeal_information,
    } = decision;
    let period = match (valid_from, valid_to) {
        (None, None) => None,
        (from, to) => Some(format!(
            "{} – {}",
            from.map(format::date).unwrap_or_default(),
            to.map(format::date).unwrap_or_default()
        )),
    };

    view! {
        <dl class="facts">
            <dt>{t!(i18n, decision.outcome)}</dt>
            <dd>
                <strong class="outcome">{move || labels::outcome(i18n, outcome)}</strong>
            </dd>
            {period
                .map(|period| {
                    view! {
                        <dt>{t!(i18n, decision.period)}</dt>
                        <dd>{period}</dd>
                    }
                })}
            <dt>{t!(i18n, decision.motivation)}</dt>
            <dd class="prose">{motivation}</dd>
            <dt>{t!(i18n, decision.legal_basis)}</dt>
            <dd>{legal_basis}</dd>
            <dt>{t!(i18n, decision.decided_by)}</dt>
            <dd>{decided_by.name}</dd>
            <dt>{t!(i18n, decision.decided_on)}</dt>
            <dd>{format::date(decided_on)}</dd>
        </dl>
        <h3>{t!(i18n, decision.appeal)}</h3>
        // The municipality writes appeal instructions in Swedish whatever the reader's language.
        <p lang="sv">{appeal_information}</p>
    }
}
