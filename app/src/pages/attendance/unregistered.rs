//! The principal's list of today's begun lessons without a register, each linking to it.

use leptos::prelude::*;
use leptos_router::components::A;

use super::lesson_time;
use crate::api;
use crate::components::{DataTable, ErrorAlert, Heading, Loading};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};

#[component]
pub fn UnregisteredLessons(level: u8) -> impl IntoView {
    let i18n = use_i18n();
    let lessons =
        LocalResource::new(move || api::attendance::unregistered_lessons(format::today()));
    let caption = Signal::derive(move || t_string!(i18n, attendance.unregistered.title).to_owned());
    view! {
        <Heading level>{t!(i18n, attendance.unregistered.title)}</Heading>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match lessons.await {
                    Ok(lessons) if lessons.is_empty() => {
                        view! {
                            <p class="empty-state">{t!(i18n, attendance.unregistered.none)}</p>
                        }
                            .into_any()
                    }
                    Ok(lessons) => {
                        view! {
                            <div class="day-table">
                                <DataTable caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, attendance.time)}</th>
                                            <th scope="col">{t!(i18n, attendance.lesson)}</th>
                                            <th scope="col">
                                                {t!(i18n, attendance.unregistered.teachers)}
                                            </th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {lessons
                                            .into_iter()
                                            .map(|lesson| {
                                                let name = format!(
                                                    "{} {}",
                                                    lesson.subject,
                                                    lesson.group.name,
                                                );
                                                let teachers = lesson
                                                    .teachers
                                                    .iter()
                                                    .map(|teacher| teacher.name.as_str())
                                                    .collect::<Vec<_>>()
                                                    .join(", ");
                                                view! {
                                                    <tr>
                                                        <td class="nowrap">{lesson_time(&lesson)}</td>
                                                        <th scope="row">
                                                            <A href=format!(
                                                                "/lessons/{}",
                                                                lesson.id,
                                                            )>{name}</A>
                                                        </th>
                                                        <td>{teachers}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </DataTable>
                            </div>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
