//! The embeddable widget's wasm bundle (`pkg/widget.js`, `pkg/widget_bg.wasm`).
//!
//! The server renders the widget's pages (`/widget/:service`) with
//! [`hagukumi_frontend::WidgetApp`], which has the same frame as the site's `App`
//! but only the widget's routes; this bundle hydrates them with that component,
//! so the linker drops every other page and a city's page loads a fraction of the
//! site's bundle. Built by `scripts/build-widget`.
#![cfg(target_arch = "wasm32")]

/// Entry point: attaches to the server-rendered widget page.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    hagukumi_frontend::hydrate_page(hagukumi_frontend::WidgetApp);
}
