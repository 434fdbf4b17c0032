//! One input per field type of an e-service definition. Each writes its answer in the wire
//! shape `shared::e_services::Answer` gives it, so the same `validate` that the server runs can
//! check it; an emptied input removes the answer rather than sending `""`.
//!
//! Text inputs are uncontrolled: they start from the answer when the step is shown and report
//! every keystroke, so a reactive value never rewrites what the person is typing (a number
//! typed as "12," would otherwise become "12").

use leptos::ev::{Event, KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use shared::api::FieldError;
use shared::applications::ATTACHMENT_MAX_BYTES;
use shared::e_services::{
    Answer, Answers, AttachmentAnswer, DateRangeAnswer, Field, FieldType, Problem,
};
use shared::register::{GroupKind, PupilSummary, UnitSummary};

use super::errors::{AnswerErrors, AnswerMessage, focus_element, input_id};
use crate::I18n;
use crate::components::{PupilName, summary_name};
use crate::files::{self, Picked};
use crate::format;
use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::labels;

/// What every input works with: the answers so far, their problems, and what only the caller
/// knows (the applicant's children, the units they can see).
#[derive(Clone, Copy)]
pub struct Answering {
    pub answers: RwSignal<Answers>,
    pub errors: AnswerErrors,
    pub children: StoredValue<Vec<PupilSummary>>,
    pub units: StoredValue<Vec<UnitSummary>>,
}

impl Answering {
    /// The answer to `key` (tracked).
    fn get(&self, key: &str) -> Option<Answer> {
        self.answers.with(|answers| answers.get(key).cloned())
    }

    fn get_untracked(&self, key: &str) -> Option<Answer> {
        self.answers
            .with_untracked(|answers| answers.get(key).cloned())
    }

    /// Sets or, with `None`, removes the answer to `key`.
    fn set(&self, key: &str, answer: Option<Answer>) {
        self.answers.update(|answers| match answer {
            Some(answer) => {
                answers.insert(key.to_owned(), answer);
            }
            None => {
                answers.remove(key);
            }
        });
    }

    /// A list answer (`multi_choice`, `ranked_units`), empty when unanswered (tracked).
    fn list(&self, key: &str) -> Vec<String> {
        match self.get(key) {
            Some(Answer::List(values)) => values,
            _ => Vec::new(),
        }
    }

    fn set_list(&self, key: &str, values: Vec<String>) {
        self.set(key, (!values.is_empty()).then_some(Answer::List(values)));
    }
}

/// The input for one field, by its type.
#[component]
pub fn FieldInput(field: Field, answering: Answering) -> impl IntoView {
    match field.field_type {
        FieldType::Text => view! { <TextInput field answering multiline=false /> }.into_any(),
        FieldType::Textarea => view! { <TextInput field answering multiline=true /> }.into_any(),
        FieldType::Number => view! { <NumberInput field answering /> }.into_any(),
        FieldType::Date => view! { <DateInput field answering /> }.into_any(),
        FieldType::DateRange => view! { <DateRangeInput field answering /> }.into_any(),
        FieldType::Choice => view! { <ChoiceInput field answering /> }.into_any(),
        FieldType::MultiChoice => view! { <MultiChoiceInput field answering /> }.into_any(),
        FieldType::YesNo => view! { <YesNoInput field answering /> }.into_any(),
        FieldType::Child => view! { <ChildInput field answering /> }.into_any(),
        FieldType::Unit => view! { <UnitInput field answering /> }.into_any(),
        FieldType::RankedUnits => view! { <RankedUnitsInput field answering /> }.into_any(),
        FieldType::Attachment => view! { <AttachmentInput field answering /> }.into_any(),
        FieldType::Declaration => view! { <DeclarationInput field answering /> }.into_any(),
    }
}

/// The field's label, marked "(frivillig)" when it may be left out: people should not have
/// to guess which questions they must answer. A declaration is its own statement.
fn label_text(i18n: I18n, field: &Field) -> impl Fn() -> String + Send + Sync + use<> {
    let label = field.label.clone();
    let optional = !field.required && field.field_type != FieldType::Declaration;
    move || {
        let text = labels::names(i18n, &label);
        if optional {
            format!("{text} {}", t_string!(i18n, e_services.optional))
        } else {
            text
        }
    }
}

/// The definition's help text and what the field's type adds (the longest text, the files
/// taken), in the current language.
fn hint(i18n: I18n, field: &Field) -> Option<String> {
    let help = field
        .help
        .as_ref()
        .map(|help| labels::names(i18n, help))
        .filter(|help| !help.trim().is_empty());
    let limits = match field.field_type {
        FieldType::Text | FieldType::Textarea => Some(format::fill(
            t_string!(i18n, e_services.max_chars),
            &[("max", &field.max_length().to_string())],
        )),
        FieldType::Date => Some(t_string!(i18n, e_services.date_hint).to_owned()),
        FieldType::Unit | FieldType::RankedUnits => {
            Some(t_string!(i18n, e_services.unit_hint).to_owned())
        }
        FieldType::Attachment => Some(attachment_hint(i18n, field)),
        _ => None,
    };
    match (help, limits) {
        (Some(help), Some(limits)) => Some(format!("{help} {limits}")),
        (help, limits) => help.or(limits),
    }
}

fn attachment_hint(i18n: I18n, field: &Field) -> String {
    let types = field
        .media_types()
        .into_iter()
        .map(media_name)
        .collect::<Vec<_>>()
        .join(", ");
    let megabytes = (ATTACHMENT_MAX_BYTES / (1024 * 1024)).to_string();
    let max_files = field.max_files();
    let template = if max_files == 1 {
        t_string!(i18n, e_services.attachment_hint_one)
    } else {
        t_string!(i18n, e_services.attachment_hint)
    };
    format::fill(
        template,
        &[
            ("types", &types),
            ("size", &megabytes),
            ("count", &max_files.to_string()),
        ],
    )
}

/// The name people know a media type by.
fn media_name(media_type: &str) -> &str {
    match media_type {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        other => other,
    }
}

/// The hint under a label, if the field has one; its id is what `aria-describedby` names.
#[component]
fn Hint(field: Field) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{}-hint", input_id(&field.key));
    move || {
        hint(i18n, &field).map(|text| {
            view! {
                <p class="hint" id=id.clone()>
                    {text}
                </p>
            }
        })
    }
}

