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
pub mod pages;
pub mod parent;
pub mod rules_view;
pub mod schedule;
pub mod widget;

#[cfg(feature = "ssr")]
pub mod backend;

pub use app::{App, shell};

/// Entry point of the widget's wasm bundle: attaches to the server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // A marker for people and tests: the page is interactive now.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
