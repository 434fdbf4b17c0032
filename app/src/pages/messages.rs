//! "Meddelanden": the inbox.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::auth::Role;
use shared::cases::CaseNumber;
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
                            {group_by_case(messages)
                                .into_iter()
                                .map(|group| {
                                    let link = group
                                        .case_id
                                        .map(|case| {
                                            if mine.contains(&case) {
                                                format!("/my/cases/{case}")
                                            } else {
                                                format!("/cases/{case}")
                                            }
                                        });
                                    view! { <CaseMessages group link /> }
                                })
                                .collect_view()}
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The messages of one case (or those without a case), newest first.
#[derive(Debug, Clone, PartialEq)]
struct CaseGroup {
    case_id: Option<Uuid>,
    case_number: Option<CaseNumber>,
    messages: Vec<InboxMessage>,
}

/// Groups the inbox per case (and the messages without a case together), each group where its
/// newest message comes: a fresh notice is not put below last month's cases.
fn group_by_case(messages: Vec<InboxMessage>) -> Vec<CaseGroup> {
    let mut groups: Vec<CaseGroup> = Vec::new();
    for message in messages {
        match groups
            .iter_mut()
            .find(|group| group.case_id == message.case_id)
        {
            Some(group) => group.messages.push(message),
            None => groups.push(CaseGroup {
                case_id: message.case_id,
                case_number: message.case_number,
                messages: vec![message],
            }),
        }
    }
    groups
}

/// One case's messages under its number, with one link to the case; opening it marks them read.
#[component]
fn CaseMessages(group: CaseGroup, link: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let heading_id = format!(
        "messages-{}",
        group
            .case_id
            .map(|id| id.to_string())
            .unwrap_or_else(|| "other".into())
    );
    let number = group.case_number.map(|number| number.to_string());
    let heading = {
        let number = number.clone();
        move || match &number {
            Some(number) => format::fill(t_string!(i18n, inbox.case), &[("number", number)]),
            None if group.case_id.is_some() => t_string!(i18n, inbox.a_case).to_owned(),
            None => t_string!(i18n, inbox.other).to_owned(),
        }
    };
    let reads: Vec<(Uuid, RwSignal<bool>)> = group
        .messages
        .iter()
        .map(|message| (message.id, RwSignal::new(message.read)))
        .collect();
    let unread = {
        let reads = reads.clone();
        move || reads.iter().filter(|(_, read)| !read.get()).count()
    };
    let open_case = {
        let reads = reads.clone();
        move || {
            let Some(token) = session.csrf_token() else {
                return;
            };
            for (id, read) in reads.iter().filter(|(_, read)| !read.get_untracked()) {
                let (id, read, token) = (*id, *read, token.clone());
                leptos::task::spawn_local(async move {
                    if api::messages::mark_read(&token, id).await.is_ok() {
                        read.set(true);
                    }
                });
            }
        }
    };
    view! {
        <section class="message-group" aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{heading}</h2>
            {
                let unread = unread.clone();
                move || {
                    let count = unread();
                    (count > 0)
                        .then(|| {
                            view! {
                                <p class="meta">
                                    <span class="badge">
                                        {if count == 1 {
                                            t_string!(i18n, inbox.unread_one).to_owned()
                                        } else {
                                            format::fill(
                                                t_string!(i18n, inbox.unread_count),
                                                &[("count", &count.to_string())],
                                            )
                                        }}
                                    </span>
                                </p>
                            }
                        })
                }
            }
            {link
                .map(|href| {
                    let open_case = open_case.clone();
                    view! {
                        <p>
                            <A
                                href=href
                                attr:aria-describedby=heading_id.clone()
                                on:click=move |_| open_case()
                            >
                                {t!(i18n, inbox.open_case)}
                            </A>
                        </p>
                    }
                })}
            <ol class="messages">
                {group
                    .messages
                    .into_iter()
                    .zip(reads)
                    .map(|(message, (_, read))| view! { <Message message read /> })
                    .collect_view()}
            </ol>
        </section>
    }
}

/// A message; an unread one is marked read by its button, or when its case is opened.
#[component]
fn Message(message: InboxMessage, read: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let heading_id = format!("message-{}", message.id);
    let id = message.id;
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
            <h3 class="card-title" id=heading_id.clone()>
                {message.subject}
            </h3>
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

#[cfg(test)]
mod tests {
    use super::*;

    fn message(case: Option<u128>, minute: u32) -> InboxMessage {
        InboxMessage {
            id: Uuid::from_u128(u128::from(minute)),
            case_id: case.map(Uuid::from_u128),
            case_number: case.map(|serial| CaseNumber {
                year: 2026,
                serial: serial as u32,
            }),
            subject: format!("m{minute}"),
            body: String::new(),
            read: false,
            created_at: chrono::DateTime::from_timestamp(i64::from(minute) * 60, 0).unwrap(),
        }
    }

    #[test]
    fn messages_group_per_case_each_where_its_newest_message_is() {
        let groups = group_by_case(vec![
            message(Some(2), 5),
            message(None, 4),
            message(Some(1), 3),
            message(Some(2), 2),
            message(None, 1),
        ]);
        let shape: Vec<(Option<u32>, Vec<&str>)> = groups
            .iter()
            .map(|group| {
                (
                    group.case_number.map(|number| number.serial),
                    group.messages.iter().map(|m| m.subject.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                (Some(2), vec!["m5", "m2"]),
                (None, vec!["m4", "m1"]),
                (Some(1), vec!["m3"]),
            ]
        );
    }
}
