//! What every request handler can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;

use chrono::{DateTime, Utc};

use crate::auth::CurrentUser;
use crate::booking::group::GroupCommit;
use crate::db::changes::{Cache, Changes, Topic};
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
    /// Rows read all the time and changed rarely (see [`crate::db::changes`]).
    pub cached: Arc<Cached>,
}

/// The caches of one process; on SQLite they stay off.
pub struct Cached {
    pub changes: Arc<Changes>,
    /// Who a session token (by its hash) belongs to, and until when.
    pub sessions: Cache<String, (CurrentUser, DateTime<Utc>)>,
}

impl Cached {
    pub fn new(changes: Arc<Changes>) -> Cached {
        Cached {
            changes,
            sessions: Cache::new(Topic::Sessions),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
