use leptos::prelude::*;
use shared::cases::{CaseFact, FactValue};

use crate::format;
use crate::i18n::use_i18n;
use crate::labels;

/// The facts a case's process tells about it, as terms and descriptions inside a `<dl>`: the
/// page knows no case type, only how each kind of value reads.
#[component]
pub fn ProcessFacts(facts: Vec<CaseFact>) -> impl IntoView {
    let i18n = use_i18n();
    facts
        .into_iter()
        .map(|fact| {
            let label = fact.label;
            let value = match fact.value {
                FactValue::Text { text } => view! { <dd class="prose">{text}</dd> }.into_any(),
                FactValue::Date { date } => view! { <dd>{format::date(date)}</dd> }.into_any(),
                FactValue::DateRange { from, to } => {
                    view! { <dd>{format::date(from)}" – "{format::date(to)}</dd> }.into_any()
                }
                FactValue::Count { count } => view! { <dd>{count}</dd> }.into_any(),
            };
            view! {
                <dt>{move || labels::names(i18n, &label)}</dt>
                {value}
            }
        })
        .collect_view()
}
