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

    view! {
        <h1>{t!(i18n, inbox.title)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok((messages, _)) if messages.is_empty() => {
                        view! { <p class="empty-state">{t!(i18n, inbox.empty)}</p> }.into_any()
                    }
                    Ok((messages, mine)) => {
                        view! {
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

#[component]
fn Message(message: InboxMessage, link: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let heading_id = format!("message-{}", message.id);
    view! {
        <li class="card" class:unread=!message.read>
            <h2 class="card-title" id=heading_id.clone()>
                {message.subject}
            </h2>
            <p class="meta">
                <time datetime=message.created_at.to_rfc3339()>
                    {format::date_time(message.created_at)}
                </time>
                {(!message.read)
                    .then(|| view! { " " <span class="badge">{t!(i18n, inbox.unread)}</span> })}
            </p>
            <p class="prose">{message.body}</p>
            {link
                .map(|href| {
                    view! {
                        <p>
                            <A href=href attr:aria-describedby=heading_id>
                                {t!(i18n, inbox.open_case)}
                            </A>
                        </p>
                    }
                })}
        </li>
    }
}
