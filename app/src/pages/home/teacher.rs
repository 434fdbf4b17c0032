use leptos::prelude::*;
use shared::register::GroupSummary;

use crate::api;
use crate::components::{Heading, Paged};
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::pages::pupils::PupilTable;

/// "Mina grupper": each group the teacher teaches or mentors, with its pupils.
#[component]
pub fn Groups(level: u8) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Paged
            fetch=api::register::groups
            empty=move || t_string!(i18n, teacher.empty)
            render=move |groups| {
                view! {
                    <For each=move || groups.get() key=|group| group.id let:group>
                        <Group group level />
                    </For>
                }
            }
        />
    }
}

#[component]
fn Group(group: GroupSummary, level: u8) -> impl IntoView {
    let i18n = use_i18n();
    let GroupSummary {
        id,
        name,
        kind,
        unit,
        relation,
        ..
    } = group;
    let caption = {
        let name = name.clone();
        Signal::derive(move || format!("{} {name}", t_string!(i18n, teacher.group_pupils)))
    };
    view! {
        <div class="group">
            <Heading level>{name}</Heading>
            <p class="meta">
                {move || labels::group_kind(i18n, kind)}" · "{unit.name}" · "
                {t!(i18n, field.relation)}": "{move || labels::group_relation(i18n, relation)}
            </p>
            <Paged
                fetch=move |cursor| api::register::pupils(Some(id), cursor)
                empty=move || t_string!(i18n, teacher.no_pupils)
                render=move |pupils| view! { <PupilTable caption pupils compact=true /> }
            />
        </div>
    }
}