/// Whether the field has a hint at all (which does not depend on the language).
fn has_hint(i18n: I18n, field: &Field) -> bool {
    untrack(|| hint(i18n, field).is_some())
}

/// A single input with its label, hint and message above it (the input is the child).
#[component]
fn Labelled(field: Field, errors: AnswerErrors, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let show_hint = has_hint(i18n, &field);
    let label = label_text(i18n, &field);
    view! {
        <div class="field">
            <label for=input_id(&key)>{label}</label>
            {show_hint.then(|| view! { <Hint field=field.clone() /> })}
            <AnswerMessage errors key />
            {children()}
        </div>
    }
}

/// A group of inputs (radios, checkboxes, two dates) under its legend; the group carries the
/// field's state for assistive technology, and its first input the field's id, so the error
/// summary can move focus into it.
#[component]
fn Group(field: Field, errors: AnswerErrors, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let show_hint = has_hint(i18n, &field);
    let label = label_text(i18n, &field);
    view! {
        <fieldset
            class="field"
            aria-invalid=errors.invalid(&key)
            aria-describedby=errors.described_by(&key, show_hint)
        >
            <legend>{label}</legend>
            {show_hint.then(|| view! { <Hint field=field.clone() /> })}
            <AnswerMessage errors key=key.clone() />
            {children()}
        </fieldset>
    }
}

