//! Skolflyt's single-page app, rendered in the browser and talking to the server's `/api`.

mod api;
mod app;
mod components;
mod files;
mod format;
mod labels;
mod nav;
mod pages;
mod session;

// leptos_i18n 0.6 prefers generating this module from a build script, but its build crate pulls
// ICU's data exporter and a networked data source into every build; the macro reads the same
// `locales/` folder with the settings in Cargo.toml.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();

    // The macro does not tell cargo which files it read; including them does, so an edited
    // translation rebuilds the app.
    const _: &[u8] = include_bytes!("../locales/sv.json");
    const _: &[u8] = include_bytes!("../locales/en.json");

    pub type I18n = leptos_i18n::I18nContext<i18n::Locale>;
}
use locales::{I18n, i18n};

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
