//! The live preview: the draft as an applicant will meet it, in a phone-sized frame, with the
//! runner's own inputs. Answers given here are only kept on this page; they show the conditions
//! at work (a question hidden until an earlier answer shows it).

use std::sync::Arc;

use leptos::prelude::*;
use shared::e_services::{Answers, EServiceDefinition};
use shared::register::UnitSummary;

use super::super::errors::AnswerErrors;
use super::super::fields::{Answering, FieldInput};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;

#[component]
pub fn Preview(definition: Memo<EServiceDefinition>, units: Vec<UnitSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let answers = RwSignal::new(Answers::new());
    let units = StoredValue::new(units);
    // Re-rendered when the definition or the set of shown questions changes, not on every
    // keystroke in a preview answer.
    let shown = Memo::new(move |_| {
        let definition = definition.get();
        answers.with(|answers| {
            definition
                .visible_fields(answers)
                .into_iter()
                .map(|field| field.key.clone())
                .collect::<Vec<String>>()
        })
    });
    let form = move || {
        let definition = definition.get();
        let shown = shown.get();
        let answering = Answering {
            answers,
            errors: AnswerErrors::new(Arc::new(definition.clone())),
            children: StoredValue::new(Vec::new()),
            units,
        };
        let total = definition.steps.len();
        let title = definition.title.clone();
        let description = definition.description.clone();
        view! {
            <p class="preview-title">{move || labels::names(i18n, &title)}</p>
            <p class="hint">{move || labels::names(i18n, &description)}</p>
            {definition
                .steps
                .into_iter()
                .enumerate()
                .map(|(i, step)| {
                    let step_title = step.title.clone();
                    let heading = move || {
                        let of = format::fill(
                            t_string!(i18n, e_services.step_of),
                            &[("step", &(i + 1).to_string()), ("total", &total.to_string())],
                        );
                        let title = labels::names(i18n, &step_title);
                        if title.trim().is_empty() { of } else { format!("{of}: {title}") }
                    };
                    let fields = step
                        .fields
                        .into_iter()
                        .filter(|field| shown.contains(&field.key))
                        .map(|field| view! { <FieldInput field answering /> })
                        .collect_view();
                    view! {
                        <div class="preview-step">
                            <h3>{heading}</h3>
                            {fields}
                        </div>
                    }
                })
                .collect_view()}
        }
    };
    view! {
        <section class="editor-preview" aria-labelledby="ed-preview-heading">
            <h2 id="ed-preview-heading">{t!(i18n, e_service_editor.preview)}</h2>
            <p class="hint">{t!(i18n, e_service_editor.preview_hint)}</p>
            <div class="phone-frame">{form}</div>
        </section>
    }
}
