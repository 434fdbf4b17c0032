//! "Meddelanden": the inbox.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::auth::Role;
use shared::messages::InboxMessage;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, Loading, use_page_title};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;

/// My messages, and which of their cases I applied for (those open in "Mina ärenden"; the
/// rest are cases I handle).
async fn load(applicant: bool) -> Result<(Vec<InboxMessage>, Vec<Uuid>), ApiError> {
    let messages = api::messages::inbox().await?;
    let mine = if applicant {
        api::applications::my_cases()
            .await?
            .into_iter()
            .map(|case| case.id)
            .collect()
    } else {
        Vec::new()
    };
    Ok((messages, mine))
}

/// `/inbox`.
#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    use_page_title(move || t_string!(i18n, inbox.title).to_owned());
    // A memo, so that switching language (which updates the session) does not reload.
    let applicant = Memo::new(move |_| {
        session.me().is_some_and(|me| {
            me.roles
                .iter()
                .any(|role| matches!(role, Role::Guardian | Role::Pupil))
        })
    });
    let inbox = LocalResource::new(move || load(applicant.get()));
    let mark_all = Action::new_local(move |csrf_token: &String| {
        let csrf_token = csrf_token.clone();
        async move {
            let answer = api::messages::mark_all_read(&csrf_token).await;
            if answer.is_ok() {
                inbox.refetch();
            }
            answer
        }
    });
    let mark_all_failed = move || {
        mark_all
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <ErrorAlert error /> })
    };

    view! {
        <h1>{t!(i18n, inbox.title)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok((messages, _)) if messages.is_empty() => {
                        view! { <p class="empty-state">{t!(i18n, inbox.empty)}</p> }.into_any()
                    }
                    Ok((messages, mine)) => {
                        let any_unread = messages.iter().any(|message| !message.read);
                        view! {
                            {any_unread
                                .then(|| {
                                    view! {
                                        <div class="button-row">
                                            <button
                                                type="button"
                                                class="button secondary"
                                                disabled=move || mark_all.pending().get()
                                                on:click=move |_| {
                                                    if let Some(token) = session.csrf_token() {
                                                        mark_all.dispatch(token);
                                                    }
                                                }
                                            >
                                                {t!(i18n, inbox.mark_all_read)}
                                            </button>
                                        </div>
                                    }
                                })}
                            {mark_all_failed}
                            <ol class="messages">
                                {messages
                                    .into_iter()
                                    .map(|message| {
                                        let link = message
                                            .case_id
                                            .map(|case| {
                                                if mine.contains(&case) {
                                                    format!("/my/cases/{case}")
                                                } else {
                                                    format!("/cases/{case}")
                                                }
                                            });
                                        view! { <Message message link /> }
                                    })
                                    .collect_view()}
                            </ol>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A message; an unread one is marked read when its case is opened from it, or by its button.
#[component]
fn Message(message: InboxMessage, link: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let heading_id = format!("message-{}", message.id);
    let id = message.id;
    let read = RwSignal::new(message.read);
    let mark_read = Action::new_local(move |csrf_token: &String| {
        let csrf_token = csrf_token.clone();
        async move {
            let answer = api::messages::mark_read(&csrf_token, id).await;
            if answer.is_ok() {
                read.set(true);
            }
            answer
        }
    });
    let dispatch_read = move || {
        if !read.get_untracked()
            && let Some(token) = session.csrf_token()
        {
            mark_read.dispatch(token);
        }
    };
    view! {
        <li class="card" class:unread=move || !read.get()>
            <h2 class="card-title" id=heading_id.clone()>
                {message.subject}
            </h2>
            <p class="meta">
                <time datetime=message.created_at.to_rfc3339()>
                    {format::date_time(message.created_at)}
                </time>
                {move || {
                    (!read.get())
                        .then(|| view! { " " <span class="badge">{t!(i18n, inbox.unread)}</span> })
                }}
            </p>
            <p class="prose">{message.body}</p>
            {link
                .map(|href| {
                    view! {
                        <p>
                            <A
                                href=href
                                attr:aria-describedby=heading_id.clone()
                                on:click=move |_| dispatch_read()
                            >
                                {t!(i18n, inbox.open_case)}
                            </A>
                        </p>
                    }
                })}
            {move || {
                (!read.get())
                    .then(|| {
                        view! {
                            <p>
                                <button
                                    type="button"
                                    class="button secondary"
                                    aria-describedby=heading_id.clone()
                                    disabled=move || mark_read.pending().get()
                                    on:click=move |_| dispatch_read()
                                >
                                    {t!(i18n, inbox.mark_read)}
                                </button>
                            </p>
                        }
                    })
            }}
        </li>
    }
}
