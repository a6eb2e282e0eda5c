//! Plain HTML form posts of the provider and dispatch pages (they work without
//! JavaScript): each calls the same service as the JSON API and redirects back with the
//! outcome in the query string. Also mounts the calendar feed.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::feed;
use super::service::{self, PlanOptions};
use crate::api::schedule::new_feed;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::set_cookie;
use crate::auth::{Provider, Require, Staff};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The short-lived cookie that carries a freshly issued feed token to the next page view
/// (only its hash is stored, so this is the one chance to show it; a cookie keeps it out
/// of URLs and logs).
pub const FEED_FLASH_COOKIE: &str = "hgk_feed_once";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar/{file}", get(feed::calendar))
        .route("/provider/visits/{id}/accept", post(accept))
        .route("/provider/visits/{id}/decline", post(decline))
        .route("/provider/feed", post(reset_feed))
        .route("/provider/digest", post(digest))
        .route("/coordinator/dispatch/plan", post(plan))
        .route("/coordinator/dispatch/pin", post(pin))
        .route("/coordinator/dispatch/unavailable", post(unavailable))
}

#[derive(Deserialize)]
struct Empty {}

/// Back to `page` with `?{key}={value}`, or the error code for a refusal a person can act on.
fn back(page: &str, outcome: ApiResult<&str>) -> ApiResult<Response> {
    let sep = if page.contains('?') { '&' } else { '?' };
    match outcome {
        Ok(done) => Ok(Redirect::to(&format!("{page}{sep}done={done}")).into_response()),
        Err(ApiError::Conflict(_)) => {
            Ok(Redirect::to(&format!("{page}{sep}error=conflict")).into_response())
        }
        Err(ApiError::Validation(errors)) | Err(ApiError::BadRequest(errors)) => {
            let codes: Vec<String> = errors
                .iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect();
            Ok(Redirect::to(&format!("{page}{sep}error={}", codes.join(","))).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn accept(
    State(state): State<AppState>,
    user: Require<Provider>,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> ApiResult<Response> {
    let r = service::respond(&state, &user, id, true)
        .await
        .map(|_| "accepted");
    back("/provider", r)
}

async fn decline(
    State(state): State<AppState>,
    user: Require<Provider>,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> ApiResult<Response> {
    let r = service::respond(&state, &user, id, false)
        .await
        .map(|_| "declined");
    back("/provider", r)
}

async fn reset_feed(
    State(state): State<AppState>,
    user: Require<Provider>,
    CsrfForm(_): CsrfForm<Empty>,
) -> ApiResult<Response> {
    let token = new_feed(&state, &user).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        set_cookie(
            FEED_FLASH_COOKIE,
            &token,
            300,
            state.settings.secure_cookies(),
            true,
        ),
    );
    Ok((headers, Redirect::to("/provider?done=feed#feed")).into_response())
}

#[derive(Deserialize)]
struct DigestForm {
    frequency: String,
}

async fn digest(
    State(state): State<AppState>,
    user: Require<Provider>,
    CsrfForm(f): CsrfForm<DigestForm>,
) -> ApiResult<Response> {
    let r = match super::digest::Frequency::parse(&f.frequency) {
        Ok(freq) => super::digest::set_frequency(&state, &user, freq)
            .await
            .map(|_| "digest"),
        Err(e) => Err(e),
    };
    back("/provider", r)
}

#[derive(Deserialize)]
struct DayForm {
    day: NaiveDate,
}

fn board(day: NaiveDate) -> String {
    format!("/coordinator/dispatch?day={day}")
}

async fn plan(
    State(state): State<AppState>,
    user: Require<Staff>,
    CsrfForm(f): CsrfForm<DayForm>,
) -> ApiResult<Response> {
    let r = service::plan_day(&state, &user, f.day, PlanOptions::default())
        .await
        .map(|_| "planned");
    back(&board(f.day), r)
}

#[derive(Deserialize)]
struct PinForm {
    day: NaiveDate,
    visit_id: Uuid,
    /// Empty: release the pin.
    #[serde(default)]
    helper_id: String,
}

async fn pin(
    State(state): State<AppState>,
    user: Require<Staff>,
    CsrfForm(f): CsrfForm<PinForm>,
) -> ApiResult<Response> {
    let helper = match f.helper_id.trim() {
        "" => None,
        s => Some(
            s.parse::<Uuid>()
                .map_err(|_| ApiError::BadRequest(vec![]))?,
        ),
    };
    let r = service::pin(&state, &user, f.visit_id, helper)
        .await
        .map(|_| "pinned");
    back(&board(f.day), r)
}

#[derive(Deserialize)]
struct UnavailableForm {
    day: NaiveDate,
    helper_id: Uuid,
}

async fn unavailable(
    State(state): State<AppState>,
    user: Require<Staff>,
    CsrfForm(f): CsrfForm<UnavailableForm>,
) -> ApiResult<Response> {
    let r = service::helper_unavailable(&state, &user, f.helper_id, f.day, "sickness")
        .await
        .map(|_| "replanned");
    back(&board(f.day), r)
}
