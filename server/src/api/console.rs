//! The coordinator console: the overview of what waits for the center, the approval
//! queue, and the sites' calendars with their capacity changes.
//!
//! The overview: what waits for the center today, per kind of work.
//! Family Support counts come from its tables; booking approvals are counted from the
//! bookings table when it exists (the booking service owns the queue itself).

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use hagukumi_domain::Text;
use hagukumi_frontend::console::model::{QueueItem, SiteCalendar, SiteOption};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Statement};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Require, Staff};
use crate::booking::{site_admin, site_calendar};
use crate::entities::{fs_pair, fs_proposal, fs_request};
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiQuery};
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

/// Requests waiting for approval in the coordinator's municipality, oldest first, each
/// with the household's facts, eligibility, quota used, fee and conflicts.
#[utoipa::path(get, path = "/api/v1/console/queue", tag = "console",
    responses((status = 200, description = "`[{\"id\",\"reference\",\"service\",\"service_name\",\"site_name\",\"start\",\"end\",\"requested_at\",\"reason\",\"family\":{…},\"children\":[{\"name\",\"birth_date\",\"eligible\",\"reasons\"}],\"eligible\",\"quotas\",\"fee_yen\",\"coupon_yen\",\"total_yen\",\"capacity\":[…],\"conflicts\":[{\"code\",\"message\"}]}]`"),
        (status = 401), (status = 403)))]
pub async fn queue(
    State(state): State<AppState>,
    user: Require<Staff>,
) -> ApiResult<Json<Vec<QueueItem>>> {
    crate::booking::waitlist::expire_lapsed(&state, chrono::Utc::now()).await?;
    Ok(Json(
        crate::booking::queue::queue(&state.db, user.municipality_id).await?,
    ))
}

/// The sites the municipality's families may use; `manage` where it owns them.
#[utoipa::path(get, path = "/api/v1/console/sites", tag = "console",
    responses((status = 200, description = "`[{\"code\",\"name\",\"service\",\"service_name\",\"manage\"}]`")))]
pub async fn sites(
    State(state): State<AppState>,
    user: Require<Staff>,
) -> ApiResult<Json<Vec<SiteOption>>> {
    Ok(Json(site_calendar::sites_for(&state.db, &user).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CalendarQuery {
    /// `day`, `week` (default) or `month`.
    pub view: Option<String>,
    /// A day in the period shown (default today).
    pub date: Option<NaiveDate>,
}

/// A site's calendar: capacity used and free per day (beds per night, or staff
/// needed against staff on duty per hour) and who booked what.
#[utoipa::path(get, path = "/api/v1/console/sites/{code}/calendar", tag = "console",
    params(("code" = String, Path), CalendarQuery),
    responses((status = 200, description = "`{\"site\",\"unit\",\"view\",\"from\",\"to\",\"days\":[{\"date\",\"open\",\"closed_reason\",\"capacity\",\"used\",\"free\",\"extra\",\"hours\":[…],\"bookings\":[…],\"waiting\"}],\"closure_hits\":[…],\"roster\":[…]}`"),
        (status = 404, description = "not a site of the municipality"),
        (status = 422, description = "bad view")))]
pub async fn calendar(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> ApiResult<Json<SiteCalendar>> {
    let view = site_calendar::View::parse(q.view.as_deref())?;
    let date = q
        .date
        .unwrap_or_else(|| hagukumi_domain::calendar::local_date(chrono::Utc::now()));
    Ok(Json(
        site_calendar::calendar(&state.db, &user, &code, view, date).await?,
    ))
}

/// Extra beds for one night; waiting requests that now fit get an offer.
#[utoipa::path(post, path = "/api/v1/console/sites/{code}/extra-beds", tag = "console",
    params(("code" = String, Path)),
    request_body(content = Object, description = "`{\"date\":\"YYYY-MM-DD\",\"beds\":1}`"),
    responses((status = 200, description = "`{\"offered\":[id…],\"affected\":[]}`"),
        (status = 403, description = "another municipality's facility"),
        (status = 404), (status = 422, description = "bad input, naming the field")))]
pub async fn extra_beds(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<site_admin::ExtraBedsIn>,
) -> ApiResult<Json<site_admin::ChangeOut>> {
    Ok(Json(
        site_admin::add_beds(&state, &user, &code, input).await?,
    ))
}

/// An extra staff shift on one date; waiting requests that now fit get an offer.
#[utoipa::path(post, path = "/api/v1/console/sites/{code}/extra-shifts", tag = "console",
    params(("code" = String, Path)),
    request_body(content = Object, description = "`{\"date\",\"start\":\"HH:MM\",\"hours\",\"staff\"}`"),
    responses((status = 200, description = "`{\"offered\":[id…],\"affected\":[]}`"),
        (status = 403), (status = 404), (status = 422)))]
