//! The editor's small inputs: a text in Swedish and English side by side, an optional number,
//! a checkbox, each with its label, its problem and `aria-invalid`. Inputs are uncontrolled
//! (they start from the value when shown and report every keystroke), so nothing rewrites what
//! the administrator is typing.

use leptos::ev::Event;
use leptos::prelude::*;
use shared::cases::Names;

use super::draft::Problems;
use super::messages::message;
use crate::i18n::{t, use_i18n};

/// The problem under an input, while there is one.
#[component]
pub fn ProblemAt(problems: Problems, anchor: String) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{anchor}-error");
    move || {
        problems.at(&anchor).map(|error| {
            view! {
                <p class="field-error" id=id.clone()>
                    <span class="visually-hidden">{t!(i18n, form.error_prefix)}" "</span>
                    {message(i18n, &error)}
                </p>
            }
        })
    }
}

/// `aria-invalid` and `aria-describedby` for the input `anchor`, with an optional hint.
fn invalid(problems: Problems, anchor: &str) -> impl Fn() -> Option<&'static str> + use<> {
    let anchor = anchor.to_owned();
    move || problems.at(&anchor).is_some().then_some("true")
}

fn described_by(
    problems: Problems,
    anchor: &str,
    hint: bool,
) -> impl Fn() -> Option<String> + use<> {
    let anchor = anchor.to_owned();
    move || {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{anchor}-hint"));
        }
        if problems.at(&anchor).is_some() {
            ids.push(format!("{anchor}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A one-line or multi-line text.
#[component]
pub fn TextInput(
    problems: Problems,
    /// The input's id; also what its problems are found by.
    id: String,
    label: String,
    #[prop(optional)] hint: Option<String>,
    value: String,
    #[prop(optional)] multiline: bool,
    on_change: impl Fn(String) + 'static,
) -> impl IntoView {
    let on_input = move |ev: Event| on_change(event_target_value(&ev));
    let has_hint = hint.is_some();
    let hint_id = format!("{id}-hint");
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                prop:value=value
                aria-invalid=invalid(problems, &id)
                aria-describedby=described_by(problems, &id, has_hint)
                on:input=on_input
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                type="text"
                id=id.clone()
                prop:value=value
                autocomplete="off"
                aria-invalid=invalid(problems, &id)
                aria-describedby=described_by(problems, &id, has_hint)
                on:input=on_input
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <ProblemAt problems anchor=id.clone() />
            {input}
        </div>
    }
}

/// A text in both languages: `{id}-sv` and `{id}-en`, side by side where there is room.
#[component]
pub fn NamesInput(
    problems: Problems,
    id: String,
    /// "Rubrik", "Fråga" …; the inputs are labelled "… (svenska)" and "… (engelska)".
    label: String,
    value: Names,
    #[prop(optional)] multiline: bool,
    on_change: impl Fn(Names) + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let current = StoredValue::new(value.clone());
    let set = move |sv: Option<String>, en: Option<String>| {
        current.update_value(|names| {
            if let Some(sv) = sv {
                names.sv = sv;
            }
            if let Some(en) = en {
                names.en = en;
            }
        });
        on_change(current.get_value());
    };
    let sv_label = format!(
        "{label} ({})",
        crate::i18n::t_string!(i18n, e_service_editor.in_swedish)
    );
    let en_label = format!(
        "{label} ({})",
        crate::i18n::t_string!(i18n, e_service_editor.in_english)
    );
    view! {
        <div class="field-row">
            <TextInput
                problems
                id=format!("{id}-sv")
                label=sv_label
                value=value.sv
                multiline
                on_change=move |text| set(Some(text), None)
            />
            <TextInput
                problems
                id=format!("{id}-en")
                label=en_label
                value=value.en
                multiline
                on_change=move |text| set(None, Some(text))
            />
        </div>
    }
}

/// A whole number that may be left empty.
#[component]
pub fn OptionalNumber(
    problems: Problems,
    id: String,
    label: String,
    #[prop(optional)] hint: Option<String>,
    value: Option<f64>,
    /// Whole numbers only (lengths, counts).
    #[prop(optional)]
    whole: bool,
    on_change: impl Fn(Option<f64>) + 'static,
) -> impl IntoView {
    let has_hint = hint.is_some();
    let hint_id = format!("{id}-hint");
    let on_input = move |ev: Event| {
        let text = event_target_value(&ev);
        let text = text.trim().replace(',', ".");
        on_change(if text.is_empty() {
            None
        } else {
            text.parse::<f64>().ok().filter(|n| n.is_finite())
        });
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <ProblemAt problems anchor=id.clone() />
            <input
                type="text"
                inputmode=if whole { "numeric" } else { "decimal" }
                id=id.clone()
                class="short-input"
                prop:value=value.map(|n| n.to_string()).unwrap_or_default()
                autocomplete="off"
                aria-invalid=invalid(problems, &id)
                aria-describedby=described_by(problems, &id, has_hint)
                on:input=on_input
            />
        </div>
    }
}

/// A checkbox with its label beside it.
#[component]
pub fn Checkbox(
    id: String,
    label: String,
    checked: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
    on_change: impl Fn(bool) + 'static,
) -> impl IntoView {
    view! {
        <div class="choice">
            <input
                type="checkbox"
                id=id.clone()
                prop:checked=checked
                disabled=disabled
                on:change=move |ev| on_change(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}
