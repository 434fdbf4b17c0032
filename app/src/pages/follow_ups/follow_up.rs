//! `/follow-ups/:id`: one follow-up, its history, and what its people do with it: assign,
//! share, set a due date, mark processed, close, and for an exception retry the failed step.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::api::FieldError;
use shared::follow_ups::{FollowUp, FollowUpKind, FollowUpStatus};
use uuid::Uuid;

use super::new_task::{PartyOptions, party_choice, problem};
use super::{FollowUpDue, kind_label, party_label, status_label};
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, FieldErrors, FieldMessage, Loading, use_page_title};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;

/// What the page's forms send.
#[derive(Clone)]
enum Change {
    Assign(String),
    Share(String),
    DueDate(Option<chrono::NaiveDate>),
    Status(FollowUpStatus),
    Retry,
    Comment(String),
}

#[component]
pub fn FollowUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let loaded = LocalResource::new(move || async move {
        match id() {
            Some(id) => api::follow_ups::follow_up(id).await,
            None => Err(ApiError {
                status: 404,
                error: shared::api::ErrorBody {
                    code: "not_found".into(),
                    message: String::new(),
                    fields: Vec::new(),
                },
            }),
        }
    });
    use_page_title(move || t_string!(i18n, follow_ups.one_title).to_owned());
    view! {
        <p>
            <A href="/follow-ups">{t!(i18n, follow_ups.back)}</A>
        </p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(follow_up) => view! { <FollowUpView follow_up /> }.into_any(),
                    Err(error) => {
                        view! {
                            <h1>{t!(i18n, follow_ups.one_title)}</h1>
                            <ErrorAlert error />
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn FollowUpView(follow_up: FollowUp) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let id = follow_up.id;
    let item = RwSignal::new(follow_up);
    let errors = FieldErrors::new("follow-up", problem);
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<&'static str>);
    let assignee = RwSignal::new(String::new());
    let share_with = RwSignal::new(String::new());
    let due_date = RwSignal::new(
        item.get_untracked()
            .due_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let change = Action::new_local(move |(csrf_token, change): &(String, Change)| {
        let (csrf_token, change) = (csrf_token.clone(), change.clone());
        async move {
            failure.set(None);
            done.set(None);
            let (result, message) = match &change {
                Change::Assign(choice) => match party_choice(choice) {
                    Some(to) => (
                        api::follow_ups::assign(&csrf_token, id, &to).await,
                        t_string!(i18n, follow_ups.done.assigned),
                    ),
                    None => return,
                },
                Change::Share(choice) => match party_choice(choice) {
                    Some(with) => (
                        api::follow_ups::share(&csrf_token, id, &with).await,
                        t_string!(i18n, follow_ups.done.shared),
                    ),
                    None => return,
                },
                Change::DueDate(day) => (
                    api::follow_ups::set_due_date(&csrf_token, id, *day).await,
                    t_string!(i18n, follow_ups.done.due_date),
                ),
                Change::Status(status) => (
                    api::follow_ups::set_status(&csrf_token, id, *status).await,
                    match status {
                        FollowUpStatus::Processed => t_string!(i18n, follow_ups.done.processed),
                        FollowUpStatus::Closed => t_string!(i18n, follow_ups.done.closed),
                        FollowUpStatus::Active => t_string!(i18n, follow_ups.done.reopened),
                    },
                ),
                Change::Retry => (
                    api::follow_ups::retry(&csrf_token, id).await,
                    t_string!(i18n, follow_ups.done.retried),
                ),
                Change::Comment(body) => (
                    api::follow_ups::comment(&csrf_token, id, body).await,
                    t_string!(i18n, follow_ups.done.commented),
                ),
            };
            match result {
                Ok(updated) => {
                    errors.clear();
                    item.set(updated);
                    done.set(Some(message));
                }
                Err(error) => failure.set(errors.absorb(error)),
            }
        }
    });
    let send = move |what: Change| {
        if let Some(csrf_token) = session.csrf_token() {
            change.dispatch((csrf_token, what));
        }
    };
    let on_assign = move |ev: SubmitEvent| {
        ev.prevent_default();
        let choice = assignee.get_untracked();
        if party_choice(&choice).is_none() {
            errors.show(vec![FieldError::new("assignee", "required", "choose")]);
        } else {
            send(Change::Assign(choice));
        }
    };
    let on_share = move |ev: SubmitEvent| {
        ev.prevent_default();
        let choice = share_with.get_untracked();
        if party_choice(&choice).is_none() {
            errors.show(vec![FieldError::new("share", "required", "choose")]);
        } else {
            send(Change::Share(choice));
        }
    };
    let comment = RwSignal::new(String::new());
    let on_comment = move |ev: SubmitEvent| {
        ev.prevent_default();
        let body = comment.get_untracked().trim().to_owned();
        if body.is_empty() {
            errors.show(vec![FieldError::new("body", "required", "write a comment")]);
        } else {
            comment.set(String::new());
            send(Change::Comment(body));
        }
    };
    let on_due_date = move |ev: SubmitEvent| {
        ev.prevent_default();
        match due_date.get_untracked().trim() {
            "" => send(Change::DueDate(None)),
            day => match day.parse() {
                Ok(day) => send(Change::DueDate(Some(day))),
                Err(_) => errors.show(vec![FieldError::new("due_date", "invalid", "not a date")]),
            },
        }
    };
    let pending = change.pending();
    let active = move || item.read().status == FollowUpStatus::Active;

    view! {
        <h1 class="prose">{move || item.read().title.clone()}</h1>
        <p class="status-message" role="status">{move || done.get()}</p>
        {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
        <dl class="facts">
            <dt>{t!(i18n, follow_ups.field.kind)}</dt>
            <dd>{move || kind_label(i18n, item.read().kind)}</dd>
            <dt>{t!(i18n, field.status)}</dt>
            <dd>
                <strong>{move || status_label(i18n, item.read().status)}</strong>
            </dd>
            <dt>{t!(i18n, follow_ups.field.due_date)}</dt>
            <dd>
                {move || {
                    let item = item.read();
                    view! { <FollowUpDue due_date=item.due_date overdue=item.overdue /> }
                }}
            </dd>
            <dt>{t!(i18n, follow_ups.field.owner)}</dt>
            <dd>
                {move || {
                    item.read()
                        .owner
                        .as_ref()
                        .map(|o| o.name.clone())
                        .unwrap_or_else(|| t_string!(i18n, none).to_owned())
                }}
            </dd>
            <dt>{t!(i18n, follow_ups.field.assignee)}</dt>
            <dd>
                {move || match &item.read().assignee {
                    Some(party) => party_label(i18n, party),
                    None => t_string!(i18n, none).to_owned(),
                }}
            </dd>
            <dt>{t!(i18n, follow_ups.field.shares)}</dt>
            <dd>
                {move || {
                    let shares = &item.read().shares;
                    if shares.is_empty() {
                        t_string!(i18n, none).to_owned()
                    } else {
                        shares.iter().map(|p| party_label(i18n, p)).collect::<Vec<_>>().join(", ")
                    }
                }}
            </dd>
            <dt>{t!(i18n, follow_ups.field.created)}</dt>
            <dd>{move || format::date_time(item.read().created_at)}</dd>
            {move || {
                item.read()
                    .case_id
                    .map(|case_id| {
                        view! {
                            <dt>{t!(i18n, follow_ups.field.case)}</dt>
                            <dd>
                                <A href=format!("/cases/{case_id}")>{t!(i18n, follow_ups.open_case)}</A>
                            </dd>
                        }
                    })
            }}
        </dl>
        <section>
            <h2>
                {move || match item.read().kind {
                    FollowUpKind::Exception => t_string!(i18n, follow_ups.error),
                    _ => t_string!(i18n, follow_ups.field.details),
                }}
            </h2>
            <p class="prose">
                {move || {
                    let details = item.read().details.clone();
                    if details.is_empty() { t_string!(i18n, none).to_owned() } else { details }
                }}
            </p>
        </section>
        <Show when=move || !item.read().can_handle>
            <p class="notice">{t!(i18n, follow_ups.shared_with_you)}</p>
        </Show>
        <section>
            <h2>{t!(i18n, follow_ups.comment_title)}</h2>
            <form class="stacked-form" novalidate on:submit=on_comment>
                <div class="field">
                    <label for="follow-up-body">{t!(i18n, follow_ups.comment)}</label>
                    <p class="hint" id="follow-up-body-hint">{t!(i18n, follow_ups.details_hint)}</p>
                    <FieldMessage errors field="body" />
                    <textarea
                        id="follow-up-body"
                        rows="3"
                        aria-invalid=errors.invalid("body")
                        aria-describedby=errors.described_by("body", true)
                        bind:value=comment
                    ></textarea>
                </div>
                <button type="submit" class="button secondary" disabled=pending>
                    {t!(i18n, follow_ups.add_comment)}
                </button>
            </form>
        </section>
        <section hidden=move || !item.read().can_handle>
            <h2>{t!(i18n, follow_ups.actions)}</h2>
            <div class="button-row">
                <Show when=move || item.read().can_retry>
                    <button
                        type="button"
                        class="button"
                        disabled=pending
                        on:click=move |_| send(Change::Retry)
                    >
                        {t!(i18n, follow_ups.retry)}
                    </button>
                </Show>
                <Show when=active>
                    <button
                        type="button"
                        class="button secondary"
                        disabled=pending
                        on:click=move |_| send(Change::Status(FollowUpStatus::Processed))
                    >
                        {move || match item.read().kind {
                            FollowUpKind::Exception => t_string!(i18n, follow_ups.resolve_manually),
                            _ => t_string!(i18n, follow_ups.mark_processed),
                        }}
                    </button>
                </Show>
                <Show when=move || item.read().status != FollowUpStatus::Closed>
                    <button
                        type="button"
                        class="button secondary"
                        disabled=pending
                        on:click=move |_| send(Change::Status(FollowUpStatus::Closed))
                    >
                        {t!(i18n, follow_ups.close)}
                    </button>
                </Show>
            </div>
            <form class="stacked-form" novalidate on:submit=on_due_date>
                <div class="field">
                    <label for="follow-up-due_date">{t!(i18n, follow_ups.field.due_date_optional)}</label>
                    <FieldMessage errors field="due_date" />
                    <input
                        id="follow-up-due_date"
                        type="date"
                        aria-invalid=errors.invalid("due_date")
                        aria-describedby=errors.described_by("due_date", false)
                        bind:value=due_date
                    />
                </div>
                <button type="submit" class="button secondary" disabled=pending>
                    {t!(i18n, follow_ups.set_due_date)}
                </button>
            </form>
            <form class="stacked-form" novalidate on:submit=on_assign>
                <div class="field">
                    <label for="follow-up-assignee">{t!(i18n, follow_ups.assign_to)}</label>
                    <FieldMessage errors field="assignee" />
                    <select
                        id="follow-up-assignee"
                        aria-invalid=errors.invalid("assignee")
                        aria-describedby=errors.described_by("assignee", false)
                        bind:value=assignee
                    >
                        <option value="">{t!(i18n, follow_ups.choose)}</option>
                        <PartyOptions />
                    </select>
                </div>
                <button type="submit" class="button secondary" disabled=pending>
                    {t!(i18n, follow_ups.assign)}
                </button>
            </form>
            <form class="stacked-form" novalidate on:submit=on_share>
                <div class="field">
                    <label for="follow-up-share">{t!(i18n, follow_ups.share_with)}</label>
                    <FieldMessage errors field="share" />
                    <select
                        id="follow-up-share"
                        aria-invalid=errors.invalid("share")
                        aria-describedby=errors.described_by("share", false)
                        bind:value=share_with
                    >
                        <option value="">{t!(i18n, follow_ups.choose)}</option>
                        <PartyOptions />
                    </select>
                </div>
                <button type="submit" class="button secondary" disabled=pending>
                    {t!(i18n, follow_ups.share)}
                </button>
            </form>
        </section>
        <section>
            <h2>{t!(i18n, follow_ups.history)}</h2>
            <ol class="timeline">
                {move || {
                    item.read()
                        .history
                        .iter()
                        .map(|event| {
                            let actor = event.actor.as_ref().map(|a| a.name.clone());
                            let what = describe_event(i18n, &event.kind, &event.detail);
                            view! {
                                <li>
                                    <span class="timeline-time">{format::date_time(event.at)}</span>
                                    <span>{what}</span>
                                    <span class="meta">
                                        {match actor {
                                            Some(actor) => actor.into_any(),
                                            None => t!(i18n, events.automatic).into_any(),
                                        }}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </section>
    }
}

/// A history entry in words. Assignments name their party by id only, so they are not
/// repeated here: the facts above show who has it now.
fn describe_event(i18n: crate::I18n, kind: &str, detail: &str) -> String {
    match kind {
        "created" => t_string!(i18n, follow_ups.event.created).to_owned(),
        "assigned" => t_string!(i18n, follow_ups.event.assigned).to_owned(),
        "shared" => t_string!(i18n, follow_ups.event.shared).to_owned(),
        "retried" => t_string!(i18n, follow_ups.event.retried).to_owned(),
        "failed_again" => t_string!(i18n, follow_ups.event.failed_again).to_owned(),
        "comment" => format::fill(
            t_string!(i18n, follow_ups.event.comment),
            &[("comment", detail)],
        ),
        "due_date" => match detail.parse() {
            Ok(day) => format::fill(
                t_string!(i18n, follow_ups.event.due_date),
                &[("date", &format::date(day))],
            ),
            Err(_) => t_string!(i18n, follow_ups.event.due_date_removed).to_owned(),
        },
        "status" => match FollowUpStatus::parse(detail) {
            Some(status) => format::fill(
                t_string!(i18n, follow_ups.event.status),
                &[("status", status_label(i18n, status))],
            ),
            None => t_string!(i18n, follow_ups.event.other).to_owned(),
        },
        _ => t_string!(i18n, follow_ups.event.other).to_owned(),
    }
}
