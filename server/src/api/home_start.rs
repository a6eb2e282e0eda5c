//! Home-Start plans: coordinators create and run them; the family and the visitor read
//! their own.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use uuid::Uuid;

use crate::auth::{AnyRole, Require, Staff};
use crate::error::ApiResult;
use crate::home_start::service::{
    self, AssignIn, CancelIn, PlanIn, PlanOut, SeriesIn, SeriesPreview, VisitAtIn, VisitorOut,
};
use crate::json::ApiJson;
use crate::state::AppState;

/// Plans the caller may see: staff their municipality's, a parent their household's, a
/// visitor the plans they visit.
#[utoipa::path(get, path = "/api/v1/home-start/plans", tag = "home-start",
    responses((status = 200, body = Vec<PlanOut>), (status = 401)))]
pub async fn list(
    State(state): State<AppState>,
    user: Require<AnyRole>,
) -> ApiResult<Json<Vec<PlanOut>>> {
    Ok(Json(service::list(&state.db, &user).await?))
}

/// Creates a plan for a household on the family's request (status `assessment`).
#[utoipa::path(post, path = "/api/v1/home-start/plans", tag = "home-start", request_body = PlanIn,
    responses((status = 201, body = PlanOut), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    user: Require<Staff>,
    ApiJson(p): ApiJson<PlanIn>,
) -> ApiResult<(StatusCode, Json<PlanOut>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state, &user, p).await?),
    ))
}

/// One plan with its visits (404 for anyone it does not concern).
#[utoipa::path(get, path = "/api/v1/home-start/plans/{id}", tag = "home-start",
    params(("id" = Uuid, Path)), responses((status = 200, body = PlanOut), (status = 404)))]
pub async fn get_one(
    State(state): State<AppState>,
    user: Require<AnyRole>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PlanOut>> {
    let p = service::plan_for(&state.db, &user, id, false).await?;
    Ok(Json(service::plan_out(&state.db, p).await?))
}

/// Schedules (or moves) the organiser's assessment visit.
#[utoipa::path(put, path = "/api/v1/home-start/plans/{id}/assessment", tag = "home-start",
    params(("id" = Uuid, Path)), request_body = VisitAtIn,
    responses((status = 200, body = PlanOut), (status = 409), (status = 422)))]
pub async fn put_assessment(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(a): ApiJson<VisitAtIn>,
) -> ApiResult<Json<PlanOut>> {
    Ok(Json(
        service::schedule_assessment(&state, &user, id, a).await?,
    ))
}

/// The municipality's home visitors, each with whether they may take this plan.
#[utoipa::path(get, path = "/api/v1/home-start/plans/{id}/visitors", tag = "home-start",
    params(("id" = Uuid, Path)), responses((status = 200, body = Vec<VisitorOut>)))]
pub async fn visitors(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<VisitorOut>>> {
    Ok(Json(service::visitors(&state, &user, id).await?))
}

/// Assigns a trained visitor (the plan becomes `active`); a replacement takes over the
/// scheduled visits.
#[utoipa::path(put, path = "/api/v1/home-start/plans/{id}/visitor", tag = "home-start",
    params(("id" = Uuid, Path)), request_body = AssignIn,
    responses((status = 200, body = PlanOut), (status = 409), (status = 422)))]
pub async fn put_visitor(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(a): ApiJson<AssignIn>,
) -> ApiResult<Json<PlanOut>> {
    Ok(Json(service::assign(&state, &user, id, a).await?))
}

/// Each occurrence of a weekly series and whether it fits; writes nothing.
#[utoipa::path(post, path = "/api/v1/home-start/plans/{id}/visits/preview", tag = "home-start",
    params(("id" = Uuid, Path)), request_body = SeriesIn,
    responses((status = 200, body = SeriesPreview), (status = 409), (status = 422)))]
pub async fn preview(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(s): ApiJson<SeriesIn>,
) -> ApiResult<Json<SeriesPreview>> {
    Ok(Json(service::preview(&state, &user, id, s).await?))
}

/// Schedules the weekly visits as an RRULE series (all must fit; replaces earlier ones).
#[utoipa::path(put, path = "/api/v1/home-start/plans/{id}/visits", tag = "home-start",
    params(("id" = Uuid, Path)), request_body = SeriesIn,
    responses((status = 200, body = PlanOut), (status = 409), (status = 422)))]
pub async fn put_visits(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(s): ApiJson<SeriesIn>,
) -> ApiResult<Json<PlanOut>> {
    Ok(Json(service::schedule_visits(&state, &user, id, s).await?))
}

/// Schedules (or moves) the closing review visit, after the last weekly visit.
#[utoipa::path(put, path = "/api/v1/home-start/plans/{id}/review", tag = "home-start",
    params(("id" = Uuid, Path)), request_body = VisitAtIn,
    responses((status = 200, body = PlanOut), (status = 409), (status = 422)))]
pub async fn put_review(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(a): ApiJson<VisitAtIn>,
) -> ApiResult<Json<PlanOut>> {
    Ok(Json(service::schedule_review(&state, &user, id, a).await?))
}

/// Closes the plan (after the review is scheduled).
#[utoipa::path(post, path = "/api/v1/home-start/plans/{id}/close", tag = "home-start",
    params(("id" = Uuid, Path)), responses((status = 200, body = PlanOut), (status = 409)))]
pub async fn close(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PlanOut>> {
    Ok(Json(service::close(&state, &user, id).await?))
}

/// Cancels the plan and its coming visits.
#[utoipa::path(post, path = "/api/v1/home-start/plans/{id}/cancel", tag = "home-start",
    params(("id" = Uuid, Path)), request_body = CancelIn,
    responses((status = 200, body = PlanOut), (status = 409), (status = 422)))]
pub async fn cancel(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(c): ApiJson<CancelIn>,
) -> ApiResult<Json<PlanOut>> {
    Ok(Json(service::cancel(&state, &user, id, c).await?))
}
