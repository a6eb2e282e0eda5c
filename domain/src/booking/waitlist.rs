//! Waitlist: when a place frees, offer it to the first waiting request that now fits.
//!
//! Order is first come first served by the time a request joined (ties by position, i.e.
//! the server's insertion order). A request whose start has passed is skipped (its own
//! expiry job closes it). The offer lasts a configurable time but never beyond the
//! booking's start or its booking deadline; while it stands the place is held
//! (`offered` holds a place), so the next request is only offered a place that is still
//! free. When an offer lapses or is declined, the state machine emits
//! `OfferFreedPlace` and the server calls [`next_offer`] again.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::availability::{BookingWindow, Instant};
use crate::capacity::{CapacityModel, Occupancy, Request};

/// How long an offer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitlistPolicy {
    pub offer_minutes: u32,
}

impl Default for WaitlistPolicy {
    /// 24 hours: a parent may not read email during a working day.
    fn default() -> Self {
        WaitlistPolicy {
            offer_minutes: 24 * 60,
        }
    }
}

/// A waiting request.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting<Id> {
    pub id: Id,
    pub joined_at: Instant,
    pub request: Request,
}

/// The place to offer, to whom, until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Offer<Id> {
    pub id: Id,
    pub expires_at: Instant,
}

/// The first waiting request (FIFO) that fits `existing` now, with its offer's expiry.
pub fn next_offer<Id: Clone>(
    waiting: &[Waiting<Id>],
    model: &dyn CapacityModel,
    existing: &[Occupancy],
    window: Option<&BookingWindow>,
    policy: WaitlistPolicy,
    now: Instant,
) -> Option<Offer<Id>> {
    let mut order: Vec<usize> = (0..waiting.len()).collect();
    order.sort_by_key(|&i| (waiting[i].joined_at, i));
    order.into_iter().find_map(|i| {
        let w = &waiting[i];
        let start = w.request.interval.start();
        let deadline = window.map_or(start, |win| win.closes_at(start)).min(start);
        let expires_at = (now + Duration::minutes(i64::from(policy.offer_minutes))).min(deadline);
        if expires_at <= now {
            return None;
        }
        model.fits(existing, &w.request, now).ok()?;
        Some(Offer {
            id: w.id.clone(),
            expires_at,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::{Interval, local_to_utc};
    use crate::capacity::BedsPerNight;
    use chrono::NaiveDate;

    fn t(d: u32, h: u32) -> Instant {
        local_to_utc(
            NaiveDate::from_ymd_opt(2026, 6, d)
                .and_then(|x| x.and_hms_opt(h, 0, 0))
                .expect("time"),
        )
    }
    fn stay(from: u32, to: u32, kids: usize) -> Occupancy {
        let b = NaiveDate::from_ymd_opt(2020, 1, 1).expect("d");
        Occupancy::new(Interval::new(t(from, 10), t(to, 10)).expect("iv"))
            .with_children(vec![b; kids])
    }

    #[test]
    fn first_that_fits_in_order_joined() {
        let beds = BedsPerNight::simple(2);
        let existing = [stay(10, 12, 1)];
        let waiting = [
            Waiting {
                id: "late-joiner",
                joined_at: t(3, 9),
                request: stay(10, 11, 1),
            },
            Waiting {
                id: "siblings",
                joined_at: t(1, 9),
                request: stay(10, 11, 2),
            },
            Waiting {
                id: "first-fit",
                joined_at: t(2, 9),
                request: stay(11, 12, 1),
            },
        ];
        let policy = WaitlistPolicy::default();
        // Siblings joined first but need two beds; one is free → the 6/2 joiner gets it.
        let offer = next_offer(&waiting, &beds, &existing, None, policy, t(5, 9)).expect("offer");
        assert_eq!(
            offer,
            Offer {
                id: "first-fit",
                expires_at: t(6, 9)
            }
        );
        // With the offer holding its bed, nobody else fits on the night of 6/11 …
        let held = [stay(10, 12, 1), stay(11, 12, 1)];
        let next = next_offer(&waiting, &beds, &held, None, policy, t(5, 9)).expect("offer");
        // … but the night of 6/10 still has a bed for the next single child.
        assert_eq!(next.id, "late-joiner");
        // The offer is cut to the booking deadline.
        let window = BookingWindow::monthly_from_15th_until_day_before_17();
        let cut =
            next_offer(&waiting, &beds, &existing, Some(&window), policy, t(10, 9)).expect("offer");
        assert_eq!(
            cut,
            Offer {
                id: "first-fit",
                expires_at: t(10, 17)
            }
        );
        assert_eq!(
            next_offer(&waiting, &beds, &existing, Some(&window), policy, t(10, 17)),
            None
        );
    }
}
