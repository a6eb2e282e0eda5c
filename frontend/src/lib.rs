//! Leptos front end.
