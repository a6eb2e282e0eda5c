//! `GET /api/v1/services/{id}/availability`: the widget's month calendar. Per day
//! ○ free / △ few left / × full or closed, with bookable start times (hourly
//! services) or nights (stays) and the places left, for each site the family may
//! use. The judgement is the domain's `month_summary`; this handler loads the rules,
//! the site's roster and allocations, and the place-holding bookings.

use std::num::NonZeroU32;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate, Utc};
use hagukumi_domain::availability::{
    DateRange, DaySummary, SlotPattern, SummaryConfig, local_date, month_summary, summary_range,
};
use hagukumi_domain::capacity::Occupancy;
use hagukumi_domain::rules::BookingUnit;
use hagukumi_domain::{ServiceId, Text};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::api::catalog::resolve_municipality;
use crate::auth::MaybeUser;
use crate::booking::repo;
use crate::booking::resource::{SiteResource, municipality_codes};
use crate::booking::service::household_for;
use crate::booking::view::SiteRef;
use crate::entities::child;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiQuery;
use crate::rules;
use crate::state::AppState;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

mod cache;

/// The longest range one query may ask for.
pub const MAX_DAYS: i64 = 62;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    /// First day (Japan time), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day, inclusive; at most 62 days after `from`.
    pub to: NaiveDate,
    /// A site code (`with-i`, `midori`, …); all usable sites when omitted.
    pub site: Option<String>,
    /// Comma-separated ids of the signed-in parent's children (ratios count their ages).
    pub children: Option<String>,
    /// Comma-separated birth dates, for the widget before sign-in.
    pub birth_dates: Option<String>,
    /// Length of the wanted booking in minutes (hourly services); the minimum when omitted.
    pub minutes: Option<u32>,
    pub municipality: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DayOut {
    #[serde(flatten)]
    pub day: DaySummary,
    /// ○, △ or ×.
    pub symbol: &'static str,
}

#[derive(Debug, Serialize)]
pub struct SiteAvailability {
    pub site: SiteRef,
    /// `hours` (slots are start times) or `nights` (slots are nights).
    pub unit: &'static str,
    pub days: Vec<DayOut>,
}

#[derive(Debug, Serialize)]
pub struct AvailabilityOut {
    pub service: ServiceId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sites: Vec<SiteAvailability>,
}

fn bad(field: &str, code: &str, ja: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError::field(field, code, Text::new(ja, en))
}

/// What can be booked, per site and day, with remaining places.
#[utoipa::path(get, path = "/api/v1/services/{id}/availability", tag = "bookings",
    params(("id" = String, Path, description = "service id, e.g. `temporary-care`"), AvailabilityQuery),
    responses((status = 200, description = "`{\"service\",\"from\",\"to\",\"sites\":[{\"site\":{\"id\",\"code\",\"name_ja\",\"name_en\"},\"unit\":\"hours\"|\"nights\",\"days\":[{\"date\",\"mark\":\"free\"|\"few\"|\"full\"|\"closed\",\"symbol\":\"○\"|\"△\"|\"×\",\"remaining\",\"reason\"?,\"opens_at\"?,\"slots\":[{\"start\",\"end\",\"remaining\"}]}]}]}`"),
        (status = 422, description = "a bad range, site or child, naming the field")))]
pub async fn availability(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AvailabilityQuery>,
) -> ApiResult<Response> {
    Ok(json_body(calendar_json(&state, &user, id, q).await?))
}

