//! A new task: title, details (never sensitive personal data), due date and who is to act.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::FieldError;
use shared::follow_ups::{DETAILS_MAX_CHARS, NewTask, PartyRequest, TITLE_MAX_CHARS};
use uuid::Uuid;

use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, ErrorSummary, FieldErrors, FieldMessage};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

pub fn problem(i18n: I18n, field: &str, code: &str) -> String {
    match (field, code) {
        ("title", "required") => t_string!(i18n, follow_ups.problem.title).to_owned(),
        ("title", "too_long") => format::fill(
            t_string!(i18n, problem.text_too_long),
            &[("max", &TITLE_MAX_CHARS.to_string())],
        ),
        ("details", "too_long") => format::fill(
            t_string!(i18n, problem.text_too_long),
            &[("max", &DETAILS_MAX_CHARS.to_string())],
        ),
        ("assignee", _) => t_string!(i18n, follow_ups.problem.assignee).to_owned(),
        ("due_date", "in_past") => t_string!(i18n, problem.in_past).to_owned(),
        (_, code) => labels::field_problem(i18n, code).to_owned(),
    }
}

/// A choice of "person:<id>" or "team:<id>" as the API's person-or-team.
pub fn party_choice(value: &str) -> Option<PartyRequest> {
    let (kind, id) = value.split_once(':')?;
    let id = Uuid::parse_str(id).ok()?;
    match kind {
        "person" => Some(PartyRequest {
            person_id: Some(id),
            team_id: None,
        }),
        "team" => Some(PartyRequest {
            person_id: None,
            team_id: Some(id),
        }),
        _ => None,
    }
}

/// The options for choosing a member of staff or a team: teams first, then people.
#[component]
pub fn PartyOptions() -> impl IntoView {
    let i18n = use_i18n();
    let teams = LocalResource::new(api::follow_ups::teams);
    let staff = LocalResource::new(api::register::staff);
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let teams = teams.await.unwrap_or_default();
                let staff = staff.await.unwrap_or_default();
                view! {
                    <optgroup label=t_string!(i18n, follow_ups.teams)>
                        {teams
                            .into_iter()
                            .map(|team| {
                                view! { <option value=format!("team:{}", team.id)>{team.name}</option> }
                            })
                            .collect_view()}
                    </optgroup>
                    <optgroup label=t_string!(i18n, follow_ups.people)>
                        {staff
                            .into_iter()
                            .map(|member| {
                                view! {
                                    <option value=format!("person:{}", member.id)>{member.name}</option>
                                }
                            })
                            .collect_view()}
                    </optgroup>
                }
            })}
        </Transition>
    }
}

/// "Ny uppgift" on the dashboard.
#[component]
pub fn NewTaskForm(on_created: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let errors = FieldErrors::new("task", problem);
    let title = RwSignal::new(String::new());
    let details = RwSignal::new(String::new());
    let due_date = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let created = RwSignal::new(None::<String>);
    let create = Action::new_local(move |(csrf_token, task): &(String, NewTask)| {
        let (csrf_token, task) = (csrf_token.clone(), task.clone());
        async move {
            failure.set(None);
            match api::follow_ups::create_task(&csrf_token, &task).await {
                Ok(follow_up) => {
                    errors.clear();
                    title.set(String::new());
                    details.set(String::new());
                    due_date.set(String::new());
                    assignee.set(String::new());
                    created.set(Some(follow_up.title));
                    on_created();
                }
                Err(error) => failure.set(errors.absorb(error)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        created.set(None);
        let mut problems = Vec::new();
        let title_text = title.get_untracked().trim().to_owned();
        if title_text.is_empty() {
            problems.push(FieldError::new("title", "required", "required"));
        } else if title_text.chars().count() > TITLE_MAX_CHARS {
            problems.push(FieldError::new("title", "too_long", "too long"));
        }
        let details_text = details.get_untracked().trim().to_owned();
        if details_text.chars().count() > DETAILS_MAX_CHARS {
            problems.push(FieldError::new("details", "too_long", "too long"));
        }
        let due = match due_date.get_untracked().trim() {
            "" => None,
            day => match day.parse() {
                Ok(day) if day < format::today() => {
                    problems.push(FieldError::new("due_date", "in_past", "in the past"));
                    None
                }
                Ok(day) => Some(day),
                Err(_) => {
                    problems.push(FieldError::new("due_date", "invalid", "not a date"));
                    None
                }
            },
        };
        let assignee_choice = assignee.get_untracked();
        let party = party_choice(&assignee_choice);
        if !assignee_choice.is_empty() && party.is_none() {
            problems.push(FieldError::new("assignee", "invalid", "choose"));
        }
        match session.csrf_token() {
            Some(csrf_token) if problems.is_empty() => {
                errors.clear();
                create.dispatch((
                    csrf_token,
                    NewTask {
                        title: title_text,
                        details: details_text,
                        due_date: due,
                        assignee: party,
                        case_id: None,
                    },
                ));
            }
            _ => errors.show(problems),
        }
    };
    let pending = create.pending();
    let min_date = format::date(format::today());

    view! {
        <section>
            <h2 id="new-task-title">{t!(i18n, follow_ups.new_task)}</h2>
            <form class="stacked-form" novalidate aria-labelledby="new-task-title" on:submit=on_submit>
                <ErrorSummary errors fields=&["title", "details", "due_date", "assignee"] />
                {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
                <p class="status-message" role="status">
                    {move || {
                        created
                            .get()
                            .map(|title| {
                                format::fill(
                                    t_string!(i18n, follow_ups.created),
                                    &[("title", &title)],
                                )
                            })
                    }}
                </p>
                <div class="field">
                    <label for="task-title">{t!(i18n, follow_ups.field.title)}</label>
                    <FieldMessage errors field="title" />
                    <input
                        id="task-title"
                        type="text"
                        required
                        maxlength=TITLE_MAX_CHARS.to_string()
                        aria-invalid=errors.invalid("title")
                        aria-describedby=errors.described_by("title", false)
                        bind:value=title
                    />
                </div>
                <div class="field">
                    <label for="task-details">{t!(i18n, follow_ups.field.details)}</label>
                    <p class="hint" id="task-details-hint">{t!(i18n, follow_ups.details_hint)}</p>
                    <FieldMessage errors field="details" />
                    <textarea
                        id="task-details"
                        rows="4"
                        aria-invalid=errors.invalid("details")
                        aria-describedby=errors.described_by("details", true)
                        bind:value=details
                    ></textarea>
                </div>
                <div class="field">
                    <label for="task-due_date">{t!(i18n, follow_ups.field.due_date_optional)}</label>
                    <FieldMessage errors field="due_date" />
                    <input
                        id="task-due_date"
                        type="date"
                        min=min_date
                        aria-invalid=errors.invalid("due_date")
                        aria-describedby=errors.described_by("due_date", false)
                        bind:value=due_date
                    />
                </div>
                <div class="field">
                    <label for="task-assignee">{t!(i18n, follow_ups.field.assignee)}</label>
                    <FieldMessage errors field="assignee" />
                    <select
                        id="task-assignee"
                        aria-invalid=errors.invalid("assignee")
                        aria-describedby=errors.described_by("assignee", false)
                        bind:value=assignee
                    >
                        <option value="">{t!(i18n, follow_ups.assign_to_me)}</option>
                        <PartyOptions />
                    </select>
                </div>
                <button type="submit" class="button" disabled=pending>
                    {t!(i18n, follow_ups.create)}
                </button>
            </form>
        </section>
    }
}
