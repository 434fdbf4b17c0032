use leptos::prelude::*;

/// A data table named by a (visually hidden) caption, the page's heading already saying the
/// same. On a narrow screen it scrolls sideways inside a wrapper that is focusable and named,
/// so keyboard users can scroll it too. `children` are the `<thead>` and `<tbody>`.
#[component]
pub fn DataTable(#[prop(into)] caption: Signal<String>, children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap" role="region" tabindex="0" aria-label=caption>
            <table>
                <caption class="visually-hidden">{caption}</caption>
                {children()}
            </table>
        </div>
    }
}
