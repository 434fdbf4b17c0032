//! "Fördelningskö": new cases without an owner, each with its distribution form.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::cases::{CaseDetail, CaseOwnerOption, CaseSummary};

use super::assignment::AssignForm;
use super::{DueDate, Subject};
use crate::api;
use crate::api::cases::{CaseQuery, CaseView};
use crate::components::{ErrorAlert, Heading, Loading, Paged, use_page_title};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;

/// `/cases/queue`.
#[component]
pub fn QueuePage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, queue.title).to_owned());
    view! {
        <h1>{t!(i18n, queue.title)}</h1>
        <p class="lead">{t!(i18n, queue.intro)}</p>
        <Queue level=2 />
    }
}

/// The queue, oldest due date first; `level` is the level of each case's heading.
#[component]
pub fn Queue(level: u8) -> impl IntoView {
    let i18n = use_i18n();
    let owners = LocalResource::new(api::cases::owners);
    // Bumped by each distribution, so the list loads again without the case.
    let version = RwSignal::new(0_u32);
    let assigned = RwSignal::new(None::<CaseDetail>);
    let on_assigned = move |detail: CaseDetail| {
        assigned.set(Some(detail));
        version.update(|version| *version += 1);
    };
    let announcement = move || {
        assigned.get().map(|detail| {
            let owner = detail.summary.owner.map(|owner| owner.name);
            format::fill(
                t_string!(i18n, queue.assigned),
                &[
                    ("number", &detail.summary.number.to_string()),
                    ("owner", owner.as_deref().unwrap_or_default()),
                ],
            )
        })
    };

    view! {
        <p class="status-message" role="status">
            {announcement}
        </p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match owners.await {
                    Ok(owners) => {
                        view! {
                            <Paged
                                fetch=move |cursor| {
                                    version.track();
                                    let query = CaseQuery::new(CaseView::Queue);
                                    async move { api::cases::cases(&query, cursor).await }
                                }
                                empty=move || t_string!(i18n, queue.empty)
                                render=move |cases| {
                                    let owners = owners.clone();
                                    view! {
                                        <ul class="cards">
                                            <For each=move || cases.get() key=|case| case.id let:case>
                                                <QueueItem
                                                    case
                                                    owners=owners.clone()
                                                    level
                                                    on_assigned
                                                />
                                            </For>
                                        </ul>
                                    }
                                }
                            />
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn QueueItem(
    case: CaseSummary,
    owners: Vec<CaseOwnerOption>,
    level: u8,
    #[prop(into)] on_assigned: Callback<CaseDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let CaseSummary {
        id,
        number,
        case_type_name,
        subject,
        due_date,
        overdue,
        created_at,
        ..
    } = case;
    let number = number.to_string();
    let title = number.clone();

    view! {
        <li class="card">
            <Heading level>
                <A href=format!("/cases/{id}")>
                    {move || format::fill(t_string!(i18n, cases.case_title), &[("number", &title)])}
                </A>
            </Heading>
            <dl class="facts compact">
                <dt>{t!(i18n, field.case_type)}</dt>
                <dd>{move || labels::names(i18n, &case_type_name)}</dd>
                <dt>{t!(i18n, field.concerns)}</dt>
                <dd>
                    <Subject subject />
                </dd>
                <dt>{t!(i18n, field.registered)}</dt>
                <dd>{format::date_time(created_at)}</dd>
                <dt>{t!(i18n, field.due_date)}</dt>
                <dd>
                    <DueDate due_date overdue />
                </dd>
            </dl>
            <AssignForm case_id=id number owners on_assigned />
        </li>
    }
}
