//! Changing a booking's time: same service, place and children, a new start and
//! length (or check-in and nights). The domain says whether the family may
//! (`may_change`: before the start and while cancelling would be free); the new
//! time goes through every check a new booking does ([`service::prepare`]); then
//! one transaction takes the same locks as booking (the household, the old and the
//! new days), counts capacity at the new time *without the booking itself*,
//! re-quotes the fee, moves the coupon, audits, offers the freed time to the
//! waiting list and enqueues the "changed" email (its calendar `SEQUENCE` grows).
//! A new time that does not fit is a 409 and nothing is written.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use hagukumi_domain::Text;
use hagukumi_domain::availability::{BookingWindow, Interval, local_date, local_midnight};
use hagukumi_domain::booking::{
    Booking, CouponUse, OccurrenceReport, SeriesContext, Transition, coupon_effects, may_change,
    plan_series, quotas_from_rules,
};
use hagukumi_domain::calendar::FiscalYear;
use hagukumi_domain::capacity::{ConflictCode, Occupancy};
use hagukumi_domain::fees::{Period, Quote};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::events::{self, BookingEvent, EventKind};
use super::locks::LockSet;
use super::repo::{self, Details, HOLDING, Stored};
use super::resource::{municipality_codes, occupancy};
use super::service::{self, BookingRequest, Prepared, apply};
use super::waitlist;
use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::db;
use crate::entities::{booking_child, idempotency_key, site};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The body of `POST /api/v1/bookings/{id}/change`: the new period, in the same
/// shape as when booking (`{"kind":"hours","start","end"}`, `{"kind":"nights",
/// "check_in","nights"}` or `{"kind":"day-stay","date"}`, Japan time).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    pub period: Period,
}

impl ChangeRequest {
    fn fingerprint(&self, id: Uuid) -> String {
        let bytes =
            serde_json::to_vec(&json!({"change": id, "period": self.period})).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }
}

/// What the confirmation step shows before the family commits.
pub struct ChangePreview {
    pub booking: Stored,
    pub prepared: Prepared,
    pub report: OccurrenceReport,
    pub quote: Quote,
}

pub struct ChangeOutcome {
    pub booking: Stored,
    pub replayed: bool,
}

fn refused(b: &Booking, now: DateTime<Utc>) -> ApiResult<()> {
    may_change(b, now).map_err(|e| ApiError::Conflict(e.message))
}

/// The new time as a booking request of the same service, place, children and reason.
async fn request_for(
    conn: &impl ConnectionTrait,
    s: &Stored,
    period: Period,
) -> ApiResult<BookingRequest> {
    let site = match s.row.site_id {
        Some(id) => site::Entity::find_by_id(id).one(conn).await?,
        None => None,
    }
    .ok_or_else(|| {
        ApiError::Conflict(Text::new(
            "この予約はオンラインでは変更できません。センターにご連絡ください",
            "This booking cannot be changed online; please contact the center",
        ))
    })?;
    Ok(BookingRequest {
        service: s
            .row
            .service_key
            .parse()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("booking {} service", s.row.id)))?,
        site: site.code,
        children: s.children.iter().map(|c| c.child_id).collect(),
        period,
        reason: s.details()?.reason,
        waitlist: false,
        recurrence: None,
    })
}