/// The availability answer as JSON (`AvailabilityOut`), from the cache when
/// nothing it depends on has changed.
pub async fn calendar_json(
    state: &AppState,
    user: &MaybeUser,
    id: String,
    q: AvailabilityQuery,
) -> ApiResult<Bytes> {
    let service: ServiceId = id.parse().map_err(|_| {
        bad(
            "id",
            "unknown_service",
            format!("サービス「{id}」はありません"),
            format!("there is no service `{id}`"),
        )
    })?;
    if q.to < q.from {
        return Err(bad(
            "to",
            "before_from",
            "終了日が開始日より前です",
            "`to` is before `from`",
        ));
    }
    if (q.to - q.from).num_days() >= MAX_DAYS {
        return Err(bad(
            "to",
            "range_too_long",
            format!("一度に表示できるのは{MAX_DAYS}日までです"),
            format!("At most {MAX_DAYS} days at a time"),
        ));
    }
    let now = Utc::now();
    let m = resolve_municipality(state, user, q.municipality.as_deref()).await?;
    let (rules_stamp, all) = rules::load_stamped(&state.db, m.id).await?;
    let rules = all.rules_for(service, q.from).cloned().ok_or_else(|| {
        bad(
            "from",
            "not_offered",
            "この日はこのサービスを実施していません",
            "The service is not offered on that date",
        )
    })?;
    let births = template_births(state, user, &q).await?;
    // The same question within the same minute, with nothing changed on its days
    // since, has the same answer (see `cache`).
    let key = cache::Key {
        service: id.clone(),
        municipality: m.id,
        site: q.site.clone(),
        from: q.from,
        to: q.to,
        minutes: q.minutes,
        births: births.clone(),
        minute: now.timestamp().div_euclid(60),
        rules: rules_stamp,
    };
    if let Some(hit) = cache::get(&state.db, &key).await? {
        return Ok(hit);
    }
    let codes = municipality_codes(&state.db).await?;
    let mut sites = SiteResource::for_service(&state.db, service.as_str(), m.id).await?;
    if let Some(code) = &q.site {
        sites.retain(|s| &s.site.code == code);
        if sites.is_empty() {
            return Err(bad(
                "site",
                "unknown_site",
                format!("このサービスの施設「{code}」はありません"),
                format!("There is no site `{code}` for this service"),
            ));
        }
    }
    let (pattern, unit) = match rules.unit {
        BookingUnit::Timed {
            min_minutes,
            max_minutes,
            step_minutes,
            ..
        } => {
            let minutes = q.minutes.unwrap_or(min_minutes);
            if minutes < min_minutes || minutes > max_minutes {
                return Err(bad(
                    "minutes",
                    "out_of_range",
                    format!("{min_minutes}〜{max_minutes}分で指定してください"),
                    format!("Give {min_minutes} to {max_minutes} minutes"),
                ));
            }
            let nz = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
            (
                SlotPattern::Starts {
                    step_minutes: nz(step_minutes),
                    length_minutes: nz(minutes),
                },
                "hours",
            )
        }
        BookingUnit::Stay {
            check_in,
            check_out,
            ..
        } => (
            SlotPattern::Nights {
                check_in,
                check_out,
            },
            "nights",
        ),
    };
    let days = DateRange::new(q.from, q.to).map_err(|_| {
        bad(
            "to",
            "before_from",
            "終了日が開始日より前です",
            "`to` is before `from`",
        )
    })?;
    let range = summary_range(days);
    // Read before the calendar is computed: a change that lands meanwhile makes
    // the next request recompute rather than trust an answer that missed it.
    let keys: Vec<String> = sites.iter().map(SiteResource::key).collect();
    let span = (
        local_date(range.start()) - Duration::days(1),
        local_date(range.end()) + Duration::days(1),
    );
    let versions = cache::versions(&state.db, &keys, span).await?;
    let mut out = Vec::new();
    for site in &sites {
        let open = site.open_time(&rules, q.from - Duration::days(1), q.to + Duration::days(1));
        let existing = repo::holding(&state.db, &site.key(), range, &codes).await?;
        let mut template = Occupancy::new(range).with_children(births.clone());
        template.municipality = codes.get(&m.id).cloned();
        let config = SummaryConfig {
            window: rules.window.into(),
            pattern,
            few_threshold: u32::try_from(site.site.capacity / 5).unwrap_or(0).max(1),
        };
        let summary = site.with_model(&rules, range, |model| {
            month_summary(days, &open, model, &existing, &template, &config, now)
        })?;
        out.push(SiteAvailability {
            site: SiteRef::from(&site.site),
            unit,
            days: summary
                .into_iter()
                .map(|day| DayOut {
                    symbol: day.mark.symbol(),
                    day,
                })
                .collect(),
        });
    }
    let body = Bytes::from(
        serde_json::to_vec(&AvailabilityOut {
            service,
            from: q.from,
            to: q.to,
            sites: out,
        })
        .map_err(|e| ApiError::Internal(e.into()))?,
    );
    cache::put(key, keys, span, versions, body.clone());
    Ok(body)
}

fn json_body(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// The children the calendar counts: the parent's own (by id) or birth dates.
async fn template_births(
    state: &AppState,
    user: &MaybeUser,
    q: &AvailabilityQuery,
) -> ApiResult<Vec<NaiveDate>> {
    let mut births = Vec::new();
    if let Some(list) = q.birth_dates.as_deref().filter(|s| !s.is_empty()) {
        for (i, part) in list.split(',').enumerate() {
            let d = part.trim().parse::<NaiveDate>().map_err(|_| {
                bad(
                    &format!("birth_dates[{i}]"),
                    "invalid_date",
                    "日付は YYYY-MM-DD で指定してください",
                    "Give dates as YYYY-MM-DD",
                )
            })?;
            births.push(d);
        }
    }
    if let Some(list) = q.children.as_deref().filter(|s| !s.is_empty()) {
        let u = user.0.as_ref().ok_or(ApiError::Unauthenticated)?;
        let h = household_for(&state.db, u).await?;
        for (i, part) in list.split(',').enumerate() {
            let id = part.trim().parse::<Uuid>().map_err(|_| {
                bad(
                    &format!("children[{i}]"),
                    "invalid_id",
                    "お子さんの指定が正しくありません",
                    "Not a child id",
                )
            })?;
            let c = child::Entity::find_by_id(id)
                .filter(child::Column::HouseholdId.eq(h.id))
                .one(&state.db)
                .await?
                .ok_or(ApiError::NotFound)?;
            if let Some(b) = c.birth_date {
                births.push(b);
            }
        }
    }
    Ok(births)
}
