//! The case page for handlers: summary, the application, distribution, decision, subtasks,
//! notes, documents and the timeline; each form only where `actions` allows it.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::cases::{CaseDetail, CaseEvent, Outcome, PublicityClass};
use shared::register::NamedRef;
use uuid::Uuid;

use super::assignment::AssignForm;
use super::decision::{CloseForm, DecisionForm};
use super::handover::HandoverForm;
use super::identity::IdentityDisclosureForm;
use super::notes::Notes;
use super::subtasks::CaseSubtasks;
use super::{DueDate, Subject};
use crate::I18n;
use crate::api;
use crate::components::{
    DecisionFacts, DocumentList, ErrorAlert, Loading, ProcessFacts, RecordPage, use_page_title,
    use_record,
};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;

/// `/cases/:id`.
#[component]
pub fn CasePage() -> impl IntoView {
    let i18n = use_i18n();
    let case = use_record(api::cases::case);
    use_page_title(move || {
        case.read()
            .as_ref()
            .and_then(|result| result.as_ref().ok().and_then(Option::as_ref))
            .map(|case| {
                format::fill(
                    t_string!(i18n, cases.case_title),
                    &[("number", &case.summary.number.to_string())],
                )
            })
            .unwrap_or_else(|| t_string!(i18n, cases.page_title).to_owned())
    });

    view! {
        <RecordPage
            record=case
            heading=move || t_string!(i18n, cases.page_title)
            not_found=move || t_string!(i18n, cases.not_found)
            render=|case| view! { <CaseView case /> }
        />
    }
}

/// What a handler did last on the page, said once in a live region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Assigned,
    Noted,
    SubtaskCreated,
    Decided,
    Closed,
    IdentityDisclosed,
    HandedOver,
}

impl Done {
    fn message(self, i18n: I18n) -> &'static str {
        match self {
            Done::Assigned => t_string!(i18n, cases.done.assigned),
            Done::Noted => t_string!(i18n, cases.done.noted),
            Done::SubtaskCreated => t_string!(i18n, cases.done.subtask_created),
            Done::Decided => t_string!(i18n, cases.done.decided),
            Done::Closed => t_string!(i18n, cases.done.closed),
            Done::IdentityDisclosed => t_string!(i18n, cases.done.identity_disclosed),
            Done::HandedOver => t_string!(i18n, cases.done.handed_over),
        }
    }
}

/// The case on screen, which every form replaces with the server's answer.
#[derive(Clone, Copy)]
pub struct CaseState {
    pub case: RwSignal<CaseDetail>,
    pub done: RwSignal<Option<Done>>,
}

impl CaseState {
    pub fn id(&self) -> Uuid {
        self.case.with_untracked(|case| case.summary.id)
    }

    pub fn update(&self, case: CaseDetail, done: Done) {
        self.case.set(case);
        self.done.set(Some(done));
    }
}

