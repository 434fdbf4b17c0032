use leptos::prelude::*;
use shared::cases::CaseDocument;
use uuid::Uuid;

use crate::api;
use crate::format;
use crate::i18n::{t, use_i18n};

/// A case's documents as download links (the browser saves them; the router leaves links
/// with `download` alone), each with its document number, type and size.
#[component]
pub fn DocumentList(case_id: Uuid, documents: Vec<CaseDocument>) -> impl IntoView {
    let i18n = use_i18n();
    if documents.is_empty() {
        return view! { <p class="empty-state">{t!(i18n, documents.empty)}</p> }.into_any();
    }
    view! {
        <ul class="documents">
            {documents
                .into_iter()
                .map(|document| {
                    let href = api::cases::document_href(case_id, document.id);
                    let kind = file_kind(&document.media_type);
                    let size = document.size;
                    view! {
                        <li>
                            // The server titles documents in Swedish whatever the reader's language.
                            <a href=href download=document.file_name lang="sv">
                                {document.title}
                            </a>
                            <span class="meta">
                                {document.number}" · "{kind}" · "
                                {move || format::file_size(size, i18n.get_locale())}" · "
                                {format::date_time(document.created_at)}
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

fn file_kind(media_type: &str) -> String {
    match media_type {
        "application/pdf" => "PDF".to_owned(),
        "image/jpeg" => "JPEG".to_owned(),
        "image/png" => "PNG".to_owned(),
        other => other.to_owned(),
    }
}
