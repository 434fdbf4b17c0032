//! The cases a case owner handles: "Mina ärenden" with filters, and the leave applications a
//! mentor or principal is to decide (a section of their start page).

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::CaseTable;
use crate::api;
use crate::api::cases::{CaseQuery, CaseView};
use crate::components::{Paged, use_page_title};
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;

/// `/cases?type=&status=&overdue=true`: the filters live in the address, so a filtered list
/// can be bookmarked and the back button undoes a filter.
#[component]
pub fn OwnCasesPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, cases.mine_title).to_owned());
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let params = params.read();
        let given = |name: &str| params.get(name).filter(|value| !value.is_empty());
        CaseQuery {
            view: CaseView::Mine,
            case_type: given("type"),
            status: given("status"),
            overdue: given("overdue").as_deref() == Some("true"),
        }
    });
    let initial = query.get_untracked();
    let caption = Signal::derive(move || t_string!(i18n, cases.mine_title).to_owned());

    view! {
        <h1>{t!(i18n, cases.mine_title)}</h1>
        <p class="lead">{t!(i18n, cases.mine_intro)}</p>
        <Form method="GET" action="/cases" noscroll=true>
            <fieldset class="filters">
                <legend>{t!(i18n, cases.filters)}</legend>
                <div class="field">
                    <label for="filter-type">{t!(i18n, field.case_type)}</label>
                    <select id="filter-type" name="type">
                        <option value="" selected=initial.case_type.is_none()>
                            {t!(i18n, cases.all_types)}
                        </option>
                        {labels::CASE_TYPES
                            .into_iter()
                            .map(|code| {
                                view! {
                                    <option
                                        value=code
                                        selected=initial.case_type.as_deref() == Some(code)
                                    >
                                        {move || labels::case_type(i18n, code)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-status">{t!(i18n, field.status)}</label>
                    <select id="filter-status" name="status">
                        <option value="" selected=initial.status.is_none()>
                            {t!(i18n, cases.all_statuses)}
                        </option>
                        {labels::OWNER_STATUSES
                            .into_iter()
                            .map(|code| {
                                view! {
                                    <option
                                        value=code
                                        selected=initial.status.as_deref() == Some(code)
                                    >
                                        {move || labels::status(i18n, code)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="choice">
                    <input
                        type="checkbox"
                        id="filter-overdue"
                        name="overdue"
                        value="true"
                        checked=initial.overdue
                    />
                    <label for="filter-overdue">{t!(i18n, cases.only_overdue)}</label>
                </div>
                <div class="button-row">
                    <button type="submit" class="button">
                        {t!(i18n, cases.filter)}
                    </button>
                    <a href="/cases">{t!(i18n, cases.clear_filters)}</a>
                </div>
            </fieldset>
        </Form>
        <Paged
            fetch=move |cursor| {
                let query = query.get();
                async move { api::cases::cases(&query, cursor).await }
            }
            empty=move || t_string!(i18n, cases.mine_empty)
            render=move |cases| view! { <CaseTable caption cases /> }
        />
    }
}

/// "Ansökningar att besluta": leave routed to the reader as mentor or principal.
#[component]
pub fn LeaveDecisions(#[prop(into)] caption: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Paged
            fetch=move |cursor| {
                let query = CaseQuery {
                    case_type: Some("leave".to_owned()),
                    ..CaseQuery::new(CaseView::Mine)
                };
                async move { api::cases::cases(&query, cursor).await }
            }
            empty=move || t_string!(i18n, leave_decisions.empty)
            render=move |cases| view! { <CaseTable caption cases hide_type=true /> }
        />
    }
}
