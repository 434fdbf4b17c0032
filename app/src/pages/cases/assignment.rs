//! Distribution: a distributor makes a case worker owner, with an advisory deadline.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::FieldError;
use shared::cases::{AssignmentRequest, CaseDetail, CaseOwnerOption};
use uuid::Uuid;

use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, ErrorSummary, FieldErrors, FieldMessage};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

const FIELDS: &[&str] = &["owner_id", "deadline"];

fn problem(i18n: I18n, field: &str, code: &str) -> String {
    match (field, code) {
        ("owner_id", _) => t_string!(i18n, assignment.problem.owner),
        ("deadline", "in_past") => t_string!(i18n, assignment.problem.deadline_in_past),
        ("deadline", _) => t_string!(i18n, assignment.problem.deadline_invalid),
        (_, code) => labels::field_problem(i18n, code),
    }
    .to_owned()
}

/// The owner and deadline form for one case; `on_assigned` gets the case as it is now.
#[component]
pub fn AssignForm(
    case_id: Uuid,
    /// The case number, which names the form and its button among several on one page.
    number: String,
    owners: Vec<CaseOwnerOption>,
    #[prop(into)] on_assigned: Callback<CaseDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let errors = FieldErrors::new(format!("assign-{case_id}"), problem);
    let owner = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let assign = Action::new_local(move |(csrf_token, request): &(String, AssignmentRequest)| {
        let (csrf_token, request) = (csrf_token.clone(), request.clone());
        async move {
            failure.set(None);
            match api::cases::assign(&csrf_token, case_id, &request).await {
                Ok(detail) => {
                    errors.clear();
                    on_assigned.run(detail);
                }
                Err(error) => failure.set(errors.absorb(error)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        let owner_id = Uuid::parse_str(&owner.get_untracked()).ok();
        if owner_id.is_none() {
            problems.push(FieldError::new(
                "owner_id",
                "required",
                "choose a case worker",
            ));
        }
        let deadline = match deadline.get_untracked().trim() {
            "" => None,
            text => match text.parse() {
                Ok(day) if day < format::today() => {
                    problems.push(FieldError::new("deadline", "in_past", "in the past"));
                    None
                }
                Ok(day) => Some(day),
                Err(_) => {
                    problems.push(FieldError::new("deadline", "invalid_date", "not a date"));
                    None
                }
            },
        };
        match (owner_id, session.csrf_token()) {
            (Some(owner_id), Some(csrf_token)) if problems.is_empty() => {
                errors.clear();
                assign.dispatch((csrf_token, AssignmentRequest { owner_id, deadline }));
            }
            _ => errors.show(problems),
        }
    };
    let owner_id = errors.id("owner_id");
    let deadline_id = errors.id("deadline");
    let min_date = format::date(format::today());
    let pending = assign.pending();
    let form_name = {
        let number = number.clone();
        move || {
            format::fill(
                t_string!(i18n, assignment.form_name),
                &[("number", &number)],
            )
        }
    };

    view! {
        <form class="inline-form" novalidate aria-label=form_name on:submit=on_submit>
            <ErrorSummary errors fields=FIELDS />
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
            <div class="field-row">
                <div class="field">
                    <label for=owner_id.clone()>{t!(i18n, assignment.owner)}</label>
                    <FieldMessage errors field="owner_id" />
                    <select
                        id=owner_id
                        required
                        aria-invalid=errors.invalid("owner_id")
                        aria-describedby=errors.described_by("owner_id", false)
                        bind:value=owner
                    >
                        <option value="">{t!(i18n, assignment.choose_owner)}</option>
                        {owners
                            .into_iter()
                            .map(|option| {
                                view! { <option value=option.id.to_string()>{option.name}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=deadline_id.clone()>{t!(i18n, assignment.deadline)}</label>
                    <p class="hint" id=format!("{deadline_id}-hint")>
                        {t!(i18n, assignment.deadline_hint)}
                    </p>
                    <FieldMessage errors field="deadline" />
                    <input
                        id=deadline_id.clone()
                        type="date"
                        min=min_date
                        aria-invalid=errors.invalid("deadline")
                        aria-describedby=errors.described_by("deadline", true)
                        bind:value=deadline
                    />
                </div>
            </div>
            <button type="submit" class="button" disabled=pending>
                {move || {
                    if pending.get() {
                        t!(i18n, assignment.submitting).into_any()
                    } else {
                        t!(i18n, assignment.submit).into_any()
                    }
                }}
                <span class="visually-hidden">" "{number}</span>
            </button>
        </form>
    }
}
