//! Placements (förskola, fritidshem) as both a pupil's page and a unit's page list them.

use leptos::prelude::*;
use shared::register::Placement;

use crate::format;
use crate::i18n::{t, use_i18n};
use crate::labels::placement_kind;

/// Header cells for [`PlacementCells`]: kind, start, end, hours per week.
#[component]
pub fn PlacementHeaders() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <th scope="col">{t!(i18n, field.kind)}</th>
        <th scope="col">{t!(i18n, field.start_date)}</th>
        <th scope="col">{t!(i18n, field.end_date)}</th>
        <th scope="col" class="numeric">{t!(i18n, field.hours_per_week)}</th>
    }
}

/// A placement's kind, start, end ("Tills vidare" while it runs on) and hours per week.
#[component]
pub fn PlacementCells(placement: Placement) -> impl IntoView {
    let i18n = use_i18n();
    let end = match placement.end_date {
        Some(end) => format::date(end).into_any(),
        None => view! { {t!(i18n, ongoing)} }.into_any(),
    };
    view! {
        <td>{move || placement_kind(i18n, placement.kind)}</td>
        <td>{format::date(placement.start_date)}</td>
        <td>{end}</td>
        <td class="numeric">
            {move || format::hours(placement.hours_per_week, i18n.get_locale())}
        </td>
    }
}