/// One radio or checkbox with its label beside it.
#[component]
fn Choice(
    id: String,
    name: String,
    /// `radio` or `checkbox`.
    kind: &'static str,
    #[prop(into)] checked: Signal<bool>,
    /// Called with the new state when the person changes it.
    on_toggle: Callback<bool>,
    /// For the one checkbox of a declaration, which has no group to describe it.
    #[prop(optional, into)]
    described_by: Option<Signal<Option<String>>>,
    children: Children,
) -> impl IntoView {
    let on_change = move |ev: Event| on_toggle.run(event_target_checked(&ev));
    view! {
        <div class="choice">
            <input
                type=kind
                id=id.clone()
                name=name
                prop:checked=checked
                aria-describedby=move || described_by.and_then(|by| by.get())
                on:change=on_change
            />
            <label for=id>{children()}</label>
        </div>
    }
}

/// The id of the `index`th input of a group; the first is the field's own id.
fn option_id(key: &str, index: usize) -> String {
    if index == 0 {
        input_id(key)
    } else {
        format!("{}-{index}", input_id(key))
    }
}

/// `text` and `textarea`.
#[component]
fn TextInput(field: Field, answering: Answering, multiline: bool) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let show_hint = has_hint(i18n, &field);
    let initial = match answering.get_untracked(&key) {
        Some(Answer::Text(text)) => text,
        _ => String::new(),
    };
    let on_input = {
        let key = key.clone();
        move |ev: Event| {
            let text = event_target_value(&ev);
            answering.set(&key, (!text.is_empty()).then_some(Answer::Text(text)));
        }
    };
    let input = if multiline {
        view! {
            <textarea
                id=input_id(&key)
                name=key.clone()
                rows="5"
                prop:value=initial
                aria-invalid=errors.invalid(&key)
                aria-describedby=errors.described_by(&key, show_hint)
                on:input=on_input
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                type="text"
                id=input_id(&key)
                name=key.clone()
                value=initial
                aria-invalid=errors.invalid(&key)
                aria-describedby=errors.described_by(&key, show_hint)
                on:input=on_input
            />
        }
        .into_any()
    };
    view! { <Labelled field errors>{input}</Labelled> }
}

/// A number as the person writes it: a decimal comma is fine, and what does not read as a
/// number stays text, which `validate` refuses as `invalid` ("Ange ett tal, till exempel 12").
pub fn number_answer(text: &str) -> Option<Answer> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let normalised: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    Some(match normalised.parse::<f64>() {
        Ok(number) if number.is_finite() => Answer::Number(number),
        _ => Answer::Text(text.to_owned()),
    })
}

/// A number with the language's decimal separator.
pub fn decimal(number: f64, locale: Locale) -> String {
    let text = number.to_string();
    match locale {
        Locale::sv => text.replace('.', ","),
        Locale::en => text,
    }
}

/// `number`: a text input with a numeric keyboard on phones (a `type=number` input would
/// refuse a decimal comma in some browsers and change the value on scroll).
#[component]
fn NumberInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let show_hint = has_hint(i18n, &field);
    let initial = match answering.get_untracked(&key) {
        Some(Answer::Number(number)) => decimal(number, i18n.get_locale_untracked()),
        Some(Answer::Text(text)) => text,
        _ => String::new(),
    };
    let on_input = {
        let key = key.clone();
        move |ev: Event| answering.set(&key, number_answer(&event_target_value(&ev)))
    };
    view! {
        <Labelled field errors>
            <input
                type="text"
                inputmode="decimal"
                id=input_id(&key)
                name=key.clone()
                value=initial
                aria-invalid=errors.invalid(&key)
                aria-describedby=errors.described_by(&key, show_hint)
                on:input=on_input
            />
        </Labelled>
    }
}

/// `date`: the browser's date picker, which writes `YYYY-MM-DD` as the answer wants it.
#[component]
fn DateInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let show_hint = has_hint(i18n, &field);
    let initial = match answering.get_untracked(&key) {
        Some(Answer::Text(text)) => text,
        _ => String::new(),
    };
    let on_input = {
        let key = key.clone();
        move |ev: Event| {
            let text = event_target_value(&ev);
            answering.set(&key, (!text.is_empty()).then_some(Answer::Text(text)));
        }
    };
    view! {
        <Labelled field errors>
            <input
                type="date"
                class="date-input"
                id=input_id(&key)
                name=key.clone()
                value=initial
                aria-invalid=errors.invalid(&key)
                aria-describedby=errors.described_by(&key, show_hint)
                on:input=on_input
            />
        </Labelled>
    }
}

