//! "Kontrollera dina svar": every answered question with its answer in words, each with a way
//! back to its step, and the receipt once the submission has come in.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;
use shared::cases::MyCase;
use shared::e_services::{
    Answer, Answers, EServiceDefinition, Field, FieldType, SubmissionReceipt,
};
use shared::register::{PupilSummary, UnitSummary};
use uuid::Uuid;

use super::errors::{AnswerErrors, AnswerMessage, input_id};
use super::fields::{decimal, unit_name};
use crate::I18n;
use crate::api;
use crate::components::{ErrorAlert, Loading, summary_name};
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;

/// An answer as the person would say it: option labels rather than values, names rather than
/// ids, "Ja" rather than `true`. Lists (choices, ranked units, files) give one line each.
pub fn answer_lines(
    i18n: I18n,
    field: &Field,
    answer: &Answer,
    children: &[PupilSummary],
    units: &[UnitSummary],
) -> Vec<String> {
    let option = |value: &str| {
        field
            .options
            .iter()
            .find(|option| option.value == value.trim())
            .map_or_else(
                || value.to_owned(),
                |option| labels::names(i18n, &option.label),
            )
    };
    match (field.field_type, answer) {
        (FieldType::Choice, Answer::Text(value)) => vec![option(value)],
        (FieldType::MultiChoice, Answer::List(values)) => {
            values.iter().map(|value| option(value)).collect()
        }
        (FieldType::Child, Answer::Text(id)) => vec![child_name(i18n, children, id)],
        (FieldType::Unit, Answer::Text(id)) => vec![unit_name(units, id)],
        (FieldType::RankedUnits, Answer::List(ids)) => ids
            .iter()
            .enumerate()
            .map(|(index, id)| format!("{}. {}", index + 1, unit_name(units, id)))
            .collect(),
        (FieldType::Declaration, Answer::Bool(true)) => {
            vec![t_string!(i18n, e_services.confirmed).to_owned()]
        }
        (_, Answer::Bool(yes)) => vec![
            if *yes {
                t_string!(i18n, e_services.yes)
            } else {
                t_string!(i18n, e_services.no)
            }
            .to_owned(),
        ],
        (_, Answer::Number(number)) => vec![decimal(*number, i18n.get_locale())],
        (_, Answer::DateRange(range)) => vec![format!("{} – {}", range.from, range.to)],
        (_, Answer::Attachments(files)) => files.iter().map(|file| file.name.clone()).collect(),
        (_, Answer::List(values)) => values.clone(),
        (_, Answer::Text(text)) => vec![text.clone()],
    }
}

fn child_name(i18n: I18n, children: &[PupilSummary], id: &str) -> String {
    match children
        .iter()
        .find(|child| child.id.to_string() == id.trim())
    {
        Some(child) if child.masked => t_string!(i18n, masked).to_owned(),
        Some(child) => summary_name(child).unwrap_or_else(|| t_string!(i18n, not_available).into()),
        None => id.to_owned(),
    }
}

/// Whether an answer says anything (an emptied list or range is no answer).
fn is_answered(answer: &Answer) -> bool {
    match answer {
        Answer::Text(text) => !text.trim().is_empty(),
        Answer::List(values) => !values.is_empty(),
        Answer::Attachments(files) => !files.is_empty(),
        Answer::DateRange(range) => !(range.from.trim().is_empty() && range.to.trim().is_empty()),
        Answer::Bool(_) | Answer::Number(_) => true,
    }
}

/// The visible, answered fields with the step each is on, in the order they were asked.
pub fn answered_fields(definition: &EServiceDefinition, answers: &Answers) -> Vec<(usize, Field)> {
    let visible: Vec<&str> = definition
        .visible_fields(answers)
        .into_iter()
        .map(|field| field.key.as_str())
        .collect();
    definition
        .steps
        .iter()
        .enumerate()
        .flat_map(|(index, step)| step.fields.iter().map(move |field| (index, field)))
        .filter(|(_, field)| visible.contains(&field.key.as_str()))
        .filter(|(_, field)| answers.get(&field.key).is_some_and(is_answered))
        .map(|(index, field)| (index, field.clone()))
        .collect()
}

