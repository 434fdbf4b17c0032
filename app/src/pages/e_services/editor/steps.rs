//! The steps of the form and their questions: each question's type, key, texts and the bounds
//! that belong to its type, its choices, and the condition that shows it.

use leptos::prelude::*;
use shared::cases::Names;
use shared::e_services::{
    ChoiceOption, Condition, ConditionValue, Field, FieldType, TEXT_MAX_CHARS, TEXTAREA_MAX_CHARS,
    new_condition_value,
};

use super::draft::{Draft, FieldEdit, Problems, StepEdit, new_option};
use super::inputs::{Checkbox, NamesInput, OptionalNumber, ProblemAt, TextInput};
use crate::I18n;
use crate::components::focus_element;
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;

/// Every field type, in the order the type list offers them.
pub const TYPES: [FieldType; 13] = [
    FieldType::Text,
    FieldType::Textarea,
    FieldType::Number,
    FieldType::Date,
    FieldType::DateRange,
    FieldType::Choice,
    FieldType::MultiChoice,
    FieldType::YesNo,
    FieldType::Child,
    FieldType::Unit,
    FieldType::RankedUnits,
    FieldType::Attachment,
    FieldType::Declaration,
];

/// The type's code in the API (`text`, `date_range` …).
pub fn type_code(field_type: FieldType) -> String {
    serde_json::to_value(field_type)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn type_of_code(code: &str) -> Option<FieldType> {
    TYPES.into_iter().find(|t| type_code(*t) == code)
}

pub fn type_name(i18n: I18n, field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::Text => t_string!(i18n, e_service_editor.field_types.text),
        FieldType::Textarea => t_string!(i18n, e_service_editor.field_types.textarea),
        FieldType::Number => t_string!(i18n, e_service_editor.field_types.number),
        FieldType::Date => t_string!(i18n, e_service_editor.field_types.date),
        FieldType::DateRange => t_string!(i18n, e_service_editor.field_types.date_range),
        FieldType::Choice => t_string!(i18n, e_service_editor.field_types.choice),
        FieldType::MultiChoice => t_string!(i18n, e_service_editor.field_types.multi_choice),
        FieldType::YesNo => t_string!(i18n, e_service_editor.field_types.yes_no),
        FieldType::Child => t_string!(i18n, e_service_editor.field_types.child),
        FieldType::Unit => t_string!(i18n, e_service_editor.field_types.unit),
        FieldType::RankedUnits => t_string!(i18n, e_service_editor.field_types.ranked_units),
        FieldType::Attachment => t_string!(i18n, e_service_editor.field_types.attachment),
        FieldType::Declaration => t_string!(i18n, e_service_editor.field_types.declaration),
    }
}

/// The steps, each with its questions, and "add a step".
#[component]
pub fn StepsEditor(draft: Draft, problems: Problems) -> impl IntoView {
    let i18n = use_i18n();
    let add_step = move |_| {
        let id = draft.add_step();
        request_focus(format!("ed-s{id}-title-sv"));
    };
    view! {
        <ol class="editor-steps">
            <For each=move || draft.steps.get() key=|step| step.id let:step>
                <StepEditor draft problems step />
            </For>
        </ol>
        <ProblemAt problems anchor="ed-steps".to_owned() />
        <button type="button" class="button secondary" id="ed-steps" on:click=add_step>
            {t!(i18n, e_service_editor.add_step)}
        </button>
    }
}

/// Focus the element once it is on the page (after the change that adds or shows it is
/// rendered).
pub fn request_focus(id: String) {
    request_animation_frame(move || focus_element(&id));
}

