//! Leptos pages for parents, coordinators and providers. Server-rendered first
//! (everything works without wasm: forms post to the server), then hydrated so
//! the same code adds instant feedback in the browser.
// Leptos views are nested types; the coordinator and booking pages are deep.
#![recursion_limit = "512"]

pub mod api;
pub mod app;
pub mod booking;
pub mod console;
pub mod home_start;
pub mod i18n;
pub mod mail_log;
pub mod model;
pub mod month;
pub mod pages;
pub mod parent;
pub mod rules_view;
pub mod schedule;
pub mod widget;

#[cfg(feature = "ssr")]
pub mod backend;

pub use app::{App, WidgetApp, shell};

/// Attaches `root` to the server-rendered HTML of the page. Each wasm bundle's
/// `hydrate()` calls it with the root component the server rendered the page with.
#[cfg(feature = "hydrate-lib")]
pub fn hydrate_page<F, V>(root: F)
where
    F: FnOnce() -> V + 'static,
    V: leptos::prelude::IntoView,
{
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(root);
    // A marker for people and tests: the page is interactive now.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}

/// Entry point of the site's wasm bundle (every page but the embedded widget,
/// whose own small bundle is the `hagukumi-widget` crate).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    hydrate_page(App);
}
