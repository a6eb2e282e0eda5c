//! The booking lifecycle over HTTP: book (with `Idempotency-Key`), preview a
//! series, list and read bookings, and the lifecycle events — cancel (with the fee
//! from the cancellation policy), approve, decline, complete, no-show, accept or
//! decline a waiting-list offer. Every change is one transaction in
//! [`crate::booking::service`]; handlers only translate.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use hagukumi_domain::Text;
use hagukumi_domain::booking::{Actor, Event, OccurrenceReport};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::{CurrentUser, Parent, Require, Role, Staff};
use crate::booking::change::{self, ChangeRequest};
use crate::booking::helper_visits;
use crate::booking::repo::Stored;
use crate::booking::service::{self, BookingRequest, Created, Note};
use crate::booking::view::{BookingOut, booking_out};
use crate::entities::site;
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// The longest `Idempotency-Key` accepted.
const MAX_KEY: usize = 200;

async fn out_many(state: &AppState, stored: &[Stored]) -> ApiResult<Vec<BookingOut>> {
    out_many_at(state, stored, None).await
}

/// [`out_many`] where the caller may already hold the bookings' site.
async fn out_many_at(
    state: &AppState,
    stored: &[Stored],
    known: Option<&site::Model>,
) -> ApiResult<Vec<BookingOut>> {
    let mut sites: HashMap<Uuid, site::Model> =
        known.map(|s| (s.id, s.clone())).into_iter().collect();
    let ids: std::collections::BTreeSet<Uuid> = stored
        .iter()
        .filter_map(|s| s.row.site_id)
        .filter(|id| !sites.contains_key(id))
        .collect();
    if !ids.is_empty() {
        let read = site::Entity::find()
            .filter(site::Column::Id.is_in(ids))
            .all(&state.db)
            .await?;
        sites.extend(read.into_iter().map(|s| (s.id, s)));
    }
    let now = Utc::now();
    let mut out = stored
        .iter()
        .map(|s| booking_out(s, s.row.site_id.and_then(|id| sites.get(&id)), now))
        .collect::<ApiResult<Vec<_>>>()?;
    // Only helper-programme bookings have a helper; others cost no query.
    let helper_bookings: Vec<Uuid> = stored
        .iter()
        .filter(|s| helper_visits::is_helper_programme(&s.row.service_key))
        .map(|s| s.row.id)
        .collect();
    if !helper_bookings.is_empty() {
        let names = helper_visits::helpers_of(&state.db, &helper_bookings).await?;
        for b in &mut out {
            b.helper = names.get(&b.id).cloned();
        }
    }
    Ok(out)
}

async fn out_one(state: &AppState, s: &Stored) -> ApiResult<BookingOut> {
    out_one_at(state, s, None).await
}

/// [`out_one`] where the caller may already hold the booking's site.
async fn out_one_at(
    state: &AppState,
    s: &Stored,
    known: Option<&site::Model>,
) -> ApiResult<BookingOut> {
    out_many_at(state, std::slice::from_ref(s), known)
        .await?
        .pop()
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Serialize)]
pub struct SeriesOut {
    pub series_id: Uuid,
    pub bookings: Vec<BookingOut>,
    /// Occurrences that did not fit, with the reason.
    pub skipped: Vec<OccurrenceReport>,
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let k = v.to_str().unwrap_or_default().trim();
    if k.is_empty() || k.len() > MAX_KEY {
        return Err(ApiError::field(
            "Idempotency-Key",
            "invalid",
            Text::new(
                format!("Idempotency-Key は1〜{MAX_KEY}文字にしてください"),
                format!("Idempotency-Key must be 1 to {MAX_KEY} characters"),
            ),
        ));
    }
    Ok(Some(k.to_owned()))
}