#[component]
fn StepEditor(draft: Draft, problems: Problems, step: StepEdit) -> impl IntoView {
    let i18n = use_i18n();
    let number = Memo::new(move |_| {
        draft
            .steps
            .with(|steps| steps.iter().position(|s| s.id == step.id))
            .map_or(0, |i| i + 1)
    });
    let count = Memo::new(move |_| draft.steps.with(Vec::len));
    let heading = move || {
        format::fill(
            t_string!(i18n, e_service_editor.step_heading),
            &[("step", &number.get().to_string())],
        )
    };
    let heading_id = format!("ed-s{}-heading", step.id);
    let labelled_by = heading_id.clone();
    let add_field = move |_| {
        let id = draft.add_field(step);
        request_focus(format!("ed-f{id}-label-sv"));
    };
    let prefix = format!("ed-s{}", step.id);
    view! {
        <li class="editor-step" aria-labelledby=labelled_by>
            <div class="editor-item-head">
                <h2 id=heading_id>{heading}</h2>
                <MoveButtons
                    what=Signal::derive(heading)
                    first=Signal::derive(move || number.get() <= 1)
                    last=Signal::derive(move || number.get() >= count.get())
                    on_move=move |down| draft.move_step(step.id, down)
                    on_remove=move || draft.remove_step(step.id)
                />
            </div>
            <NamesInput
                problems
                id=format!("{prefix}-title")
                label=t_string!(i18n, e_service_editor.step_title).to_owned()
                value=step.title.get_untracked()
                on_change=move |names| step.title.set(names)
            />
            <ol class="editor-fields">
                <For each=move || step.fields.get() key=|field| field.id let:field>
                    <FieldEditor draft problems step field />
                </For>
            </ol>
            <ProblemAt problems anchor=format!("{prefix}-fields") />
            <button type="button" class="button secondary" id=format!("{prefix}-fields") on:click=add_field>
                {t!(i18n, e_service_editor.add_field)}
            </button>
        </li>
    }
}

/// Up, down and remove for a step or a question, each button naming what it moves.
#[component]
fn MoveButtons(
    what: Signal<String>,
    first: Signal<bool>,
    last: Signal<bool>,
    on_move: impl Fn(bool) + Copy + 'static,
    on_remove: impl Fn() + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let named = move |template: &str| format::fill(template, &[("what", &what.get())]);
    view! {
        <div class="button-row editor-move">
            <button
                type="button"
                class="button secondary small"
                disabled=first
                aria-label=move || named(t_string!(i18n, e_service_editor.move_up))
                on:click=move |_| on_move(false)
            >
                {t!(i18n, e_services.up)}
            </button>
            <button
                type="button"
                class="button secondary small"
                disabled=last
                aria-label=move || named(t_string!(i18n, e_service_editor.move_down))
                on:click=move |_| on_move(true)
            >
                {t!(i18n, e_services.down)}
            </button>
            <button
                type="button"
                class="button secondary small"
                aria-label=move || named(t_string!(i18n, e_service_editor.remove))
                on:click=move |_| on_remove()
            >
                {t!(i18n, e_services.remove)}
            </button>
        </div>
    }
}

