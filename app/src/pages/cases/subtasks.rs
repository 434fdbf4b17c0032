//! Subtasks: the case owner asks a specialist; the specialist opens and solves them in
//! "Mina deluppgifter".

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::FieldError;
use shared::cases::{Subtask, SubtaskRequest, SubtaskStatus, SubtaskUpdate, TEXT_MAX_CHARS};
use uuid::Uuid;

use super::case::{CaseState, Done};
use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{
    DataTable, ErrorAlert, ErrorSummary, FieldErrors, FieldMessage, Loading, use_page_title,
};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::pages::pupils::optional;
use crate::session::use_session;

fn problem(i18n: I18n, field: &str, code: &str) -> String {
    match (field, code) {
        ("assignee_id", _) => t_string!(i18n, subtasks.problem.assignee).to_owned(),
        ("description", "required") => t_string!(i18n, subtasks.problem.description).to_owned(),
        ("answer", "required") => t_string!(i18n, subtasks.problem.answer).to_owned(),
        ("due_date", "in_past") => t_string!(i18n, subtasks.problem.due_in_past).to_owned(),
        (_, "too_long") => format::fill(
            t_string!(i18n, problem.text_too_long),
            &[("max", &TEXT_MAX_CHARS.to_string())],
        ),
        (_, code) => labels::field_problem(i18n, code).to_owned(),
    }
}

/// A required text within the server's limit.
fn text_problem(field: &str, text: &str) -> Option<FieldError> {
    let text = text.trim();
    if text.is_empty() {
        Some(FieldError::new(field, "required", "required"))
    } else if text.chars().count() > TEXT_MAX_CHARS {
        Some(FieldError::new(field, "too_long", "too long"))
    } else {
        None
    }
}

fn due(subtask_due: Option<chrono::NaiveDate>, i18n: I18n) -> AnyView {
    match subtask_due {
        Some(day) => format::date(day).into_any(),
        None => view! { <span class="missing">{t!(i18n, no_date)}</span> }.into_any(),
    }
}

