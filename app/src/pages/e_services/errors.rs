//! What is wrong with an e-service's answers, shown as the leave form shows its problems (an
//! error summary that takes focus, a message above each input), but keyed by the definition's
//! field keys, which are data rather than `&'static str`, and worded by
//! `shared::e_services::localise`, so the browser's and the server's refusals read the same.

use std::sync::Arc;

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use shared::api::FieldError;
use shared::e_services::{EServiceDefinition, Lang, localise};

use crate::I18n;
use crate::i18n::{Locale, t, use_i18n};

/// The id of the input (or the first input of a group) that answers `key`; its hint is
/// `{id}-hint` and its message `{id}-error`, as in `components::FieldErrors`.
pub fn input_id(key: &str) -> String {
    format!("es-{key}")
}

/// The language of the definition's texts and `localise`'s messages.
pub fn lang(i18n: I18n) -> Lang {
    match i18n.get_locale() {
        Locale::sv => Lang::Sv,
        Locale::en => Lang::En,
    }
}

/// The problems of the answers on screen, from the runner's own `validate` or the server's 422.
#[derive(Clone, Copy)]
pub struct AnswerErrors {
    problems: RwSignal<Vec<FieldError>>,
    /// Bumped on every failed "Next" or submit, so the summary takes focus again.
    attempts: RwSignal<u32>,
    definition: StoredValue<Arc<EServiceDefinition>>,
}

impl AnswerErrors {
    pub fn new(definition: Arc<EServiceDefinition>) -> Self {
        Self {
            problems: RwSignal::new(Vec::new()),
            attempts: RwSignal::new(0),
            definition: StoredValue::new(definition),
        }
    }

    /// Shows these problems and moves focus to the summary (an empty list clears them).
    pub fn show(&self, problems: Vec<FieldError>) {
        let failed = !problems.is_empty();
        self.problems.set(problems);
        if failed {
            self.attempts.update(|n| *n += 1);
        }
    }

    /// Shows a problem with one field at once, without moving focus: a file that was refused
    /// when it was picked, while the person is still at the file input.
    pub fn show_in_place(&self, problem: FieldError) {
        self.problems.update(|problems| {
            problems.retain(|known| known.field != problem.field);
            problems.push(problem);
        });
    }

    /// Forgets the problems of one field, e.g. once a new file has been picked for it.
    pub fn forget(&self, key: &str) {
        if self.has_untracked(key) {
            self.problems
                .update(|problems| problems.retain(|problem| problem.field != key));
        }
    }

    pub fn clear(&self) {
        self.problems.set(Vec::new());
    }

    /// Whether nothing is wrong (untracked), e.g. to leave focus to the summary when something is.
    pub fn is_empty_untracked(&self) -> bool {
        self.problems.with_untracked(Vec::is_empty)
    }

    /// Whether `key` has a problem (tracked).
    pub fn has(&self, key: &str) -> bool {
        self.problems
            .with(|problems| problems.iter().any(|problem| problem.field == key))
    }

    fn has_untracked(&self, key: &str) -> bool {
        self.problems
            .with_untracked(|problems| problems.iter().any(|problem| problem.field == key))
    }

    /// The first problem with `key`, in the current language (tracked).
    pub fn message(&self, i18n: I18n, key: &str) -> Option<String> {
        let lang = lang(i18n);
        self.problems.with(|problems| {
            let problem = problems.iter().find(|problem| problem.field == key)?;
            Some(
                self.definition
                    .with_value(|definition| localise(definition, problem, lang)),
            )
        })
    }

    /// `aria-invalid` for the input of `key`.
    pub fn invalid(&self, key: &str) -> impl Fn() -> Option<&'static str> + use<> {
        let errors = *self;
        let key = key.to_owned();
        move || errors.has(&key).then_some("true")
    }

    /// `aria-describedby` for the input of `key`: its hint, if it has one, and its message
    /// while there is one.
    pub fn described_by(&self, key: &str, hint: bool) -> impl Fn() -> Option<String> + use<> {
        let errors = *self;
        let key = key.to_owned();
        move || {
            let id = input_id(&key);
            let mut ids = Vec::new();
            if hint {
                ids.push(format!("{id}-hint"));
            }
            if errors.has(&key) {
                ids.push(format!("{id}-error"));
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    }
}

/// The message above an input while its field has a problem.
#[component]
pub fn AnswerMessage(errors: AnswerErrors, key: String) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{}-error", input_id(&key));
    move || {
        errors.message(i18n, &key).map(|message| {
            view! {
                <p class="field-error" id=id.clone()>
                    <span class="visually-hidden">{t!(i18n, form.error_prefix)}" "</span>
                    {message}
                </p>
            }
        })
    }
}

/// "Det finns fel i formuläret": each problem once, linking to its input when that input is
/// on this step (`on_screen`, which changes as answers show or hide questions), announced and
/// focused after a failed "Next" or submit.
#[component]
pub fn AnswerSummary(
    errors: AnswerErrors,
    #[prop(into)] on_screen: Signal<Vec<String>>,
) -> impl IntoView {
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
        let lang = lang(i18n);
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
                    // The summary stands apart from the inputs: it names the question too.
                    let message = errors.definition.with_value(|definition| {
                        let message = localise(definition, problem, lang);
                        match definition.field(&problem.field) {
                            Some(field) => {
                                let label = match lang {
                                    Lang::Sv => &field.label.sv,
                                    Lang::En => &field.label.en,
                                };
                                format!("{label}: {message}")
                            }
                            None => message,
                        }
                    });
                    let linked = on_screen.with(|keys| keys.contains(&problem.field));
                    if linked {
                        let id = input_id(&problem.field);
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

pub use crate::components::focus_element;
