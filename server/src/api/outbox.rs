//! Staff view of the email outbox: what was sent, what is waiting, and what
//! failed for good (so a coordinator can phone the family instead), with a
//! button's worth of API to try a failed message again.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::Role;
use crate::auth::extract::Require;
use crate::auth::role::Staff;
use crate::entities::outbox;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiQuery;
use crate::mail::outbox as repo;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `pending`, `sent` or `failed`; all when omitted.
    pub status: Option<String>,
    /// Newest first; at most 500 (default 100).
    pub limit: Option<u64>,
}

/// One message as staff see it: envelope and outcome, not the body.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxItem {
    pub id: Uuid,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub locale: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub message_id: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The `.eml` file (file transport) or the relay's reply (SMTP).
    pub location: Option<String>,
    pub calendar: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
}

impl OutboxItem {
    /// `m` as staff see it; a message rendered only when it is sent shows the
    /// subject it will have.
    fn of(m: outbox::Model, settings: &crate::settings::Settings) -> Self {
        // An event that cannot be read shows no subject; the worker marks
        // the row failed, with why, when it tries to send it.
        let m = match repo::rendered(&m, settings) {
            Ok(Some(r)) => r,
            Ok(None) | Err(_) => m,
        };
        OutboxItem {
            id: m.id,
            kind: m.kind,
            to: m.to_address,
            subject: m.subject,
            locale: m.locale,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            message_id: m.message_id,
            created_at: m.created_at,
            sent_at: m.sent_at,
            location: m.location,
            calendar: m
                .ics_method
                .map(|method| format!("{method} #{}", m.ics_sequence.unwrap_or_default())),
            entity: m.entity,
            entity_id: m.entity_id,
        }
    }
}

/// Staff see their municipality's mail; administrators also see mail to
/// addresses outside any municipality.
fn scope(staff: &crate::auth::CurrentUser) -> Condition {
    let own = outbox::Column::MunicipalityId.eq(staff.municipality_id);
    if staff.role == Role::Admin {
        Condition::any()
            .add(own)
            .add(outbox::Column::MunicipalityId.is_null())
    } else {
        Condition::all().add(own)
    }
}

/// The outbox, newest first.
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "mail", params(OutboxQuery),
    responses((status = 200, body = [OutboxItem]), (status = 401), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Require<Staff>,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<Vec<OutboxItem>>> {
    let mut query = outbox::Entity::find().filter(scope(&staff));
    if let Some(s) = &q.status {
        if ![repo::PENDING, repo::SENT, repo::FAILED].contains(&s.as_str()) {
            return Err(ApiError::field(
                "status",
                "unknown_value",
                hagukumi_domain::Text::new(
                    "pending・sent・failed のいずれかを指定してください",
                    "Use pending, sent or failed",
                ),
            ));
        }
        query = query.filter(outbox::Column::Status.eq(s.as_str()));
    }
    let rows = query
        .order_by_desc(outbox::Column::CreatedAt)
        .order_by_desc(outbox::Column::Id)
        .limit(q.limit.unwrap_or(100).clamp(1, 500))
        .all(&state.db)
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|m| OutboxItem::of(m, &state.settings))
            .collect(),
    ))
}

/// The newest messages a staff member may see, for the staff mail page.
pub async fn recent_for(
    state: &AppState,
    staff: &crate::auth::CurrentUser,
    limit: u64,
) -> ApiResult<Vec<OutboxItem>> {
    let rows = outbox::Entity::find()
        .filter(scope(staff))
        .order_by_desc(outbox::Column::CreatedAt)
        .order_by_desc(outbox::Column::Id)
        .limit(limit)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| OutboxItem::of(m, &state.settings))
        .collect())
}

/// Tries a failed message again (attempts start from zero).
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "mail",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 409)))]
pub async fn retry(
    State(state): State<AppState>,
    staff: Require<Staff>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let txn = crate::db::begin_write(&state.db).await?;
    let row = outbox::Entity::find_by_id(id)
        .filter(scope(&staff))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !repo::requeue(&txn, row.id).await? {
        return Err(ApiError::Conflict(hagukumi_domain::Text::new(
            "送信に失敗したメールだけを再送できます",
            "Only failed messages can be retried",
        )));
    }
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(staff.municipality_id),
            actor: Some(staff.id),
            action: "outbox.retry",
            entity: "outbox",
            entity_id: id.to_string(),
            details: json!({ "kind": row.kind }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
