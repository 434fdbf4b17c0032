//! The app: language and session context, the router, and the shell every page sits in
//! (skip link, header with navigation, `<main>`, footer).

use leptos::ev::{Event, MouseEvent, SubmitEvent};
use leptos::prelude::*;
use leptos_router::components::{A, ProtectedRoute, Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::path;
use shared::auth::Locale as ApiLocale;

use crate::api::{self, ApiError};
use crate::components::{ErrorAlert, Loading};
use crate::i18n::{I18nContextProvider, I18nLocaleTrait, Locale, t, t_string, use_i18n};
use crate::nav::{self, NavLink};
use crate::pages::{
    AccessLogPage, AttendanceRulesPage, CasePage, EServiceEditorListPage, EServiceEditorPage,
    EServiceRunnerPage, EServicesPage, FollowUpPage, FollowUpsPage, HomePage, InboxPage,
    LeaveApplicationPage, LessonRegisterPage, LessonsPage, LoginPage, MyCasePage, MyCasesPage,
    NotFound, OperationsPage, OwnCasesPage, PupilAttendancePage, PupilPage, QueuePage,
    SchoolCalendarPage, SubtasksPage, UnitPage,
};
use crate::session::{Auth, Session, api_locale, use_session};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <I18nContextProvider>
            <Shell />
        </I18nContextProvider>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::provide();
    let signed_in = move || session.is_signed_in();
    let main_ref = NodeRef::<leptos::html::Main>::new();
    // The router takes over every link, including this in-page one; move focus ourselves so
    // keyboard users really land in the content.
    let skip = move |ev: MouseEvent| {
        ev.prevent_default();
        if let Some(main) = main_ref.get() {
            let _ = main.focus();
        }
    };

    view! {
        <Router>
            <a class="skip-link" href="#main" on:click=skip>
                {t!(i18n, skip_to_content)}
            </a>
            <SiteHeader />
            <main id="main" tabindex="-1" node_ref=main_ref>
                <Routes fallback=NotFound>
                    <Route path=path!("/login") view=LoginPage />
                    <ProtectedRoute
                        path=path!("/")
                        view=HomePage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/pupils/:id")
                        view=PupilPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/pupils/:id/attendance")
                        view=PupilAttendancePage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/units/:id")
                        view=UnitPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/lessons")
                        view=LessonsPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/lessons/:id")
                        view=LessonRegisterPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/leave/new")
                        view=LeaveApplicationPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/e-services")
                        view=EServicesPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/e-services/:code")
                        view=EServiceRunnerPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/admin/e-services")
                        view=EServiceEditorListPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/admin/e-services/:code")
                        view=EServiceEditorPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/admin/calendar")
                        view=SchoolCalendarPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/admin/attendance-rules")
                        view=AttendanceRulesPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/my/cases")
                        view=MyCasesPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/my/access-log")
                        view=AccessLogPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/my/cases/:id")
                        view=MyCasePage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/inbox")
                        view=InboxPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/cases")
                        view=OwnCasesPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/cases/queue")
                        view=QueuePage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/cases/:id")
                        view=CasePage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/subtasks")
                        view=SubtasksPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/follow-ups")
                        view=FollowUpsPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/follow-ups/:id")
                        view=FollowUpPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                    <ProtectedRoute
                        path=path!("/operations")
                        view=OperationsPage
                        condition=signed_in
                        redirect_path=to_login
                        fallback=SessionPending
                    />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>{t!(i18n, footer)}</p>
            </footer>
        </Router>
    }
}

/// Shown on protected pages until `/api/me` has answered.
#[component]
fn SessionPending() -> impl IntoView {
    let session = use_session();
    move || match session.auth() {
        Auth::Unavailable(error) => view! { <ErrorAlert error /> }.into_any(),
        _ => view! { <Loading /> }.into_any(),
    }
}

#[component]
fn SiteHeader() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let name = Memo::new(move |_| {
        session
            .me()
            .map(|me| format!("{} {}", me.given_name, me.family_name))
    });
    let roles = Memo::new(move |_| session.me().map(|me| me.roles));

    view! {
        <header class="site-header">
            <div class="header-bar">
                <A href="/" attr:class="brand">
                    {t!(i18n, product)}
                </A>
                <div class="header-tools">
                    {move || name.get().map(|name| view! { <UserMenu name /> })}
                    <LanguageSwitch />
                </div>
            </div>
            {move || roles.get().map(|roles| view! { <MainNav links=nav::links(&roles) /> })}
        </header>
    }
}