/// Which day of a `date_range` an input writes.
#[derive(Clone, Copy)]
enum RangeEnd {
    From,
    To,
}

fn set_range_end(answering: Answering, key: &str, end: RangeEnd, text: String) {
    let mut range = match answering.get_untracked(key) {
        Some(Answer::DateRange(range)) => range,
        _ => DateRangeAnswer {
            from: String::new(),
            to: String::new(),
        },
    };
    match end {
        RangeEnd::From => range.from = text,
        RangeEnd::To => range.to = text,
    }
    let empty = range.from.is_empty() && range.to.is_empty();
    answering.set(key, (!empty).then_some(Answer::DateRange(range)));
}

/// `date_range`: the first and the last day, both included, as two dates in one group.
#[component]
fn DateRangeInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let (from, to) = match answering.get_untracked(&key) {
        Some(Answer::DateRange(range)) => (range.from, range.to),
        _ => (String::new(), String::new()),
    };
    let from_id = input_id(&key);
    let to_id = format!("{from_id}-to");
    let on_from = {
        let key = key.clone();
        move |ev: Event| set_range_end(answering, &key, RangeEnd::From, event_target_value(&ev))
    };
    let on_to = {
        let key = key.clone();
        move |ev: Event| set_range_end(answering, &key, RangeEnd::To, event_target_value(&ev))
    };
    view! {
        <Group field errors>
            <p class="hint">{t!(i18n, e_services.range_hint)}</p>
            <div class="field-row">
                <div class="field">
                    <label for=from_id.clone()>{t!(i18n, e_services.range_from)}</label>
                    <input
                        type="date"
                        class="date-input"
                        id=from_id
                        name=format!("{key}-from")
                        value=from
                        aria-invalid=errors.invalid(&key)
                        on:input=on_from
                    />
                </div>
                <div class="field">
                    <label for=to_id.clone()>{t!(i18n, e_services.range_to)}</label>
                    <input
                        type="date"
                        class="date-input"
                        id=to_id
                        name=format!("{key}-to")
                        value=to
                        aria-invalid=errors.invalid(&key)
                        on:input=on_to
                    />
                </div>
            </div>
        </Group>
    }
}

/// `choice`: one option, as radios.
#[component]
fn ChoiceInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let radios = field
        .options
        .iter()
        .enumerate()
        .map(|(index, option)| {
            let value = option.value.clone();
            let label = option.label.clone();
            let checked = {
                let (key, value) = (key.clone(), value.clone());
                Signal::derive(move || {
                    matches!(answering.get(&key), Some(Answer::Text(text)) if text.trim() == value)
                })
            };
            let on_toggle = {
                let key = key.clone();
                Callback::new(move |_: bool| answering.set(&key, Some(Answer::Text(value.clone()))))
            };
            view! {
                <Choice id=option_id(&key, index) name=key.clone() kind="radio" checked on_toggle>
                    {move || labels::names(i18n, &label)}
                </Choice>
            }
        })
        .collect_view();
    view! { <Group field errors>{radios}</Group> }
}

/// `multi_choice`: any of the options, as checkboxes; the answer keeps the options' order.
#[component]
fn MultiChoiceInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let order: Vec<String> = field.options.iter().map(|o| o.value.clone()).collect();
    let order = StoredValue::new(order);
    let boxes = field
        .options
        .iter()
        .enumerate()
        .map(|(index, option)| {
            let value = option.value.clone();
            let label = option.label.clone();
            let checked = {
                let (key, value) = (key.clone(), value.clone());
                Signal::derive(move || answering.list(&key).contains(&value))
            };
            let on_toggle = {
                let key = key.clone();
                Callback::new(move |on: bool| {
                    let chosen = untrack(|| answering.list(&key));
                    let chosen = order.with_value(|order| {
                        order
                            .iter()
                            .filter(|option| {
                                if **option == value {
                                    on
                                } else {
                                    chosen.contains(option)
                                }
                            })
                            .cloned()
                            .collect()
                    });
                    answering.set_list(&key, chosen);
                })
            };
            view! {
                <Choice
                    id=option_id(&key, index)
                    name=key.clone()
                    kind="checkbox"
                    checked
                    on_toggle
                >
                    {move || labels::names(i18n, &label)}
                </Choice>
            }
        })
        .collect_view();
    view! { <Group field errors>{boxes}</Group> }
}

