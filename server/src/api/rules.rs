//! The booking core's judgements over HTTP: eligibility, fee quotes and the
//! rules themselves. The answers come from `domain`, the same code the widget
//! runs in wasm; the handlers only fetch the municipality's rules.

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use hagukumi_domain::eligibility::{self, EligibilityRequest, LocalizedEligibility};
use hagukumi_domain::fees::{self, Quote, QuoteRequest};
use hagukumi_domain::rules::ServiceRules;
use hagukumi_domain::{ServiceId, Text};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::catalog::resolve_municipality;
use crate::auth::MaybeUser;
use crate::error::{ApiError, ApiResult, FieldError, request_lang};
use crate::json::{ApiJson, ApiQuery};
use crate::rules;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityParam {
    /// Municipality code; the signed-in person's, else the server's default.
    pub municipality: Option<String>,
}

/// Whether a child (born or expected) may use a service on a date, with every
/// reason that applies.
#[utoipa::path(post, path = "/api/v1/eligibility", tag = "rules", params(MunicipalityParam),
    request_body(content = Object, description = "`{\"service\":\"…\",\"on\":\"YYYY-MM-DD\",\"child\":{\"birth_date\":\"…\"}|{\"due_date\":\"…\"},\"household\":{…}}`",
        example = json!({"service": "single-parent-home-help", "on": "2027-04-01",
                         "child": {"birth_date": "2017-06-01"}, "household": {"single_parent": true}})),
    responses((status = 200, description = "`{\"eligible\":bool,\"reasons\":[{\"code\",\"message\"}],\"conditions\":[…]}`"),
        (status = 422, description = "input that cannot be judged, naming the field")))]
pub async fn eligibility(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(q): ApiQuery<MunicipalityParam>,
    ApiJson(req): ApiJson<EligibilityRequest>,
) -> ApiResult<Json<LocalizedEligibility>> {
    let m = resolve_municipality(&state, &user, q.municipality.as_deref()).await?;
    if let Err(errors) = eligibility::ValidRequest::parse(&req) {
        return Err(ApiError::Validation(
            errors
                .iter()
                .map(|e| FieldError::new(e.field(), "invalid", e.message()))
                .collect(),
        ));
    }
    let rules = rules::load(&state.db, m.id).await?;
    let answer = eligibility::check(&rules, &req)
        .map_err(|e| ApiError::field(e.field(), "invalid", e.message()))?;
    Ok(Json(answer.localized(request_lang())))
}

/// A fee quote with a line per item, household reductions and the coupon.
#[utoipa::path(post, path = "/api/v1/quotes", tag = "rules", params(MunicipalityParam),
    request_body(content = Object, description = "`{\"service\",\"period\":{\"kind\":\"hours\",\"start\",\"end\"}|{\"kind\":\"nights\",\"check_in\",\"nights\"}|{\"kind\":\"day-stay\",\"date\"},\"children\":[{\"birth_date\",\"coupon_balance_yen\"}],\"household\":{…}}`",
        example = json!({"service": "family-support",
                         "period": {"kind": "hours", "start": "2026-12-01T17:00:00", "end": "2026-12-01T19:00:00"},
                         "children": [{"birth_date": "2023-05-01", "coupon_balance_yen": 6000}]})),
    responses((status = 200, description = "lines, reductions, coupon and total in integer yen"),
        (status = 422, description = "a booking that cannot be priced, naming the field")))]
pub async fn quote(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(q): ApiQuery<MunicipalityParam>,
    ApiJson(req): ApiJson<QuoteRequest>,
) -> ApiResult<Json<Quote>> {
    let m = resolve_municipality(&state, &user, q.municipality.as_deref()).await?;
    let rules = rules::load(&state.db, m.id).await?;
    let quote = fees::quote(&rules, &req)
        .map_err(|e| ApiError::field(&e.field(), "invalid", e.message()))?;
    Ok(Json(quote))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RulesQuery {
    /// The date the rules should be in force on; today (JST) when omitted.
    pub on: Option<NaiveDate>,
    pub municipality: Option<String>,
}

/// The rules of a service in force on a date, as configured for the municipality.
#[utoipa::path(get, path = "/api/v1/services/{id}/rules", tag = "rules",
    params(("id" = String, Path, description = "service id, e.g. `temporary-care`"), RulesQuery),
    responses((status = 200, description = "the service's rules: eligibility, unit, hours, limits, window, cancellation, fees"),
        (status = 404, description = "unknown service or not offered on that date")))]
pub async fn service_rules(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RulesQuery>,
) -> ApiResult<Json<ServiceRules>> {
    let service: ServiceId = id.parse().map_err(|_| {
        ApiError::field(
            "id",
            "unknown_service",
            Text::new(
                format!("サービス「{id}」はありません"),
                format!("there is no service `{id}`"),
            ),
        )
    })?;
    let m = resolve_municipality(&state, &user, q.municipality.as_deref()).await?;
    let on =
        q.on.unwrap_or_else(|| hagukumi_domain::calendar::local_date(chrono::Utc::now()));
    let all = rules::load(&state.db, m.id).await?;
    all.rules_for(service, on)
        .cloned()
        .map(Json)
        .ok_or(ApiError::NotFound)
}