pub async fn extra_shift(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<site_admin::ExtraShiftIn>,
) -> ApiResult<Json<site_admin::ChangeOut>> {
    Ok(Json(
        site_admin::add_shift(&state, &user, &code, input).await?,
    ))
}

/// Closes the site for a day, with the reason; answers with the bookings it hits.
#[utoipa::path(post, path = "/api/v1/console/sites/{code}/closures", tag = "console",
    params(("code" = String, Path)),
    request_body(content = Object, description = "`{\"date\",\"reason\"}`"),
    responses((status = 200, description = "`{\"offered\":[],\"affected\":[booking…]}`"),
        (status = 403), (status = 404), (status = 422)))]
pub async fn close_day(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<site_admin::CloseDayIn>,
) -> ApiResult<Json<site_admin::ChangeOut>> {
    Ok(Json(
        site_admin::close_day(&state, &user, &code, input).await?,
    ))
}

/// Opens a day the center closed again; waiting requests that now fit are offered.
#[utoipa::path(delete, path = "/api/v1/console/sites/{code}/closures/{date}", tag = "console",
    params(("code" = String, Path), ("date" = String, Path, description = "`YYYY-MM-DD`")),
    responses((status = 200, description = "`{\"offered\":[id…],\"affected\":[]}`"),
        (status = 403), (status = 404), (status = 422, description = "`date`: in the past, or not closed by the center")))]
pub async fn reopen_day(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path((code, date)): Path<(String, String)>,
) -> ApiResult<Json<site_admin::ChangeOut>> {
    let date = date.parse().map_err(|_| {
        ApiError::field(
            "date",
            "invalid_date",
            Text::new(
                "日付は YYYY-MM-DD で指定してください",
                "Give the date as YYYY-MM-DD",
            ),
        )
    })?;
    Ok(Json(
        site_admin::reopen_day(&state, &user, &code, site_admin::ReopenDayIn { date }).await?,
    ))
}

/// Replaces the site's staff roster (RRULE shifts); the waiting list reacts.
#[utoipa::path(put, path = "/api/v1/console/sites/{code}/roster", tag = "console",
    params(("code" = String, Path)),
    request_body(content = Object, description = "`{\"shifts\":[{\"rrule\":\"FREQ=WEEKLY;BYDAY=MO,TU\",\"start\":\"09:00\",\"hours\":8,\"staff\":2}]}`"),
    responses((status = 200, description = "`{\"offered\":[id…],\"affected\":[]}`"),
        (status = 403), (status = 404), (status = 422, description = "names `shifts[i].rrule` etc.")))]
pub async fn roster(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<site_admin::RosterIn>,
) -> ApiResult<Json<site_admin::ChangeOut>> {
    Ok(Json(
        site_admin::set_roster(&state, &user, &code, input).await?,
    ))
}

/// The municipality's providers (helpers, visitors) whose calendars can be opened.
#[utoipa::path(get, path = "/api/v1/console/people", tag = "console",
    responses((status = 200, description = "`[{\"id\",\"name\",\"kind\"}]`")))]
pub async fn people(
    State(state): State<AppState>,
    user: Require<Staff>,
) -> ApiResult<Json<Vec<hagukumi_frontend::console::model::PersonOption>>> {
    Ok(Json(
        crate::dispatch::calendar::people_for(&state.db, &user).await?,
    ))
}

/// A provider's visits by day, week or month, with the minutes booked each day.
#[utoipa::path(get, path = "/api/v1/console/people/{id}/calendar", tag = "console",
    params(("id" = Uuid, Path), CalendarQuery),
    responses((status = 200, description = "`{\"person\",\"view\",\"from\",\"to\",\"days\":[{\"date\",\"minutes\",\"visits\":[{\"start\",\"end\",\"service_name\",\"family_label\",\"area\",\"assignment_status\"}]}]}`"),
        (status = 404, description = "not a provider of the municipality")))]
pub async fn person_calendar(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> ApiResult<Json<hagukumi_frontend::console::model::PersonCalendar>> {
    let view = site_calendar::View::parse(q.view.as_deref())?;
    let date = q
        .date
        .unwrap_or_else(|| hagukumi_domain::calendar::local_date(chrono::Utc::now()));
    Ok(Json(
        crate::dispatch::calendar::person_calendar(&state.db, &user, id, view, date).await?,
    ))
}
