//! Notes on a case: internal ones for staff, public ones the applicant sees too.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::FieldError;
use shared::cases::{CaseNote, NoteRequest, TEXT_MAX_CHARS};

use super::case::{CaseState, Done};
use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, ErrorSummary, FieldErrors, FieldMessage};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

fn problem(i18n: I18n, field: &str, code: &str) -> String {
    match (field, code) {
        ("body", "required") => t_string!(i18n, notes.problem.required).to_owned(),
        (_, "too_long") => format::fill(
            t_string!(i18n, problem.text_too_long),
            &[("max", &TEXT_MAX_CHARS.to_string())],
        ),
        (_, code) => labels::field_problem(i18n, code).to_owned(),
    }
}

fn check(body: &str, internal: bool) -> Result<NoteRequest, Vec<FieldError>> {
    let body = body.trim();
    if body.is_empty() {
        return Err(vec![FieldError::new("body", "required", "write a note")]);
    }
    if body.chars().count() > TEXT_MAX_CHARS {
        return Err(vec![FieldError::new("body", "too_long", "too long")]);
    }
    Ok(NoteRequest {
        body: body.to_owned(),
        internal,
    })
}

/// "Anteckningar": the notes, and a form to add one when the reader may.
#[component]
pub fn Notes(state: CaseState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section>
            <h2>{t!(i18n, notes.title)}</h2>
            {move || {
                let notes = state.case.get().notes;
                if notes.is_empty() {
                    view! { <p class="empty-state">{t!(i18n, notes.empty)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="notes">
                            {notes.into_iter().map(|note| view! { <Note note /> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <Show when=move || state.case.read().actions.add_note>
                <NoteForm state />
            </Show>
        </section>
    }
}

#[component]
fn Note(note: CaseNote) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li class="card">
            <p class="meta">
                {note.author.name}" · "{format::date_time(note.created_at)}" "
                {if note.internal {
                    view! { <span class="badge">{t!(i18n, notes.internal_badge)}</span> }.into_any()
                } else {
                    view! { <span class="badge public">{t!(i18n, notes.public_badge)}</span> }
                        .into_any()
                }}
            </p>
            <p class="prose">{note.body}</p>
        </li>
    }
}

#[component]
fn NoteForm(state: CaseState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let errors = FieldErrors::new("note", problem);
    let body = RwSignal::new(String::new());
    // Internal unless the handler means the applicant to read it.
    let internal = RwSignal::new(true);
    let failure = RwSignal::new(None::<ApiError>);
    let add = Action::new_local(move |(csrf_token, request): &(String, NoteRequest)| {
        let (csrf_token, request) = (csrf_token.clone(), request.clone());
        async move {
            failure.set(None);
            match api::cases::add_note(&csrf_token, state.id(), &request).await {
                Ok(detail) => {
                    errors.clear();
                    body.set(String::new());
                    internal.set(true);
                    state.update(detail, Done::Noted);
                }
                Err(error) => failure.set(errors.absorb(error)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match (
            check(&body.get_untracked(), internal.get_untracked()),
            session.csrf_token(),
        ) {
            (Ok(request), Some(csrf_token)) => {
                errors.clear();
                add.dispatch((csrf_token, request));
            }
            (Ok(_), None) => {}
            (Err(problems), _) => errors.show(problems),
        }
    };
    let pending = add.pending();

    view! {
        <form class="stacked-form" novalidate on:submit=on_submit>
            <h3>{t!(i18n, notes.add_title)}</h3>
            <ErrorSummary errors fields=&["body"] />
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
            <div class="field">
                <label for="note-body">{t!(i18n, notes.body)}</label>
                <FieldMessage errors field="body" />
                <textarea
                    id="note-body"
                    rows="4"
                    required
                    aria-invalid=errors.invalid("body")
                    aria-describedby=errors.described_by("body", true)
                    bind:value=body
                ></textarea>
                <p class="hint sensitive-hint" id="note-body-hint">
                    {t!(i18n, notes.sensitive_hint)}
                </p>
            </div>
            <div class="choice">
                <input type="checkbox" id="note-internal" bind:checked=internal />
                <label for="note-internal">{t!(i18n, notes.internal)}</label>
            </div>
            <button type="submit" class="button" disabled=pending>
                {t!(i18n, notes.submit)}
            </button>
        </form>
    }
}
