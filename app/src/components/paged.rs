use std::future::Future;

use leptos::prelude::*;
use shared::api::Page;

use crate::api::ApiError;
use crate::components::{ErrorAlert, Loading};
use crate::i18n::{t, use_i18n};

/// A cursor-paged list: the first page loads through a resource (so the list shows "Laddar…"
/// and errors like every page), and "Visa fler" appends the next page while a cursor remains.
/// `render` gets the items loaded so far; `empty` is said instead when there are none.
#[component]
pub fn Paged<T, F, Fut, R, V>(
    fetch: F,
    #[prop(into)] empty: Signal<&'static str>,
    render: R,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(Option<String>) -> Fut + Copy + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    R: Fn(Signal<Vec<T>>) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    let more = RwSignal::new(Vec::<T>::new());
    // The cursor after the last page "Visa fler" loaded; `None` until then.
    let later_cursor = RwSignal::new(None::<Option<String>>);
    // `fetch` may read signals (filters, an action's version): the list then loads again from
    // its first page.
    let first = LocalResource::new(move || {
        more.set(Vec::new());
        later_cursor.set(None);
        fetch(None)
    });
    let load_more = Action::new_local(move |cursor: &String| {
        let request = fetch(Some(cursor.clone()));
        async move {
            let page = request.await?;
            more.update(|items| items.extend(page.items));
            later_cursor.set(Some(page.next_cursor));
            Ok::<(), ApiError>(())
        }
    });

    view! {
        <Transition fallback=Loading>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match first.await {
                        Ok(page) => {
                            let first_items = page.items;
                            let first_cursor = page.next_cursor;
                            let items = Signal::derive(move || {
                                first_items.iter().cloned().chain(more.get()).collect::<Vec<_>>()
                            });
                            let cursor = Memo::new(move |_| {
                                later_cursor.get().unwrap_or_else(|| first_cursor.clone())
                            });
                            let show_more = move |_| {
                                if let Some(cursor) = cursor.get_untracked() {
                                    load_more.dispatch(cursor);
                                }
                            };
                            let pending = load_more.pending();
                            view! {
                                <Show
                                    when=move || !items.read().is_empty()
                                    fallback=move || view! { <p class="empty-state">{empty}</p> }
                                >
                                    {render(items)}
                                </Show>
                                {move || {
                                    load_more
                                        .value()
                                        .get()
                                        .and_then(Result::err)
                                        .map(|error| view! { <ErrorAlert error /> })
                                }}
                                <Show when=move || cursor.read().is_some()>
                                    <button
                                        type="button"
                                        class="button secondary show-more"
                                        on:click=show_more
                                        disabled=pending
                                    >
                                        {move || {
                                            if pending.get() {
                                                t!(i18n, loading).into_any()
                                            } else {
                                                t!(i18n, show_more).into_any()
                                            }
                                        }}
                                    </button>
                                </Show>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