#[component]
fn CaseView(case: CaseDetail) -> impl IntoView {
    let i18n = use_i18n();
    let id = case.summary.id;
    let number = case.summary.number.to_string();
    let visible_subject = case
        .summary
        .subject
        .clone()
        .filter(|subject| !subject.masked);
    let state = CaseState {
        case: RwSignal::new(case),
        done: RwSignal::new(None),
    };
    let case = state.case;
    let actions = move || case.read().actions;
    let owners = LocalResource::new(move || {
        // Only distributors may list owners; others never see the form.
        let assign = case.with_untracked(|case| case.actions.assign);
        async move {
            if assign {
                api::cases::owners().await.map(Some)
            } else {
                Ok(None)
            }
        }
    });

    view! {
        <h1>{move || format::fill(t_string!(i18n, cases.case_title), &[("number", &number)])}</h1>
        <p class="meta">{move || case.read().title.clone()}</p>
        <p class="status-message" role="status">
            {move || state.done.get().map(|done| done.message(i18n))}
        </p>
        <section>
            <h2>{t!(i18n, cases.summary)}</h2>
            {move || view! { <CaseFacts case=case.get() /> }}
        </section>
        <Show when=move || !case.read().facts.is_empty()>
            <section>
                <h2>{t!(i18n, cases.application)}</h2>
                <dl class="facts">
                    {move || view! { <ProcessFacts facts=case.get().facts /> }}
                </dl>
                {visible_subject
                    .clone()
                    .map(|subject| {
                        view! {
                            <p>
                                <A href=format!("/pupils/{}", subject.id)>
                                    {t!(i18n, cases.pupil_page)}
                                </A>
                            </p>
                        }
                    })}
            </section>
        </Show>
        <Show when=move || actions().disclose_identity>
            <section>
                <h2>{t!(i18n, identity.title)}</h2>
                <IdentityDisclosureForm state />
            </section>
        </Show>
        <Show when=move || actions().assign>
            <section>
                <h2>{t!(i18n, assignment.title)}</h2>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match owners.await {
                            Ok(owners) => {
                                let number = case.read_untracked().summary.number.to_string();
                                view! {
                                    <AssignForm
                                        case_id=id
                                        number
                                        owners=owners.unwrap_or_default()
                                        on_assigned=move |detail| state.update(detail, Done::Assigned)
                                    />
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorAlert error /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </Show>
        <section>
            <h2>{t!(i18n, decision.title)}</h2>
            {move || case.get().decision.map(|decision| view! { <DecisionFacts decision /> })}
            <Show when=move || {
                case.read().decision.is_none() && !actions().decide && !actions().decided_elsewhere
            }>
                <p class="empty-state">{t!(i18n, decision.none_yet)}</p>
            </Show>
            <Show when=move || actions().decided_elsewhere>
                <div class="notice" role="note">
                    <p>
                        <strong>{t!(i18n, handover.decided_elsewhere)}</strong>
                    </p>
                    {move || {
                        case.read()
                            .decision_hint
                            .as_ref()
                            .map(|hint| view! { <p>{labels::names(i18n, hint)}</p> })
                    }}
                    <p>
                        <a href="#handover">{t!(i18n, handover.go_to_form)}</a>
                    </p>
                </div>
            </Show>
            <Show when=move || actions().decide>
                <DecisionForm state />
            </Show>
            <Show when=move || actions().close>
                <CloseForm state />
            </Show>
        </section>
        <Show when=move || actions().hand_over>
            <section id="handover" tabindex="-1">
                <h2>{t!(i18n, handover.title)}</h2>
                <HandoverForm state />
            </section>
        </Show>
        <CaseSubtasks state />
        <Notes state />
        <section>
            <h2>{t!(i18n, documents.title)}</h2>
            {move || {
                let case = case.get();
                let screened = case.summary.subject.as_ref().is_some_and(|s| s.masked);
                view! { <DocumentList case_id=id documents=case.documents screened /> }
            }}
        </section>
        <section>
            <h2>{t!(i18n, events.title)}</h2>
            {move || view! { <Timeline case=case.get() /> }}
        </section>
    }
}

#[component]
fn CaseFacts(case: CaseDetail) -> impl IntoView {
    let i18n = use_i18n();
    let CaseDetail {
        summary, applicant, ..
    } = case;
    let status = summary.status.name;
    let case_type = summary.case_type_name;
    let publicity = summary.publicity_class;
    view! {
        <dl class="facts">
            <dt>{t!(i18n, field.case_number)}</dt>
            <dd>{summary.number.to_string()}</dd>
            <dt>{t!(i18n, field.case_type)}</dt>
            <dd>{move || labels::names(i18n, &case_type)}</dd>
            <dt>{t!(i18n, field.status)}</dt>
            <dd>
                <strong>{move || labels::names(i18n, &status)}</strong>
            </dd>
            <dt>{t!(i18n, field.concerns)}</dt>
            <dd>
                <Subject subject=summary.subject />
            </dd>
            <dt>{t!(i18n, field.applicant)}</dt>
            <dd>
                {match applicant {
                    Some(applicant) => applicant.name.into_any(),
                    None => view! { <span class="masked">{t!(i18n, masked)}</span> }.into_any(),
                }}
            </dd>
            <dt>{t!(i18n, field.case_owner)}</dt>
            <dd>
                {match summary.owner {
                    Some(owner) => owner.name.into_any(),
                    None => view! { <span class="missing">{t!(i18n, cases.no_owner)}</span> }.into_any(),
                }}
            </dd>
            <dt>{t!(i18n, field.registered)}</dt>
            <dd>{format::date_time(summary.created_at)}</dd>
            <dt>{t!(i18n, field.due_date)}</dt>
            <dd>
                <DueDate due_date=summary.due_date overdue=summary.overdue />
            </dd>
            <dt>{t!(i18n, field.deadline)}</dt>
            <dd>
                {match summary.deadline {
                    Some(deadline) => format::date(deadline).into_any(),
                    None => view! { <span class="missing">{t!(i18n, no_date)}</span> }.into_any(),
                }}
            </dd>
            <dt>{t!(i18n, field.publicity_class)}</dt>
            <dd>{move || publicity_class(i18n, publicity)}</dd>
        </dl>
    }
}

fn publicity_class(i18n: I18n, class: PublicityClass) -> &'static str {
    match class {
        PublicityClass::Public => t_string!(i18n, publicity.public),
        PublicityClass::Restricted => t_string!(i18n, publicity.restricted),
        PublicityClass::Confidential => t_string!(i18n, publicity.confidential),
    }
}

#[component]
fn Timeline(case: CaseDetail) -> impl IntoView {
    let i18n = use_i18n();
    let owner = case.summary.owner.clone();
    view! {
        <ol class="timeline">
            {case
                .events
                .into_iter()
                .map(|event| {
                    let actor = event.actor.clone();
                    let owner = owner.clone();
                    view! {
                        <li>
                            <span class="timeline-time">{format::date_time(event.at)}</span>
                            <span>{move || describe_event(i18n, &event, owner.as_ref())}</span>
                            <span class="meta">
                                {match actor {
                                    Some(actor) => actor.name.into_any(),
                                    None => t!(i18n, events.automatic).into_any(),
                                }}
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// A `key=value` from an event's detail.
fn detail_value<'a>(detail: &'a str, key: &str) -> Option<&'a str> {
    detail
        .split_whitespace()
        .find_map(|part| part.strip_prefix(key)?.strip_prefix('='))
}

/// What happened, in words. The server records events with codes and a short machine detail;
/// kinds the app does not know show as recorded.
fn describe_event(i18n: I18n, event: &CaseEvent, owner: Option<&NamedRef>) -> String {
    let detail = event.detail.as_str();
    let status = |code: &Option<String>| {
        code.as_deref()
            .map(|code| labels::status(i18n, code))
            .unwrap_or_default()
    };
    match event.kind.as_str() {
        "created" => t_string!(i18n, events.created).to_owned(),
        "status" => format::fill(
            t_string!(i18n, events.status),
            &[
                ("from", &status(&event.from_status)),
                ("to", &status(&event.to_status)),
            ],
        ),
        "assigned" => {
            let name = detail_value(detail, "owner")
                .and_then(|id| owner.filter(|owner| owner.id.to_string() == id))
                .map(|owner| owner.name.clone());
            let mut text = match name {
                Some(name) => format::fill(t_string!(i18n, events.assigned_to), &[("name", &name)]),
                None => t_string!(i18n, events.assigned).to_owned(),
            };
            if let Some(deadline) = detail_value(detail, "deadline") {
                text.push_str(&format::fill(
                    t_string!(i18n, events.with_deadline),
                    &[("date", deadline)],
                ));
            }
            text
        }
        "note" if detail == "internal" => t_string!(i18n, events.note_internal).to_owned(),
        "note" => t_string!(i18n, events.note_public).to_owned(),
        "document" => format::fill(t_string!(i18n, events.document), &[("title", detail)]),
        "subtask" if detail.starts_with("created") => {
            t_string!(i18n, events.subtask_created).to_owned()
        }
        "subtask" if detail.starts_with("open") => {
            t_string!(i18n, events.subtask_opened).to_owned()
        }
        "subtask" if detail.starts_with("solved") => {
            t_string!(i18n, events.subtask_solved).to_owned()
        }
        "decision" => match Outcome::parse(detail) {
            Some(outcome) => format::fill(
                t_string!(i18n, events.decision),
                &[("outcome", labels::outcome(i18n, outcome))],
            ),
            None => t_string!(i18n, decision.title).to_owned(),
        },
        "confirmed" => t_string!(i18n, events.confirmed).to_owned(),
        "handed_over" => {
            let mut text = match &event.to {
                Some(to) => format::fill(
                    t_string!(i18n, events.handed_over_to),
                    &[("name", &to.name)],
                ),
                None => t_string!(i18n, events.handed_over).to_owned(),
            };
            if let Some(note) = &event.note {
                text.push_str(": ");
                text.push_str(note);
            }
            text
        }
        "routing" => match detail_value(detail, "decider") {
            Some("mentor") => t_string!(i18n, events.routed_mentor).to_owned(),
            Some("principal") => t_string!(i18n, events.routed_principal).to_owned(),
            _ => t_string!(i18n, events.routing_failed).to_owned(),
        },
        "register" if detail.starts_with("read=") => {
            t_string!(i18n, events.register_read).to_owned()
        }
        "register" if detail == "decision" => t_string!(i18n, events.register_decision).to_owned(),
        "register" => t_string!(i18n, events.register).to_owned(),
        "journal" => match detail.strip_prefix("decision_letter=") {
            Some(number) => format::fill(
                t_string!(i18n, events.journal_letter),
                &[("number", number)],
            ),
            None => t_string!(i18n, events.journal).to_owned(),
        },
        "message" => match (
            detail.strip_prefix("sent="),
            detail.strip_prefix("not_sent="),
        ) {
            (Some(to), _) => format::fill(t_string!(i18n, events.email_sent), &[("to", to)]),
            (_, Some(to)) => format::fill(t_string!(i18n, events.email_not_sent), &[("to", to)]),
            _ => detail.to_owned(),
        },
        other if detail.is_empty() => other.to_owned(),
        other => format!("{other}: {detail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_details_are_read_by_key() {
        let detail = "owner=7e7abbea deadline=2026-12-01";
        assert_eq!(detail_value(detail, "owner"), Some("7e7abbea"));
        assert_eq!(detail_value(detail, "deadline"), Some("2026-12-01"));
        assert_eq!(detail_value(detail, "decider"), None);
        assert_eq!(
            detail_value("decider=mentor school_days=3", "decider"),
            Some("mentor")
        );
    }
}