#[component]
fn FieldEditor(
    draft: Draft,
    problems: Problems,
    step: StepEdit,
    field: FieldEdit,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = field.id;
    let prefix = format!("ed-f{id}");
    let initial = field.field.get_untracked();
    let field_type = Memo::new(move |_| field.field.with(|f| f.field_type));
    let position = Memo::new(move |_| draft.position(id));
    let count = Memo::new(move |_| step.fields.with(Vec::len));
    let heading = move || {
        let (_, number) = position.get().unwrap_or((0, 0));
        let label = field.field.with(|f| labels::names(i18n, &f.label));
        let mut heading = format::fill(
            t_string!(i18n, e_service_editor.field_heading),
            &[("number", &number.to_string())],
        );
        if !label.trim().is_empty() {
            heading = format!("{heading}: {}", label.trim());
        }
        heading
    };
    let heading_id = format!("{prefix}-heading");
    let labelled_by = heading_id.clone();
    let set = move |change: &dyn Fn(&mut Field)| field.field.update(|f| change(f));
    let type_id = format!("{prefix}-type");
    view! {
        <li class="editor-field" aria-labelledby=labelled_by>
            <div class="editor-item-head">
                <h3 id=heading_id>{heading}</h3>
                <MoveButtons
                    what=Signal::derive(heading)
                    first=Signal::derive(move || position.get().is_none_or(|(_, n)| n <= 1))
                    last=Signal::derive(move || position.get().is_none_or(|(_, n)| n >= count.get()))
                    on_move=move |down| draft.move_field(step, id, down)
                    on_remove=move || draft.remove_field(step, id)
                />
            </div>
            <div class="field-row">
                <div class="field">
                    <label for=type_id.clone()>{t!(i18n, e_service_editor.field_type)}</label>
                    <select
                        id=type_id
                        on:change=move |ev| {
                            if let Some(new) = type_of_code(&event_target_value(&ev)) {
                                set(&|f| f.field_type = new);
                            }
                        }
                    >
                        {TYPES
                            .into_iter()
                            .map(|t| {
                                view! {
                                    <option value=type_code(t) selected=initial.field_type == t>
                                        {move || type_name(i18n, t)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <TextInput
                    problems
                    id=format!("{prefix}-key")
                    label=t_string!(i18n, e_service_editor.key).to_owned()
                    hint=t_string!(i18n, e_service_editor.key_hint).to_owned()
                    value=initial.key.clone()
                    on_change=move |key| draft.rename_key(field, key.trim())
                />
            </div>
            <NamesInput
                problems
                id=format!("{prefix}-label")
                label=t_string!(i18n, e_service_editor.label).to_owned()
                value=initial.label.clone()
                on_change=move |label| set(&|f| f.label = label.clone())
            />
            <NamesInput
                problems
                id=format!("{prefix}-help")
                label=t_string!(i18n, e_service_editor.help).to_owned()
                value=initial.help.clone().unwrap_or_else(|| Names::new("", ""))
                on_change=move |help| {
                    let empty = help.sv.trim().is_empty() && help.en.trim().is_empty();
                    set(&|f| f.help = (!empty).then(|| help.clone()));
                }
            />
            <Checkbox
                id=format!("{prefix}-required")
                label=t_string!(i18n, e_service_editor.required).to_owned()
                checked=initial.required
                on_change=move |required| set(&|f| f.required = required)
            />
            {move || {
                let field_type = field_type.get();
                view! { <TypeSettings problems field field_type /> }
            }}
            <ConditionEditor draft problems field />
        </li>
    }
}

/// What only some types have: lengths, bounds, choices, files.
#[component]
fn TypeSettings(problems: Problems, field: FieldEdit, field_type: FieldType) -> impl IntoView {
    let i18n = use_i18n();
    let prefix = format!("ed-f{}", field.id);
    let current = field.field.get_untracked();
    let set = move |change: &dyn Fn(&mut Field)| field.field.update(|f| change(f));
    match field_type {
        FieldType::Text | FieldType::Textarea => view! {
            <OptionalNumber
                problems
                id=format!("{prefix}-max_length")
                label=t_string!(i18n, e_service_editor.max_length).to_owned()
                hint=format::fill(
                    t_string!(i18n, e_service_editor.max_length_hint),
                    &[("default", &if field_type == FieldType::Text { TEXT_MAX_CHARS } else { TEXTAREA_MAX_CHARS }.to_string())],
                )
                value=current.max_length.map(f64::from)
                whole=true
                on_change=move |n| set(&|f| f.max_length = n.map(|n| n.clamp(0.0, 1e9) as u32))
            />
        }
        .into_any(),
        FieldType::Number => view! {
            <div class="field-row">
                <OptionalNumber
                    problems
                    id=format!("{prefix}-min")
                    label=t_string!(i18n, e_service_editor.min).to_owned()
                    value=current.min
                    on_change=move |n| set(&|f| f.min = n)
                />
                <OptionalNumber
                    problems
                    id=format!("{prefix}-max")
                    label=t_string!(i18n, e_service_editor.max).to_owned()
                    value=current.max
                    on_change=move |n| set(&|f| f.max = n)
                />
            </div>
        }
        .into_any(),
        FieldType::Choice | FieldType::MultiChoice => {
            view! { <OptionsEditor problems field /> }.into_any()
        }
        FieldType::Attachment => view! {
            <OptionalNumber
                problems
                id=format!("{prefix}-max_files")
                label=t_string!(i18n, e_service_editor.max_files).to_owned()
                hint=t_string!(i18n, e_service_editor.max_files_hint).to_owned()
                value=current.max_files.map(f64::from)
                whole=true
                on_change=move |n| set(&|f| f.max_files = n.map(|n| n.clamp(0.0, 1e9) as u32))
            />
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// The choices of a `choice` or `multi_choice` question: value and label per language.
#[component]
fn OptionsEditor(problems: Problems, field: FieldEdit) -> impl IntoView {
    let i18n = use_i18n();
    let prefix = format!("ed-f{}-options", field.id);
    let count = Memo::new(move |_| field.field.with(|f| f.options.len()));
    let update = move |k: usize, change: &dyn Fn(&mut ChoiceOption)| {
        field.field.update(|f| {
            if let Some(option) = f.options.get_mut(k) {
                change(option);
            }
        });
    };
    let add = {
        let prefix = prefix.clone();
        move |_| {
            let k = count.get_untracked();
            field.field.update(|f| {
                let option = new_option(&f.options);
                f.options.push(option);
            });
            request_focus(format!("{prefix}-{k}-label-sv"));
        }
    };
    let rows = {
        let prefix = prefix.clone();
        move || {
            let options = field.field.with_untracked(|f| f.options.clone());
            let _ = count.get();
            options
                .into_iter()
                .enumerate()
                .map(|(k, option)| {
                    let option_prefix = format!("{prefix}-{k}");
                    let legend = format::fill(
                        t_string!(i18n, e_service_editor.option_heading),
                        &[("number", &(k + 1).to_string())],
                    );
                    view! {
                        <li>
                            <fieldset class="editor-option">
                                <legend>{legend.clone()}</legend>
                                <TextInput
                                    problems
                                    id=format!("{option_prefix}-value")
                                    label=t_string!(i18n, e_service_editor.option_value).to_owned()
                                    value=option.value.clone()
                                    on_change=move |value| update(k, &|o| o.value = value.trim().to_owned())
                                />
                                <NamesInput
                                    problems
                                    id=format!("{option_prefix}-label")
                                    label=t_string!(i18n, e_service_editor.option_label).to_owned()
                                    value=option.label.clone()
                                    on_change=move |label| update(k, &|o| o.label = label.clone())
                                />
                                <button
                                    type="button"
                                    class="button secondary small"
                                    aria-label=format::fill(
                                        t_string!(i18n, e_service_editor.remove),
                                        &[("what", &legend)],
                                    )
                                    on:click=move |_| field.field.update(|f| {
                                        if k < f.options.len() {
                                            f.options.remove(k);
                                        }
                                    })
                                >
                                    {t!(i18n, e_services.remove)}
                                </button>
                            </fieldset>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    view! {
        <div class="editor-options">
            <h4>{t!(i18n, e_service_editor.options)}</h4>
            <ol class="editor-option-list">{rows}</ol>
            <ProblemAt problems anchor=prefix.clone() />
            <button type="button" class="button secondary small" id=prefix on:click=add>
                {t!(i18n, e_service_editor.add_option)}
            </button>
        </div>
    }
}

/// "Show only when …": an earlier question and the answer that shows this one.
#[component]
fn ConditionEditor(draft: Draft, problems: Problems, field: FieldEdit) -> impl IntoView {
    let i18n = use_i18n();
    let prefix = format!("ed-f{}-visible_when", field.id);
    // The earlier questions a condition can name: the ones whose answer can be compared.
    let targets = Memo::new(move |_| {
        draft
            .fields_before(field.id)
            .into_iter()
            .filter(|f| new_condition_value(f).is_some())
            .collect::<Vec<Field>>()
    });
    // The condition's inputs are rebuilt when the question it names changes, not when its
    // answer is typed.
    let target_key = Memo::new(move |_| {
        field
            .field
            .with(|f| f.visible_when.as_ref().map(|c| c.field.clone()))
    });
    let enabled = Memo::new(move |_| target_key.with(Option::is_some));
    let toggle = move |on: bool| {
        let first = targets.with_untracked(|targets| targets.first().cloned());
        field.field.update(|f| {
            f.visible_when = match (on, first) {
                (true, Some(target)) => new_condition_value(&target).map(|equals| Condition {
                    field: target.key.clone(),
                    equals,
                }),
                _ => None,
            };
        });
    };
    let pick_target = move |key: String| {
        let target =
            targets.with_untracked(|targets| targets.iter().find(|t| t.key == key).cloned());
        if let Some(target) = target {
            field.field.update(|f| {
                f.visible_when = new_condition_value(&target).map(|equals| Condition {
                    field: target.key.clone(),
                    equals,
                });
            });
        }
    };
    let set_value = move |equals: ConditionValue| {
        field.field.update(|f| {
            if let Some(condition) = f.visible_when.as_mut() {
                condition.equals = equals;
            }
        });
    };
    let field_select_id = format!("{prefix}-field");
    let value_id = format!("{prefix}-equals");
    let details = move || {
        let key = target_key.get()?;
        let condition = field.field.with_untracked(|f| f.visible_when.clone())?;
        let target = targets.with(|targets| targets.iter().find(|t| t.key == key).cloned());
        let field_select_id = field_select_id.clone();
        let value_id = value_id.clone();
        let value_input = match target.as_ref().map(|t| t.field_type) {
            Some(FieldType::YesNo) => {
                let yes = condition.equals == ConditionValue::Bool(true);
                view! {
                    <select
                        id=value_id.clone()
                        on:change=move |ev| set_value(ConditionValue::Bool(event_target_value(&ev) == "yes"))
                    >
                        <option value="yes" selected=yes>{t!(i18n, e_services.yes)}</option>
                        <option value="no" selected=!yes>{t!(i18n, e_services.no)}</option>
                    </select>
                }
                .into_any()
            }
            Some(FieldType::Choice | FieldType::MultiChoice) => {
                let options = target
                    .as_ref()
                    .map(|t| t.options.clone())
                    .unwrap_or_default();
                let chosen = match &condition.equals {
                    ConditionValue::Text(text) => text.clone(),
                    ConditionValue::Bool(_) => String::new(),
                };
                view! {
                    <select
                        id=value_id.clone()
                        on:change=move |ev| set_value(ConditionValue::Text(event_target_value(&ev)))
                    >
                        {options
                            .into_iter()
                            .map(|option| {
                                let selected = option.value == chosen;
                                let label = option.label.clone();
                                view! {
                                    <option value=option.value.clone() selected=selected>
                                        {move || labels::names(i18n, &label)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                }
                .into_any()
            }
            _ => {
                let text = match &condition.equals {
                    ConditionValue::Text(text) => text.clone(),
                    ConditionValue::Bool(_) => String::new(),
                };
                view! {
                    <input
                        type="text"
                        id=value_id.clone()
                        prop:value=text
                        on:input=move |ev| set_value(ConditionValue::Text(event_target_value(&ev)))
                    />
                }
                .into_any()
            }
        };
        Some(view! {
            <div class="field-row editor-condition">
                <div class="field">
                    <label for=field_select_id.clone()>{t!(i18n, e_service_editor.condition_field)}</label>
                    <ProblemAt problems anchor=field_select_id.clone() />
                    <select id=field_select_id on:change=move |ev| pick_target(event_target_value(&ev))>
                        {targets
                            .get()
                            .into_iter()
                            .map(|t| {
                                let selected = t.key == condition.field;
                                let name = if t.label.sv.trim().is_empty() && t.label.en.trim().is_empty() {
                                    t.key.clone()
                                } else {
                                    labels::names(i18n, &t.label)
                                };
                                view! { <option value=t.key.clone() selected=selected>{name}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=value_id.clone()>{t!(i18n, e_service_editor.condition_value)}</label>
                    <ProblemAt problems anchor=value_id.clone() />
                    {value_input}
                </div>
            </div>
        })
    };
    let none_earlier = Signal::derive(move || targets.with(Vec::is_empty) && !enabled.get());
    view! {
        <div class="editor-condition-box">
            <Checkbox
                id=format!("{prefix}-on")
                label=t_string!(i18n, e_service_editor.condition).to_owned()
                checked=enabled.get_untracked()
                disabled=none_earlier
                on_change=toggle
            />
            <Show when=move || none_earlier.get()>
                <p class="hint">{t!(i18n, e_service_editor.condition_none)}</p>
            </Show>
            {details}
        </div>
    }
}
