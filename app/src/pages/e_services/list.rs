//! "E-tjänster": the published e-services, each a card that leads to its form.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::e_services::EServiceSummary;

use crate::api;
use crate::components::{ErrorAlert, Loading, use_page_title};
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;

/// `/e-services`.
#[component]
pub fn EServicesPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, e_services.title).to_owned());
    let services = LocalResource::new(api::e_services::list);

    view! {
        <h1>{t!(i18n, e_services.title)}</h1>
        <p class="lead">{t!(i18n, e_services.intro)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match services.await {
                    Ok(services) if services.is_empty() => {
                        view! { <p class="empty-state">{t!(i18n, e_services.empty)}</p> }
                            .into_any()
                    }
                    Ok(services) => {
                        view! {
                            <ul class="cards e-service-list">
                                {services
                                    .into_iter()
                                    .map(|service| view! { <EServiceCard service /> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One e-service: its title as the link (so the link says where it goes) and what it is for.
#[component]
fn EServiceCard(service: EServiceSummary) -> impl IntoView {
    let i18n = use_i18n();
    let EServiceSummary {
        code,
        title,
        description,
        ..
    } = service;
    let description = description.filter(|description| {
        !(description.sv.trim().is_empty() && description.en.trim().is_empty())
    });
    view! {
        <li class="card e-service-card">
            <h2 class="card-title">
                <A href=format!("/e-services/{code}")>{move || labels::names(i18n, &title)}</A>
            </h2>
            {description
                .map(|description| view! { <p>{move || labels::names(i18n, &description)}</p> })}
        </li>
    }
}
