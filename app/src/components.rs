//! Pieces several pages share.

mod decision;
mod documents;
mod error_alert;
mod facts;
mod form;
mod paged;
mod pupil_name;
mod record;
mod table;

pub use decision::DecisionFacts;
pub use documents::DocumentList;
pub use error_alert::ErrorAlert;
pub use facts::ProcessFacts;
pub use form::{ErrorSummary, FieldErrors, FieldMessage, focus_element};
pub use paged::Paged;
pub use pupil_name::{PupilName, summary_name};
pub use record::{RecordPage, use_record};
pub use table::DataTable;

use leptos::prelude::*;

use crate::i18n::{t, t_string, use_i18n};

/// Keeps `document.title` at "<text> – Skolflyt" in the current language while the calling
/// page is shown.
pub fn use_page_title(text: impl Fn() -> String + 'static) {
    let i18n = use_i18n();
    Effect::new(move |_| {
        document().set_title(&format!("{} – {}", text(), t_string!(i18n, product)));
    });
}

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="loading" role="status">
            {t!(i18n, loading)}
        </p>
    }
}

/// A heading whose level depends on where the piece sits on the page (`h2`–`h4`).
#[component]
pub fn Heading(level: u8, children: Children) -> impl IntoView {
    match level {
        ..=2 => view! { <h2>{children()}</h2> }.into_any(),
        3 => view! { <h3>{children()}</h3> }.into_any(),
        _ => view! { <h4>{children()}</h4> }.into_any(),
    }
}