/// Book: a parent for their own children. Confirmed at once where the service
/// confirms automatically, otherwise requested for a coordinator; with
/// `"waitlist":true` a request that does not fit joins the waiting list.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "bookings",
    params(("Idempotency-Key" = Option<String>, Header, description = "the same key returns the same booking, never a second one")),
    request_body(content = Object, description = "`{\"service\",\"site\",\"children\":[id…],\"period\":{\"kind\":\"hours\",\"start\",\"end\"}|{\"kind\":\"nights\",\"check_in\",\"nights\"}|{\"kind\":\"day-stay\",\"date\"},\"reason\"?,\"waitlist\"?:bool,\"recurrence\"?:{\"rrule\"}}`",
        example = json!({"service": "temporary-care", "site": "with-i", "children": ["0190…"],
                         "period": {"kind": "hours", "start": "2026-12-10T10:00:00", "end": "2026-12-10T12:00:00"}})),
    responses((status = 201, description = "the booking (or `{\"series_id\",\"bookings\",\"skipped\"}` for a series)"),
        (status = 200, description = "a replay of an earlier request with the same Idempotency-Key"),
        (status = 404, description = "a child that is not the family's"),
        (status = 409, description = "no place left (problem+json)"),
        (status = 422, description = "a rule says no: past, opening hours, length, eligibility, RRULE, quota; names the field")))]
pub async fn create(
    State(state): State<AppState>,
    user: Require<Parent>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<BookingRequest>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let outcome = service::create(&state, &user, &req, key.as_deref()).await?;
    let status = if outcome.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut res = match outcome.created {
        Created::One(s) => (
            status,
            Json(out_one_at(&state, &s, outcome.site.as_ref()).await?),
        )
            .into_response(),
        Created::Series {
            series_id,
            bookings,
            skipped,
        } => (
            status,
            Json(SeriesOut {
                series_id,
                bookings: out_many_at(&state, &bookings, outcome.site.as_ref()).await?,
                skipped,
            }),
        )
            .into_response(),
    };
    if outcome.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

#[derive(Debug, Serialize)]
pub struct PreviewOut {
    /// Per occurrence: `{"start","end","fits":bool,"conflict"?:{"code","message",…}}`.
    pub occurrences: Vec<OccurrenceReport>,
    pub fitting: usize,
    pub not_fitting: usize,
}

/// What would fit, occurrence by occurrence, before committing (writes nothing).
#[utoipa::path(post, path = "/api/v1/bookings/preview", tag = "bookings",
    request_body(content = Object, description = "the same body as `POST /api/v1/bookings`, usually with `recurrence`",
        example = json!({"service": "temporary-care", "site": "with-i", "children": ["0190…"],
                         "period": {"kind": "hours", "start": "2026-12-01T10:00:00", "end": "2026-12-01T12:00:00"},
                         "recurrence": {"rrule": "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261231T235959"}})),
    responses((status = 200, description = "`{\"occurrences\":[{\"start\",\"end\",\"fits\",\"conflict\"?}],\"fitting\",\"not_fitting\"}`"),
        (status = 422, description = "bad input, naming the field")))]
pub async fn preview(
    State(state): State<AppState>,
    user: Require<Parent>,
    ApiJson(req): ApiJson<BookingRequest>,
) -> ApiResult<Json<PreviewOut>> {
    let now = Utc::now();
    let p = service::prepare(&state.db, &user, &req, now).await?;
    let occurrences = service::preview(&state, &p, now).await?;
    let fitting = occurrences.iter().filter(|o| o.fits()).count();
    Ok(Json(PreviewOut {
        not_fitting: occurrences.len() - fitting,
        fitting,
        occurrences,
    }))
}

/// Change the time of one's own booking (same service, place and children):
/// allowed before it starts and while cancelling would be free; the new time is
/// checked like a new booking, capacity is counted without the booking itself,
/// the fee is quoted again and the coupon moves with it. A "changed" e-mail with
/// the updated calendar invitation follows.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/change", tag = "bookings",
    params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "the same key changes the booking once")),
    request_body(content = Object, description = "`{\"period\":{\"kind\":\"hours\",\"start\",\"end\"}|{\"kind\":\"nights\",\"check_in\",\"nights\"}|{\"kind\":\"day-stay\",\"date\"}}`",
        example = json!({"period": {"kind": "hours", "start": "2026-12-11T13:00:00", "end": "2026-12-11T15:00:00"}})),
    responses((status = 200, description = "the booking at its new time"),
        (status = 404, description = "not found or not yours"),
        (status = 409, description = "no place at the new time, or the booking can no longer be changed (the detail says why, with the fee); nothing changed"),
        (status = 422, description = "the new time breaks a rule; names the field")))]
