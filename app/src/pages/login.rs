use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use shared::auth::LoginRequest;

use crate::api;
use crate::components::{ErrorAlert, use_page_title};
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;

/// The sign-in form. Once signed in (now or earlier) the person goes to the start page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    use_page_title(move || t_string!(i18n, login.title).to_owned());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let login = Action::new_local(move |credentials: &LoginRequest| {
        let credentials = credentials.clone();
        async move {
            let me = api::auth::login(&credentials).await?;
            session.sign_in(me);
            Ok(())
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        login.dispatch(LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        });
    };
    let pending = login.pending();

    view! {
        {move || (session.is_signed_in() == Some(true)).then(|| view! { <Redirect path="/" /> })}
        <h1>{t!(i18n, login.title)}</h1>
        <p>{t!(i18n, login.intro)}</p>
        <form class="login-form" on:submit=on_submit>
            {move || {
                login.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error /> })
            }}
            <div class="field">
                <label for="username">{t!(i18n, login.username)}</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    bind:value=username
                />
            </div>
            <div class="field">
                <label for="password">{t!(i18n, login.password)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    bind:value=password
                />
            </div>
            <button type="submit" class="button" disabled=pending>
                {move || {
                    if pending.get() {
                        t!(i18n, login.submitting).into_any()
                    } else {
                        t!(i18n, login.submit).into_any()
                    }
                }}
            </button>
        </form>
    }
}