/// `yes_no`: two radios.
#[component]
fn YesNoInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let radio = move |index: usize, yes: bool| {
        let checked = {
            let key = key.clone();
            Signal::derive(move || answering.get(&key) == Some(Answer::Bool(yes)))
        };
        let on_toggle = {
            let key = key.clone();
            Callback::new(move |_: bool| answering.set(&key, Some(Answer::Bool(yes))))
        };
        view! {
            <Choice id=option_id(&key, index) name=key.clone() kind="radio" checked on_toggle>
                {move || {
                    if yes { t_string!(i18n, e_services.yes) } else { t_string!(i18n, e_services.no) }
                }}
            </Choice>
        }
    };
    let radios = (radio(0, true), radio(1, false));
    view! { <Group field errors>{radios}</Group> }
}

/// A child's class and school, to tell children with similar names apart.
fn child_detail(child: &PupilSummary) -> Option<String> {
    let class = child
        .groups
        .iter()
        .find(|group| group.kind == GroupKind::Class)
        .map(|group| group.name.clone());
    let school = child.school.as_ref().map(|school| school.name.clone());
    let detail: Vec<String> = [class, school].into_iter().flatten().collect();
    (!detail.is_empty()).then(|| detail.join(", "))
}

/// `child`: the applicant's children (for a pupil: themselves) by name.
#[component]
fn ChildInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let children = answering.children.get_value();
    if children.is_empty() {
        return view! {
            <Group field errors>
                <p class="notice">{t!(i18n, e_services.no_children)}</p>
            </Group>
        }
        .into_any();
    }
    let radios = children
        .into_iter()
        .enumerate()
        .map(|(index, child)| {
            let id = child.id.to_string();
            let checked = {
                let (key, id) = (key.clone(), id.clone());
                Signal::derive(move || {
                    matches!(answering.get(&key), Some(Answer::Text(text)) if text.trim() == id)
                })
            };
            let on_toggle = {
                let key = key.clone();
                Callback::new(move |_: bool| answering.set(&key, Some(Answer::Text(id.clone()))))
            };
            let detail = child_detail(&child);
            view! {
                <Choice id=option_id(&key, index) name=key.clone() kind="radio" checked on_toggle>
                    <PupilName masked=child.masked name=summary_name(&child) />
                    {detail.map(|detail| view! { <span class="choice-detail">{detail}</span> })}
                </Choice>
            }
        })
        .collect_view();
    view! { <Group field errors>{radios}</Group> }.into_any()
}

/// The units the applicant can see, offered as suggestions for a unit's id (the browser shows
/// the name beside the id).
#[component]
fn UnitSuggestions(id: String, units: Vec<UnitSummary>) -> impl IntoView {
    view! {
        <datalist id=id>
            {units
                .into_iter()
                .map(|unit| view! { <option value=unit.id.to_string()>{unit.name}</option> })
                .collect_view()}
        </datalist>
    }
}

/// A unit by its id, named when it is one the applicant can see.
pub fn unit_name(units: &[UnitSummary], id: &str) -> String {
    units
        .iter()
        .find(|unit| unit.id.to_string() == id.trim())
        .map_or_else(|| id.to_owned(), |unit| unit.name.clone())
}

