//! Pupils: the lists on the start page and a pupil's own page.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::register::{GroupKind, NamedRef, PupilDetail, PupilSummary};
use uuid::Uuid;

use crate::I18n;
use crate::api;
use crate::components::{
    DataTable, Paged, PupilName, RecordPage, summary_name, use_page_title, use_record,
};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels::group_kind;
use crate::pages::applications::LeaveHistory;
use crate::pages::placements::{PlacementCells, PlacementHeaders};

/// The pupils the reader may see (a guardian's children, a pupil themselves), as a table.
#[component]
pub fn PupilList(
    #[prop(into)] caption: Signal<String>,
    #[prop(into)] empty: Signal<&'static str>,
) -> impl IntoView {
    view! {
        <Paged
            fetch=move |cursor| api::register::pupils(None, cursor)
            empty=empty
            render=move |pupils| view! { <PupilTable caption pupils /> }
        />
    }
}

/// Pupils with a link to each one's page; `compact` leaves out school and class (for a
/// group's list, where both are known).
#[component]
pub fn PupilTable(
    #[prop(into)] caption: Signal<String>,
    pupils: Signal<Vec<PupilSummary>>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <DataTable caption=caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, field.name)}</th>
                    <th scope="col">{t!(i18n, field.birth_date)}</th>
                    {(!compact)
                        .then(|| {
                            view! {
                                <th scope="col">{t!(i18n, field.school)}</th>
                                <th scope="col">{t!(i18n, field.class)}</th>
                            }
                        })}
                </tr>
            </thead>
            <tbody>
                <For each=move || pupils.get() key=|pupil| pupil.id let:pupil>
                    <tr>
                        <th scope="row">
                            <PupilLink id=pupil.id masked=pupil.masked name=summary_name(&pupil) />
                        </th>
                        <td>{optional(i18n, pupil.birth_date.map(format::date))}</td>
                        {(!compact)
                            .then(|| {
                                let school = pupil.school.as_ref().map(|school| school.name.clone());
                                let class = pupil
                                    .groups
                                    .iter()
                                    .find(|group| group.kind == GroupKind::Class)
                                    .map(|group| group.name.clone());
                                view! {
                                    <td>{optional(i18n, school)}</td>
                                    <td>{optional(i18n, class)}</td>
                                }
                            })}
                    </tr>
                </For>
            </tbody>
        </DataTable>
    }
}

/// A pupil's name linking to their page; a masked pupil's page would show nothing more, so
/// it is plain text.
#[component]
pub fn PupilLink(id: Uuid, masked: bool, name: Option<String>) -> impl IntoView {
    if masked {
        view! { <PupilName masked name /> }.into_any()
    } else {
        view! {
            <A href=format!("/pupils/{id}")>
                <PupilName masked name />
            </A>
        }
        .into_any()
    }
}

/// A value, or "Uppgift saknas" so that no cell is ever empty.
pub fn optional(i18n: I18n, value: Option<String>) -> AnyView {
    match value {
        Some(value) => value.into_any(),
        None => view! { <span class="missing">{t!(i18n, not_available)}</span> }.into_any(),
    }
}

/// `/pupils/:id`.
#[component]
pub fn PupilPage() -> impl IntoView {
    let i18n = use_i18n();
    let pupil = use_record(api::register::pupil);
    use_page_title(move || {
        let name = pupil.read().as_ref().and_then(|result| match result {
            Ok(Some(pupil)) if pupil.summary.masked => Some(t_string!(i18n, masked).to_owned()),
            Ok(Some(pupil)) => summary_name(&pupil.summary),
            _ => None,
        });
        name.unwrap_or_else(|| t_string!(i18n, pupils.page_title).to_owned())
    });

    view! {
        <RecordPage
            record=pupil
            heading=move || t_string!(i18n, pupils.page_title)
            not_found=move || t_string!(i18n, pupils.not_found)
            render=|pupil| view! { <PupilDetails pupil /> }
        />
    }
}

