use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::api::ApiError;
use crate::components::{ErrorAlert, Loading};

/// A record loaded by the route's `:id`; `Ok(None)` when there is no such record, the reader
/// may not see it (404), or the id is not a UUID at all.
pub type Record<T> = LocalResource<Result<Option<T>, ApiError>>;

pub fn use_record<T, F, Fut>(fetch: F) -> Record<T>
where
    T: 'static,
    F: Fn(Uuid) -> Fut + Copy + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    });
    LocalResource::new(move || {
        let id = id.get();
        async move {
            let Some(id) = id else { return Ok(None) };
            match fetch(id).await {
                Ok(record) => Ok(Some(record)),
                Err(error) if error.is_not_found() => Ok(None),
                Err(error) => Err(error),
            }
        }
    })
}

/// A record's page: while loading, when missing and on failure it has `heading` as its `<h1>`;
/// `render` (which brings its own `<h1>`) shows the record.
#[component]
pub fn RecordPage<T, R, V>(
    record: Record<T>,
    #[prop(into)] heading: Signal<&'static str>,
    #[prop(into)] not_found: Signal<&'static str>,
    render: R,
) -> impl IntoView
where
    T: Clone + 'static,
    R: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=move || {
            view! {
                <h1>{heading}</h1>
                <Loading />
            }
        }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match record.await {
                        Ok(Some(record)) => render(record).into_any(),
                        Ok(None) => {
                            view! {
                                <h1>{heading}</h1>
                                <p class="notice">{not_found}</p>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! {
                                <h1>{heading}</h1>
                                <ErrorAlert error />
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Transition>
    }
}
