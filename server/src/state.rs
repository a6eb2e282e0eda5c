//! What every request handler can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::booking::group::GroupCommit;
use crate::settings::Settings;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// For the session read behind every request (see [`crate::db::request_reads`]).
    pub reads: DatabaseConnection,
    /// For the new-booking rounds (see [`crate::db::rounds_connection`]).
    pub rounds: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub leptos_options: LeptosOptions,
    /// New bookings waiting for their transaction (see [`GroupCommit`]).
    pub bookings: Arc<GroupCommit>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
