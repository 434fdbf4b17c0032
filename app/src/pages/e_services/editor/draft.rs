//! The definition being edited, held so that typing in one question re-renders nothing else:
//! the e-service's own texts and intake in one signal, each step and each question in signals
//! of their own, keyed by an id that stays with the item when it moves.
//!
//! Problems (from `EServiceDefinition::check` in the browser, or the server's 422) name a path
//! in the definition (`steps[1].fields[2].label.sv`); [`Draft::anchor`] turns it into the id of
//! the input it is about (`ed-f7-label-sv`), which is how each input finds its message.

use leptos::prelude::*;
use shared::api::FieldError;
use shared::cases::Names;
use shared::e_services::{
    ChoiceOption, EServiceDefinition, Field, FieldType, Intake, IntakeMode, Signing, Step,
    WhoMayApply,
};

#[derive(Clone, Copy)]
pub struct StepEdit {
    pub id: usize,
    pub title: RwSignal<Names>,
    pub fields: RwSignal<Vec<FieldEdit>>,
}

#[derive(Clone, Copy)]
pub struct FieldEdit {
    pub id: usize,
    pub field: RwSignal<Field>,
}

#[derive(Clone, Copy)]
pub struct Draft {
    /// Everything but the steps (whose `steps` stays empty).
    pub head: RwSignal<EServiceDefinition>,
    pub steps: RwSignal<Vec<StepEdit>>,
    next_id: StoredValue<usize>,
}

/// What a new e-service starts as: one empty step, a new case on submission.
pub fn blank() -> EServiceDefinition {
    EServiceDefinition {
        code: String::new(),
        version: 1,
        title: Names::new("", ""),
        description: Names::new("", ""),
        who_may_apply: WhoMayApply::Guardian,
        steps: vec![Step {
            title: Names::new("", ""),
            fields: Vec::new(),
        }],
        intake: Intake {
            mode: IntakeMode::NewCase,
            case_type: None,
            document_type: None,
            assign_to: None,
        },
        signing: Signing::OneGuardian,
    }
}

/// A new question of `field_type` with the key `key`.
pub fn new_field(key: String, field_type: FieldType) -> Field {
    Field {
        key,
        field_type,
        required: false,
        label: Names::new("", ""),
        help: None,
        options: Vec::new(),
        min: None,
        max: None,
        max_length: None,
        max_files: None,
        media_types: Vec::new(),
        visible_when: None,
    }
}

/// A new choice, with a value not yet taken among `options`.
pub fn new_option(options: &[ChoiceOption]) -> ChoiceOption {
    let value = (1..)
        .map(|n| format!("option_{n}"))
        .find(|value| options.iter().all(|option| &option.value != value))
        .unwrap_or_default();
    ChoiceOption {
        value,
        label: Names::new("", ""),
    }
}

impl Draft {
    pub fn new(mut definition: EServiceDefinition) -> Self {
        let steps = std::mem::take(&mut definition.steps);
        let draft = Draft {
            head: RwSignal::new(definition),
            steps: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(0),
        };
        let steps = steps.into_iter().map(|step| draft.step(step)).collect();
        draft.steps.set(steps);
        draft
    }

