//! The e-service runner: any published definition as a form of one step at a time, built for a
//! guardian on a phone. Each step is checked with the very `validate` the server runs before
//! the applicant may go on; the answers can be saved to continue later; "Kontrollera dina
//! svar" shows everything once more before it is sent.

use std::sync::Arc;

use leptos::ev::{MouseEvent, SubmitEvent};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::api::FieldError;
use shared::auth::Role;
use shared::e_services::{
    Answer, Answers, EServiceDefinition, FieldType, IntakeMode, SavedAnswers, SavedAnswersRequest,
    SubmissionContext, SubmissionReceipt, SubmissionRequest, validate,
};
use shared::register::{PupilSummary, UnitSummary};
use uuid::Uuid;

use super::errors::{AnswerErrors, AnswerSummary};
use super::fields::{Answering, FieldInput};
use super::review::{AnswerList, CaseChoice, Receipt};
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, Loading, use_page_title};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

/// What the runner needs before it can show the first step.
#[derive(Debug, Clone)]
struct Loaded {
    definition: Arc<EServiceDefinition>,
    saved: Option<SavedAnswers>,
    /// The pupils the applicant may see (for a guardian: their children), only fetched when
    /// the e-service asks which child it is about.
    pupils: Vec<PupilSummary>,
    /// The units the applicant may see, as suggestions for unit questions.
    units: Vec<UnitSummary>,
}

