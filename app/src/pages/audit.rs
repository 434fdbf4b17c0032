//! "Vem har läst mina uppgifter?": the access log of the signed-in person or of a child they
//! are a guardian of (GDPR art. 15), as a table and as a PDF.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use shared::audit::AccessLogExtract;
use shared::auth::Role;
use uuid::Uuid;

use crate::api;
use crate::components::{DataTable, ErrorAlert, Loading, use_page_title};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

/// `/my/access-log?person=`.
#[component]
pub fn AccessLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    use_page_title(move || t_string!(i18n, access_log.title).to_owned());
    let params = use_query_map();
    let person = Memo::new(move |_| {
        params
            .read()
            .get("person")
            .and_then(|p| Uuid::parse_str(&p).ok())
    });
    let extract = LocalResource::new(move || api::audit::access_log(person.get()));
    let guardian = move || {
        session
            .me()
            .is_some_and(|me| me.roles.contains(&Role::Guardian))
    };
    let children = LocalResource::new(move || {
        let guardian = guardian();
        async move {
            if guardian {
                api::register::pupils(None, None)
                    .await
                    .map(|page| page.items)
                    .unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });

    view! {
        <h1>{t!(i18n, access_log.title)}</h1>
        <p class="lead">{t!(i18n, access_log.intro)}</p>
        <Show when=guardian>
            <Form method="GET" action="/my/access-log" noscroll=true>
                <div class="filters">
                    <div class="field">
                        <label for="access-log-person">{t!(i18n, access_log.whose)}</label>
                        <select id="access-log-person" name="person">
                            <option value="" selected=move || person.get().is_none()>
                                {t!(i18n, access_log.me)}
                            </option>
                            <Transition>
                                {move || Suspend::new(async move {
                                    children
                                        .await
                                        .into_iter()
                                        .map(|child| {
                                            let name = match (child.given_name, child.family_name) {
                                                (Some(given), Some(family)) => format!("{given} {family}"),
                                                _ => t_string!(i18n, masked).to_owned(),
                                            };
                                            let id = child.id;
                                            view! {
                                                <option
                                                    value=id.to_string()
                                                    selected=move || person.get() == Some(id)
                                                >
                                                    {name}
                                                </option>
                                            }
                                        })
                                        .collect_view()
                                })}
                            </Transition>
                        </select>
                    </div>
                    <div class="button-row">
                        <button type="submit" class="button">
                            {t!(i18n, access_log.show)}
                        </button>
                    </div>
                </div>
            </Form>
        </Show>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match extract.await {
                    Ok(extract) => view! { <Extract extract person=person.get_untracked() /> }.into_any(),
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Extract(extract: AccessLogExtract, person: Option<Uuid>) -> impl IntoView {
    let i18n = use_i18n();
    let name = extract.person.name.clone();
    let caption = Signal::derive(move || {
        format::fill(t_string!(i18n, access_log.caption), &[("name", &name)])
    });
    let pdf = api::audit::access_log_pdf_href(person);
    let entries = extract.entries;
    view! {
        <p>
            <a href=pdf download="">{t!(i18n, access_log.pdf)}</a>
        </p>
        {if entries.is_empty() {
            view! { <p class="empty-state">{t!(i18n, access_log.empty)}</p> }.into_any()
        } else {
            view! {
                <DataTable caption>
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, access_log.when)}</th>
                            <th scope="col">{t!(i18n, access_log.who)}</th>
                            <th scope="col">{t!(i18n, access_log.what)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {entries
                            .into_iter()
                            .rev()
                            .map(|entry| {
                                let what = entry.what;
                                view! {
                                    <tr>
                                        <td class="nowrap">{format::date_time(entry.at)}</td>
                                        <td>{entry.reader.name}</td>
                                        <td>{move || labels::names(i18n, &what)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </DataTable>
            }
                .into_any()
        }}
    }
}
