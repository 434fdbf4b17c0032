//! Units (förskolor, skolenheter …): the lists on the start page and a unit's own page.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::register::{UnitDetail, UnitSummary};

use crate::api;
use crate::components::{DataTable, Paged, RecordPage, use_page_title, use_record};
use crate::i18n::{t, t_string, use_i18n};
use crate::labels::{group_kind, owner_kind, school_form};
use crate::pages::placements::{PlacementCells, PlacementHeaders};
use crate::pages::pupils::{PupilLink, optional};

/// The units the reader may see, as a table.
#[component]
pub fn UnitList(#[prop(into)] caption: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Paged
            fetch=api::register::units
            empty=move || t_string!(i18n, units.empty)
            render=move |units| view! { <UnitTable caption units /> }
        />
    }
}

#[component]
pub fn UnitTable(
    #[prop(into)] caption: Signal<String>,
    units: Signal<Vec<UnitSummary>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <DataTable caption=caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, field.name)}</th>
                    <th scope="col">{t!(i18n, field.school_form)}</th>
                    <th scope="col">{t!(i18n, field.school)}</th>
                    <th scope="col">{t!(i18n, field.owner)}</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || units.get() key=|unit| unit.id let:unit>
                    <tr>
                        <th scope="row">
                            <A href=format!("/units/{}", unit.id)>{unit.name}</A>
                        </th>
                        <td>{move || school_form(i18n, unit.school_form)}</td>
                        <td>{unit.school.name}</td>
                        <td>
                            {unit.owner.name}" ("{move || owner_kind(i18n, unit.owner_kind)}")"
                        </td>
                    </tr>
                </For>
            </tbody>
        </DataTable>
    }
}

/// `/units/:id`.
#[component]
pub fn UnitPage() -> impl IntoView {
    let i18n = use_i18n();
    let unit = use_record(api::register::unit);
    use_page_title(move || {
        unit.read()
            .as_ref()
            .and_then(|result| result.as_ref().ok().and_then(Option::as_ref))
            .map(|unit| unit.summary.name.clone())
            .unwrap_or_else(|| t_string!(i18n, units.page_title).to_owned())
    });

    view! {
        <RecordPage
            record=unit
            heading=move || t_string!(i18n, units.page_title)
            not_found=move || t_string!(i18n, units.not_found)
            render=|unit| view! { <UnitDetails unit /> }
        />
    }
}

#[component]
fn UnitDetails(unit: UnitDetail) -> impl IntoView {
    let i18n = use_i18n();
    let UnitDetail {
        summary,
        groups,
        placements,
    } = unit;
    let groups_caption = Signal::derive(move || t_string!(i18n, units.groups).to_owned());
    let placements_caption = Signal::derive(move || t_string!(i18n, units.placements).to_owned());

    view! {
        <h1>{summary.name}</h1>
        <section>
            <h2>{t!(i18n, units.details)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, field.school_form)}</dt>
                <dd>{move || school_form(i18n, summary.school_form)}</dd>
                <dt>{t!(i18n, field.school)}</dt>
                <dd>{summary.school.name}</dd>
                <dt>{t!(i18n, field.owner)}</dt>
                <dd>{summary.owner.name}</dd>
                <dt>{t!(i18n, field.owner_kind)}</dt>
                <dd>{move || owner_kind(i18n, summary.owner_kind)}</dd>
                <dt>{t!(i18n, field.unit_code)}</dt>
                <dd>{optional(i18n, summary.unit_code)}</dd>
            </dl>
        </section>
        <section>
            <h2>{t!(i18n, units.groups)}</h2>
            {if groups.is_empty() {
                view! { <p class="empty-state">{t!(i18n, units.no_groups)}</p> }.into_any()
            } else {
                view! {
                    <DataTable caption=groups_caption>
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, field.name)}</th>
                                <th scope="col">{t!(i18n, field.kind)}</th>
                                <th scope="col" class="numeric">
                                    {t!(i18n, field.member_count)}
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            {groups
                                .into_iter()
                                .map(|group| {
                                    view! {
                                        <tr>
                                            <th scope="row">{group.name}</th>
                                            <td>{move || group_kind(i18n, group.kind)}</td>
                                            <td class="numeric">{group.member_count}</td>
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
            <h2>{t!(i18n, units.placements)}</h2>
            {if placements.is_empty() {
                view! { <p class="empty-state">{t!(i18n, units.no_placements)}</p> }.into_any()
            } else {
                view! {
                    <DataTable caption=placements_caption>
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, field.child)}</th>
                                <PlacementHeaders />
                            </tr>
                        </thead>
                        <tbody>
                            {placements
                                .into_iter()
                                .map(|row| {
                                    view! {
                                        <tr>
                                            <th scope="row">
                                                <PupilLink
                                                    id=row.pupil.id
                                                    masked=row.pupil.masked
                                                    name=row.pupil.name
                                                />
                                            </th>
                                            <PlacementCells placement=row.placement />
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
    }
}
