//! Family Support (ファミリー・サポート・センター) for the coordinator console: members,
//! requests, ranked candidates, proposals with an accept link, pre-meetings, pairs and
//! their activities, and batch matching. The rules (exclusions, scores, weekly limits,
//! pair validity) live in `hagukumi_domain::matching::candidates`; this module loads rows,
//! calls the domain, and writes each change in one transaction with its audit record.
//!
//! Every query is scoped to the caller's municipality; providers see only their own
//! proposals and pairs.

pub mod forms;
pub mod matching;
pub mod members;
pub mod pairs;
pub mod proposals;
pub mod reports;
pub mod requests;
pub mod web;

use hagukumi_domain::Text;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::error::{ApiError, FieldError};

/// Writes the audit row of a Family Support change (ids and codes only).
pub(crate) async fn audit(
    conn: &impl sea_orm::ConnectionTrait,
    municipality_id: Uuid,
    actor: Option<Uuid>,
    action: &str,
    entity: &str,
    id: Uuid,
    details: serde_json::Value,
) -> Result<(), sea_orm::DbErr> {
    audit::record(
        conn,
        AuditEntry {
            municipality_id: Some(municipality_id),
            actor,
            action,
            entity,
            entity_id: id.to_string(),
            details,
        },
    )
    .await
}

pub(crate) fn invalid(field: &str, code: &str, ja: &str, en: &str) -> FieldError {
    FieldError::new(field, code, Text::new(ja, en))
}

pub(crate) fn fail(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

pub(crate) fn conflict(ja: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError::Conflict(Text::new(ja, en))
}

/// Staff act for their municipality; the check that they are staff is the extractor's.
pub(crate) fn scope(user: &CurrentUser) -> Uuid {
    user.municipality_id
}
