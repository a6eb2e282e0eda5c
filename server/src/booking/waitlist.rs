//! The waiting list on the server: when a place frees, offer it to the first waiting
//! request that now fits (the domain's `next_offer`), for a limited time; when an
//! offer lapses, expire it and offer the place to the next.
//!
//! Offers are made inside the transaction that freed the place, under its locks, for
//! waiting requests whose days are all locked (the usual case: the same slot or
//! night). Lapsed offers (and requests whose start passed) are expired lazily at the
//! start of the next booking request or listing, each in its own transaction that
//! re-reads the row under the locks — so several server processes may race to expire
//! the same offer and exactly one succeeds; the others see the new status and stop.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use hagukumi_domain::availability::{BookingWindow, Interval, local_midnight};
use hagukumi_domain::booking::{Event, Waiting, WaitlistPolicy, next_offer, transition};
use hagukumi_domain::capacity::Occupancy;
use sea_orm::{
    ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::events::BookingEvent;
use super::locks::days_of;
use super::repo::{self, Stored};
use super::resource::{SiteResource, municipality_codes};
use super::service::{apply, event_in_transaction};
use crate::audit::{self, AuditEntry};
use crate::entities::{booking, site};
use crate::error::{ApiError, ApiResult};
use crate::rules;
use crate::state::AppState;

/// How long a family has to accept an offered place (the domain's default, 24 h;
/// never past the booking window's deadline).
pub fn policy() -> WaitlistPolicy {
    WaitlistPolicy::default()
}

/// Offers places freed on `days` of `freed`'s resource to waiting requests, in the
/// caller's transaction (which holds those days' locks).
pub async fn offer_freed(
    txn: &DatabaseTransaction,
    freed: &Stored,
    days: &BTreeSet<NaiveDate>,
    now: DateTime<Utc>,
    events: &mut Vec<BookingEvent>,
) -> ApiResult<Vec<Uuid>> {
    // A request a coordinator just moved to the list does not get its own place
    // back at once: those waiting before it come first.
    let skip = (freed.row.status == "waitlisted").then_some(freed.row.id);
    offer_freed_except(txn, freed, days, now, events, skip).await
}

/// [`offer_freed`], never offering to `skip`.
pub async fn offer_freed_except(
    txn: &DatabaseTransaction,
    freed: &Stored,
    days: &BTreeSet<NaiveDate>,
    now: DateTime<Utc>,
    events: &mut Vec<BookingEvent>,
    skip: Option<Uuid>,
) -> ApiResult<Vec<Uuid>> {
    let Some(site_id) = freed.row.site_id else {
        return Ok(Vec::new());
    };
    let Some(site) = site::Entity::find_by_id(site_id).one(txn).await? else {
        return Ok(Vec::new());
    };
    let cause = json!({"freed_by": freed.row.id});
    offer_on_site(txn, site, days, now, events, skip, cause).await
}

/// Offers what fits now on `days` of `site` to its waiting requests, first come first
/// served, in the caller's transaction (which holds those days' locks): after a
/// cancellation, or after a coordinator added capacity.
pub async fn offer_on_site(
    txn: &DatabaseTransaction,
    site: site::Model,
    days: &BTreeSet<NaiveDate>,
    now: DateTime<Utc>,
    events: &mut Vec<BookingEvent>,
    skip: Option<Uuid>,
    cause: serde_json::Value,
) -> ApiResult<Vec<Uuid>> {
    let (Some(first), Some(last)) = (days.first().copied(), days.last().copied()) else {
        return Ok(Vec::new());
    };
    let municipality_id = site.municipality_id;
    let res = SiteResource::load(txn, site).await?;
    let all = rules::load(txn, municipality_id).await?;
    let Ok(service) = res.site.service_key.parse() else {
        return Ok(Vec::new());
    };
    let Some(rules) = all.rules_for(service, first).cloned() else {
        return Ok(Vec::new());
    };
    let coupon_cap = all.coupon.map_or(0, |c| i64::from(c.yen_per_fiscal_year));
    let range = Interval::new(
        local_midnight(first),
        local_midnight(last) + Duration::days(1),
    )
    .map_err(|_| ApiError::Internal(anyhow::anyhow!("empty range")))?;
    // A place on a day the site is closed (or outside its hours) is no place.
    let open = res.open_time(&rules, first - Duration::days(1), last + Duration::days(1));
    let waiting: Vec<Stored> = repo::on_resource(txn, &res.key(), &["waitlisted"], range)
        .await?
        .into_iter()
        .filter(|w| w.row.starts_at > now)
        .filter(|w| Some(w.row.id) != skip)
        .filter(|w| {
            w.interval()
                .is_ok_and(|iv| days_of(&iv).is_subset(days) && open.covers(&iv))
        })
        .collect();
    if waiting.is_empty() {
        return Ok(Vec::new());
    }
    let codes = municipality_codes(txn).await?;
    let mut existing: Vec<Occupancy> = repo::holding(txn, &res.key(), range, &codes).await?;
    let mut queue = Vec::new();
    for w in &waiting {
        queue.push(Waiting {
            id: w.row.id,
            joined_at: w.row.waitlisted_at.unwrap_or(w.row.created_at),
            request: w.occupancy(&codes)?,
        });
    }
    let window = BookingWindow::from(rules.window);
    // One freed place may fit several small requests: offer until nothing fits.
    let offers = res.with_model(&rules, range, |model| {
        let mut offers = Vec::new();
        while let Some(o) = next_offer(&queue, model, &existing, Some(&window), policy(), now) {
            if let Some(i) = queue.iter().position(|w| w.id == o.id) {
                let w = queue.remove(i);
                existing.push(w.request);
            }
            offers.push(o);
        }
        offers
    })?;
    let mut offered = Vec::new();
    for o in offers {
        let Some(w) = waiting.iter().find(|w| w.row.id == o.id) else {
            continue;
        };
        let t = transition(
            &w.domain()?,
            Event::Offer {
                expires_at: o.expires_at,
            },
            now,
        )
        .map_err(|e| ApiError::Conflict(e.message))?;
        let stored = apply(txn, w, &t, now, coupon_cap, events).await?;
        audit::record(
            txn,
            AuditEntry {
                municipality_id: Some(stored.row.municipality_id),
                actor: None,
                action: "booking.offer",
                entity: "booking",
                entity_id: stored.row.id.to_string(),
                details: json!({"cause": cause, "expires_at": o.expires_at}),
            },
        )
        .await?;
        offered.push(stored.row.id);
    }
    Ok(offered)
}

/// Expires lapsed offers and requests whose start passed, each in its own
/// transaction; a lapsed offer's place goes to the next waiting request.
pub async fn expire_lapsed(state: &AppState, now: DateTime<Utc>) -> ApiResult<usize> {
    let due = booking::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(booking::Column::Status.eq("offered"))
                        .add(booking::Column::OfferExpiresAt.lte(now)),
                )
                .add(
                    Condition::all()
                        .add(booking::Column::Status.is_in(["requested", "approved", "waitlisted"]))
                        .add(booking::Column::StartsAt.lte(now)),
                ),
        )
        .order_by_asc(booking::Column::StartsAt)
        .limit(50)
        .all(&state.db)
        .await?;
    let mut n = 0;
    for b in due {
        match event_in_transaction(state, None, b.id, Event::Expire, now).await {
            Ok(_) => n += 1,
            // Another process expired (or someone accepted) it first.
            Err(ApiError::Conflict(_) | ApiError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// For a periodic task: expire what is due, then offer places that became free
/// without a cancellation (capacity added, roster extended) to waiting requests.
pub async fn run_due(state: &AppState) -> ApiResult<()> {
    let now = Utc::now();
    expire_lapsed(state, now).await?;
    let waiting = booking::Entity::find()
        .filter(booking::Column::Status.eq("waitlisted"))
        .filter(booking::Column::StartsAt.gt(now))
        .order_by_asc(booking::Column::StartsAt)
        .limit(200)
        .all(&state.db)
        .await?;
    let stored = repo::with_children(&state.db, waiting).await?;
    for w in stored {
        let txn = crate::db::begin_write(&state.db).await?;
        let mut locks = super::locks::LockSet::new();
        locks.days(&w.row.resource_key, &w.interval()?);
        locks.acquire(&txn).await?;
        let days = locks.days_for(&w.row.resource_key);
        let mut events = Vec::new();
        offer_freed_except(&txn, &w, &days, now, &mut events, None).await?;
        super::events::publish(&txn, &state.settings, &events).await?;
        txn.commit().await?;
    }
    Ok(())
}