#[component]
fn PupilDetails(pupil: PupilDetail) -> impl IntoView {
    let i18n = use_i18n();
    let PupilDetail {
        summary,
        personal_number,
        protected_identity,
        age,
        address,
        guardians,
        mentors,
        placements,
    } = pupil;
    let name = summary_name(&summary);
    let pupil_id = summary.id;
    let address = address.map(|a| format!("{}, {} {}", a.street, a.postal_code, a.city));
    let groups = summary
        .groups
        .into_iter()
        .map(|group| {
            view! {
                <li>
                    {group.name}" ("{move || group_kind(i18n, group.kind)}")"
                </li>
            }
        })
        .collect_view();
    let has_groups = !groups.is_empty();

    view! {
        <h1>
            <PupilName masked=summary.masked name />
        </h1>
        {(protected_identity && !summary.masked)
            .then(|| view! { <p class="notice">{t!(i18n, pupils.protected_notice)}</p> })}
        <section>
            <h2>{t!(i18n, pupils.details)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, field.personal_number)}</dt>
                <dd>{optional(i18n, personal_number)}</dd>
                <dt>{t!(i18n, field.birth_date)}</dt>
                <dd>{optional(i18n, summary.birth_date.map(format::date))}</dd>
                <dt>{t!(i18n, field.age)}</dt>
                <dd>
                    {match age {
                        Some(years) => t!(i18n, pupils.years, years = move || years).into_any(),
                        None => optional(i18n, None),
                    }}
                </dd>
                <dt>{t!(i18n, field.address)}</dt>
                <dd>{optional(i18n, address)}</dd>
            </dl>
        </section>
        <section>
            <h2>{t!(i18n, pupils.schooling)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, field.school)}</dt>
                <dd>{optional(i18n, summary.school.map(|school| school.name))}</dd>
                <dt>{t!(i18n, field.unit)}</dt>
                <dd>
                    {match summary.unit {
                        Some(unit) => view! { <UnitLink unit /> }.into_any(),
                        None => optional(i18n, None),
                    }}
                </dd>
                <dt>{t!(i18n, field.groups)}</dt>
                <dd>
                    {if has_groups {
                        view! { <ul class="plain">{groups}</ul> }.into_any()
                    } else {
                        view! { {t!(i18n, none)} }.into_any()
                    }}
                </dd>
            </dl>
        </section>
        <section>
            <h2>{t!(i18n, pupils.people)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, field.guardians)}</dt>
                <dd>{names(i18n, guardians)}</dd>
                <dt>{t!(i18n, field.mentors)}</dt>
                <dd>{names(i18n, mentors)}</dd>
            </dl>
        </section>
        <section>
            <h2>{t!(i18n, pupils.placements)}</h2>
            {if placements.is_empty() {
                view! { <p class="empty-state">{t!(i18n, pupils.no_placements)}</p> }.into_any()
            } else {
                let caption = Signal::derive(move || t_string!(i18n, pupils.placements).to_owned());
                view! {
                    <DataTable caption>
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, field.unit)}</th>
                                <PlacementHeaders />
                            </tr>
                        </thead>
                        <tbody>
                            {placements
                                .into_iter()
                                .map(|placement| {
                                    view! {
                                        <tr>
                                            <th scope="row">
                                                <UnitLink unit=placement.unit.clone() />
                                            </th>
                                            <PlacementCells placement />
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </DataTable>
                }
                    .into_any()
            }}
        </section>
        <section>
            <h2>{t!(i18n, attendance.link)}</h2>
            <p>
                <A href=format!("/pupils/{pupil_id}/attendance")>
                    {t!(i18n, attendance.week_title)}
                </A>
            </p>
        </section>
        <section>
            <h2>{t!(i18n, pupils.leave)}</h2>
            <LeaveHistory pupil_id />
        </section>
    }
}

#[component]
fn UnitLink(unit: NamedRef) -> impl IntoView {
    view! { <A href=format!("/units/{}", unit.id)>{unit.name}</A> }
}

fn names(i18n: I18n, people: Vec<NamedRef>) -> AnyView {
    if people.is_empty() {
        return view! { {t!(i18n, none)} }.into_any();
    }
    view! {
        <ul class="plain">
            {people.into_iter().map(|person| view! { <li>{person.name}</li> }).collect_view()}
        </ul>
    }
    .into_any()
}