#[component]
fn MainNav(links: Vec<NavLink>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="main-nav" aria-label=move || t_string!(i18n, nav.label)>
            <ul>
                <li>
                    <A href="/" exact=true>
                        {t!(i18n, nav.home)}
                    </A>
                </li>
                {links
                    .into_iter()
                    .map(|link| match link {
                        NavLink::Section(section) => match section.page() {
                            Some(href) => {
                                view! {
                                    <li>
                                        <A href=href exact=true>
                                            {move || section.title(i18n)}
                                        </A>
                                    </li>
                                }
                                    .into_any()
                            }
                            // Plain links: `<A>` would mark each of the start page's in-page
                            // links as the current page while on "/". The router still handles
                            // the click.
                            None => {
                                let href = format!("/#{}", section.id());
                                view! {
                                    <li>
                                        <a href=href>{move || section.title(i18n)}</a>
                                    </li>
                                }
                                    .into_any()
                            }
                        },
                        NavLink::Page(page) => {
                            view! {
                                <li>
                                    <A href=page.href() exact=true>
                                        {move || page.title(i18n)}
                                    </A>
                                </li>
                            }
                                .into_any()
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// The login page, to come back from to where the person was (a link opened while signed
/// out, or a session that ended on a page).
fn to_login() -> String {
    let here = web_sys::window().and_then(|window| {
        let location = window.location();
        Some(format!(
            "{}{}",
            location.pathname().ok()?,
            location.search().ok()?
        ))
    });
    match here.as_deref().and_then(crate::pages::login::safe_return) {
        Some(path) => format!(
            "/login?next={}",
            String::from(js_sys::encode_uri_component(path))
        ),
        None => "/login".to_owned(),
    }
}

/// The signed-in person and a sign-out form (a POST, so a real form and button).
#[component]
fn UserMenu(name: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let logout = Action::new_local(move |csrf_token: &String| {
        let csrf_token = csrf_token.clone();
        let navigate = navigate.clone();
        async move {
            match api::auth::logout(&csrf_token).await {
                // An expired session is as good as a finished one.
                Ok(()) => {}
                Err(error) if error.is_unauthenticated() => {}
                Err(error) => return Err(error),
            }
            session.sign_out();
            navigate("/login", Default::default());
            Ok::<(), ApiError>(())
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(csrf_token) = session.csrf_token() {
            logout.dispatch(csrf_token);
        }
    };

    view! {
        <form class="user-menu" on:submit=on_submit>
            <span class="user-name">
                {t!(i18n, session.signed_in_as)}" "<strong>{name}</strong>
            </span>
            <button type="submit" class="button secondary" disabled=logout.pending()>
                {t!(i18n, session.logout)}
            </button>
            {move || {
                logout
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|_| {
                        view! {
                            <p class="alert" role="alert">
                                {t!(i18n, session.logout_failed)}
                            </p>
                        }
                    })
            }}
        </form>
    }
}

/// Switches every string at once; a signed-in person's choice is also stored on the server.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let save = Action::new_local(|(csrf_token, locale): &(String, ApiLocale)| {
        let (csrf_token, locale) = (csrf_token.clone(), *locale);
        async move { api::auth::update_locale(&csrf_token, locale).await }
    });
    let on_change = move |ev: Event| {
        let locale = match event_target_value(&ev).as_str() {
            "en" => Locale::en,
            _ => Locale::sv,
        };
        i18n.set_locale(locale);
        session.pick_locale(api_locale(locale));
        if let Some(csrf_token) = session.csrf_token() {
            save.dispatch((csrf_token, api_locale(locale)));
        }
    };
    let current = move || i18n.get_locale().as_str();

    view! {
        <div class="language-switch">
            <label for="language">{t!(i18n, language.label)}</label>
            <select id="language" prop:value=current on:change=on_change>
                <option value="sv" lang="sv" selected=move || current() == "sv">
                    {t!(i18n, language.sv)}
                </option>
                <option value="en" lang="en" selected=move || current() == "en">
                    {t!(i18n, language.en)}
                </option>
            </select>
            {move || {
                save.value()
                    .get()
                    .and_then(Result::err)
                    .map(|_| {
                        view! {
                            <p class="alert" role="alert">
                                {t!(i18n, language.save_failed)}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
