//! Coordinator's dispatch API: a day's helpers and visits, entering an approved visit,
//! running the planner, pinning, and a helper's sick call.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Require, Staff};
use crate::dispatch::problem::{self, DEFAULT_SPEED_M_PER_MIN, LoadOptions};
use crate::dispatch::schedule::hhmm;
use crate::dispatch::service::{self, Outcome, PlanOptions, VisitIn};
use crate::entities::helper_visit;
use crate::error::ApiResult;
use crate::json::ApiJson;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitOut {
    pub id: Uuid,
    pub service: String,
    pub household_id: Uuid,
    pub booking_id: Option<Uuid>,
    pub day: NaiveDate,
    pub earliest_start: String,
    pub latest_start: String,
    pub duration_minutes: i32,
    pub required_skills: Vec<String>,
    pub preferred_helper_id: Option<Uuid>,
    pub assigned_helper_id: Option<Uuid>,
    /// `unassigned`, `proposed` or `accepted`.
    pub assignment_status: String,
    pub planned_start: Option<String>,
    pub pinned: bool,
    pub sequence: i32,
    pub area: String,
    pub family_label: String,
    pub notes: String,
}

impl From<helper_visit::Model> for VisitOut {
    fn from(v: helper_visit::Model) -> Self {
        VisitOut {
            id: v.id,
            service: v.service_key,
            household_id: v.household_id,
            booking_id: v.booking_id,
            day: v.day,
            earliest_start: hhmm(v.window_start_min),
            latest_start: hhmm(v.window_end_min),
            duration_minutes: v.duration_min,
            required_skills: problem::skills_of(&v.required_skills),
            preferred_helper_id: v.preferred_provider_id,
            assigned_helper_id: v.assigned_provider_id,
            assignment_status: v.assignment_status,
            planned_start: v.planned_start_min.map(hhmm),
            pinned: v.pinned,
            sequence: v.sequence,
            area: v.area,
            family_label: v.family_label,
            notes: v.notes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HelperOut {
    pub id: Uuid,
    pub name: String,
    pub agency_id: Option<Uuid>,
    pub skills: Vec<String>,
    /// Working hours that day (`HH:MM`), absent when not working or away.
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayOut {
    pub day: NaiveDate,
    pub helpers: Vec<HelperOut>,
    pub visits: Vec<VisitOut>,
}

/// Everything the dispatch board shows for one day.
pub async fn day_view(state: &AppState, municipality: Uuid, day: NaiveDate) -> ApiResult<DayOut> {
    let d = problem::load(
        &state.db,
        municipality,
        day,
        &LoadOptions {
            speed_m_per_min: DEFAULT_SPEED_M_PER_MIN,
            lock: false,
        },
    )
    .await?;
    Ok(DayOut {
        day,
        helpers: d
            .helpers
            .into_iter()
            .map(|h| HelperOut {
                id: h.row.id,
                name: h.row.display_name,
                agency_id: h.row.agency_id,
                skills: h.skills,
                from: h.hours.map(|(f, _)| hhmm(f as i32)),
                to: h.hours.map(|(_, t)| hhmm(t as i32)),
            })
            .collect(),
        visits: d.visits.into_iter().map(VisitOut::from).collect(),
    })
}

/// A day's helpers (with working hours) and approved helper visits.
#[utoipa::path(get, path = "/api/v1/dispatch/days/{day}", tag = "dispatch",
    params(("day" = NaiveDate, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = DayOut), (status = 401), (status = 403)))]
pub async fn get_day(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(day): Path<NaiveDate>,
) -> ApiResult<Json<DayOut>> {
    Ok(Json(day_view(&state, user.municipality_id, day).await?))
}

/// Plans the day: every visit to a helper with the skills, within hours and windows,
/// with travel between homes; pinned and accepted assignments stay.
#[utoipa::path(post, path = "/api/v1/dispatch/days/{day}/plan", tag = "dispatch",
    params(("day" = NaiveDate, Path, description = "YYYY-MM-DD")),
    request_body = PlanOptions,
    responses((status = 200, body = Outcome), (status = 422)))]
pub async fn post_plan(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(day): Path<NaiveDate>,
    ApiJson(opts): ApiJson<PlanOptions>,
) -> ApiResult<Json<Outcome>> {
    Ok(Json(service::plan_day(&state, &user, day, opts).await?))
}

/// Enters an approved visit of a helper programme.
#[utoipa::path(post, path = "/api/v1/dispatch/visits", tag = "dispatch", request_body = VisitIn,
    responses((status = 201, body = VisitOut), (status = 422)))]
pub async fn post_visit(
    State(state): State<AppState>,
    user: Require<Staff>,
    ApiJson(v): ApiJson<VisitIn>,
) -> ApiResult<(StatusCode, Json<VisitOut>)> {
    let saved = service::create_visit(&state, &user, v).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PinIn {
    /// The helper to fix the visit to; `null` releases the pin.
    pub helper_id: Option<Uuid>,
}

/// Pins a visit to a helper (or releases it); re-planning keeps pinned visits.
#[utoipa::path(put, path = "/api/v1/dispatch/visits/{id}/pin", tag = "dispatch", request_body = PinIn,
    responses((status = 200, body = VisitOut), (status = 404), (status = 422)))]
pub async fn put_pin(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(p): ApiJson<PinIn>,
) -> ApiResult<Json<VisitOut>> {
    Ok(Json(
        service::pin(&state, &user, id, p.helper_id).await?.into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnavailableIn {
    pub date: NaiveDate,
    /// `sickness` (default) or `leave`.
    #[serde(default)]
    pub kind: Option<String>,
}

/// A helper is off for a day: their visits are re-planned with the fewest changes and
/// the helpers affected are mailed.
#[utoipa::path(post, path = "/api/v1/dispatch/helpers/{id}/unavailable", tag = "dispatch",
    request_body = UnavailableIn,
    responses((status = 200, body = Outcome), (status = 404), (status = 422)))]
pub async fn post_unavailable(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(u): ApiJson<UnavailableIn>,
) -> ApiResult<Json<Outcome>> {
    let kind = u.kind.as_deref().unwrap_or("sickness");
    Ok(Json(
        service::helper_unavailable(&state, &user, id, u.date, kind).await?,
    ))
}
