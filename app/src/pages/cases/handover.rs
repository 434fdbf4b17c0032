//! Handing a case over: the owner passes it, with a note, to a person who may handle or decide
//! it, or to a team (the case goes back to the distribution queue). Shown to every owner of an
//! open case, and first on the page when the owner may not decide the case themselves.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared::api::FieldError;
use shared::cases::{HANDOVER_NOTE_MAX_CHARS, HandoverOptions, HandoverRequest};
use uuid::Uuid;

use super::case::{CaseState, Done};
use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, ErrorSummary, FieldErrors, FieldMessage, Loading};
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

const FIELDS: &[&str] = &["to_person_id", "to_team_id", "note"];

fn problem(i18n: I18n, field: &str, code: &str) -> String {
    match (field, code) {
        ("to_person_id" | "to_team_id", "not_handler") => {
            t_string!(i18n, handover.problem.not_handler)
        }
        ("to_person_id" | "to_team_id", _) => t_string!(i18n, handover.problem.recipient),
        ("note", "too_long") => t_string!(i18n, problem.text_too_long),
        ("note", _) => t_string!(i18n, handover.problem.note),
        (_, code) => labels::field_problem(i18n, code),
    }
    .to_owned()
}

/// The request from the chosen recipient (`person:<id>` or `team:<id>`) and the note.
fn check(recipient: &str, note: &str) -> Result<HandoverRequest, Vec<FieldError>> {
    let mut problems = Vec::new();
    let (to_person_id, to_team_id) = match recipient.split_once(':') {
        Some(("person", id)) => (Uuid::parse_str(id).ok(), None),
        Some(("team", id)) => (None, Uuid::parse_str(id).ok()),
        _ => (None, None),
    };
    if to_person_id.is_none() && to_team_id.is_none() {
        problems.push(FieldError::new("to_person_id", "required", "choose whom"));
    }
    let note = note.trim();
    if note.is_empty() {
        problems.push(FieldError::new("note", "required", "write a note"));
    } else if note.chars().count() > HANDOVER_NOTE_MAX_CHARS {
        problems.push(FieldError::new("note", "too_long", "too long"));
    }
    if problems.is_empty() {
        Ok(HandoverRequest {
            to_person_id,
            to_team_id,
            note: note.to_owned(),
        })
    } else {
        Err(problems)
    }
}

#[component]
pub fn HandoverForm(state: CaseState) -> impl IntoView {
    let i18n = use_i18n();
    let options = LocalResource::new(move || api::cases::handover_options(state.id()));
    view! {
        <p>{t!(i18n, handover.intro)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(options) => view! { <HandoverFields state options /> }.into_any(),
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn HandoverFields(state: CaseState, options: HandoverOptions) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let errors = FieldErrors::new("handover", problem);
    let recipient = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let hand_over = Action::new_local(move |(csrf_token, request): &(String, HandoverRequest)| {
        let (csrf_token, request) = (csrf_token.clone(), request.clone());
        let navigate = navigate.clone();
        async move {
            failure.set(None);
            match api::cases::hand_over(&csrf_token, state.id(), &request).await {
                Ok(Some(detail)) => {
                    errors.clear();
                    state.update(detail, Done::HandedOver);
                }
                // Out of the former owner's reach now: back to their own list.
                Ok(None) => navigate("/cases", Default::default()),
                Err(error) => failure.set(errors.absorb(error)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match (
            check(&recipient.get_untracked(), &note.get_untracked()),
            session.csrf_token(),
        ) {
            (Ok(request), Some(csrf_token)) => {
                errors.clear();
                hand_over.dispatch((csrf_token, request));
            }
            (Err(problems), _) => errors.show(problems),
            (Ok(_), None) => {}
        }
    };
    let pending = hand_over.pending();
    let HandoverOptions { persons, teams } = options;
    view! {
        <form class="stacked-form" novalidate on:submit=on_submit>
            <ErrorSummary errors fields=FIELDS />
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
            <div class="field">
                <label for="handover-to_person_id">{t!(i18n, handover.recipient)}</label>
                <FieldMessage errors field="to_person_id" />
                <FieldMessage errors field="to_team_id" />
                <select
                    id="handover-to_person_id"
                    required
                    aria-invalid=errors.invalid("to_person_id")
                    aria-describedby=errors.described_by("to_person_id", false)
                    bind:value=recipient
                >
                    <option value="">{t!(i18n, handover.choose)}</option>
                    <optgroup label=move || t_string!(i18n, handover.persons)>
                        {persons
                            .into_iter()
                            .map(|person| {
                                let name = person.name.clone();
                                let may_decide = person.may_decide;
                                view! {
                                    <option value=format!("person:{}", person.id)>
                                        {move || {
                                            if may_decide {
                                                format!(
                                                    "{name} – {}",
                                                    t_string!(i18n, handover.may_decide),
                                                )
                                            } else {
                                                name.clone()
                                            }
                                        }}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </optgroup>
                    <optgroup label=move || t_string!(i18n, handover.teams)>
                        {teams
                            .into_iter()
                            .map(|team| {
                                view! {
                                    <option value=format!("team:{}", team.id)>{team.name}</option>
                                }
                            })
                            .collect_view()}
                    </optgroup>
                </select>
            </div>
            <div class="field">
                <label for="handover-note">{t!(i18n, handover.note)}</label>
                <p class="hint" id="handover-note-hint">{t!(i18n, handover.note_hint)}</p>
                <FieldMessage errors field="note" />
                <textarea
                    id="handover-note"
                    rows="3"
                    required
                    aria-invalid=errors.invalid("note")
                    aria-describedby=errors.described_by("note", true)
                    bind:value=note
                ></textarea>
            </div>
            <button type="submit" class="button" disabled=pending>
                {t!(i18n, handover.submit)}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handover_names_one_recipient_and_has_a_note() {
        let id = Uuid::nil();
        let problems = check("", " ").unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["to_person_id", "note"]);
        let to_person = check(&format!("person:{id}"), " Rektor beslutar. ").unwrap();
        assert_eq!(
            (
                to_person.to_person_id,
                to_person.to_team_id,
                to_person.note.as_str()
            ),
            (Some(id), None, "Rektor beslutar.")
        );
        let to_team = check(&format!("team:{id}"), "x").unwrap();
        assert_eq!((to_team.to_person_id, to_team.to_team_id), (None, Some(id)));
        assert!(check("team:not-an-id", "x").is_err());
    }
}