    fn id(&self) -> usize {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    fn step(&self, step: Step) -> StepEdit {
        let fields = step
            .fields
            .into_iter()
            .map(|field| self.field(field))
            .collect();
        StepEdit {
            id: self.id(),
            title: RwSignal::new(step.title),
            fields: RwSignal::new(fields),
        }
    }

    fn field(&self, field: Field) -> FieldEdit {
        FieldEdit {
            id: self.id(),
            field: RwSignal::new(field),
        }
    }

    /// The whole definition (tracked: it changes with every keystroke in the editor).
    pub fn definition(&self) -> EServiceDefinition {
        let mut definition = self.head.get();
        definition.steps = self
            .steps
            .get()
            .iter()
            .map(|step| Step {
                title: step.title.get(),
                fields: step.fields.get().iter().map(|f| f.field.get()).collect(),
            })
            .collect();
        definition
    }

    pub fn definition_untracked(&self) -> EServiceDefinition {
        untrack(|| self.definition())
    }

    pub fn add_step(&self) -> usize {
        let step = self.step(Step {
            title: Names::new("", ""),
            fields: Vec::new(),
        });
        self.steps.update(|steps| steps.push(step));
        step.id
    }

    pub fn remove_step(&self, id: usize) {
        self.steps
            .update(|steps| steps.retain(|step| step.id != id));
    }

    pub fn move_step(&self, id: usize, down: bool) {
        self.steps
            .update(|steps| move_item(steps, |step| step.id == id, down));
    }

    /// Adds a short-text question at the end of the step; returns its id.
    pub fn add_field(&self, step: StepEdit) -> usize {
        let field = self.field(new_field(self.fresh_key(), FieldType::Text));
        step.fields.update(|fields| fields.push(field));
        field.id
    }

    pub fn remove_field(&self, step: StepEdit, id: usize) {
        step.fields
            .update(|fields| fields.retain(|field| field.id != id));
    }

    pub fn move_field(&self, step: StepEdit, id: usize, down: bool) {
        step.fields
            .update(|fields| move_item(fields, |field| field.id == id, down));
    }

    /// Gives the question a new key; conditions that named the old one follow it.
    pub fn rename_key(&self, field: FieldEdit, key: &str) {
        let old = field.field.with_untracked(|f| f.key.clone());
        if old == key {
            return;
        }
        field.field.update(|f| f.key = key.to_owned());
        for step in self.steps.get_untracked() {
            for other in step.fields.get_untracked() {
                let names_old = other
                    .field
                    .with_untracked(|f| f.visible_when.as_ref().is_some_and(|c| c.field == old));
                if names_old {
                    other.field.update(|f| {
                        if let Some(condition) = f.visible_when.as_mut() {
                            condition.field = key.to_owned();
                        }
                    });
                }
            }
        }
    }

    /// `question_N` with the lowest N no question has.
    fn fresh_key(&self) -> String {
        let keys: Vec<String> = self.fields_untracked().map(|f| f.key).collect();
        (1..)
            .map(|n| format!("question_{n}"))
            .find(|key| !keys.contains(key))
            .unwrap_or_default()
    }

    fn fields_untracked(&self) -> impl Iterator<Item = Field> {
        self.steps
            .get_untracked()
            .into_iter()
            .flat_map(|step| step.fields.get_untracked())
            .map(|field| field.field.get_untracked())
    }

    /// The questions before the one with `id`, in order (tracked).
    pub fn fields_before(&self, id: usize) -> Vec<Field> {
        let mut before = Vec::new();
        for step in self.steps.get() {
            for field in step.fields.get() {
                if field.id == id {
                    return before;
                }
                before.push(field.field.get());
            }
        }
        before
    }

    /// Where a question is: (step number, question number), both from 1 (tracked).
    pub fn position(&self, id: usize) -> Option<(usize, usize)> {
        self.steps.with(|steps| {
            steps.iter().enumerate().find_map(|(i, step)| {
                step.fields.with(|fields| {
                    fields
                        .iter()
                        .position(|field| field.id == id)
                        .map(|j| (i + 1, j + 1))
                })
            })
        })
    }

    /// The id of the element a problem's path is about (untracked): `ed-code`,
    /// `ed-intake-case_type`, `ed-s3-title-sv`, `ed-f7-options-0-value` …
    pub fn anchor(&self, path: &str) -> String {
        let steps = self.steps.get_untracked();
        let Some(rest) = path.strip_prefix("steps[") else {
            return match path {
                "intake.assign_to.team_id" | "intake.assign_to.person_ids" => {
                    "ed-intake-assign_to".to_owned()
                }
                _ => slug("ed", path),
            };
        };
        let Some((i, rest)) = rest.split_once(']') else {
            return "ed-steps".to_owned();
        };
        let Some(step) = i.parse::<usize>().ok().and_then(|i| steps.get(i)) else {
            return "ed-steps".to_owned();
        };
        let step_prefix = format!("ed-s{}", step.id);
        let Some(rest) = rest.strip_prefix(".fields[") else {
            return slug(&step_prefix, rest.trim_start_matches('.'));
        };
        let fields = step.fields.get_untracked();
        match rest.split_once(']') {
            Some((j, rest)) => match j.parse::<usize>().ok().and_then(|j| fields.get(j)) {
                Some(field) => slug(&format!("ed-f{}", field.id), rest.trim_start_matches('.')),
                None => format!("{step_prefix}-fields"),
            },
            None => format!("{step_prefix}-fields"),
        }
    }
}

fn move_item<T>(items: &mut [T], is: impl Fn(&T) -> bool, down: bool) {
    if let Some(at) = items.iter().position(is) {
        let to = if down { at + 1 } else { at.wrapping_sub(1) };
        if to < items.len() {
            items.swap(at, to);
        }
    }
}

/// `prefix-a-b-0-c` for the path `a.b[0].c`.
fn slug(prefix: &str, rest: &str) -> String {
    if rest.is_empty() {
        return prefix.to_owned();
    }
    let rest = rest.replace(']', "").replace(['.', '['], "-");
    format!("{prefix}-{rest}")
}

/// The editor's problems, each by the id of the element it is about.
#[derive(Clone, Copy)]
pub struct Problems {
    list: RwSignal<Vec<Placed>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub anchor: String,
    pub error: FieldError,
}

impl Problems {
    pub fn new() -> Self {
        Problems {
            list: RwSignal::new(Vec::new()),
        }
    }

    pub fn show(&self, draft: &Draft, errors: Vec<FieldError>) {
        let placed = errors
            .into_iter()
            .map(|error| Placed {
                anchor: draft.anchor(&error.field),
                error,
            })
            .collect();
        self.list.set(placed);
    }

    pub fn clear(&self) {
        self.list.set(Vec::new());
    }

    pub fn all(&self) -> Vec<Placed> {
        self.list.get()
    }

    pub fn is_empty(&self) -> bool {
        self.list.with(Vec::is_empty)
    }

    /// The first problem with the element `anchor` (tracked).
    pub fn at(&self, anchor: &str) -> Option<FieldError> {
        self.list.with(|list| {
            list.iter()
                .find(|placed| placed.anchor == anchor)
                .map(|placed| placed.error.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_name_inputs_by_their_path() {
        assert_eq!(slug("ed", "code"), "ed-code");
        assert_eq!(slug("ed", "intake.case_type"), "ed-intake-case_type");
        assert_eq!(
            slug("ed-f3", "options[2].label.sv"),
            "ed-f3-options-2-label-sv"
        );
        assert_eq!(slug("ed-s1", ""), "ed-s1");
    }

    #[test]
    fn moving_stops_at_either_end() {
        let mut items = vec![1, 2, 3];
        move_item(&mut items, |n| *n == 1, false);
        assert_eq!(items, [1, 2, 3]);
        move_item(&mut items, |n| *n == 1, true);
        assert_eq!(items, [2, 1, 3]);
        move_item(&mut items, |n| *n == 3, true);
        assert_eq!(items, [2, 1, 3]);
        move_item(&mut items, |n| *n == 3, false);
        assert_eq!(items, [2, 3, 1]);
    }

    #[test]
    fn a_new_option_takes_the_first_free_value() {
        let taken = vec![new_option(&[])];
        assert_eq!(taken[0].value, "option_1");
        assert_eq!(new_option(&taken).value, "option_2");
    }
}
