//! The Japanese calendar as the API shows it.

use axum::Json;
use chrono::NaiveDate;
use hagukumi_domain::calendar::holidays::{Holiday, holidays_between};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, FieldError};
use crate::json::ApiQuery;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day (inclusive), `YYYY-MM-DD`; at most about ten years after `from`.
    pub to: NaiveDate,
}

/// A national holiday, substitute holiday or citizens' holiday.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayOut {
    #[schema(value_type = String, example = "2026-09-22")]
    pub date: NaiveDate,
    /// Official Japanese name, e.g. `国民の休日`.
    pub name: &'static str,
}

impl From<Holiday> for HolidayOut {
    fn from(h: Holiday) -> Self {
        HolidayOut {
            date: h.date,
            name: h.name,
        }
    }
}

/// Japanese national holidays (国民の祝日, 振替休日, 国民の休日) in a date range.
#[utoipa::path(get, path = "/api/v1/holidays", tag = "calendar", params(RangeQuery),
    responses((status = 200, body = [HolidayOut]), (status = 422, description = "range outside 1948-07-20..2099-12-31 or too long")))]
pub async fn holidays(ApiQuery(q): ApiQuery<RangeQuery>) -> ApiResult<Json<Vec<HolidayOut>>> {
    let list = holidays_between(q.from, q.to).map_err(|e| {
        ApiError::Validation(vec![FieldError::new(
            e.field(),
            "out_of_range",
            e.message(),
        )])
    })?;
    Ok(Json(list.into_iter().map(HolidayOut::from).collect()))
}
