//! `/operations` ("Drift", administrators): the schedules with their last and next run and
//! outcome, and the job queue with the steps that failed for good.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::components::{DataTable, ErrorAlert, Loading, use_page_title};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;

#[component]
pub fn OperationsPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, operations.title).to_owned());
    let schedules = LocalResource::new(api::jobs::schedules);
    let summary = LocalResource::new(api::jobs::summary);
    let schedules_caption =
        Signal::derive(move || t_string!(i18n, operations.schedules).to_owned());
    let failures_caption = Signal::derive(move || t_string!(i18n, operations.failures).to_owned());

    view! {
        <h1>{t!(i18n, operations.title)}</h1>
        <p class="lead">{t!(i18n, operations.intro)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => {
                        let failures = summary.recent_failures.clone();
                        view! {
                            <section>
                                <h2>{t!(i18n, operations.queue)}</h2>
                                <dl class="facts compact">
                                    <dt>{t!(i18n, operations.pending)}</dt>
                                    <dd>{summary.pending}</dd>
                                    <dt>{t!(i18n, operations.running)}</dt>
                                    <dd>{summary.running}</dd>
                                    <dt>{t!(i18n, operations.done)}</dt>
                                    <dd>{summary.done}</dd>
                                    <dt>{t!(i18n, operations.failed)}</dt>
                                    <dd>{summary.failed}</dd>
                                </dl>
                                <p>
                                    {t!(i18n, operations.failures_hint)} " "
                                    <A href="/follow-ups">{t!(i18n, follow_ups.title)}</A>
                                </p>
                                {if failures.is_empty() {
                                    view! { <p class="empty-state">{t!(i18n, operations.no_failures)}</p> }
                                        .into_any()
                                } else {
                                    view! {
                                        <DataTable caption=failures_caption>
                                            <thead>
                                                <tr>
                                                    <th scope="col">{t!(i18n, operations.step)}</th>
                                                    <th scope="col">{t!(i18n, operations.attempts)}</th>
                                                    <th scope="col">{t!(i18n, operations.error)}</th>
                                                    <th scope="col">{t!(i18n, operations.when)}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {failures
                                                    .into_iter()
                                                    .map(|failure| {
                                                        view! {
                                                            <tr>
                                                                <th scope="row"><code>{failure.kind}</code></th>
                                                                <td>{failure.attempts}</td>
                                                                <td class="prose">{failure.last_error.unwrap_or_default()}</td>
                                                                <td class="nowrap">{format::date_time(failure.updated_at)}</td>
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
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match schedules.await {
                    Ok(schedules) => {
                        view! {
                            <section>
                                <h2>{t!(i18n, operations.schedules)}</h2>
                                <DataTable caption=schedules_caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, operations.schedule)}</th>
                                            <th scope="col">{t!(i18n, operations.when_runs)}</th>
                                            <th scope="col">{t!(i18n, operations.last_run)}</th>
                                            <th scope="col">{t!(i18n, operations.outcome)}</th>
                                            <th scope="col">{t!(i18n, operations.next_run)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {schedules
                                            .into_iter()
                                            .map(|schedule| {
                                                let description = schedule.description.clone();
                                                view! {
                                                    <tr>
                                                        <th scope="row" class="prose">
                                                            {move || labels::names(i18n, &description)}
                                                            {(!schedule.enabled)
                                                                .then(|| view! { " " <span class="badge">{t!(i18n, operations.disabled)}</span> })}
                                                        </th>
                                                        <td>
                                                            <code>{schedule.cron}</code>
                                                            " (" {schedule.time_zone} ")"
                                                        </td>
                                                        <td class="nowrap">
                                                            {match schedule.last_run_at {
                                                                Some(at) => format::date_time(at).into_any(),
                                                                None => view! { <span class="missing">{t!(i18n, operations.never)}</span> }.into_any(),
                                                            }}
                                                        </td>
                                                        <td class="prose">{schedule.last_outcome.unwrap_or_default()}</td>
                                                        <td class="nowrap">{format::date_time(schedule.next_run_at)}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </DataTable>
                            </section>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
