//! Case handling: the distribution queue, the owner's cases, the leave to decide, the case
//! page with everything handlers do on it, and the specialist's subtasks.

mod assignment;
mod case;
mod decision;
mod handover;
mod identity;
mod mine;
mod notes;
mod queue;
mod subtasks;

pub use case::CasePage;
pub use mine::{LeaveDecisions, OwnCasesPage};
pub use queue::{Queue, QueuePage};
pub use subtasks::SubtasksPage;

use leptos::prelude::*;
use leptos_router::components::A;
use shared::cases::CaseSummary;
use shared::register::PupilRef;

use crate::components::{DataTable, PupilName};
use crate::format;
use crate::i18n::{t, use_i18n};
use crate::labels;

/// Cases as a table, by due date as the server sorts them.
#[component]
fn CaseTable(
    #[prop(into)] caption: Signal<String>,
    cases: Signal<Vec<CaseSummary>>,
    /// The case type column (left out where every case is of one type).
    #[prop(optional)]
    hide_type: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <DataTable caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, field.case_number)}</th>
                    {(!hide_type).then(|| view! { <th scope="col">{t!(i18n, field.case_type)}</th> })}
                    <th scope="col">{t!(i18n, field.concerns)}</th>
                    <th scope="col">{t!(i18n, field.status)}</th>
                    <th scope="col">{t!(i18n, field.due_date)}</th>
                    <th scope="col">{t!(i18n, field.deadline)}</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || cases.get() key=|case| case.id let:case>
                    <tr>
                        <th scope="row">
                            <A href=format!("/cases/{}", case.id)>{case.number.to_string()}</A>
                        </th>
                        {(!hide_type)
                            .then(|| {
                                let name = case.case_type_name.clone();
                                view! { <td>{move || labels::names(i18n, &name)}</td> }
                            })}
                        <td>
                            <Subject subject=case.subject.clone() />
                        </td>
                        <td>
                            {
                                let status = case.status.name.clone();
                                move || labels::names(i18n, &status)
                            }
                        </td>
                        <td class="nowrap">
                            <DueDate due_date=case.due_date overdue=case.overdue />
                        </td>
                        <td class="nowrap">
                            {match case.deadline {
                                Some(deadline) => format::date(deadline).into_any(),
                                None => {
                                    view! { <span class="missing">{t!(i18n, no_date)}</span> }
                                        .into_any()
                                }
                            }}
                        </td>
                    </tr>
                </For>
            </tbody>
        </DataTable>
    }
}

/// Whom a case concerns: the pupil's name, "Skyddad identitet", or "Ingen". Not a link: a
/// case worker handles cases of pupils whose register page they may not open.
#[component]
fn Subject(subject: Option<PupilRef>) -> impl IntoView {
    let i18n = use_i18n();
    match subject {
        Some(PupilRef { masked, name, .. }) => view! { <PupilName masked name /> }.into_any(),
        None => view! { <span class="missing">{t!(i18n, none)}</span> }.into_any(),
    }
}

/// The legal handling time's last day, flagged when passed.
#[component]
fn DueDate(due_date: chrono::NaiveDate, overdue: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {format::date(due_date)}
        {overdue.then(|| view! { " " <span class="badge warning">{t!(i18n, cases.overdue)}</span> })}
    }
}
