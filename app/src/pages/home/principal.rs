use leptos::prelude::*;

use crate::api;
use crate::components::{DataTable, Heading, Paged};
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::pages::attendance::UnregisteredLessons;
use crate::pages::units::UnitList;

/// "Min skola": today's lessons still without a register, the school's units and its groups.
#[component]
pub fn School(level: u8) -> impl IntoView {
    let i18n = use_i18n();
    let groups_caption = Signal::derive(move || t_string!(i18n, principal.groups).to_owned());
    view! {
        <UnregisteredLessons level />
        <Heading level>{t!(i18n, principal.units)}</Heading>
        <UnitList caption=move || t_string!(i18n, principal.units).to_owned() />
        <Heading level>{t!(i18n, principal.groups)}</Heading>
        <Paged
            fetch=api::register::groups
            empty=move || t_string!(i18n, principal.no_groups)
            render=move |groups| {
                view! {
                    <DataTable caption=groups_caption>
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, field.name)}</th>
                                <th scope="col">{t!(i18n, field.kind)}</th>
                                <th scope="col">{t!(i18n, field.unit)}</th>
                                <th scope="col" class="numeric">{t!(i18n, field.member_count)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || groups.get() key=|group| group.id let:group>
                                <tr>
                                    <th scope="row">{group.name}</th>
                                    <td>{move || labels::group_kind(i18n, group.kind)}</td>
                                    <td>{group.unit.name}</td>
                                    <td class="numeric">{group.member_count}</td>
                                </tr>
                            </For>
                        </tbody>
                    </DataTable>
                }
            }
        />
    }
}