/// `unit`: the unit's id, with the units the applicant can see as suggestions. There is no
/// list of every unit for applicants in the API, so an id can also be typed (or pasted).
#[component]
fn UnitInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let show_hint = has_hint(i18n, &field);
    let list_id = format!("{}-units", input_id(&key));
    let initial = match answering.get_untracked(&key) {
        Some(Answer::Text(text)) => text,
        _ => String::new(),
    };
    let on_input = {
        let key = key.clone();
        move |ev: Event| {
            let text = event_target_value(&ev).trim().to_owned();
            answering.set(&key, (!text.is_empty()).then_some(Answer::Text(text)));
        }
    };
    view! {
        <Labelled field errors>
            <input
                type="text"
                id=input_id(&key)
                name=key.clone()
                list=list_id.clone()
                autocomplete="off"
                spellcheck="false"
                value=initial
                aria-invalid=errors.invalid(&key)
                aria-describedby=errors.described_by(&key, show_hint)
                on:input=on_input
            />
            <UnitSuggestions id=list_id units=answering.units.get_value() />
        </Labelled>
    }
}

/// `ranked_units`: an ordered list, most wanted first, that the person adds to and reorders
/// with buttons (dragging is neither keyboard- nor screen-reader-friendly). What changed is
/// announced, and focus follows the moved unit.
#[component]
fn RankedUnitsInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let base_id = input_id(&key);
    let list_id = format!("{base_id}-units");
    let base = StoredValue::new(base_id.clone());
    let typed = RwSignal::new(String::new());
    let announcement = RwSignal::new(String::new());
    let key = StoredValue::new(key);
    let name_of = move |id: &str| answering.units.with_value(|units| unit_name(units, id));

    let add = move || {
        let id = typed.get_untracked().trim().to_owned();
        if id.is_empty() {
            return;
        }
        let mut ranked = untrack(|| key.with_value(|key| answering.list(key)));
        ranked.push(id.clone());
        let place = ranked.len();
        key.with_value(|key| answering.set_list(key, ranked));
        typed.set(String::new());
        announcement.set(format::fill(
            t_string!(i18n, e_services.unit_added),
            &[("unit", &name_of(&id)), ("place", &place.to_string())],
        ));
    };
    let on_keydown = move |ev: KeyboardEvent| {
        // Enter adds the unit here, rather than submitting the step.
        if ev.key() == "Enter" {
            ev.prevent_default();
            add();
        }
    };
    let move_to = move |from: usize, to: usize| {
        let mut ranked = untrack(|| key.with_value(|key| answering.list(key)));
        if to >= ranked.len() {
            return;
        }
        ranked.swap(from, to);
        let id = ranked[to].clone();
        key.with_value(|key| answering.set_list(key, ranked.clone()));
        announcement.set(format::fill(
            t_string!(i18n, e_services.unit_moved),
            &[("unit", &name_of(&id)), ("place", &(to + 1).to_string())],
        ));
        // The list is drawn anew; keep focus on the same button of the moved unit, or on its
        // other one at the top or bottom.
        let last = ranked.len() - 1;
        let base = base.get_value();
        let button = match (to < from, to) {
            (true, 0) => format!("{base}-down-0"),
            (true, _) => format!("{base}-up-{to}"),
            (false, place) if place == last => format!("{base}-up-{place}"),
            (false, _) => format!("{base}-down-{to}"),
        };
        request_animation_frame(move || focus_element(&button));
    };
    let remove = move |index: usize| {
        let mut ranked = untrack(|| key.with_value(|key| answering.list(key)));
        if index >= ranked.len() {
            return;
        }
        let id = ranked.remove(index);
        key.with_value(|key| answering.set_list(key, ranked));
        announcement.set(format::fill(
            t_string!(i18n, e_services.unit_removed),
            &[("unit", &name_of(&id))],
        ));
        let input = base.get_value();
        request_animation_frame(move || focus_element(&input));
    };
    let rows = move || {
        let ranked = key.with_value(|key| answering.list(key));
        let count = ranked.len();
        ranked
            .into_iter()
            .enumerate()
            .map(|(index, id)| {
                let name = name_of(&id);
                view! {
                    <RankedRow
                        base=base.get_value()
                        index
                        count
                        name
                        on_up=Callback::new(move |()| {
                            if index > 0 {
                                move_to(index, index - 1)
                            }
                        })
                        on_down=Callback::new(move |()| move_to(index, index + 1))
                        on_remove=Callback::new(move |()| remove(index))
                    />
                }
            })
            .collect_view()
    };
    let has_rows = move || key.with_value(|key| !answering.list(key).is_empty());
    let field_for_group = field.clone();

    view! {
        <Group field=field_for_group errors>
            <Show
                when=has_rows
                fallback=move || view! { <p class="empty-state">{t!(i18n, e_services.no_units)}</p> }
            >
                <ol class="ranked-list">{rows}</ol>
            </Show>
            <div class="field ranked-add">
                <label for=base_id.clone()>{t!(i18n, e_services.add_unit)}</label>
                <div class="inline-row">
                    <input
                        type="text"
                        id=base_id.clone()
                        list=list_id.clone()
                        autocomplete="off"
                        spellcheck="false"
                        bind:value=typed
                        on:keydown=on_keydown
                    />
                    <button type="button" class="button secondary" on:click=move |_| add()>
                        {t!(i18n, e_services.add)}
                    </button>
                </div>
                <UnitSuggestions id=list_id units=answering.units.get_value() />
            </div>
            <p class="visually-hidden" role="status">
                {move || announcement.get()}
            </p>
        </Group>
    }
}

