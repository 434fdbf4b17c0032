//! "Mina ärenden" for applicants: the list, and a case with its history, documents and
//! decision; the other guardian confirms here, and the applicant may withdraw.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::cases::{DeclineRequest, MyCase, MyCaseDetail};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{
    DataTable, DecisionFacts, DocumentList, ErrorAlert, Loading, ProcessFacts, PupilName,
    RecordPage, use_page_title, use_record,
};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

/// `/my/cases`.
#[component]
pub fn MyCasesPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, my_cases.title).to_owned());
    let cases = LocalResource::new(api::applications::my_cases);

    view! {
        <h1>{t!(i18n, my_cases.title)}</h1>
        <p class="lead">{t!(i18n, my_cases.intro)}</p>
        <p>
            <A href="/my/access-log">{t!(i18n, access_log.link)}</A>
        </p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match cases.await {
                    Ok(cases) if cases.is_empty() => {
                        view! { <p class="empty-state">{t!(i18n, my_cases.empty)}</p> }.into_any()
                    }
                    Ok(cases) => view! { <MyCaseTable cases /> }.into_any(),
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn MyCaseTable(cases: Vec<MyCase>) -> impl IntoView {
    let i18n = use_i18n();
    let caption = Signal::derive(move || t_string!(i18n, my_cases.title).to_owned());
    view! {
        <DataTable caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, field.case_number)}</th>
                    <th scope="col">{t!(i18n, field.case_type)}</th>
                    <th scope="col">{t!(i18n, field.concerns)}</th>
                    <th scope="col">{t!(i18n, field.status)}</th>
                    <th scope="col">{t!(i18n, field.submitted)}</th>
                    <th scope="col">{t!(i18n, field.outcome)}</th>
                </tr>
            </thead>
            <tbody>
                {cases
                    .into_iter()
                    .map(|case| {
                        let MyCase {
                            id,
                            number,
                            case_type_name,
                            status_name,
                            subject,
                            created_at,
                            outcome,
                        } = case;
                        view! {
                            <tr>
                                <th scope="row">
                                    <A href=format!("/my/cases/{id}")>{number.to_string()}</A>
                                </th>
                                <td>{move || labels::names(i18n, &case_type_name)}</td>
                                <td>
                                    {subject
                                        .map(|subject| {
                                            view! {
                                                <PupilName masked=subject.masked name=subject.name />
                                            }
                                        })}
                                </td>
                                <td>{move || labels::names(i18n, &status_name)}</td>
                                <td class="nowrap">{format::date_time(created_at)}</td>
                                <td>
                                    {move || match outcome {
                                        Some(outcome) => labels::outcome(i18n, outcome),
                                        None => t_string!(i18n, outcome.pending),
                                    }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </DataTable>
    }
}

/// `/my/cases/:id`.
#[component]
pub fn MyCasePage() -> impl IntoView {
    let i18n = use_i18n();
    let case = use_record(api::applications::my_case);
    use_page_title(move || {
        case.read()
            .as_ref()
            .and_then(|result| result.as_ref().ok().and_then(Option::as_ref))
            .map(|case| {
                format::fill(
                    t_string!(i18n, my_cases.case_title),
                    &[("number", &case.case.number.to_string())],
                )
            })
            .unwrap_or_else(|| t_string!(i18n, my_cases.page_title).to_owned())
    });

    view! {
        <RecordPage
            record=case
            heading=move || t_string!(i18n, my_cases.page_title)
            not_found=move || t_string!(i18n, my_cases.not_found)
            render=|case| view! { <MyCaseView case /> }
        />
    }
}

/// What the applicant did last, said once in a live region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Confirmed,
    Withdrawn,
    Declined,
}

#[component]
fn MyCaseView(case: MyCaseDetail) -> impl IntoView {
    let i18n = use_i18n();
    let id = case.case.id;
    let number = case.case.number.to_string();
    // Every action answers with the case as it is now; the page shows that.
    let case = RwSignal::new(case);
    let done = RwSignal::new(None::<Done>);

    let facts = move || {
        let detail = case.get();
        let MyCase {
            number,
            case_type_name,
            status_name,
            subject,
            created_at,
            ..
        } = detail.case;
        let facts = detail.facts;
        view! {
            <dl class="facts">
                <dt>{t!(i18n, field.case_number)}</dt>
                <dd>{number.to_string()}</dd>
                <dt>{t!(i18n, field.case_type)}</dt>
                <dd>{move || labels::names(i18n, &case_type_name)}</dd>
                {subject
                    .map(|subject| {
                        view! {
                            <dt>{t!(i18n, field.concerns)}</dt>
                            <dd>
                                <PupilName masked=subject.masked name=subject.name />
                            </dd>
                        }
                    })}
                <dt>{t!(i18n, field.status)}</dt>
                <dd>
                    <strong>{move || labels::names(i18n, &status_name)}</strong>
                </dd>
                <dt>{t!(i18n, field.submitted)}</dt>
                <dd>{format::date_time(created_at)}</dd>
                <ProcessFacts facts />
            </dl>
        }
    };
    // The first guardian waits; the second is asked below.
    let waiting_for_other = move || case.with(|detail| detail.awaiting_other_party);

    view! {
        <h1>
            {move || format::fill(t_string!(i18n, my_cases.case_title), &[("number", &number)])}
        </h1>
        <p class="status-message" role="status">
            {move || match done.get() {
                Some(Done::Confirmed) => t_string!(i18n, my_cases.confirmed),
                Some(Done::Withdrawn) => t_string!(i18n, my_cases.withdrawn),
                Some(Done::Declined) => t_string!(i18n, my_cases.declined),
                None => "",
            }}
        </p>
        <Show when=waiting_for_other>
            <p class="notice">
                <strong>{t!(i18n, my_cases.awaiting_other_guardian)}</strong>
                " "
                {t!(i18n, my_cases.awaiting_other_guardian_detail)}
            </p>
        </Show>
        <Show when=move || case.read().awaiting_my_confirmation>
            <Confirm id case done />
        </Show>
        <Show when=move || case.read().can_decline>
            <Decline id case done />
        </Show>
        <section>
            <h2>{t!(i18n, my_cases.details)}</h2>
            {facts}
        </section>
        {move || {
            case.get()
                .decision
                .map(|decision| {
                    view! {
                        <section>
                            <h2>{t!(i18n, decision.title)}</h2>
                            <DecisionFacts decision />
                        </section>
                    }
                })
        }}
        <section>
            <h2>{t!(i18n, documents.title)}</h2>
            {move || view! { <DocumentList case_id=id documents=case.get().documents /> }}
        </section>
        <section>
            <h2>{t!(i18n, my_cases.history)}</h2>
            <ol class="timeline">
                {move || {
                    case.get()
                        .history
                        .into_iter()
                        .map(|change| {
                            view! {
                                <li>
                                    <span class="timeline-time">
                                        {format::date_time(change.at)}
                                    </span>
                                    <span>{move || labels::names(i18n, &change.status_name)}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </section>
        <Show when=move || case.read().can_withdraw>
            <Withdraw id case done />
        </Show>
    }
}

/// "Bekräfta ansökan": the other guardian agrees, and the application goes on.
#[component]
fn Confirm(id: Uuid, case: RwSignal<MyCaseDetail>, done: RwSignal<Option<Done>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let confirm = Action::new_local(move |csrf_token: &String| {
        let csrf_token = csrf_token.clone();
        async move {
            let detail = api::applications::confirm(&csrf_token, id).await?;
            case.set(detail);
            done.set(Some(Done::Confirmed));
            Ok::<(), ApiError>(())
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(csrf_token) = session.csrf_token() {
            confirm.dispatch(csrf_token);
        }
    };
    let pending = confirm.pending();

    view! {
        <section class="callout" aria-labelledby="confirm-heading">
            <h2 id="confirm-heading">{t!(i18n, my_cases.confirm_title)}</h2>
            <p>{t!(i18n, my_cases.confirm_text)}</p>
            <form on:submit=on_submit>
                {move || {
                    confirm.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error /> })
                }}
                <button type="submit" class="button" disabled=pending>
                    {t!(i18n, my_cases.confirm)}
                </button>
            </form>
        </section>
    }
}

/// "Säg nej": the other guardian does not agree, and says why (the applicant is told).
#[component]
fn Decline(id: Uuid, case: RwSignal<MyCaseDetail>, done: RwSignal<Option<Done>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let reason = RwSignal::new(String::new());
    let missing = RwSignal::new(false);
    let decline = Action::new_local(move |(csrf_token, reason): &(String, String)| {
        let request = DeclineRequest {
            reason: reason.clone(),
        };
        let csrf_token = csrf_token.clone();
        async move {
            let detail = api::applications::decline(&csrf_token, id, &request).await?;
            case.set(detail);
            done.set(Some(Done::Declined));
            Ok::<(), ApiError>(())
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = reason.get_untracked().trim().to_owned();
        missing.set(text.is_empty());
        if let (false, Some(csrf_token)) = (text.is_empty(), session.csrf_token()) {
            decline.dispatch((csrf_token, text));
        }
    };
    let pending = decline.pending();

    view! {
        <section aria-labelledby="decline-heading">
            <h2 id="decline-heading">{t!(i18n, my_cases.decline_title)}</h2>
            <form class="stacked-form" novalidate on:submit=on_submit>
                {move || {
                    decline.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error /> })
                }}
                <div class="field">
                    <label for="decline-reason">{t!(i18n, my_cases.decline_reason)}</label>
                    <p class="hint" id="decline-reason-hint">{t!(i18n, my_cases.decline_hint)}</p>
                    <Show when=move || missing.get()>
                        <p class="field-error" id="decline-reason-error">
                            {t!(i18n, my_cases.decline_missing)}
                        </p>
                    </Show>
                    <textarea
                        id="decline-reason"
                        rows="3"
                        required
                        aria-invalid=move || missing.get().then_some("true")
                        aria-describedby=move || {
                            if missing.get() {
                                "decline-reason-hint decline-reason-error"
                            } else {
                                "decline-reason-hint"
                            }
                        }
                        bind:value=reason
                    ></textarea>
                </div>
                <button type="submit" class="button secondary" disabled=pending>
                    {t!(i18n, my_cases.decline)}
                </button>
            </form>
        </section>
    }
}

/// "Återkalla": the button opens a question in place, which takes focus; only its own button
/// withdraws, and "Avbryt" closes it and returns focus.
#[component]
fn Withdraw(id: Uuid, case: RwSignal<MyCaseDetail>, done: RwSignal<Option<Done>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let asking = RwSignal::new(false);
    let question = NodeRef::<leptos::html::P>::new();
    let start = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if asking.get()
            && let Some(question) = question.get()
        {
            let _ = question.focus();
        }
    });
    let withdraw = Action::new_local(move |csrf_token: &String| {
        let csrf_token = csrf_token.clone();
        async move {
            let detail = api::applications::withdraw(&csrf_token, id).await?;
            case.set(detail);
            done.set(Some(Done::Withdrawn));
            Ok::<(), ApiError>(())
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(csrf_token) = session.csrf_token() {
            withdraw.dispatch(csrf_token);
        }
    };
    let cancel = move |_| {
        asking.set(false);
        if let Some(start) = start.get_untracked() {
            let _ = start.focus();
        }
    };
    let pending = withdraw.pending();

    view! {
        <section aria-labelledby="withdraw-heading">
            <h2 id="withdraw-heading">{t!(i18n, my_cases.withdraw_title)}</h2>
            <p>{t!(i18n, my_cases.withdraw_text)}</p>
            {move || {
                withdraw.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error /> })
            }}
            <button
                type="button"
                class="button secondary"
                node_ref=start
                aria-expanded=move || asking.get().to_string()
                on:click=move |_| asking.update(|asking| *asking = !*asking)
            >
                {t!(i18n, my_cases.withdraw)}
            </button>
            <Show when=move || asking.get()>
                <form class="confirm-box" on:submit=on_submit>
                    <p id="withdraw-question" tabindex="-1" node_ref=question>
                        <strong>{t!(i18n, my_cases.withdraw_question)}</strong>
                    </p>
                    <div class="button-row">
                        <button type="submit" class="button danger" disabled=pending>
                            {t!(i18n, my_cases.withdraw_confirm)}
                        </button>
                        <button type="button" class="button secondary" on:click=cancel>
                            {t!(i18n, my_cases.withdraw_cancel)}
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}
