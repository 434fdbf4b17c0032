//! `/lessons`: the signed-in teacher's lessons of a day, by time, each with its register state.

use chrono::{Days, NaiveDate};
use leptos::prelude::*;
use leptos_router::components::{A, Form};
use shared::attendance::{Lesson, RegisterState};

use super::{lesson_time, register_state, use_query_date, weekday_name};
use crate::api;
use crate::components::{DataTable, ErrorAlert, Loading, use_page_title};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};

fn day_href(day: NaiveDate) -> String {
    format!("/lessons?date={day}")
}

#[component]
pub fn LessonsPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, attendance.lessons_title).to_owned());
    let day = use_query_date("date", format::today);
    let lessons = LocalResource::new(move || api::attendance::lessons(day.get()));
    let day_heading = move || {
        let day = day.get();
        format!("{} {}", weekday_name(i18n, day), format::date(day))
    };

    view! {
        <h1>{t!(i18n, attendance.lessons_title)}</h1>
        <p class="lead">{t!(i18n, attendance.lessons_intro)}</p>
        <nav class="day-nav" aria-label=move || t_string!(i18n, attendance.day_nav)>
            <A href=move || day_href(day.get() - Days::new(1)) attr:class="button secondary">
                <span aria-hidden="true">"← "</span>
                {t!(i18n, attendance.previous_day)}
            </A>
            <A href=move || day_href(day.get() + Days::new(1)) attr:class="button secondary">
                {t!(i18n, attendance.next_day)}
                <span aria-hidden="true">" →"</span>
            </A>
        </nav>
        <Form action="/lessons" attr:class="inline-form day-form">
            <div class="field">
                <label for="lessons-date">{t!(i18n, attendance.date)}</label>
                <input
                    id="lessons-date"
                    name="date"
                    type="date"
                    prop:value=move || day.get().to_string()
                />
            </div>
            <button type="submit" class="button secondary">
                {t!(i18n, attendance.show_day)}
            </button>
        </Form>
        <h2>{day_heading}</h2>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match lessons.await {
                    Ok(lessons) if lessons.is_empty() => {
                        view! { <p class="empty-state">{t!(i18n, attendance.no_lessons)}</p> }
                            .into_any()
                    }
                    Ok(lessons) => {
                        view! {
                            <div class="day-table">
                                <LessonTable lessons />
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

#[component]
fn LessonTable(lessons: Vec<Lesson>) -> impl IntoView {
    let i18n = use_i18n();
    let caption = Signal::derive(move || t_string!(i18n, attendance.lessons_title).to_owned());
    view! {
        <DataTable caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, attendance.time)}</th>
                    <th scope="col">{t!(i18n, attendance.lesson)}</th>
                    <th scope="col">{t!(i18n, attendance.room)}</th>
                    <th scope="col">{t!(i18n, attendance.register)}</th>
                </tr>
            </thead>
            <tbody>
                {lessons
                    .into_iter()
                    .map(|lesson| {
                        let time = lesson_time(&lesson);
                        let name = format!("{} {}", lesson.subject, lesson.group.name);
                        let room = lesson.room.clone();
                        let taken = lesson.register == RegisterState::Taken;
                        let state = {
                            let lesson = lesson.clone();
                            move || register_state(i18n, &lesson)
                        };
                        view! {
                            <tr>
                                <td class="nowrap">{time}</td>
                                <th scope="row">
                                    <A href=format!("/lessons/{}", lesson.id)>{name}</A>
                                </th>
                                <td>{crate::pages::pupils::optional(i18n, room)}</td>
                                <td>
                                    <span class=if taken { "badge" } else { "badge warning" }>
                                        {state}
                                    </span>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </DataTable>
    }
}
