//! Family Support activity reports: the provider files, the family confirms, the
//! coordinator reads the month. The work is in `crate::family_support::reports`.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::{CurrentUser, Require, Staff};
use crate::error::ApiResult;
use crate::family_support::reports::{self, ActivityReportOut, MonthOut, ReportIn};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// The caller's ended activities of the last two months with their reports: a
/// provider's own, a family's filed ones, all of the municipality for staff.
#[utoipa::path(get, path = "/api/v1/family-support/reports", tag = "family-support",
    responses((status = 200, body = [ActivityReportOut]), (status = 401)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<ActivityReportOut>>> {
    Ok(Json(reports::list(&state, &user).await?))
}

/// Files or corrects the report of an activity the signed-in provider held.
#[utoipa::path(post, path = "/api/v1/family-support/activities/{id}/report", tag = "family-support",
    request_body = ReportIn,
    responses((status = 200, body = ActivityReportOut),
        (status = 404, description = "not an activity of yours"),
        (status = 409, description = "cancelled, or already confirmed by the family"),
        (status = 422, description = "the field at fault is named")))]
pub async fn file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    ApiJson(r): ApiJson<ReportIn>,
) -> ApiResult<Json<ActivityReportOut>> {
    Ok(Json(reports::file(&state, &user, id, r).await?))
}

/// The family confirms a report of its own activity.
#[utoipa::path(post, path = "/api/v1/family-support/reports/{id}/confirm", tag = "family-support",
    responses((status = 200, body = ActivityReportOut), (status = 404), (status = 409)))]
pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ActivityReportOut>> {
    Ok(Json(reports::confirm(&state, &user, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MonthQuery {
    /// `2026-11`.
    pub month: String,
}

/// The month per pair: activities, reports filed, confirmed, missing and late.
#[utoipa::path(get, path = "/api/v1/family-support/reports/summary", tag = "family-support",
    params(MonthQuery),
    responses((status = 200, body = MonthOut), (status = 403), (status = 422)))]
pub async fn summary(
    State(state): State<AppState>,
    user: Require<Staff>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<Json<MonthOut>> {
    Ok(Json(reports::month(&state, &user, &q.month).await?))
}