/// "Deluppgifter" on the case page.
#[component]
pub fn CaseSubtasks(state: CaseState) -> impl IntoView {
    let i18n = use_i18n();
    let caption = Signal::derive(move || t_string!(i18n, subtasks.case_title).to_owned());
    view! {
        <section>
            <h2>{t!(i18n, subtasks.case_title)}</h2>
            {move || {
                let subtasks = state.case.get().subtasks;
                if subtasks.is_empty() {
                    view! { <p class="empty-state">{t!(i18n, subtasks.case_empty)}</p> }.into_any()
                } else {
                    view! {
                        <DataTable caption>
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, subtasks.description)}</th>
                                    <th scope="col">{t!(i18n, subtasks.assignee)}</th>
                                    <th scope="col">{t!(i18n, subtasks.due_date)}</th>
                                    <th scope="col">{t!(i18n, field.status)}</th>
                                    <th scope="col">{t!(i18n, subtasks.answer)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {subtasks
                                    .into_iter()
                                    .map(|subtask| {
                                        let status = subtask.status;
                                        view! {
                                            <tr>
                                                <th scope="row" class="prose">{subtask.description}</th>
                                                <td>{subtask.assignee.name}</td>
                                                <td class="nowrap">{due(subtask.due_date, i18n)}</td>
                                                <td>{move || labels::subtask_status(i18n, status)}</td>
                                                <td class="prose">{optional(i18n, subtask.answer)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </DataTable>
                    }
                        .into_any()
                }
            }}
            <Show when=move || state.case.read().actions.add_subtask>
                <SubtaskForm state />
            </Show>
        </section>
    }
}

#[component]
fn SubtaskForm(state: CaseState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let staff = LocalResource::new(api::register::staff);
    let errors = FieldErrors::new("subtask", problem);
    let assignee = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let due_date = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let add = Action::new_local(move |(csrf_token, request): &(String, SubtaskRequest)| {
        let (csrf_token, request) = (csrf_token.clone(), request.clone());
        async move {
            failure.set(None);
            match api::cases::add_subtask(&csrf_token, state.id(), &request).await {
                Ok(detail) => {
                    errors.clear();
                    assignee.set(String::new());
                    description.set(String::new());
                    due_date.set(String::new());
                    state.update(detail, Done::SubtaskCreated);
                }
                Err(error) => failure.set(errors.absorb(error)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        let assignee_id = Uuid::parse_str(&assignee.get_untracked()).ok();
        if assignee_id.is_none() {
            problems.push(FieldError::new("assignee_id", "required", "choose someone"));
        }
        let text = description.get_untracked();
        problems.extend(text_problem("description", &text));
        let due = match due_date.get_untracked().trim() {
            "" => None,
            day => match day.parse() {
                Ok(day) if day < format::today() => {
                    problems.push(FieldError::new("due_date", "in_past", "in the past"));
                    None
                }
                Ok(day) => Some(day),
                Err(_) => {
                    problems.push(FieldError::new("due_date", "invalid_date", "not a date"));
                    None
                }
            },
        };
        match (assignee_id, session.csrf_token()) {
            (Some(assignee_id), Some(csrf_token)) if problems.is_empty() => {
                errors.clear();
                add.dispatch((
                    csrf_token,
                    SubtaskRequest {
                        assignee_id,
                        description: text.trim().to_owned(),
                        due_date: due,
                    },
                ));
            }
            _ => errors.show(problems),
        }
    };
    let pending = add.pending();
    let min_date = format::date(format::today());

    view! {
        <form class="stacked-form" novalidate on:submit=on_submit>
            <h3>{t!(i18n, subtasks.add_title)}</h3>
            <ErrorSummary errors fields=&["assignee_id", "description", "due_date"] />
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
            <div class="field">
                <label for="subtask-assignee_id">{t!(i18n, subtasks.assignee)}</label>
                <FieldMessage errors field="assignee_id" />
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match staff.await {
                            Ok(staff) => {
                                view! {
                                    <select
                                        id="subtask-assignee_id"
                                        required
                                        aria-invalid=errors.invalid("assignee_id")
                                        aria-describedby=errors.described_by("assignee_id", false)
                                        bind:value=assignee
                                    >
                                        <option value="">{t!(i18n, subtasks.choose_assignee)}</option>
                                        {staff
                                            .into_iter()
                                            .map(|member| {
                                                let duties = member.duties.clone();
                                                let label = move || {
                                                    let duties = duties
                                                        .iter()
                                                        .map(|duty| labels::duty(i18n, duty))
                                                        .collect::<Vec<_>>()
                                                        .join(", ");
                                                    format!("{} ({duties})", member.name)
                                                };
                                                view! {
                                                    <option value=member.id.to_string()>{label}</option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorAlert error /> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
            <div class="field">
                <label for="subtask-description">{t!(i18n, subtasks.description)}</label>
                <FieldMessage errors field="description" />
                <textarea
                    id="subtask-description"
                    rows="3"
                    required
                    aria-invalid=errors.invalid("description")
                    aria-describedby=errors.described_by("description", false)
                    bind:value=description
                ></textarea>
            </div>
            <div class="field">
                <label for="subtask-due_date">{t!(i18n, subtasks.due_date_optional)}</label>
                <FieldMessage errors field="due_date" />
                <input
                    id="subtask-due_date"
                    type="date"
                    min=min_date
                    aria-invalid=errors.invalid("due_date")
                    aria-describedby=errors.described_by("due_date", false)
                    bind:value=due_date
                />
            </div>
            <button type="submit" class="button" disabled=pending>
                {t!(i18n, subtasks.submit)}
            </button>
        </form>
    }
}

/// `/subtasks`: "Mina deluppgifter".
#[component]
pub fn SubtasksPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, subtasks.title).to_owned());
    let subtasks = LocalResource::new(api::cases::my_subtasks);

    view! {
        <h1>{t!(i18n, subtasks.title)}</h1>
        <p class="lead">{t!(i18n, subtasks.intro)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match subtasks.await {
                    Ok(subtasks) if subtasks.is_empty() => {
                        view! { <p class="empty-state">{t!(i18n, subtasks.empty)}</p> }.into_any()
                    }
                    Ok(subtasks) => {
                        view! {
                            <ul class="cards">
                                {subtasks
                                    .into_iter()
                                    .map(|subtask| view! { <SubtaskCard subtask /> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One of my subtasks: what is asked, by when, and the forms to start and to answer it.
#[component]
fn SubtaskCard(subtask: Subtask) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let id = subtask.id;
    let case_id = subtask.case_id;
    let heading_id = format!("subtask-{id}");
    let subtask = RwSignal::new(subtask);
    let errors = FieldErrors::new(format!("subtask-{id}"), problem);
    let answer = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let update = Action::new_local(move |(csrf_token, update): &(String, SubtaskUpdate)| {
        let (csrf_token, update) = (csrf_token.clone(), update.clone());
        async move {
            failure.set(None);
            match api::cases::update_subtask(&csrf_token, id, &update).await {
                Ok(updated) => {
                    errors.clear();
                    subtask.set(updated);
                }
                Err(error) => failure.set(errors.absorb(error)),
            }
        }
    });
    let start = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(csrf_token) = session.csrf_token() {
            let open = SubtaskUpdate {
                status: SubtaskStatus::Open,
                answer: None,
            };
            update.dispatch((csrf_token, open));
        }
    };
    let solve = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = answer.get_untracked();
        match (text_problem("answer", &text), session.csrf_token()) {
            (None, Some(csrf_token)) => {
                errors.clear();
                let solved = SubtaskUpdate {
                    status: SubtaskStatus::Solved,
                    answer: Some(text.trim().to_owned()),
                };
                update.dispatch((csrf_token, solved));
            }
            (Some(problem), _) => errors.show(vec![problem]),
            (None, None) => {}
        }
    };
    let status = move || subtask.read().status;
    let pending = update.pending();
    let answer_id = errors.id("answer");
    let start_label = heading_id.clone();
    let solve_label = heading_id.clone();
    let link_context = heading_id.clone();

    view! {
        <li class="card">
            <h2 class="card-title prose" id=heading_id>
                {move || subtask.read().description.clone()}
            </h2>
            <dl class="facts compact">
                <dt>{t!(i18n, subtasks.due_date)}</dt>
                <dd>{move || due(subtask.read().due_date, i18n)}</dd>
                <dt>{t!(i18n, field.status)}</dt>
                <dd>
                    <strong>{move || labels::subtask_status(i18n, status())}</strong>
                </dd>
                <dt>{t!(i18n, subtasks.received)}</dt>
                <dd>{move || format::date_time(subtask.read().created_at)}</dd>
            </dl>
            <p>
                <A href=format!("/cases/{case_id}") attr:aria-describedby=link_context>
                    {t!(i18n, subtasks.open_case)}
                </A>
            </p>
            <p class="status-message" role="status">
                {move || match status() {
                    SubtaskStatus::Solved => t_string!(i18n, subtasks.solved_message),
                    _ => "",
                }}
            </p>
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
            <Show when=move || status() == SubtaskStatus::New>
                <form on:submit=start aria-labelledby=start_label.clone()>
                    <button type="submit" class="button secondary" disabled=pending>
                        {t!(i18n, subtasks.start)}
                    </button>
                </form>
            </Show>
            {
                let answer_id = answer_id.clone();
                move || match status() {
                    SubtaskStatus::Solved => {
                        view! {
                            <h3>{t!(i18n, subtasks.answer)}</h3>
                            <p class="prose">{subtask.read().answer.clone().unwrap_or_default()}</p>
                        }
                            .into_any()
                    }
                    _ => {
                        let answer_id = answer_id.clone();
                        let heading_id = solve_label.clone();
                        view! {
                            <form
                                class="stacked-form"
                                novalidate
                                aria-labelledby=heading_id.clone()
                                on:submit=solve
                            >
                                <div class="field">
                                    <label for=answer_id.clone()>{t!(i18n, subtasks.answer)}</label>
                                    <FieldMessage errors field="answer" />
                                    <textarea
                                        id=answer_id
                                        rows="4"
                                        required
                                        aria-invalid=errors.invalid("answer")
                                        aria-describedby=errors.described_by("answer", false)
                                        bind:value=answer
                                    ></textarea>
                                </div>
                                <button type="submit" class="button" disabled=pending>
                                    {t!(i18n, subtasks.solve)}
                                </button>
                            </form>
                        }
                            .into_any()
                    }
                }
            }
        </li>
    }
}
