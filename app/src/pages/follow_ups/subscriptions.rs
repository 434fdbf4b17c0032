//! "Bevakningar": notify me when a case (of a type) is created for a pupil of one of my units.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::follow_ups::{NewSubscription, Subscription, SubscriptionEvent};
use uuid::Uuid;

use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, FieldErrors, FieldMessage, Loading};
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

fn problem(i18n: I18n, field: &str, code: &str) -> String {
    match field {
        "unit_id" => t_string!(i18n, follow_ups.problem.unit).to_owned(),
        "case_type" => t_string!(i18n, follow_ups.problem.case_type).to_owned(),
        _ => labels::field_problem(i18n, code).to_owned(),
    }
}

fn describe(i18n: I18n, subscription: &Subscription) -> String {
    let case_type = subscription
        .case_type_name
        .as_ref()
        .map(|names| labels::names(i18n, names))
        .unwrap_or_else(|| t_string!(i18n, follow_ups.any_case_type).to_owned());
    let unit = subscription
        .unit
        .as_ref()
        .map(|unit| unit.name.clone())
        .unwrap_or_else(|| t_string!(i18n, follow_ups.any_unit).to_owned());
    crate::format::fill(
        t_string!(i18n, follow_ups.subscription),
        &[("case_type", &case_type), ("unit", &unit)],
    )
}

#[component]
pub fn Subscriptions() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let mine = LocalResource::new(api::follow_ups::subscriptions);
    let case_types = LocalResource::new(api::follow_ups::subscription_case_types);
    let units = LocalResource::new(|| api::register::units(None));
    let errors = FieldErrors::new("subscription", problem);
    let case_type = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<&'static str>);
    let subscribe = Action::new_local(move |(csrf_token, new): &(String, NewSubscription)| {
        let (csrf_token, new) = (csrf_token.clone(), new.clone());
        async move {
            failure.set(None);
            match api::follow_ups::subscribe(&csrf_token, &new).await {
                Ok(_) => {
                    errors.clear();
                    done.set(Some(t_string!(i18n, follow_ups.subscribed)));
                    mine.refetch();
                }
                Err(error) => failure.set(errors.absorb(error)),
            }
        }
    });
    let unsubscribe = Action::new_local(move |(csrf_token, id): &(String, Uuid)| {
        let (csrf_token, id) = (csrf_token.clone(), *id);
        async move {
            failure.set(None);
            match api::follow_ups::unsubscribe(&csrf_token, id).await {
                Ok(()) => {
                    done.set(Some(t_string!(i18n, follow_ups.unsubscribed)));
                    mine.refetch();
                }
                Err(error) => failure.set(Some(error)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        if let Some(csrf_token) = session.csrf_token() {
            let case_type = Some(case_type.get_untracked()).filter(|c| !c.is_empty());
            let unit_id = Uuid::parse_str(&unit.get_untracked()).ok();
            subscribe.dispatch((
                csrf_token,
                NewSubscription {
                    event: SubscriptionEvent::CaseCreated,
                    case_type,
                    unit_id,
                },
            ));
        }
    };
    let pending = subscribe.pending();

    view! {
        <section>
            <h2 id="subscriptions-title">{t!(i18n, follow_ups.subscriptions)}</h2>
            <p>{t!(i18n, follow_ups.subscriptions_intro)}</p>
            <p class="status-message" role="status">{move || done.get()}</p>
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match mine.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="empty-state">{t!(i18n, follow_ups.no_subscriptions)}</p> }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="plain-list">
                                    {list
                                        .into_iter()
                                        .map(|subscription| {
                                            let id = subscription.id;
                                            let label = move || describe(i18n, &subscription);
                                            let text_id = format!("subscription-{id}");
                                            view! {
                                                <li>
                                                    <span id=text_id.clone()>{label}</span>
                                                    " "
                                                    <button
                                                        type="button"
                                                        class="button secondary small"
                                                        aria-describedby=text_id
                                                        on:click=move |_| {
                                                            if let Some(csrf_token) = session.csrf_token() {
                                                                unsubscribe.dispatch((csrf_token, id));
                                                            }
                                                        }
                                                    >
                                                        {t!(i18n, follow_ups.unsubscribe)}
                                                    </button>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Transition>
            <form class="stacked-form" novalidate aria-labelledby="subscriptions-title" on:submit=on_submit>
                <div class="field">
                    <label for="subscription-case_type">{t!(i18n, field.case_type)}</label>
                    <FieldMessage errors field="case_type" />
                    <select
                        id="subscription-case_type"
                        aria-invalid=errors.invalid("case_type")
                        aria-describedby=errors.described_by("case_type", false)
                        bind:value=case_type
                    >
                        <option value="">{t!(i18n, follow_ups.any_case_type)}</option>
                        <Transition>
                            {move || Suspend::new(async move {
                                case_types
                                    .await
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|option| {
                                        let name = option.name.clone();
                                        view! {
                                            <option value=option.code>{move || labels::names(i18n, &name)}</option>
                                        }
                                    })
                                    .collect_view()
                            })}
                        </Transition>
                    </select>
                </div>
                <div class="field">
                    <label for="subscription-unit_id">{t!(i18n, field.unit)}</label>
                    <FieldMessage errors field="unit_id" />
                    <select
                        id="subscription-unit_id"
                        aria-invalid=errors.invalid("unit_id")
                        aria-describedby=errors.described_by("unit_id", false)
                        bind:value=unit
                    >
                        <option value="">{t!(i18n, follow_ups.any_unit)}</option>
                        <Transition>
                            {move || Suspend::new(async move {
                                units
                                    .await
                                    .map(|page| page.items)
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|unit| {
                                        view! {
                                            <option value=unit.id.to_string()>
                                                {format!("{} – {}", unit.school.name, unit.name)}
                                            </option>
                                        }
                                    })
                                    .collect_view()
                            })}
                        </Transition>
                    </select>
                </div>
                <button type="submit" class="button secondary" disabled=pending>
                    {t!(i18n, follow_ups.subscribe)}
                </button>
            </form>
        </section>
    }
}