async fn load(code: String) -> Result<Loaded, ApiError> {
    let definition = api::e_services::definition(&code).await?;
    let saved = api::e_services::saved_answers(&code).await?;
    let asks = |types: &[FieldType]| {
        definition
            .fields()
            .any(|field| types.contains(&field.field_type))
    };
    let pupils = if asks(&[FieldType::Child]) {
        api::register::pupils(None, None).await?.items
    } else {
        Vec::new()
    };
    // Only suggestions: without them an id can still be typed.
    let units = if asks(&[FieldType::Unit, FieldType::RankedUnits]) {
        api::register::units(None)
            .await
            .map(|page| page.items)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Ok(Loaded {
        definition: Arc::new(definition),
        saved,
        pupils,
        units,
    })
}

/// Whom the applicant may apply for: a guardian their children, anyone else themselves (as the
/// server's `SubmissionContext` has it).
fn children_of(person_id: Uuid, roles: &[Role], pupils: Vec<PupilSummary>) -> Vec<PupilSummary> {
    let guardian = roles.contains(&Role::Guardian);
    pupils
        .into_iter()
        .filter(|pupil| (pupil.id == person_id) != guardian)
        .collect()
}

/// `/e-services/:code`.
#[component]
pub fn EServiceRunnerPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let params = use_params_map();
    let code = Memo::new(move |_| params.read().get("code").unwrap_or_default());
    let loaded = LocalResource::new(move || load(code.get()));
    let me = Memo::new(move |_| session.me().map(|me| (me.person_id, me.roles)));
    let title = move || {
        loaded
            .read()
            .as_ref()
            .and_then(|result| result.as_ref().ok())
            .map(|loaded| labels::names(i18n, &loaded.definition.title))
            .unwrap_or_else(|| t_string!(i18n, e_services.title).to_owned())
    };
    use_page_title(title);

    view! {
        <h1>{title}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let me = me.get();
                match (loaded.await, me) {
                    (Ok(loaded), Some((person_id, roles))) => {
                        let children = children_of(person_id, &roles, loaded.pupils.clone());
                        view! { <Runner code=code.get_untracked() loaded children /> }.into_any()
                    }
                    (Err(error), _) if error.is_not_found() => {
                        view! {
                            <p class="notice">{t!(i18n, e_services.not_found)}</p>
                            <p>
                                <A href="/e-services">{t!(i18n, e_services.back_to_list)}</A>
                            </p>
                        }
                            .into_any()
                    }
                    (Err(error), _) => view! { <ErrorAlert error /> }.into_any(),
                    (Ok(_), None) => view! { <Loading /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Where the applicant is.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    /// A step of the definition, by index.
    Step(usize),
    /// "Kontrollera dina svar".
    Review,
    Sent(SubmissionReceipt),
}

/// Answers saved on another version may name questions that are gone; those are dropped
/// rather than refused as `unknown_field` on every step.
fn known_answers(definition: &EServiceDefinition, answers: Answers) -> Answers {
    answers
        .into_iter()
        .filter(|(key, _)| definition.field(key).is_some())
        .collect()
}

/// The answers the applicant can see; a hidden field's answer is kept while the form is open
/// (changing one's mind back restores it) but not sent.
fn visible_answers(definition: &EServiceDefinition, answers: &Answers) -> Answers {
    definition
        .visible_fields(answers)
        .into_iter()
        .filter_map(|field| {
            answers
                .get(&field.key)
                .map(|answer| (field.key.clone(), answer.clone()))
        })
        .collect()
}

/// The ids given for unit questions. The browser cannot know every unit that exists, so any
/// well-formed id passes here and the server decides whether the unit is known.
fn answered_units(definition: &EServiceDefinition, answers: &Answers) -> Vec<Uuid> {
    definition
        .fields()
        .filter(|field| matches!(field.field_type, FieldType::Unit | FieldType::RankedUnits))
        .filter_map(|field| answers.get(&field.key))
        .flat_map(|answer| match answer {
            Answer::Text(id) => vec![id.clone()],
            Answer::List(ids) => ids.clone(),
            _ => Vec::new(),
        })
        .filter_map(|id| Uuid::parse_str(id.trim()).ok())
        .collect()
}

/// Every problem of the answers, as the server would see them, in the order of the fields.
fn problems(
    definition: &EServiceDefinition,
    answers: &Answers,
    children: &[Uuid],
) -> Vec<FieldError> {
    let units = answered_units(definition, answers);
    let context = SubmissionContext {
        children,
        units: &units,
        today: format::today(),
    };
    validate(definition, answers, &context)
        .err()
        .unwrap_or_default()
}

/// The step the field `key` is on.
fn step_of(definition: &EServiceDefinition, key: &str) -> Option<usize> {
    definition
        .steps
        .iter()
        .position(|step| step.fields.iter().any(|field| field.key == key))
}

/// The first step from `from` on (going `forward` or back) with a visible field: a step whose
/// every question is hidden by earlier answers is skipped.
fn shown_step(
    definition: &EServiceDefinition,
    answers: &Answers,
    from: usize,
    forward: bool,
) -> Option<usize> {
    let visible = definition.visible_fields(answers);
    let shown = |index: usize| {
        definition.steps[index]
            .fields
            .iter()
            .any(|field| visible.iter().any(|shown| shown.key == field.key))
    };
    if forward {
        (from..definition.steps.len()).find(|&index| shown(index))
    } else {
        (0..=from.min(definition.steps.len().saturating_sub(1)))
            .rev()
            .find(|&index| shown(index))
    }
}

/// Saved answers leave the files out: they are large, and picked again in moments.
fn without_files(answers: &Answers) -> (Answers, bool) {
    let mut had_files = false;
    let kept = answers
        .iter()
        .filter(|(_, answer)| {
            let file = matches!(answer, Answer::Attachments(_));
            had_files |= file;
            !file
        })
        .map(|(key, answer)| (key.clone(), answer.clone()))
        .collect();
    (kept, had_files)
}

/// What came of "Spara och fortsätt senare".
#[derive(Debug, Clone)]
struct Saving {
    saved: SavedAnswers,
    files_left_out: bool,
}

/// The runner's state, shared by the step, the review and their buttons.
#[derive(Clone, Copy)]
struct Run {
    code: StoredValue<String>,
    definition: StoredValue<Arc<EServiceDefinition>>,
    answering: Answering,
    child_ids: StoredValue<Vec<Uuid>>,
    stage: RwSignal<Stage>,
    /// Set once the applicant moves between steps: only then does the heading take focus (on
    /// arrival, screen readers start at the page's own heading).
    navigated: StoredValue<bool>,
    /// On a step reached by "Ändra": "Next" goes back to the review once everything passes.
    returning: RwSignal<bool>,
    case_id: RwSignal<Option<Uuid>>,
    failure: RwSignal<Option<Failure>>,
}

impl Run {
    fn go(&self, stage: Stage) {
        self.navigated.set_value(true);
        self.failure.set(None);
        self.stage.set(stage);
    }

    fn problems(&self) -> Vec<FieldError> {
        let answers = self.answering.answers.get_untracked();
        self.definition.with_value(|definition| {
            self.child_ids
                .with_value(|children| problems(definition, &answers, children))
        })
    }

    /// Shows the first step with a problem, with its problems, or the review when there are
    /// none; `problems` may come from the app's own check or the server's 422.
    fn first_problem_or_review(&self, problems: Vec<FieldError>) {
        let first = self.definition.with_value(|definition| {
            problems
                .iter()
                .find_map(|problem| step_of(definition, &problem.field))
        });
        match first {
            Some(step) => {
                let here: Vec<FieldError> = self.definition.with_value(|definition| {
                    problems
                        .into_iter()
                        .filter(|problem| step_of(definition, &problem.field) == Some(step))
                        .collect()
                });
                self.go(Stage::Step(step));
                self.answering.errors.show(here);
            }
            // Problems without a step (the case to add to) are shown on the review.
            None => {
                let stay = matches!(self.stage.get_untracked(), Stage::Review);
                if !stay {
                    self.go(Stage::Review);
                }
                self.answering.errors.show(problems);
            }
        }
    }

    /// "Next": the step's own problems keep the applicant here; otherwise on to the next shown
    /// step, or to the review (checking every step once more) after the last.
    fn next(&self, index: usize) {
        let problems = self.problems();
        let here: Vec<FieldError> = self.definition.with_value(|definition| {
            problems
                .iter()
                .filter(|problem| step_of(definition, &problem.field) == Some(index))
                .cloned()
                .collect()
        });
        if !here.is_empty() {
            self.answering.errors.show(here);
            return;
        }
        self.answering.errors.clear();
        let following = self.definition.with_value(|definition| {
            self.answering
                .answers
                .with_untracked(|answers| shown_step(definition, answers, index + 1, true))
        });
        match following {
            Some(step) if !self.returning.get_untracked() => self.go(Stage::Step(step)),
            _ => {
                self.returning.set(false);
                self.first_problem_or_review(problems);
            }
        }
    }

    fn back(&self, index: usize) {
        self.answering.errors.clear();
        let earlier = self.definition.with_value(|definition| {
            self.answering.answers.with_untracked(|answers| {
                index
                    .checked_sub(1)
                    .and_then(|from| shown_step(definition, answers, from, false))
            })
        });
        if let Some(step) = earlier {
            self.go(Stage::Step(step));
        }
    }

    /// The step to save as the place to continue from.
    fn current_step(&self) -> u32 {
        match self.stage.get_untracked() {
            Stage::Step(index) => index as u32,
            _ => self
                .definition
                .with_value(|definition| definition.steps.len().saturating_sub(1) as u32),
        }
    }
}

#[component]
fn Runner(code: String, loaded: Loaded, children: Vec<PupilSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let Loaded {
        definition,
        saved,
        units,
        ..
    } = loaded;
    let last_step = definition.steps.len().saturating_sub(1);
    let resumed = saved.as_ref().map(|saved| Resumed {
        expires_at: saved.expires_at,
        changed: saved.version != definition.version,
    });
    let (answers, step) = match saved {
        Some(saved) => (
            known_answers(&definition, saved.answers),
            (saved.step as usize).min(last_step),
        ),
        None => (Answers::new(), 0),
    };
    let answers = RwSignal::new(answers);
    let run = Run {
        code: StoredValue::new(code),
        definition: StoredValue::new(definition.clone()),
        answering: Answering {
            answers,
            errors: AnswerErrors::new(definition.clone()),
            children: StoredValue::new(children.clone()),
            units: StoredValue::new(units),
        },
        child_ids: StoredValue::new(children.iter().map(|child| child.id).collect()),
        stage: RwSignal::new(Stage::Step(step)),
        navigated: StoredValue::new(false),
        returning: RwSignal::new(false),
        case_id: RwSignal::new(None),
        failure: RwSignal::new(None),
    };

    let save = Action::new_local(move |csrf_token: &String| {
        let csrf_token = csrf_token.clone();
        let (answers, files_left_out) = run.answering.answers.with_untracked(without_files);
        let request = SavedAnswersRequest {
            answers,
            step: run.current_step(),
        };
        let code = run.code.get_value();
        async move {
            api::e_services::save_answers(&csrf_token, &code, &request)
                .await
                .map(|saved| Saving {
                    saved,
                    files_left_out,
                })
        }
    });
    let on_save = Callback::new(move |()| {
        if let Some(csrf_token) = session.csrf_token() {
            save.dispatch(csrf_token);
        }
    });
    let saving = SaveControl {
        on_save,
        pending: save.pending(),
        message: Signal::derive(move || {
            save.value()
                .get()
                .and_then(Result::ok)
                .map(|saving| saved_message(i18n, &saving))
        }),
        failure: Signal::derive(move || save.value().get().and_then(Result::err)),
    };

    let description = definition.description.clone();
    let has_description = !(description.sv.trim().is_empty() && description.en.trim().is_empty());
    let description = StoredValue::new(description);
    let on_first_step = move || run.stage.get() == Stage::Step(0);

    view! {
        {has_description
            .then(|| {
                view! {
                    <Show when=on_first_step>
                        <p class="lead">
                            {move || description.with_value(|text| labels::names(i18n, text))}
                        </p>
                    </Show>
                }
            })}
        {resumed.map(|resumed| view! { <ResumeNotice resumed run /> })}
        {move || run.failure.get().map(|failure| view! { <FailureAlert failure /> })}
        {move || match run.stage.get() {
            Stage::Step(index) => view! { <StepView run index saving /> }.into_any(),
            Stage::Review => view! { <ReviewView run saving /> }.into_any(),
            Stage::Sent(receipt) => view! { <Receipt receipt /> }.into_any(),
        }}
    }
}

fn saved_message(i18n: crate::I18n, saving: &Saving) -> String {
    let until = format::date_time(saving.saved.expires_at);
    let mut text = format::fill(t_string!(i18n, e_services.saved), &[("until", &until)]);
    if saving.files_left_out {
        text.push(' ');
        text.push_str(t_string!(i18n, e_services.saved_without_files));
    }
    text
}

/// Saved answers found on arrival.
#[derive(Debug, Clone, Copy)]
struct Resumed {
    expires_at: chrono::DateTime<chrono::Utc>,
    /// The e-service has been changed since: some answers may no longer fit.
    changed: bool,
}

/// "Du fortsätter där du slutade", with a way to start over instead (which discards what was
/// saved).
#[component]
fn ResumeNotice(resumed: Resumed, run: Run) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let shown = RwSignal::new(true);
    let discard = Action::new_local(move |csrf_token: &String| {
        let csrf_token = csrf_token.clone();
        let code = run.code.get_value();
        async move {
            match api::e_services::discard_saved_answers(&csrf_token, &code).await {
                // Already gone (expired, or discarded in another tab) is as good.
                Err(error) if !error.is_not_found() => run.failure.set(Some(Failure::Api(error))),
                _ => {
                    run.answering.answers.set(Answers::new());
                    run.answering.errors.clear();
                    run.returning.set(false);
                    shown.set(false);
                    run.go(Stage::Step(0));
                }
            }
        }
    });
    let start_over = move |_: MouseEvent| {
        if let Some(csrf_token) = session.csrf_token() {
            discard.dispatch(csrf_token);
        }
    };
    let until = StoredValue::new(format::date_time(resumed.expires_at));

    view! {
        <Show when=move || shown.get() && !matches!(run.stage.get(), Stage::Sent(_))>
            <div class="notice resume-notice">
                <p>
                    {move || {
                        until.with_value(|until| {
                            format::fill(t_string!(i18n, e_services.resumed), &[("until", until)])
                        })
                    }}
                </p>
                {resumed
                    .changed
                    .then(|| view! { <p>{t!(i18n, e_services.resumed_changed)}</p> })}
                <button
                    type="button"
                    class="button secondary small"
                    disabled=discard.pending()
                    on:click=start_over
                >
                    {t!(i18n, e_services.start_over)}
                </button>
            </div>
        </Show>
    }
}

/// "Steg 2 av 5" as text, and as a `<progress>` for a quick look; the review is the last step.
#[component]
fn Progress(current: usize, total: usize) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        format::fill(
            t_string!(i18n, e_services.step_of),
            &[
                ("step", &current.to_string()),
                ("total", &total.to_string()),
            ],
        )
    };
    view! {
        <progress class="step-progress" max=total value=current aria-label=text>
            {text}
        </progress>
    }
}