/// One ranked unit: its place, its name, and the buttons that move or remove it, each saying
/// which unit it acts on.
#[component]
fn RankedRow(
    base: String,
    index: usize,
    count: usize,
    name: String,
    on_up: Callback<()>,
    on_down: Callback<()>,
    on_remove: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action = |template: &str| format::fill(template, &[("unit", &name)]);
    let up_label = action(t_string!(i18n, e_services.move_up));
    let down_label = action(t_string!(i18n, e_services.move_down));
    let remove_label = action(t_string!(i18n, e_services.remove_unit));
    view! {
        <li>
            <span class="ranked-name">{name.clone()}</span>
            <span class="button-row">
                {(index > 0)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button secondary small"
                                id=format!("{base}-up-{index}")
                                aria-label=up_label
                                on:click=move |_: MouseEvent| on_up.run(())
                            >
                                {t!(i18n, e_services.up)}
                            </button>
                        }
                    })}
                {(index + 1 < count)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button secondary small"
                                id=format!("{base}-down-{index}")
                                aria-label=down_label
                                on:click=move |_: MouseEvent| on_down.run(())
                            >
                                {t!(i18n, e_services.down)}
                            </button>
                        }
                    })}
                <button
                    type="button"
                    class="button secondary small"
                    aria-label=remove_label
                    on:click=move |_: MouseEvent| on_remove.run(())
                >
                    {t!(i18n, e_services.remove)}
                </button>
            </span>
        </li>
    }
}

/// The problem with a picked file that can be told before reading it, by `validate`'s codes.
fn picked_problem(field: &Field, picked: &Picked, files_so_far: usize) -> Option<Problem> {
    if files_so_far >= field.max_files() as usize {
        Some(Problem::TooManyFiles)
    } else if picked.size > ATTACHMENT_MAX_BYTES as f64 {
        Some(Problem::TooLarge)
    } else {
        None
    }
}

