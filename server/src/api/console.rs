//! The coordinator console's overview: what waits for the center today, per kind of work.
//! Family Support counts come from its tables; booking approvals are counted from the
//! bookings table when it exists (the booking service owns the queue itself).

use axum::Json;
use axum::extract::State;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Statement};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Require, Staff};
use crate::entities::{fs_pair, fs_proposal, fs_request};
use crate::error::ApiResult;
use crate::state::AppState;

/// Counts of waiting work.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsoleOverview {
    /// Family Support requests without a provider yet.
    pub fs_open_requests: u64,
    /// Proposals waiting for the provider's answer.
    pub fs_proposals_waiting: u64,
    /// Accepted pairs whose pre-meeting has not been held.
    pub fs_pre_meetings_pending: u64,
    /// Pairs that can book activities.
    pub fs_active_pairs: u64,
    /// Booking requests waiting for approval (absent when bookings are not set up).
    pub bookings_waiting: Option<u64>,
}

pub async fn overview_for(state: &AppState, municipality_id: Uuid) -> ApiResult<ConsoleOverview> {
    let db = &state.db;
    let fs_open_requests = fs_request::Entity::find()
        .filter(fs_request::Column::MunicipalityId.eq(municipality_id))
        .filter(fs_request::Column::Status.eq("open"))
        .count(db)
        .await?;
    let fs_proposals_waiting = fs_proposal::Entity::find()
        .filter(fs_proposal::Column::MunicipalityId.eq(municipality_id))
        .filter(fs_proposal::Column::Status.eq("proposed"))
        .count(db)
        .await?;
    let pairs = |status: &'static str| {
        fs_pair::Entity::find()
            .filter(fs_pair::Column::MunicipalityId.eq(municipality_id))
            .filter(fs_pair::Column::Status.eq(status))
            .count(db)
    };
    let fs_pre_meetings_pending = pairs("pre_meeting").await?;
    let fs_active_pairs = pairs("active").await?;
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT COUNT(*) AS n FROM bookings WHERE municipality_id = $1 AND status = 'requested'"
        }
        _ => {
            "SELECT COUNT(*) AS n FROM bookings WHERE municipality_id = ? AND status = 'requested'"
        }
    };
    let bookings_waiting = match db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [municipality_id.into()],
        ))
        .await
    {
        Ok(Some(row)) => row.try_get::<i64>("", "n").ok().map(|n| n.max(0) as u64),
        _ => None,
    };
    Ok(ConsoleOverview {
        fs_open_requests,
        fs_proposals_waiting,
        fs_pre_meetings_pending,
        fs_active_pairs,
        bookings_waiting,
    })
}

/// What waits for the coordinator's municipality.
#[utoipa::path(get, path = "/api/v1/console/overview", tag = "console",
    responses((status = 200, body = ConsoleOverview), (status = 401), (status = 403)))]
pub async fn overview(
    State(state): State<AppState>,
    user: Require<Staff>,
) -> ApiResult<Json<ConsoleOverview>> {
    Ok(Json(overview_for(&state, user.municipality_id).await?))
}
