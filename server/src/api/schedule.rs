//! The provider's own schedule: their visits with what the job needs (when, where, which
//! family by initial, notes, travel), answers to proposals, and the calendar-feed URL.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{Duration, NaiveDate, Utc};
use hagukumi_domain::Text;
use hagukumi_domain::calendar::local_date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{CurrentUser, Provider, Require};
use crate::db::begin_write;
use crate::dispatch::digest::{Frequency, set_frequency};
use crate::dispatch::feed::{feed_url, reset_token};
use crate::dispatch::schedule::{self, hhmm};
use crate::dispatch::service::{self, me_as_provider};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiQuery;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleItem {
    pub visit_id: Uuid,
    pub day: NaiveDate,
    pub start: String,
    pub end: String,
    pub service: String,
    /// The family as the helper needs it: family-name initial only.
    pub family: String,
    pub area: String,
    pub notes: String,
    /// `proposed` (waiting for the answer) or `accepted`.
    pub status: String,
    /// Minutes from home or the previous visit that day.
    pub travel_minutes: Option<i32>,
}

impl From<schedule::Item> for ScheduleItem {
    fn from(i: schedule::Item) -> Self {
        ScheduleItem {
            visit_id: i.visit.id,
            day: i.visit.day,
            start: hhmm(i.start_min),
            end: hhmm(i.end_min),
            service: i.visit.service_key,
            family: i.visit.family_label,
            area: i.visit.area,
            notes: i.visit.notes,
            status: i.visit.assignment_status,
            travel_minutes: i.travel_min,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// First day (default today, JST).
    pub from: Option<NaiveDate>,
    /// Last day (default four weeks on).
    pub to: Option<NaiveDate>,
}

/// The provider's items from `from` to `to`, at most 120 days.
pub async fn schedule_of(
    state: &AppState,
    user: &CurrentUser,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ApiResult<Vec<ScheduleItem>> {
    let from = from.unwrap_or_else(|| local_date(Utc::now()));
    let to = to.unwrap_or(from + Duration::days(27));
    if to < from || to - from > Duration::days(120) {
        return Err(ApiError::field(
            "to",
            "out_of_range",
            Text::new(
                "期間は120日以内で指定してください",
                "The range must be at most 120 days",
            ),
        ));
    }
    let me = me_as_provider(&state.db, user).await?;
    let mut items: Vec<ScheduleItem> = schedule::items(&state.db, &me, from, to)
        .await?
        .into_iter()
        .map(ScheduleItem::from)
        .collect();
    // Home-Start visits of a home visitor: always with the parent present.
    for (v, plan) in
        crate::home_start::service::visits_of_visitor(&state.db, me.id, from, to).await?
    {
        items.push(home_start_item(&v, &plan));
    }
    items.sort_by(|a, b| (a.day, &a.start).cmp(&(b.day, &b.start)));
    Ok(items)
}

/// A Home-Start visit as a schedule item (`service` is `home-visitor`).
pub fn home_start_item(
    v: &crate::entities::home_start_visit::Model,
    plan: &crate::entities::home_start_plan::Model,
) -> ScheduleItem {
    use hagukumi_domain::calendar::local_datetime;
    use hagukumi_domain::home_start::VisitKind;
    let kind = VisitKind::parse(&v.kind)
        .unwrap_or(VisitKind::Weekly)
        .label();
    ScheduleItem {
        visit_id: v.id,
        day: v.day,
        start: local_datetime(v.starts_at).format("%H:%M").to_string(),
        end: local_datetime(v.ends_at).format("%H:%M").to_string(),
        service: "home-visitor".to_owned(),
        family: plan.family_label.clone(),
        area: plan.area.clone(),
        notes: format!("{} / {} — 保護者同席 / Parent present", kind.ja, kind.en),
        status: "accepted".to_owned(),
        travel_minutes: None,
    }
}

/// The signed-in provider's visits, proposed and accepted.
#[utoipa::path(get, path = "/api/v1/schedule", tag = "schedule", params(RangeQuery),
    responses((status = 200, body = [ScheduleItem]), (status = 401), (status = 403)))]
pub async fn get_schedule(
    State(state): State<AppState>,
    user: Require<Provider>,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Json<Vec<ScheduleItem>>> {
    Ok(Json(schedule_of(&state, &user, q.from, q.to).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerOut {
    pub visit_id: Uuid,
    pub status: String,
}

/// Accepts a proposed visit.
#[utoipa::path(post, path = "/api/v1/schedule/visits/{id}/accept", tag = "schedule",
    responses((status = 200, body = AnswerOut), (status = 404), (status = 409)))]
pub async fn accept(
    State(state): State<AppState>,
    user: Require<Provider>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<AnswerOut>> {
    let v = service::respond(&state, &user, id, true).await?;
    Ok(Json(AnswerOut {
        visit_id: v.id,
        status: v.assignment_status,
    }))
}

/// Declines a proposed visit; it goes back to the coordinator.
#[utoipa::path(post, path = "/api/v1/schedule/visits/{id}/decline", tag = "schedule",
    responses((status = 200, body = AnswerOut), (status = 404), (status = 409)))]
pub async fn decline(
    State(state): State<AppState>,
    user: Require<Provider>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<AnswerOut>> {
    let v = service::respond(&state, &user, id, false).await?;
    Ok(Json(AnswerOut {
        visit_id: v.id,
        status: v.assignment_status,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedOut {
    /// The private subscription URL; shown once (only its hash is kept).
    pub url: String,
}

/// Issues a new private calendar-feed URL; any earlier URL stops working.
pub async fn new_feed(state: &AppState, user: &CurrentUser) -> ApiResult<String> {
    let txn = begin_write(&state.db).await?;
    let me = me_as_provider(&txn, user).await?;
    let token = reset_token(&txn, me.id, Some((user.municipality_id, user.id))).await?;
    txn.commit().await?;
    Ok(token)
}

/// Issues (or resets) the signed-in provider's calendar-feed URL.
#[utoipa::path(post, path = "/api/v1/schedule/feed", tag = "schedule",
    responses((status = 200, body = FeedOut), (status = 401), (status = 403)))]
pub async fn post_feed(
    State(state): State<AppState>,
    user: Require<Provider>,
) -> ApiResult<Json<FeedOut>> {
    let token = new_feed(&state, &user).await?;
    Ok(Json(FeedOut {
        url: feed_url(&state.settings.server.public_url, &token),
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestIn {
    /// `daily` (the day's visits each morning, the default), `weekly` or `off`.
    pub frequency: String,
}

/// How often the signed-in provider gets their schedule digest by e-mail.
#[utoipa::path(put, path = "/api/v1/schedule/digest", tag = "schedule", request_body = DigestIn,
    responses((status = 200, body = DigestIn), (status = 401), (status = 403), (status = 422)))]
pub async fn put_digest(
    State(state): State<AppState>,
    user: Require<Provider>,
    crate::json::ApiJson(d): crate::json::ApiJson<DigestIn>,
) -> ApiResult<Json<DigestIn>> {
    let f = Frequency::parse(&d.frequency)?;
    let f = set_frequency(&state, &user, f).await?;
    Ok(Json(DigestIn {
        frequency: f.as_str().to_owned(),
    }))
}
