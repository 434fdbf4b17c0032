use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::use_page_title;
use crate::i18n::{t, t_string, use_i18n};

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, not_found.title).to_owned());
    view! {
        <h1>{t!(i18n, not_found.title)}</h1>
        <p>{t!(i18n, not_found.body)}</p>
        <p>
            <A href="/">{t!(i18n, not_found.home)}</A>
        </p>
    }
}