/// Checks the new time against the rules (422 naming the field) and that the
/// booking may move at all (409); writes nothing.
async fn prepare(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    req: &ChangeRequest,
    now: DateTime<Utc>,
) -> ApiResult<(Stored, Prepared)> {
    let s = repo::find(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    service::visible(&state.db, user, &s).await?;
    refused(&s.domain()?, now)?;
    let breq = request_for(&state.db, &s, req.period).await?;
    let p = service::prepare(&state.db, user, &breq, now).await?;
    if p.occurrences.first().copied() == Some(s.interval()?) {
        return Err(ApiError::field(
            "period",
            "unchanged",
            Text::new(
                "今の予約と同じ日時です。別の日時を選んでください",
                "This is the time already booked; choose another",
            ),
        ));
    }
    Ok((s, p))
}

/// Whether the new time fits, counting every place-holding booking but this one
/// (and the family's other bookings for quotas).
async fn fits(
    conn: &impl ConnectionTrait,
    s: &Stored,
    p: &Prepared,
    now: DateTime<Utc>,
) -> ApiResult<OccurrenceReport> {
    let iv = p.occurrences.first().copied().ok_or(ApiError::NotFound)?;
    let codes = municipality_codes(conn).await?;
    let existing: Vec<Occupancy> = repo::on_resource(conn, &p.site.key(), &HOLDING, iv)
        .await?
        .iter()
        .filter(|o| o.row.id != s.row.id)
        // A lapsed offer holds nothing (as in `repo::holding`).
        .filter(|o| o.row.status != "offered" || o.row.offer_expires_at.is_some_and(|t| t > now))
        .map(|o| o.occupancy(&codes))
        .collect::<ApiResult<_>>()?;
    let fy_start = local_midnight(FiscalYear::of(local_date(iv.start())).start());
    let fy_end = local_midnight(FiscalYear::of(local_date(iv.end())).end()) + Duration::days(1);
    let usage_range = Interval::new(fy_start, fy_end).unwrap_or(iv);
    let mut family =
        repo::family_usage(conn, p.household.id, p.service.as_str(), usage_range).await?;
    // The booking being moved does not count against its own new time.
    let old = s.interval()?;
    if let Some(i) = family.iter().position(|f| *f == old) {
        family.remove(i);
    }
    let quotas = quotas_from_rules(&p.rules.limits, p.household.multiple_birth);
    let open = p.site.open_time(
        &p.rules,
        local_date(iv.start()) - Duration::days(1),
        local_date(iv.end()),
    );
    let window = BookingWindow::from(p.rules.window);
    let template = occupancy(
        iv,
        p.children.iter().map(|(_, b)| *b).collect(),
        p.municipality.clone(),
    );
    let reports = p.site.with_model(&p.rules, iv, |model| {
        plan_series(
            &[iv],
            &SeriesContext {
                open: &open,
                window: Some(&window),
                model,
                existing: &existing,
                template: &template,
                quotas: &quotas,
                family_bookings: &family,
                now,
            },
        )
    })?;
    reports.into_iter().next().ok_or(ApiError::NotFound)
}

/// Each child's coupon left for the new time, with what this booking spent given
/// back when it was spent in the same fiscal year.
async fn balances(
    conn: &impl ConnectionTrait,
    s: &Stored,
    p: &Prepared,
    iv: &Interval,
) -> ApiResult<HashMap<Uuid, u32>> {
    let on = local_date(iv.start());
    let mut left = service::coupon_left(conn, &p.all_rules, &p.children, on).await?;
    let cap = p.all_rules.coupon.map_or(0, |c| c.yen_per_fiscal_year);
    let same_year = FiscalYear::of(local_date(s.row.starts_at)) == FiscalYear::of(on);
    if s.row.status == "confirmed" && same_year {
        for c in &s.children {
            if let Some(v) = left.get_mut(&c.child_id) {
                let back = u32::try_from(c.coupon_yen).unwrap_or(0);
                *v = v.saturating_add(back).min(cap);
            }
        }
    }
    Ok(left)
}

fn conflict_error(c: &hagukumi_domain::capacity::Conflict) -> ApiError {
    let capacity = matches!(
        c.code,
        ConflictCode::NoBed
            | ConflictCode::AllocationReserved
            | ConflictCode::StaffRatio
            | ConflictCode::NoStaff
            | ConflictCode::PersonBusy
            | ConflictCode::TravelBuffer
    );
    if capacity {
        return ApiError::Conflict(Text::new(
            format!("{}(予約は変更されていません)", c.message.ja),
            format!("{} (your booking was not changed)", c.message.en),
        ));
    }
    let (field, code) = match c.code {
        ConflictCode::Quota => ("period", "quota"),
        ConflictCode::BookingWindow => ("period.start", "booking_window"),
        ConflictCode::Closed => ("period.start", "outside_opening_hours"),
        _ => ("period.start", "not_bookable"),
    };
    ApiError::field(field, code, c.message.clone())
}

/// The confirmation step: may it move, does the new time fit, what will it cost.
pub async fn preview(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    req: &ChangeRequest,
) -> ApiResult<ChangePreview> {
    let now = Utc::now();
    let (s, p) = prepare(state, user, id, req, now).await?;
    let report = fits(&state.db, &s, &p, now).await?;
    let iv = report.interval;
    let left = balances(&state.db, &s, &p, &iv).await?;
    let quote = service::quote_at(&p, &iv, &left)?;
    Ok(ChangePreview {
        booking: s,
        prepared: p,
        report,
        quote,
    })
}

/// Moves the booking in one transaction (see the module docs).
pub async fn change(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    req: &ChangeRequest,
    key: Option<&str>,
) -> ApiResult<ChangeOutcome> {
    let now = Utc::now();
    let before = repo::find(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    service::visible(&state.db, user, &before).await?;
    // A replay answers with the booking as it is, even though it moved already.
    if let Some(k) = key
        && let Some(done) = replay(&state.db, user, k, req, id).await?
    {
        return Ok(done);
    }
    let (_, p) = prepare(state, user, id, req, now).await?;
    let new_iv = p.occurrences.first().copied().ok_or(ApiError::NotFound)?;

    let txn = db::begin_write(&state.db).await?;
    let mut locks = LockSet::new();
    locks.household(before.row.household_id);
    locks.days(&before.row.resource_key, &before.interval()?);
    locks.days(&p.site.key(), &new_iv);
    locks.acquire(&txn).await?;
    if let Some(k) = key
        && let Some(done) = replay(&txn, user, k, req, id).await?
    {
        txn.rollback().await?;
        return Ok(done);
    }
    // The site was read before the locks: a day closed meanwhile (the closure
    // held these days until it committed) must not take the booking.
    if super::group::sites_changed(&txn, &[&p]).await? {
        txn.rollback().await?;
        return Err(ApiError::Conflict(Text::new(
            "施設の予定がたった今変更されました。もう一度お試しください",
            "The site's schedule just changed; please try again",
        )));
    }
    // Re-read under the locks: it may have been cancelled or moved meanwhile.
    let s = repo::find(&txn, id).await?.ok_or(ApiError::NotFound)?;
    let b = s.domain()?;
    if let Err(e) = refused(&b, now) {
        txn.rollback().await?;
        return Err(e);
    }
    let report = fits(&txn, &s, &p, now).await?;
    if let Err(c) = &report.outcome {
        txn.rollback().await?;
        return Err(conflict_error(c));
    }
    let left = balances(&txn, &s, &p, &new_iv).await?;
    let quote = service::quote_at(&p, &new_iv, &left)?;
    let all = &p.all_rules;
    let coupon_cap = all.coupon.map_or(0, |c| i64::from(c.yen_per_fiscal_year));
    let new_coupons: Vec<CouponUse> = p
        .children
        .iter()
        .enumerate()
        .map(|(i, (child, _))| CouponUse {
            child: child.to_string(),
            yen: u32::try_from(
                quote
                    .coupon_uses
                    .iter()
                    .filter(|u| u.child == i)
                    .map(|u| u.applied_yen)
                    .sum::<i64>(),
            )
            .unwrap_or(0),
        })
        .collect();
    let (refunds, spends) = coupon_effects(&b, &new_coupons);
    let status = b.status;
    let mut events: Vec<BookingEvent> = Vec::new();
    // What the old time had spent goes back to its fiscal year first.
    let s = apply(
        &txn,
        &s,
        &Transition {
            from: Some(status),
            to: status,
            effects: refunds,
        },
        now,
        coupon_cap,
        &mut events,
    )
    .await?;
    let previous = s.interval()?;
    let mut details: Details = s.details()?;
    details.quote = serde_json::to_value(&quote).unwrap_or_default();
    let coupon = quote.coupon_applied_yen;
    let mut row = s.row.clone().into_active_model();
    row.starts_at = Set(new_iv.start());
    row.ends_at = Set(new_iv.end());
    row.fee_yen = Set(quote.total_yen + coupon);
    row.coupon_yen = Set(coupon);
    row.total_yen = Set(quote.total_yen);
    row.details = Set(serde_json::to_value(&details).unwrap_or_default());
    row.updated_at = Set(now);
    let row = row.update(&txn).await?;
    let mut children = Vec::new();
    for c in &s.children {
        let yen = new_coupons
            .iter()
            .find(|u| u.child == c.child_id.to_string())
            .map_or(0, |u| i64::from(u.yen));
        let mut am: booking_child::ActiveModel = c.clone().into_active_model();
        am.coupon_yen = Set(yen);
        children.push(am.update(&txn).await?);
    }
    let moved = Stored { row, children };
    // Then the new time spends what its quote applies (never more than is left).
    let moved = apply(
        &txn,
        &moved,
        &Transition {
            from: Some(status),
            to: status,
            effects: spends,
        },
        now,
        coupon_cap,
        &mut events,
    )
    .await?;
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(moved.row.municipality_id),
            actor: Some(user.id),
            action: "booking.change",
            entity: "booking",
            entity_id: moved.row.id.to_string(),
            details: json!({
                "status": moved.row.status,
                "from": {"start": previous.start(), "end": previous.end()},
                "to": {"start": new_iv.start(), "end": new_iv.end()},
                "fee_yen": {"before": s.row.fee_yen, "after": moved.row.fee_yen},
                "coupon_yen": {"before": s.row.coupon_yen, "after": moved.row.coupon_yen},
            }),
        },
    )
    .await?;
    events.push(BookingEvent {
        booking_id: moved.row.id,
        municipality_id: moved.row.municipality_id,
        household_id: moved.row.household_id,
        family_user: moved.row.created_by,
        to: hagukumi_domain::booking::Recipient::Family,
        kind: EventKind::Changed {
            previous_starts_at: previous.start(),
            previous_ends_at: previous.end(),
        },
    });
    // The old time is free again: the waiting list may take it.
    let days = locks.days_for(&moved.row.resource_key);
    waitlist::offer_freed(&txn, &moved, &days, now, &mut events).await?;
    if let Some(k) = key {
        idempotency_key::ActiveModel {
            user_id: Set(user.id),
            key: Set(k.to_owned()),
            fingerprint: Set(req.fingerprint(id)),
            booking_ids: Set(json!([id])),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    events::publish(&txn, &state.settings, &events).await?;
    txn.commit().await?;
    Ok(ChangeOutcome {
        booking: moved,
        replayed: false,
    })
}

/// The earlier answer for the same `Idempotency-Key`, if there is one.
async fn replay(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    key: &str,
    req: &ChangeRequest,
    id: Uuid,
) -> ApiResult<Option<ChangeOutcome>> {
    let Some(done) = idempotency_key::Entity::find_by_id((user.id, key.to_owned()))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if done.fingerprint != req.fingerprint(id) {
        return Err(ApiError::field(
            "Idempotency-Key",
            "reused",
            Text::new(
                "この Idempotency-Key は別の内容の操作に使われています",
                "This Idempotency-Key was used for a different request",
            ),
        ));
    }
    let s = repo::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    Ok(Some(ChangeOutcome {
        booking: s,
        replayed: true,
    }))
}
