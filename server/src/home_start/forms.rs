//! The Home-Start pages' form posts (they work without JavaScript): each calls the same
//! service as the JSON API and redirects back with `saved=…` or `error=field:code`
//! (a refused action gives `error=conflict&why=…`).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use chrono::NaiveDateTime;
use hagukumi_domain::Text;
use serde::Deserialize;
use uuid::Uuid;

use super::service::{self, AssignIn, CancelIn, PlanIn, SeriesIn, VisitAtIn};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Require, Staff};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/coordinator/home-start/plans", post(create))
        .route("/coordinator/home-start/{id}/assessment", post(assessment))
        .route("/coordinator/home-start/{id}/visitor", post(visitor))
        .route("/coordinator/home-start/{id}/visits", post(visits))
        .route("/coordinator/home-start/{id}/review", post(review))
        .route("/coordinator/home-start/{id}/close", post(close))
        .route("/coordinator/home-start/{id}/cancel", post(cancel))
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn back(page: &str, outcome: ApiResult<&str>) -> ApiResult<Response> {
    let sep = if page.contains('?') { '&' } else { '?' };
    match outcome {
        Ok(saved) => Ok(Redirect::to(&format!("{page}{sep}saved={saved}")).into_response()),
        Err(ApiError::Validation(errors)) | Err(ApiError::BadRequest(errors)) => {
            let codes: Vec<String> = errors
                .iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect();
            Ok(
                Redirect::to(&format!("{page}{sep}error={}", encode(&codes.join(","))))
                    .into_response(),
            )
        }
        Err(ApiError::Conflict(t)) => Ok(Redirect::to(&format!(
            "{page}{sep}error=conflict&why={}",
            encode(&t.ja)
        ))
        .into_response()),
        Err(e) => Err(e),
    }
}

fn page(id: Uuid) -> String {
    format!("/coordinator/home-start/{id}")
}

fn local(field: &str, raw: &str) -> ApiResult<NaiveDateTime> {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M").map_err(|_| {
        ApiError::Validation(vec![FieldError::new(
            field,
            "invalid",
            Text::new("日時の形式が正しくありません", "Not a valid date and time"),
        )])
    })
}

#[derive(Deserialize)]
struct CreateForm {
    household_id: String,
    visit_count: String,
    #[serde(default)]
    notes: String,
}

async fn create(
    State(state): State<AppState>,
    user: Require<Staff>,
    CsrfForm(f): CsrfForm<CreateForm>,
) -> ApiResult<Response> {
    let created = async {
        let household_id = f.household_id.parse().map_err(|_| {
            ApiError::field(
                "household_id",
                "invalid",
                Text::new("ご家庭を選んでください", "Choose a household"),
            )
        })?;
        let visit_count = f.visit_count.trim().parse().map_err(|_| {
            ApiError::field(
                "visit_count",
                "invalid",
                Text::new("回数を数字で入力してください", "Enter a number"),
            )
        })?;
        service::create(
            &state,
            &user,
            PlanIn {
                household_id,
                visit_count,
                lat: None,
                lon: None,
                notes: f.notes,
            },
        )
        .await
    }
    .await;
    match created {
        Ok(p) => back(&page(p.id), Ok("created")),
        Err(e) => back("/coordinator/home-start", Err(e)),
    }
}

#[derive(Deserialize)]
struct AtForm {
    starts_at: String,
}

async fn assessment(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<AtForm>,
) -> ApiResult<Response> {
    let r = async {
        let starts_at = local("starts_at", &f.starts_at)?;
        service::schedule_assessment(&state, &user, id, VisitAtIn { starts_at }).await
    }
    .await;
    back(&page(id), r.map(|_| "assessment"))
}

async fn review(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<AtForm>,
) -> ApiResult<Response> {
    let r = async {
        let starts_at = local("starts_at", &f.starts_at)?;
        service::schedule_review(&state, &user, id, VisitAtIn { starts_at }).await
    }
    .await;
    back(&page(id), r.map(|_| "review"))
}

#[derive(Deserialize)]
struct VisitorForm {
    #[serde(default)]
    visitor_id: String,
}

async fn visitor(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<VisitorForm>,
) -> ApiResult<Response> {
    let r = async {
        let visitor_id = f.visitor_id.parse().map_err(|_| {
            ApiError::field(
                "visitor_id",
                "invalid",
                Text::new("ビジターを選んでください", "Choose a visitor"),
            )
        })?;
        service::assign(&state, &user, id, AssignIn { visitor_id }).await
    }
    .await;
    back(&page(id), r.map(|_| "visitor"))
}

#[derive(Deserialize)]
struct SeriesForm {
    rrule: String,
    first_start: String,
}

async fn visits(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<SeriesForm>,
) -> ApiResult<Response> {
    let r = async {
        let first_start = local("first_start", &f.first_start)?;
        service::schedule_visits(
            &state,
            &user,
            id,
            SeriesIn {
                rrule: f.rrule,
                first_start,
            },
        )
        .await
    }
    .await;
    back(&page(id), r.map(|_| "visits"))
}

#[derive(Deserialize)]
struct Empty {}

async fn close(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> ApiResult<Response> {
    let r = service::close(&state, &user, id).await;
    back(&page(id), r.map(|_| "closed"))
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    reason: String,
}

async fn cancel(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<CancelForm>,
) -> ApiResult<Response> {
    let r = service::cancel(&state, &user, id, CancelIn { reason: f.reason }).await;
    back(&page(id), r.map(|_| "cancelled"))
}
