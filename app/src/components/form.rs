use leptos::ev::MouseEvent;
use leptos::prelude::*;
use shared::api::FieldError;
use wasm_bindgen::JsCast;

use crate::I18n;
use crate::api::ApiError;
use crate::i18n::{t, use_i18n};

/// What is wrong with a form's fields, from the app's own checks or the server's 422, each
/// translated by its field and code. Inputs are named by convention: the input of `field` has
/// the id `{prefix}-{field}`, its hint `{prefix}-{field}-hint` and its message
/// `{prefix}-{field}-error`.
#[derive(Clone, Copy)]
pub struct FieldErrors {
    problems: RwSignal<Vec<FieldError>>,
    /// Bumped on every failed submit, so the summary takes focus again.
    attempts: RwSignal<u32>,
    prefix: StoredValue<String>,
    describe: fn(I18n, &str, &str) -> String,
}

impl FieldErrors {
    /// `prefix` must be unique on the page (one per form).
    pub fn new(prefix: impl Into<String>, describe: fn(I18n, &str, &str) -> String) -> Self {
        Self {
            problems: RwSignal::new(Vec::new()),
            attempts: RwSignal::new(0),
            prefix: StoredValue::new(prefix.into()),
            describe,
        }
    }

    /// Shows these problems (an empty list clears the form).
    pub fn show(&self, problems: Vec<FieldError>) {
        let failed = !problems.is_empty();
        self.problems.set(problems);
        if failed {
            self.attempts.update(|n| *n += 1);
        }
    }

    pub fn clear(&self) {
        self.problems.set(Vec::new());
    }

    /// Shows a 422's field problems; any other failure is given back for an [`ErrorAlert`].
    ///
    /// [`ErrorAlert`]: crate::components::ErrorAlert
    pub fn absorb(&self, error: ApiError) -> Option<ApiError> {
        if error.status == 422 && !error.error.fields.is_empty() {
            self.show(error.error.fields);
            None
        } else {
            self.clear();
            Some(error)
        }
    }

    pub fn id(&self, field: &str) -> String {
        self.prefix.with_value(|prefix| format!("{prefix}-{field}"))
    }

    /// The first problem with `field`, translated (tracked).
    pub fn message(&self, i18n: I18n, field: &str) -> Option<String> {
        let describe = self.describe;
        self.problems.with(|problems| {
            problems
                .iter()
                .find(|problem| problem.field == field)
                .map(|problem| describe(i18n, &problem.field, &problem.code))
        })
    }

    pub fn has(&self, field: &str) -> bool {
        self.problems
            .with(|problems| problems.iter().any(|problem| problem.field == field))
    }

    /// `aria-invalid` for the input of `field`.
    pub fn invalid(&self, field: &'static str) -> impl Fn() -> Option<&'static str> + use<> {
        let errors = *self;
        move || errors.has(field).then_some("true")
    }

    /// `aria-describedby` for the input of `field`: its hint, if it has one, and its message
    /// while there is one.
    pub fn described_by(
        &self,
        field: &'static str,
        hint: bool,
    ) -> impl Fn() -> Option<String> + use<> {
        let errors = *self;
        move || {
            let id = errors.id(field);
            let mut ids = Vec::new();
            if hint {
                ids.push(format!("{id}-hint"));
            }
            if errors.has(field) {
                ids.push(format!("{id}-error"));
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    }
}

/// The message under an input while its field has a problem.
#[component]
pub fn FieldMessage(errors: FieldErrors, field: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        errors.message(i18n, field).map(|message| {
            view! {
                <p class="field-error" id=format!("{}-error", errors.id(field))>
                    <span class="visually-hidden">{t!(i18n, form.error_prefix)}" "</span>
                    {message}
                </p>
            }
        })
    }
}

/// "Det finns fel i formuläret": every problem, each linking to its input, announced and
/// focused after a failed submit. `fields` are the fields that have an input to go to.
#[component]
pub fn ErrorSummary(errors: FieldErrors, fields: &'static [&'static str]) -> impl IntoView {
    let i18n = use_i18n();
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if errors.attempts.get() > 0
            && let Some(summary) = summary.get()
        {
            let _ = summary.focus();
        }
    });
    let items = move || {
        errors.problems.with(|problems| {
            let mut seen: Vec<&str> = Vec::new();
            problems
                .iter()
                .filter(|problem| {
                    let first = !seen.contains(&problem.field.as_str());
                    seen.push(&problem.field);
                    first
                })
                .map(|problem| {
                    let message = (errors.describe)(i18n, &problem.field, &problem.code);
                    if fields.contains(&problem.field.as_str()) {
                        let id = errors.id(&problem.field);
                        let href = format!("#{id}");
                        // The router takes over in-page links; move focus to the input here.
                        let go = move |ev: MouseEvent| {
                            ev.prevent_default();
                            focus_element(&id);
                        };
                        view! {
                            <li>
                                <a href=href on:click=go>
                                    {message}
                                </a>
                            </li>
                        }
                        .into_any()
                    } else {
                        view! { <li>{message}</li> }.into_any()
                    }
                })
                .collect_view()
        })
    };

    view! {
        <Show when=move || !errors.problems.read().is_empty()>
            <div class="alert error-summary" role="alert" tabindex="-1" node_ref=summary>
                <p class="alert-title">{t!(i18n, form.summary_title)}</p>
                <ul>{items}</ul>
            </div>
        </Show>
    }
}

/// Moves keyboard focus to the element with this id, if it is on the page.
pub fn focus_element(id: &str) {
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
