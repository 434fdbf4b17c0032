//! Who is signed in, shared through context. The session itself is an HttpOnly cookie the app
//! never sees; what it keeps is `/api/me`'s answer, including the CSRF token that every
//! state-changing request must carry.

use leptos::prelude::*;
use shared::auth::{Locale as ApiLocale, Me};

use crate::I18n;
use crate::api::{self, ApiError};
use crate::i18n::{Locale, use_i18n};

#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// `/api/me` has not answered yet.
    Checking,
    SignedOut,
    SignedIn(Me),
    /// `/api/me` failed for another reason than a missing session.
    Unavailable(ApiError),
}

#[derive(Debug, Clone, Copy)]
pub struct Session {
    auth: RwSignal<Auth>,
    /// Set when the visitor picks a language before signing in, so the choice survives the
    /// sign-in instead of being replaced by the stored one.
    picked_locale: RwSignal<bool>,
    i18n: I18n,
}

impl Session {
    /// Creates the session, asks the server who is signed in, and provides it as context.
    pub fn provide() -> Self {
        let i18n = use_i18n();
        let session = Self {
            auth: RwSignal::new(Auth::Checking),
            picked_locale: RwSignal::new(false),
            i18n,
        };
        provide_context(session);
        // Swedish until the signed-in person's stored choice is known, whatever the browser
        // prefers.
        Effect::new(move |_| i18n.set_locale(Locale::sv));
        leptos::task::spawn_local(async move {
            let auth = match api::auth::me().await {
                Ok(me) => {
                    i18n.set_locale(ui_locale(me.locale));
                    Auth::SignedIn(me)
                }
                Err(error) if error.is_unauthenticated() => Auth::SignedOut,
                Err(error) => Auth::Unavailable(error),
            };
            session.auth.set(auth);
        });
        session
    }

    pub fn auth(&self) -> Auth {
        self.auth.get()
    }

    /// The signed-in person, tracked.
    pub fn me(&self) -> Option<Me> {
        self.auth.with(|auth| match auth {
            Auth::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// For route guards: `None` while the server has not answered.
    pub fn is_signed_in(&self) -> Option<bool> {
        self.auth.with(|auth| match auth {
            Auth::Checking | Auth::Unavailable(_) => None,
            Auth::SignedOut => Some(false),
            Auth::SignedIn(_) => Some(true),
        })
    }

    pub fn csrf_token(&self) -> Option<String> {
        self.auth.with_untracked(|auth| match auth {
            Auth::SignedIn(me) => Some(me.csrf_token.clone()),
            _ => None,
        })
    }

    /// After a successful login: keeps a language picked on the login page (and stores it),
    /// otherwise switches to the person's stored language.
    pub fn sign_in(&self, mut me: Me) {
        let i18n = self.i18n;
        let current = api_locale(i18n.get_locale_untracked());
        if self.picked_locale.get_untracked() && current != me.locale {
            me.locale = current;
            let csrf_token = me.csrf_token.clone();
            // Best effort: the language is already on screen; it is only not remembered.
            leptos::task::spawn_local(async move {
                let _ = api::auth::update_locale(&csrf_token, current).await;
            });
        } else {
            i18n.set_locale(ui_locale(me.locale));
        }
        // The next person to sign in here starts from their own stored choice.
        self.picked_locale.set(false);
        self.auth.set(Auth::SignedIn(me));
    }

    pub fn sign_out(&self) {
        self.picked_locale.set(false);
        self.auth.set(Auth::SignedOut);
    }

    /// Records a language the person picked, so that [`Session::sign_in`] keeps it.
    pub fn pick_locale(&self, locale: ApiLocale) {
        self.picked_locale.set(true);
        self.auth.update(|auth| {
            if let Auth::SignedIn(me) = auth {
                me.locale = locale;
            }
        });
    }
}

pub fn use_session() -> Session {
    expect_context()
}

pub fn ui_locale(locale: ApiLocale) -> Locale {
    match locale {
        ApiLocale::Sv => Locale::sv,
        ApiLocale::En => Locale::en,
    }
}

pub fn api_locale(locale: Locale) -> ApiLocale {
    match locale {
        Locale::sv => ApiLocale::Sv,
        Locale::en => ApiLocale::En,
    }
}
