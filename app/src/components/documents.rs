use leptos::prelude::*;
use shared::cases::CaseDocument;
use uuid::Uuid;

use crate::api;
use crate::format;
use crate::i18n::{t, use_i18n};

/// A case's documents as download links (the browser saves them; the router leaves links
/// with `download` alone), each with its document number, type and size.
#[component]
pub fn DocumentList(
    case_id: Uuid,
    documents: Vec<CaseDocument>,
    /// The case's subject is masked for the reader: the documents are listed, not opened.
    #[prop(optional)]
    screened: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    if documents.is_empty() {
        return view! { <p class="empty-state">{t!(i18n, documents.empty)}</p> }.into_any();
    }
    view! {
        {screened.then(|| view! { <p class="hint">{t!(i18n, documents.screened)}</p> })}
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
                            {if screened {
                                view! { <span lang="sv">{document.title}</span> }.into_any()
                            } else {
                                view! {
                                    <a href=href download=document.file_name lang="sv">
                                        {document.title}
                                    </a>
                                }
                                    .into_any()
                            }}
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