pub async fn change(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ChangeRequest>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let outcome = change::change(&state, &user, id, &req, key.as_deref()).await?;
    let mut res = Json(out_one(&state, &outcome.booking).await?).into_response();
    if outcome.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

#[derive(Debug, Serialize)]
pub struct ChangePreviewOut {
    /// The new time as it would be booked, and whether it fits (with the conflict if not).
    pub occurrence: OccurrenceReport,
    pub fee_yen: i64,
    pub coupon_yen: i64,
    pub total_yen: i64,
}

/// What changing to the new time would give, writing nothing.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/change/preview", tag = "bookings",
    params(("id" = Uuid, Path)),
    request_body(content = Object, description = "the same body as the change"),
    responses((status = 200, description = "`{\"occurrence\":{\"start\",\"end\",\"fits\",\"conflict\"?},\"fee_yen\",\"coupon_yen\",\"total_yen\"}`"),
        (status = 404, description = "not found or not yours"),
        (status = 409, description = "the booking can no longer be changed"),
        (status = 422, description = "the new time breaks a rule; names the field")))]
pub async fn change_preview(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<ChangeRequest>,
) -> ApiResult<Json<ChangePreviewOut>> {
    let p = change::preview(&state, &user, id, &req).await?;
    Ok(Json(ChangePreviewOut {
        fee_yen: p.quote.total_yen + p.quote.coupon_applied_yen,
        coupon_yen: p.quote.coupon_applied_yen,
        total_yen: p.quote.total_yen,
        occurrence: p.report,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only bookings in this status (`requested`, `confirmed`, `waitlisted`, `offered`, …).
    pub status: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A parent's own bookings; a coordinator's municipality's.
#[utoipa::path(get, path = "/api/v1/bookings", tag = "bookings", params(ListQuery),
    responses((status = 200, description = "`[booking…]`, earliest first")))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<BookingOut>>> {
    let stored = service::list(&state, &user, q.status.as_deref(), q.from, q.to).await?;
    Ok(Json(out_many(&state, &stored).await?))
}

/// One booking, with what cancelling now would cost.
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "bookings",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "`{\"id\",\"service\",\"site\",\"status\",\"start\",\"end\",\"children\":[{\"id\",\"coupon_yen\"}],\"fee_yen\",\"coupon_yen\",\"total_yen\",\"charge\",\"cancellation_fee_now\"?:{\"percent\",\"yen\"},\"offer_expires_at\",\"series_id\",\"quote\",…}`"),
        (status = 404, description = "not found or not yours")))]
pub async fn get_one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BookingOut>> {
    crate::booking::waitlist::expire_lapsed(&state, Utc::now()).await?;
    let s = crate::booking::repo::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    service::visible(&state.db, &user, &s).await?;
    Ok(Json(out_one(&state, &s).await?))
}

async fn event(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    e: Event,
) -> ApiResult<Json<BookingOut>> {
    let s = service::act(state, user, id, e).await?;
    Ok(Json(out_one(state, &s).await?))
}

macro_rules! lifecycle {
    ($name:ident, $path:literal, $doc:literal, $event:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "bookings", params(("id" = Uuid, Path)),
            responses((status = 200, description = "the booking after the event"),
                (status = 403, description = "not your role"),
                (status = 404, description = "not found or not yours"),
                (status = 409, description = "not possible in the booking's current state")))]
        pub async fn $name(
            State(state): State<AppState>,
            user: CurrentUser,
            Path(id): Path<Uuid>,
        ) -> ApiResult<Json<BookingOut>> {
            let e: fn(&CurrentUser) -> Event = $event;
            let ev = e(&user);
            event(&state, &user, id, ev).await
        }
    };
}