/// A heading that takes focus when it appears after the applicant moved on or back, so that
/// screen readers and keyboards continue from the new step, not from a button that is gone.
#[component]
fn StepHeading(run: Run, current: usize, total: usize, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        // After a failed check the error summary takes focus instead.
        if let Some(heading) = heading.get()
            && run.navigated.get_value()
            && run.answering.errors.is_empty_untracked()
        {
            let _ = heading.focus();
        }
    });
    let count = move || {
        format::fill(
            t_string!(i18n, e_services.step_of),
            &[
                ("step", &current.to_string()),
                ("total", &total.to_string()),
            ],
        )
    };
    view! {
        <h2 class="step-heading" id="es-step-heading" tabindex="-1" node_ref=heading>
            <span class="step-count">{count}</span>
            {children()}
        </h2>
    }
}

/// "Spara och fortsätt senare" and what came of it.
#[derive(Clone, Copy)]
struct SaveControl {
    on_save: Callback<()>,
    pending: Memo<bool>,
    /// "Dina svar är sparade…", with the day they are kept until.
    message: Signal<Option<String>>,
    failure: Signal<Option<ApiError>>,
}

/// The save button with its outcome right beside it, where a person on a phone is looking
/// (and announced, for those who cannot see it).
#[component]
fn SaveButton(saving: SaveControl) -> impl IntoView {
    let i18n = use_i18n();
    let SaveControl {
        on_save,
        pending,
        message,
        failure,
    } = saving;
    view! {
        <div class="save-row">
            <button
                type="button"
                class="button secondary"
                disabled=pending
                on:click=move |_| on_save.run(())
            >
                {move || {
                    if pending.get() {
                        t!(i18n, e_services.saving).into_any()
                    } else {
                        t!(i18n, e_services.save).into_any()
                    }
                }}
            </button>
            <p class="status-message" role="status">
                {move || message.get()}
            </p>
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
        </div>
    }
}

