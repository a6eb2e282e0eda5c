//! The audit trail: every state change writes one row in the same transaction.
//! Details hold ids and codes only; names, addresses and dates of birth stay out.

use chrono::Utc;
use sea_orm::{ConnectionTrait, Set};
use uuid::Uuid;

use crate::entities::audit_log;

pub struct AuditEntry<'a> {
    pub municipality_id: Option<Uuid>,
    pub actor: Option<Uuid>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub details: serde_json::Value,
}

pub async fn record(conn: &impl ConnectionTrait, e: AuditEntry<'_>) -> Result<(), sea_orm::DbErr> {
    record_many(conn, vec![e]).await
}

/// Writes many entries in one statement (a group commit's audit rows).
pub async fn record_many(
    conn: &impl ConnectionTrait,
    entries: Vec<AuditEntry<'_>>,
) -> Result<(), sea_orm::DbErr> {
    crate::db::insert_all(conn, rows(entries)).await
}

/// The audit rows for `entries`, to write with other rows (see [`crate::db::Batch`]).
pub fn rows(entries: Vec<AuditEntry<'_>>) -> Vec<audit_log::ActiveModel> {
    let at = Utc::now();
    entries
        .into_iter()
        .map(|e| audit_log::ActiveModel {
            id: Set(Uuid::now_v7()),
            municipality_id: Set(e.municipality_id),
            actor_user_id: Set(e.actor),
            action: Set(e.action.to_owned()),
            entity: Set(e.entity.to_owned()),
            entity_id: Set(e.entity_id),
            details: Set(e.details),
            at: Set(at),
        })
        .collect()
}
