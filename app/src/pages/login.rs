use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use shared::auth::LoginRequest;

use crate::api;
use crate::components::{ErrorAlert, use_page_title};
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;

/// Where to go after signing in, from `?next=`: a path of this app only (never another site,
/// never the login page itself), and not the start page (that is where one goes anyway).
pub fn safe_return(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path != "/"
        && !path.starts_with("/login");
    ok.then_some(path)
}

/// The sign-in form. Once signed in (now or earlier) the person goes to the page they came
/// from, or to the start page.
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
    let query = use_query_map();
    let next = move || {
        query
            .read()
            .get("next")
            .and_then(|next| safe_return(&next).map(str::to_owned))
            .unwrap_or_else(|| "/".to_owned())
    };

    view! {
        {move || {
            (session.is_signed_in() == Some(true)).then(|| view! { <Redirect path=next() /> })
        }}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_apps_own_pages_are_returned_to() {
        assert_eq!(
            safe_return("/cases/42?tab=notes"),
            Some("/cases/42?tab=notes")
        );
        for refused in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "/",
            "/login?next=/x",
            "cases",
            "/a\nb",
        ] {
            assert_eq!(safe_return(refused), None, "{refused}");
        }
    }
}
