//! What every request handler can reach.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::FromRef;
use chrono::{DateTime, Utc};
use hagukumi_domain::capacity::Municipality;
use hagukumi_domain::rules::MunicipalityRules;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::booking::group::GroupCommit;
use crate::booking::resource::SiteResource;
use crate::db::changes::{Cache, Changes, Topic};
use crate::entities::{child, household, service};
use crate::settings::Settings;

/// A handle on [`Shared`]: every extractor and middleware takes its own copy
/// of the state, so a copy is one reference count, not three pools, the
/// settings and the Leptos options each.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
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
    /// A user's households, for booking rounds.
    pub households: Cache<Uuid, Vec<household::Model>>,
    /// Children by id, for booking rounds.
    pub children: Cache<Uuid, child::Model>,
    /// The municipality codes and the sites of a set of services, for booking rounds.
    pub places: Cache<Vec<String>, Places>,
    /// A municipality's service by its key, for the names in booking emails.
    pub services: Cache<(Uuid, String), service::Model>,
    /// A municipality's rules, for booking rounds.
    pub rules: Cache<Uuid, Arc<MunicipalityRules>>,
}

/// Municipality codes and the sites built with them.
pub type Places = (HashMap<Uuid, Municipality>, Vec<Arc<SiteResource>>);

impl Cached {
    /// After this process's own commit to `topic`'s tables: its next reads
    /// see the change at once, not only once the change notice comes back.
    pub fn changed_here(&self, topic: Topic) {
        self.changes.bump(topic);
    }

    pub fn new(changes: Arc<Changes>) -> Cached {
        Cached {
            changes,
            sessions: Cache::new(Topic::Sessions),
            households: Cache::new(Topic::Families),
            children: Cache::new(Topic::Families),
            places: Cache::new(Topic::Sites),
            services: Cache::new(Topic::Sites),
            rules: Cache::new(Topic::Rules),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