lifecycle!(
    cancel,
    "/api/v1/bookings/{id}/cancel",
    "Cancel: by the family (the policy's fee applies) or by staff (free). The answer's `charge` shows the fee.",
    |u| Event::Cancel {
        by: if u.role == Role::Parent {
            Actor::Family
        } else {
            Actor::Coordinator
        }
    }
);
lifecycle!(
    approve,
    "/api/v1/bookings/{id}/approve",
    "A coordinator approves a request (the coupon is spent on confirmation).",
    |_| Event::Approve
);
/// `{"reason"}`: why a request is declined, shown to the family and in the email.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineIn {
    #[serde(default)]
    pub reason: Option<String>,
}

/// `{"note"?}`: an optional word to the family when moving a request to the waiting list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitlistIn {
    #[serde(default)]
    pub note: Option<String>,
}

/// The coordinator's words to the family: trimmed, at most 500 characters; the
/// family reads them as written (in both languages of the email).
pub fn note_from(field: &str, raw: Option<&str>, required: bool) -> ApiResult<Option<Note>> {
    let text = raw.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        if required {
            return Err(ApiError::field(
                field,
                "required",
                Text::new(
                    "お断りの理由を入力してください(ご家庭にお知らせします)",
                    "Give the reason; the family is told",
                ),
            ));
        }
        return Ok(None);
    }
    if text.chars().count() > 500 {
        return Err(ApiError::field(
            field,
            "too_long",
            Text::new("500文字までにしてください", "At most 500 characters"),
        ));
    }
    Ok(Some(Note(Text::new(text, text))))
}

/// A coordinator declines a request with the reason (required: the family reads it on
/// their page and in the email); its place goes to the waiting list.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/decline", tag = "bookings", params(("id" = Uuid, Path)),
    request_body(content = Object, description = "`{\"reason\":\"…\"}`"),
    responses((status = 200, description = "the booking after the event"),
        (status = 403, description = "not your role"),
        (status = 404, description = "not found or not yours"),
        (status = 409, description = "not possible in the booking's current state"),
        (status = 422, description = "no reason given (`reason`)")))]
pub async fn decline(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<DeclineIn>,
) -> ApiResult<Json<BookingOut>> {
    let note = note_from("reason", input.reason.as_deref(), true)?;
    let s = service::act_with_note(&state, &user, id, Event::Decline, note).await?;
    Ok(Json(out_one(&state, &s).await?))
}

/// A coordinator moves a request to the waiting list (its place goes to those waiting
/// before it; the family is mailed and gets an offer when a place fits).
#[utoipa::path(post, path = "/api/v1/bookings/{id}/waitlist", tag = "bookings", params(("id" = Uuid, Path)),
    request_body(content = Object, description = "`{\"note\"?:\"…\"}`"),
    responses((status = 200, description = "the booking, now `waitlisted`"),
        (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn move_to_waitlist(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<WaitlistIn>,
) -> ApiResult<Json<BookingOut>> {
    let note = note_from("note", input.note.as_deref(), false)?;
    let s = service::act_with_note(&state, &user, id, Event::MoveToWaitlist, note).await?;
    Ok(Json(out_one(&state, &s).await?))
}

lifecycle!(
    complete,
    "/api/v1/bookings/{id}/complete",
    "Staff mark a started booking as completed.",
    |_| Event::Complete
);
lifecycle!(
    no_show,
    "/api/v1/bookings/{id}/no-show",
    "Staff mark a started booking as a no-show (the no-show fee applies).",
    |_| Event::NoShow
);
lifecycle!(
    accept_offer,
    "/api/v1/bookings/{id}/accept-offer",
    "The family takes the place offered from the waiting list.",
    |_| Event::AcceptOffer
);
lifecycle!(
    decline_offer,
    "/api/v1/bookings/{id}/decline-offer",
    "The family turns the offer down; the place goes to the next.",
    |_| Event::DeclineOffer
);