/// The list of answers; "Ändra" is a button, since it changes what the runner shows rather
/// than going to another address.
#[component]
pub fn AnswerList(
    definition: Arc<EServiceDefinition>,
    answers: Answers,
    children: StoredValue<Vec<PupilSummary>>,
    units: StoredValue<Vec<UnitSummary>>,
    on_change: Callback<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = answered_fields(&definition, &answers)
        .into_iter()
        .map(|(step, field)| {
            let answer = answers.get(&field.key).cloned();
            let label = field.label.clone();
            let label_again = field.label.clone();
            let lines = move || {
                let Some(answer) = &answer else {
                    return Vec::new();
                };
                children.with_value(|children| {
                    units.with_value(|units| answer_lines(i18n, &field, answer, children, units))
                })
            };
            view! {
                <div class="review-row">
                    <dt>{move || labels::names(i18n, &label)}</dt>
                    <dd class="review-answer">
                        {move || {
                            let lines = lines();
                            if lines.len() == 1 {
                                lines.into_iter().next().into_any()
                            } else {
                                view! {
                                    <ul class="review-lines">
                                        {lines
                                            .into_iter()
                                            .map(|line| view! { <li>{line}</li> })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        }}
                    </dd>
                    <dd class="review-change">
                        <button
                            type="button"
                            class="link-button"
                            on:click=move |_| on_change.run(step)
                        >
                            {t!(i18n, e_services.change)}
                            <span class="visually-hidden">
                                " " {move || labels::names(i18n, &label_again)}
                            </span>
                        </button>
                    </dd>
                </div>
            }
        })
        .collect_view();
    view! { <dl class="review-list">{rows}</dl> }
}

/// For an e-service that adds to a case the applicant already has: which one. The server
/// answers a missing choice as the field `case_id`.
#[component]
pub fn CaseChoice(case_id: RwSignal<Option<Uuid>>, errors: AnswerErrors) -> impl IntoView {
    let i18n = use_i18n();
    let cases = LocalResource::new(api::applications::my_cases);
    let key = "case_id".to_owned();
    let radios = move |cases: Vec<MyCase>| {
        cases
            .into_iter()
            .enumerate()
            .map(|(index, case)| {
                let id = case.id;
                let input = if index == 0 {
                    input_id("case_id")
                } else {
                    format!("{}-{index}", input_id("case_id"))
                };
                let type_name = case.case_type_name.clone();
                view! {
                    <div class="choice">
                        <input
                            type="radio"
                            id=input.clone()
                            name="case_id"
                            prop:checked=move || case_id.get() == Some(id)
                            on:change=move |_| case_id.set(Some(id))
                        />
                        <label for=input>
                            <strong>{case.number.to_string()}</strong>
                            " "
                            {move || labels::names(i18n, &type_name)}
                        </label>
                    </div>
                }
            })
            .collect_view()
    };

    view! {
        <fieldset
            class="field"
            aria-invalid=errors.invalid(&key)
            aria-describedby=errors.described_by(&key, false)
        >
            <legend>{t!(i18n, e_services.which_case)}</legend>
            <AnswerMessage errors key=key.clone() />
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match cases.await {
                        Ok(cases) if cases.is_empty() => {
                            view! { <p class="notice">{t!(i18n, e_services.no_cases)}</p> }
                                .into_any()
                        }
                        Ok(cases) => radios(cases).into_any(),
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Transition>
        </fieldset>
    }
}

/// The receipt: that the submission has come in, its case number, and the way to the case.
/// The heading takes focus, since the form it replaces is gone.
#[component]
pub fn Receipt(receipt: SubmissionReceipt) -> impl IntoView {
    let i18n = use_i18n();
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let SubmissionReceipt {
        case_id,
        case_number,
        awaiting_confirmation,
        ..
    } = receipt;

    view! {
        <section class="confirmation" role="status" aria-labelledby="es-sent">
            <h2 id="es-sent" tabindex="-1" node_ref=heading>
                {t!(i18n, e_services.sent_title)}
            </h2>
            {case_number
                .map(|number| {
                    view! {
                        <p class="case-number">
                            {t!(i18n, field.case_number)}" "<strong>{number.to_string()}</strong>
                        </p>
                    }
                })}
            {match case_id {
                Some(case_id) => {
                    view! {
                        <p>{t!(i18n, e_services.sent_next)}</p>
                        {awaiting_confirmation
                            .then(|| {
                                view! {
                                    <p class="notice">
                                        {t!(i18n, e_services.sent_awaiting_other_guardian)}
                                    </p>
                                }
                            })}
                        <p>
                            <A href=format!("/my/cases/{case_id}")>
                                {t!(i18n, e_services.sent_link)}
                            </A>
                        </p>
                    }
                        .into_any()
                }
                None => view! { <p>{t!(i18n, e_services.sent_no_case)}</p> }.into_any(),
            }}
            <p>
                <A href="/e-services">{t!(i18n, e_services.back_to_list)}</A>
            </p>
        </section>
    }
}