/// One step: its heading, its visible questions, and Back / Next / Save.
#[component]
fn StepView(run: Run, index: usize, saving: SaveControl) -> impl IntoView {
    let i18n = use_i18n();
    let (title, total) = run.definition.with_value(|definition| {
        (
            definition.steps[index].title.clone(),
            definition.steps.len() + 1,
        )
    });
    // Only a change in which questions are shown redraws them; typing redraws nothing.
    let visible = Memo::new(move |_| {
        run.definition.with_value(|definition| {
            run.answering.answers.with(|answers| {
                definition
                    .visible_fields(answers)
                    .into_iter()
                    .filter(|field| step_of(definition, &field.key) == Some(index))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    let keys = Memo::new(move |_| {
        visible.with(|fields| {
            fields
                .iter()
                .map(|field| field.key.clone())
                .collect::<Vec<_>>()
        })
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        run.next(index);
    };
    let first = run.definition.with_value(|definition| {
        run.answering
            .answers
            .with_untracked(|answers| shown_step(definition, answers, 0, true))
    });
    let has_back = first.is_some_and(|first| index > first);
    let answering = run.answering;

    view! {
        <Progress current=index + 1 total />
        <form class="stacked-form step-form" novalidate on:submit=on_submit>
            <StepHeading run current=index + 1 total>
                {move || labels::names(i18n, &title)}
            </StepHeading>
            <AnswerSummary errors=answering.errors on_screen=keys />
            <For
                each=move || visible.get()
                key=|field| field.key.clone()
                children=move |field| view! { <FieldInput field answering /> }
            />
            <div class="button-row step-buttons">
                {has_back
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button secondary"
                                on:click=move |_| run.back(index)
                            >
                                {t!(i18n, e_services.back)}
                            </button>
                        }
                    })}
                <button type="submit" class="button">
                    {t!(i18n, e_services.next)}
                </button>
            </div>
            <SaveButton saving />
        </form>
    }
}

/// "Kontrollera dina svar", then "Skicka".
#[component]
fn ReviewView(run: Run, saving: SaveControl) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let definition = run.definition.get_value();
    let total = definition.steps.len() + 1;
    let needs_case = definition.intake.mode == IntakeMode::ExistingCase;
    let errors = run.answering.errors;

    let submit = Action::new_local(move |(csrf_token, request): &(String, SubmissionRequest)| {
        let (csrf_token, request) = (csrf_token.clone(), request.clone());
        let code = run.code.get_value();
        let with_files = request
            .answers
            .values()
            .any(|answer| matches!(answer, Answer::Attachments(_)));
        async move {
            match api::e_services::submit(&csrf_token, &code, &request).await {
                Ok(receipt) => {
                    errors.clear();
                    run.go(Stage::Sent(receipt));
                }
                Err(error) if error.status == 422 && !error.error.fields.is_empty() => {
                    run.first_problem_or_review(error.error.fields);
                }
                Err(error) => run.failure.set(Some(refusal(error, with_files))),
            }
        }
    });
    let pending = submit.pending();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let problems = run.problems();
        if !problems.is_empty() {
            run.first_problem_or_review(problems);
            return;
        }
        if needs_case && run.case_id.get_untracked().is_none() {
            errors.show(vec![FieldError::new("case_id", "required", "")]);
            return;
        }
        errors.clear();
        let answers = run.definition.with_value(|definition| {
            run.answering
                .answers
                .with_untracked(|answers| visible_answers(definition, answers))
        });
        let request = SubmissionRequest {
            answers,
            case_id: run.case_id.get_untracked(),
        };
        if let Some(csrf_token) = session.csrf_token() {
            submit.dispatch((csrf_token, request));
        }
    };
    let on_change = Callback::new(move |step: usize| {
        errors.clear();
        run.returning.set(true);
        run.go(Stage::Step(step));
    });
    let back = move |_: MouseEvent| {
        errors.clear();
        run.back(total - 1);
    };
    let answers = run.answering.answers.get_untracked();
    let on_screen = if needs_case {
        vec!["case_id".to_owned()]
    } else {
        Vec::new()
    };

    view! {
        <Progress current=total total />
        <form class="stacked-form review-form" novalidate on:submit=on_submit>
            <StepHeading run current=total total>
                {t!(i18n, e_services.review_title)}
            </StepHeading>
            <AnswerSummary errors on_screen />
            <p>{t!(i18n, e_services.review_intro)}</p>
            <AnswerList
                definition
                answers
                children=run.answering.children
                units=run.answering.units
                on_change
            />
            {needs_case.then(|| view! { <CaseChoice case_id=run.case_id errors /> })}
            <div class="button-row step-buttons">
                <button type="button" class="button secondary" on:click=back>
                    {t!(i18n, e_services.back)}
                </button>
                <button type="submit" class="button" disabled=pending>
                    {move || {
                        if pending.get() {
                            t!(i18n, e_services.submitting).into_any()
                        } else {
                            t!(i18n, e_services.submit).into_any()
                        }
                    }}
                </button>
            </div>
            <SaveButton saving />
        </form>
    }
}

/// Why a submission failed, when it is not a problem with an answer.
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    Api(ApiError),
    /// 404: the child, the case or the e-service is not (or no longer) the applicant's to
    /// apply for; the server does not say which, so as not to tell who exists.
    NotYours,
    /// 403: the e-service is for others (e.g. guardians only).
    NotForYou,
    /// The server would not read a body with files in it: it can only be too large.
    TooLarge,
}

/// A failed call in words the applicant can act on.
fn refusal(error: ApiError, with_files: bool) -> Failure {
    match error.status {
        404 => Failure::NotYours,
        403 => Failure::NotForYou,
        400 | 413 if with_files => Failure::TooLarge,
        _ => Failure::Api(error),
    }
}

#[component]
fn FailureAlert(failure: Failure) -> impl IntoView {
    let i18n = use_i18n();
    let text: fn(crate::I18n) -> &'static str = match failure {
        Failure::Api(error) => return view! { <ErrorAlert error /> }.into_any(),
        Failure::NotYours => |i18n| t_string!(i18n, e_services.refused_not_found),
        Failure::NotForYou => |i18n| t_string!(i18n, e_services.refused_forbidden),
        Failure::TooLarge => |i18n| t_string!(i18n, e_services.refused_too_large),
    };
    view! {
        <div class="alert" role="alert">
            <p>{move || text(i18n)}</p>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Step 0 asks `trip` (yes/no); step 1 is shown only when it is yes; step 2 has a file.
    fn definition() -> EServiceDefinition {
        let names = |text: &str| json!({"sv": text, "en": text});
        serde_json::from_value(json!({
            "code": "test",
            "version": 1,
            "title": names("Test"),
            "who_may_apply": "guardian",
            "steps": [
                {"fields": [{"key": "trip", "type": "yes_no", "required": true,
                             "label": names("Resa")}]},
                {"fields": [{"key": "where", "type": "text", "required": true,
                             "label": names("Vart"),
                             "visible_when": {"field": "trip", "equals": true}}]},
                {"fields": [{"key": "files", "type": "attachment", "label": names("Filer")}]},
            ],
            "intake": {"mode": "new_case", "case_type": "test"},
            "signing": "one_guardian",
        }))
        .unwrap()
    }

    fn answers(value: serde_json::Value) -> Answers {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_step_whose_questions_are_all_hidden_is_skipped_both_ways() {
        let definition = definition();
        let no = answers(json!({"trip": false}));
        assert_eq!(shown_step(&definition, &no, 1, true), Some(2));
        assert_eq!(shown_step(&definition, &no, 1, false), Some(0));
        let yes = answers(json!({"trip": true}));
        assert_eq!(shown_step(&definition, &yes, 1, true), Some(1));
    }

    #[test]
    fn hidden_answers_are_kept_but_not_sent_and_files_are_not_saved() {
        let definition = definition();
        let all = answers(json!({"trip": false, "where": "Oslo",
            "files": [{"name": "a.pdf", "media_type": "application/pdf", "content_base64": "AA"}]}));
        let sent = visible_answers(&definition, &all);
        assert!(sent.contains_key("files") && !sent.contains_key("where"));
        let (saved, had_files) = without_files(&all);
        assert!(had_files && !saved.contains_key("files") && saved.contains_key("where"));
        assert_eq!(step_of(&definition, "files"), Some(2));
    }

    #[test]
    fn answers_to_questions_that_are_gone_are_dropped_on_resume() {
        let kept = known_answers(&definition(), answers(json!({"trip": true, "old": "x"})));
        assert_eq!(kept, answers(json!({"trip": true})));
    }
}
