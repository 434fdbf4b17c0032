//! Follow-ups: the dashboard of what needs attention (mine, my teams', overdue), a new task,
//! one follow-up with what one does with it, and subscriptions to new cases.

mod follow_up;
mod new_task;
mod subscriptions;

pub use follow_up::FollowUpPage;

use leptos::prelude::*;
use leptos_router::components::A;
use shared::follow_ups::{FollowUp, FollowUpKind, FollowUpStatus, Party};

use crate::I18n;
use crate::api::follow_ups::Dashboard;
use crate::api::{self};
use crate::components::{DataTable, ErrorAlert, Loading, use_page_title};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};

pub fn kind_label(i18n: I18n, kind: FollowUpKind) -> &'static str {
    match kind {
        FollowUpKind::Exception => t_string!(i18n, follow_ups.kind.exception),
        FollowUpKind::Task => t_string!(i18n, follow_ups.kind.task),
        FollowUpKind::Notification => t_string!(i18n, follow_ups.kind.notification),
    }
}

pub fn status_label(i18n: I18n, status: FollowUpStatus) -> &'static str {
    match status {
        FollowUpStatus::Active => t_string!(i18n, follow_ups.status.active),
        FollowUpStatus::Processed => t_string!(i18n, follow_ups.status.processed),
        FollowUpStatus::Closed => t_string!(i18n, follow_ups.status.closed),
    }
}

/// A person's name, or a team's with "(team)".
pub fn party_label(i18n: I18n, party: &Party) -> String {
    match party {
        Party::Person(person) => person.name.clone(),
        Party::Team(team) => format::fill(
            t_string!(i18n, follow_ups.team_name),
            &[("name", &team.name)],
        ),
    }
}

fn dashboard_label(i18n: I18n, view: Dashboard) -> &'static str {
    match view {
        Dashboard::Mine => t_string!(i18n, follow_ups.view.mine),
        Dashboard::Teams => t_string!(i18n, follow_ups.view.teams),
        Dashboard::Overdue => t_string!(i18n, follow_ups.view.overdue),
    }
}

/// The due date, flagged in words (not only colour) when it has passed.
#[component]
pub fn FollowUpDue(due_date: Option<chrono::NaiveDate>, overdue: bool) -> impl IntoView {
    let i18n = use_i18n();
    match due_date {
        Some(day) => view! {
            {format::date(day)}
            {overdue
                .then(|| view! { " " <span class="badge warning">{t!(i18n, follow_ups.overdue)}</span> })}
        }
        .into_any(),
        None => view! { <span class="missing">{t!(i18n, no_date)}</span> }.into_any(),
    }
}

/// `/follow-ups`: the dashboard, a new task, and my subscriptions.
#[component]
pub fn FollowUpsPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, follow_ups.title).to_owned());
    let view_shown = RwSignal::new(Dashboard::Mine);
    let items = LocalResource::new(move || api::follow_ups::dashboard(view_shown.get()));

    view! {
        <h1>{t!(i18n, follow_ups.title)}</h1>
        <p class="lead">{t!(i18n, follow_ups.intro)}</p>
        <div class="segmented" role="group" aria-label=move || t_string!(i18n, follow_ups.view.label)>
            {Dashboard::ALL
                .into_iter()
                .map(|view| {
                    view! {
                        <button
                            type="button"
                            class="button secondary"
                            aria-pressed=move || (view_shown.get() == view).to_string()
                            on:click=move |_| view_shown.set(view)
                        >
                            {move || dashboard_label(i18n, view)}
                        </button>
                    }
                })
                .collect_view()}
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match items.await {
                    Ok(items) if items.is_empty() => {
                        view! { <p class="empty-state">{t!(i18n, follow_ups.empty)}</p> }
                            .into_any()
                    }
                    Ok(items) => view! { <FollowUpTable items view=view_shown.get_untracked() /> }
                        .into_any(),
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
        <new_task::NewTaskForm on_created=move || items.refetch() />
        <subscriptions::Subscriptions />
    }
}

#[component]
fn FollowUpTable(items: Vec<FollowUp>, view: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let caption = Signal::derive(move || dashboard_label(i18n, view).to_owned());
    view! {
        <DataTable caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, follow_ups.field.title)}</th>
                    <th scope="col">{t!(i18n, follow_ups.field.kind)}</th>
                    <th scope="col">{t!(i18n, follow_ups.field.due_date)}</th>
                    <th scope="col">{t!(i18n, follow_ups.field.assignee)}</th>
                    <th scope="col">{t!(i18n, field.status)}</th>
                </tr>
            </thead>
            <tbody>
                {items
                    .into_iter()
                    .map(|item| {
                        let kind = item.kind;
                        let status = item.status;
                        let assignee = item.assignee.clone();
                        view! {
                            <tr>
                                <th scope="row" class="prose">
                                    <A href=format!("/follow-ups/{}", item.id)>{item.title}</A>
                                </th>
                                <td>{move || kind_label(i18n, kind)}</td>
                                <td class="nowrap">
                                    <FollowUpDue due_date=item.due_date overdue=item.overdue />
                                </td>
                                <td>
                                    {move || match &assignee {
                                        Some(party) => party_label(i18n, party),
                                        None => t_string!(i18n, none).to_owned(),
                                    }}
                                </td>
                                <td>{move || status_label(i18n, status)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </DataTable>
    }
}