/// `attachment`: files are read as soon as they are picked (so "Check your answers" can name
/// them) and listed with a button to remove each; the file input is emptied again, so picking
/// more adds to the list. A file too large is refused before it is read.
#[component]
fn AttachmentInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = StoredValue::new(field.key.clone());
    let errors = answering.errors;
    let show_hint = has_hint(i18n, &field);
    let accept = field.media_types().join(",");
    let multiple = field.max_files() > 1;
    let rule = StoredValue::new(field.clone());
    let files = move || match key.with_value(|key| answering.get(key)) {
        Some(Answer::Attachments(files)) => files,
        _ => Vec::new(),
    };

    let on_change = move |ev: Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        let picked: Vec<web_sys::File> = input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        input.set_value("");
        key.with_value(|key| errors.forget(key));
        leptos::task::spawn_local(async move {
            let mut chosen = untrack(files);
            for file in picked {
                let problem = rule
                    .with_value(|field| picked_problem(field, &Picked::of(&file), chosen.len()));
                let read = match problem {
                    Some(problem) => Err(problem),
                    None => files::read_attachment(&file).await.ok_or(Problem::Invalid),
                };
                match read {
                    Ok(attachment) => chosen.push(AttachmentAnswer {
                        name: attachment.file_name,
                        media_type: attachment.media_type,
                        content_base64: attachment.content_base64,
                    }),
                    Err(problem) => key.with_value(|key| {
                        errors.show_in_place(FieldError::new(key, problem.code(), ""));
                    }),
                }
            }
            key.with_value(|key| {
                answering.set(
                    key,
                    (!chosen.is_empty()).then_some(Answer::Attachments(chosen)),
                );
            });
        });
    };
    let remove = move |index: usize| {
        let mut chosen = untrack(files);
        if index < chosen.len() {
            chosen.remove(index);
        }
        key.with_value(|key| {
            errors.forget(key);
            answering.set(
                key,
                (!chosen.is_empty()).then_some(Answer::Attachments(chosen)),
            );
        });
        key.with_value(|key| focus_element(&input_id(key)));
    };
    let listed = move || {
        files()
            .into_iter()
            .enumerate()
            .map(|(index, file)| {
                let label = format::fill(
                    t_string!(i18n, e_services.remove_file),
                    &[("file", &file.name)],
                );
                view! {
                    <li>
                        <span class="file-name">{file.name}</span>
                        <button
                            type="button"
                            class="button secondary small"
                            aria-label=label
                            on:click=move |_| remove(index)
                        >
                            {t!(i18n, e_services.remove)}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let field_key = field.key.clone();

    view! {
        <Labelled field errors>
            <input
                type="file"
                id=input_id(&field_key)
                name=field_key.clone()
                accept=accept
                multiple=multiple
                aria-invalid=errors.invalid(&field_key)
                aria-describedby=errors.described_by(&field_key, show_hint)
                on:change=on_change
            />
            <Show when=move || !files().is_empty()>
                <p class="file-list-title">{t!(i18n, e_services.attached)}</p>
                <ul class="plain-list file-list">{listed}</ul>
            </Show>
        </Labelled>
    }
}

/// `declaration`: one checkbox whose label is the statement confirmed.
#[component]
fn DeclarationInput(field: Field, answering: Answering) -> impl IntoView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let errors = answering.errors;
    let show_hint = has_hint(i18n, &field);
    let checked = {
        let key = key.clone();
        Signal::derive(move || answering.get(&key) == Some(Answer::Bool(true)))
    };
    let on_toggle = {
        let key = key.clone();
        Callback::new(move |on: bool| answering.set(&key, Some(Answer::Bool(on))))
    };
    let described_by = Signal::derive(errors.described_by(&key, show_hint));
    let invalid = errors.invalid(&key);
    let label = label_text(i18n, &field);
    view! {
        <div class="field declaration" class:invalid=move || invalid().is_some()>
            {show_hint.then(|| view! { <Hint field=field.clone() /> })}
            <AnswerMessage errors key=key.clone() />
            <Choice
                id=input_id(&key)
                name=key.clone()
                kind="checkbox"
                checked
                on_toggle
                described_by
            >
                {label}
            </Choice>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_a_decimal_comma_and_keep_what_is_not_a_number() {
        assert_eq!(number_answer(" 12,5 "), Some(Answer::Number(12.5)));
        assert_eq!(number_answer("1 000"), Some(Answer::Number(1000.0)));
        assert_eq!(number_answer("tolv"), Some(Answer::Text("tolv".into())));
        assert_eq!(number_answer("  "), None);
        assert_eq!(decimal(12.5, Locale::sv), "12,5");
    }
}
