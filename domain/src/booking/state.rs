//! The booking lifecycle as one state machine.
//!
//! ```text
//!             submit ──► waitlisted ──offer──► offered ──accept──┐
//!               │                                                ▼
//!               ├──────────────────────────────────────────► requested ──approve──► approved ──confirm──┐
//!               │                          (coordinator: move to waitlist) ◄──┘
//!               │                                                │ (no provider to assign)              ▼
//!               └─(automatic approval and it fits)───────────────┴─────────────────────────────────► confirmed
//! confirmed ──► completed | no_show | cancelled (fee)
//! requested / approved ──► declined | cancelled | expired (not approved before the start)
//! waitlisted / offered ──► cancelled | expired (offer lapsed, or the start passed)
//! ```
//!
//! [`transition`] is pure: it returns the new status and the side effects the server must
//! perform *in the same transaction* (spend or refund coupons, charge a fee, offer the
//! freed place to the waitlist, schedule an expiry, notify people). Terminal states
//! (completed, no_show, declined, cancelled, expired) accept no event.

use serde::{Deserialize, Serialize};

use super::cancellation::{CancellationPolicy, Charge};
use crate::Text;
use crate::availability::{Instant, Interval};

/// Where a booking is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    Waitlisted,
    Offered { expires_at: Instant },
    Requested,
    Approved,
    Confirmed,
    Completed,
    NoShow,
    Declined,
    Cancelled,
    Expired,
}

impl Status {
    pub fn code(&self) -> &'static str {
        match self {
            Status::Waitlisted => "waitlisted",
            Status::Offered { .. } => "offered",
            Status::Requested => "requested",
            Status::Approved => "approved",
            Status::Confirmed => "confirmed",
            Status::Completed => "completed",
            Status::NoShow => "no_show",
            Status::Declined => "declined",
            Status::Cancelled => "cancelled",
            Status::Expired => "expired",
        }
    }

    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Status::Completed
                | Status::NoShow
                | Status::Declined
                | Status::Cancelled
                | Status::Expired
        )
    }

    /// Whether the booking occupies capacity: these rows are the `existing` occupancy
    /// every capacity check counts. A waitlisted request does not; an offer does, so the
    /// place cannot be taken while the family decides.
    pub fn holds_place(&self) -> bool {
        matches!(
            self,
            Status::Offered { .. } | Status::Requested | Status::Approved | Status::Confirmed
        )
    }
}

/// Who must approve a request for this service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    /// Confirmed as soon as it fits (temporary care).
    Automatic,
    /// A coordinator approves (short stay, helpers, Family Support).
    Coordinator,
}

/// The service rules' confirmation setting (issue 3).
impl From<crate::rules::Confirmation> for Approval {
    fn from(c: crate::rules::Confirmation) -> Self {
        match c {
            crate::rules::Confirmation::Automatic => Approval::Automatic,
            crate::rules::Confirmation::CoordinatorApproval => Approval::Coordinator,
        }
    }
}

/// How a service's bookings move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub approval: Approval,
    /// After approval a provider must be assigned or accept (helpers, visitors, Family
    /// Support): approval leads to `approved`, the provider's acceptance to `confirmed`.
    pub needs_provider: bool,
    /// Requests that do not fit may join the waitlist.
    pub waitlist: bool,
}

/// A coupon applied to one child of the booking (¥6,000 per fiscal year per child).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponUse {
    /// The server's id of the child.
    pub child: String,
    pub yen: u32,
}

/// What the state machine needs to know about a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub status: Status,
    /// From the first start to the last end.
    pub interval: Interval,
    pub flow: Flow,
    /// The fee quoted for the booking, before coupons (what percentages apply to).
    pub fee_yen: u32,
    /// Coupons to spend on confirmation, one entry per child (siblings book together).
    #[serde(default)]
    pub coupons: Vec<CouponUse>,
    pub cancellation: CancellationPolicy,
    /// Household exempt from resident tax or on public assistance.
    #[serde(default)]
    pub low_income: bool,
}

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Family,
    Coordinator,
    Provider,
    /// Scheduled jobs.
    System,
}

/// Something that happens to a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A coordinator approves a request.
    Approve,
    /// The provider accepts / is assigned: an approved booking is confirmed.
    Confirm,
    /// A coordinator declines a request.
    Decline,
    /// A coordinator moves a request back to the waiting list (its place is freed for
    /// those waiting before it; it is offered a place again when one fits).
    MoveToWaitlist,
    Cancel {
        by: Actor,
    },
    Complete,
    NoShow,
    /// A scheduled job: an offer lapsed, or the start passed without approval.
    Expire,
    /// The waitlist offers the freed place until `expires_at`.
    Offer {
        expires_at: Instant,
    },
    AcceptOffer,
    DeclineOffer,
}

impl Event {
    pub fn code(&self) -> &'static str {
        match self {
            Event::Approve => "approve",
            Event::Confirm => "confirm",
            Event::Decline => "decline",
            Event::MoveToWaitlist => "move_to_waitlist",
            Event::Cancel { .. } => "cancel",
            Event::Complete => "complete",
            Event::NoShow => "no_show",
            Event::Expire => "expire",
            Event::Offer { .. } => "offer",
            Event::AcceptOffer => "accept_offer",
            Event::DeclineOffer => "decline_offer",
        }
    }
}

/// Who is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Family,
    Coordinator,
    Provider,
}

/// Why a charge is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeKind {
    Cancellation,
    NoShow,
}

/// A side effect the server performs in the transaction that stores the new status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    SpendCoupon {
        child: String,
        yen: u32,
    },
    RefundCoupon {
        child: String,
        yen: u32,
    },
    Charge {
        kind: ChargeKind,
        percent: u8,
        yen: u32,
    },
    /// A place was freed: run the waitlist for this resource and time.
    OfferFreedPlace,
    /// Run [`Event::Expire`] at this instant unless something else happens first.
    ScheduleExpiry {
        at: Instant,
    },
    /// Send the email for the new status (`about` is the status code).
    Notify {
        to: Recipient,
        about: &'static str,
    },
}

/// The result of a valid event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// `None` for a new booking.
    pub from: Option<Status>,
    pub to: Status,
    pub effects: Vec<Effect>,
}

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("cannot {event} a booking that is {from}: {}", message.en)]
pub struct InvalidTransition {
    pub from: &'static str,
    pub event: &'static str,
    pub message: Text,
}

fn refuse(from: &Status, event: &Event, message: Text) -> InvalidTransition {
    InvalidTransition {
        from: from.code(),
        event: event.code(),
        message,
    }
}

fn notify(to: Recipient, status: Status) -> Effect {
    Effect::Notify {
        to,
        about: status.code(),
    }
}

fn spend(b: &Booking) -> impl Iterator<Item = Effect> + '_ {
    b.coupons
        .iter()
        .filter(|c| c.yen > 0)
        .map(|c| Effect::SpendCoupon {
            child: c.child.clone(),
            yen: c.yen,
        })
}

fn refund(b: &Booking) -> impl Iterator<Item = Effect> + '_ {
    b.coupons
        .iter()
        .filter(|c| c.yen > 0)
        .map(|c| Effect::RefundCoupon {
            child: c.child.clone(),
            yen: c.yen,
        })
}

/// Effects of arriving at `confirmed`.
fn confirmed(b: &Booking, from: Option<Status>) -> Transition {
    let mut effects: Vec<Effect> = spend(b).collect();
    effects.push(notify(Recipient::Family, Status::Confirmed));
    if b.flow.needs_provider {
        effects.push(notify(Recipient::Provider, Status::Confirmed));
    }
    Transition {
        from,
        to: Status::Confirmed,
        effects,
    }
}

/// Effects of arriving at `requested` (waiting for a coordinator).
fn requested(b: &Booking, from: Option<Status>) -> Transition {
    Transition {
        from,
        to: Status::Requested,
        effects: vec![
            notify(Recipient::Coordinator, Status::Requested),
            notify(Recipient::Family, Status::Requested),
            Effect::ScheduleExpiry {
                at: b.interval.start(),
            },
        ],
    }
}

/// A new booking: `fits` is the capacity answer at this moment (in the same transaction).
pub fn submit(b: &Booking, fits: bool, now: Instant) -> Result<Transition, InvalidTransition> {
    let refuse_new = |message: Text| InvalidTransition {
        from: "new",
        event: "submit",
        message,
    };
    if now >= b.interval.start() {
        return Err(refuse_new(Text::new(
            "過去の日時は予約できません",
            "A booking cannot start in the past",
        )));
    }
    match (fits, b.flow.approval) {
        (true, Approval::Automatic) => Ok(confirmed(b, None)),
        (true, Approval::Coordinator) => Ok(requested(b, None)),
        (false, _) if b.flow.waitlist => Ok(Transition {
            from: None,
            to: Status::Waitlisted,
            effects: vec![
                notify(Recipient::Family, Status::Waitlisted),
                Effect::ScheduleExpiry {
                    at: b.interval.start(),
                },
            ],
        }),
        (false, _) => Err(refuse_new(Text::new(
            "空きがありません",
            "There is no place left",
        ))),
    }
}

/// Applies `event` at `now`.
pub fn transition(
    b: &Booking,
    event: Event,
    now: Instant,
) -> Result<Transition, InvalidTransition> {
    let from = b.status;
    let start = b.interval.start();
    let started = now >= start;
    let no = |ja: &str, en: &str| Err(refuse(&from, &event, Text::new(ja, en)));
    if from.is_terminal() {
        return no(
            "この予約はすでに終了しています",
            "This booking is closed and cannot change",
        );
    }
    let to = |to: Status, effects: Vec<Effect>| {
        Ok(Transition {
            from: Some(from),
            to,
            effects,
        })
    };
    match (from, event) {
        (Status::Requested, Event::Approve) => {
            if started {
                return no("開始時刻を過ぎています", "The start time has passed");
            }
            if b.flow.needs_provider {
                to(
                    Status::Approved,
                    vec![notify(Recipient::Family, Status::Approved)],
                )
            } else {
                Ok(confirmed(b, Some(from)))
            }
        }
        (Status::Approved, Event::Confirm) => {
            if started {
                return no("開始時刻を過ぎています", "The start time has passed");
            }
            Ok(confirmed(b, Some(from)))
        }
        (Status::Requested | Status::Approved, Event::Decline) => to(
            Status::Declined,
            vec![
                Effect::OfferFreedPlace,
                notify(Recipient::Family, Status::Declined),
            ],
        ),
        (Status::Requested | Status::Approved, Event::MoveToWaitlist) => {
            if started {
                return no("開始時刻を過ぎています", "The start time has passed");
            }
            to(
                Status::Waitlisted,
                vec![
                    Effect::OfferFreedPlace,
                    notify(Recipient::Family, Status::Waitlisted),
                    Effect::ScheduleExpiry { at: start },
                ],
            )
        }
        (Status::Waitlisted, Event::Cancel { .. }) => to(
            Status::Cancelled,
            vec![notify(Recipient::Family, Status::Cancelled)],
        ),
        (Status::Offered { .. }, Event::Cancel { .. } | Event::DeclineOffer) => to(
            Status::Cancelled,
            vec![
                Effect::OfferFreedPlace,
                notify(Recipient::Family, Status::Cancelled),
            ],
        ),
        (Status::Requested | Status::Approved, Event::Cancel { .. }) => to(
            Status::Cancelled,
            vec![
                Effect::OfferFreedPlace,
                notify(Recipient::Family, Status::Cancelled),
                notify(Recipient::Coordinator, Status::Cancelled),
            ],
        ),
        (Status::Confirmed, Event::Cancel { by }) => {
            if started && by == Actor::Family {
                return no(
                    "開始後の取り消しはできません(センターにご連絡ください)",
                    "A booking cannot be cancelled after it starts; contact the center",
                );
            }
            let mut effects: Vec<Effect> = Vec::new();
            // The center cancelling (closure, no staff) never costs the family anything.
            let charge = if by == Actor::Family {
                b.cancellation
                    .cancellation_fee(b.fee_yen, start, now, b.low_income)
            } else {
                Charge::NONE
            };
            if charge.yen > 0 {
                effects.push(Effect::Charge {
                    kind: ChargeKind::Cancellation,
                    percent: charge.percent,
                    yen: charge.yen,
                });
            }
            // Coupons have no change and pay for services, not fees: all go back.
            effects.extend(refund(b));
            effects.push(Effect::OfferFreedPlace);
            effects.push(notify(Recipient::Family, Status::Cancelled));
            effects.push(notify(Recipient::Coordinator, Status::Cancelled));
            if b.flow.needs_provider {
                effects.push(notify(Recipient::Provider, Status::Cancelled));
            }
            to(Status::Cancelled, effects)
        }
        (Status::Confirmed, Event::Complete) => {
            if !started {
                return no("まだ開始していません", "The booking has not started yet");
            }
            to(Status::Completed, Vec::new())
        }
        (Status::Confirmed, Event::NoShow) => {
            if !started {
                return no("まだ開始していません", "The booking has not started yet");
            }
            // The coupon stays spent on the reserved service; it counts toward the charge.
            let charge = b.cancellation.no_show_fee(b.fee_yen, b.low_income);
            let covered: u32 = b.coupons.iter().map(|c| c.yen).sum();
            let yen = charge.yen.saturating_sub(covered);
            let mut effects = Vec::new();
            if yen > 0 {
                effects.push(Effect::Charge {
                    kind: ChargeKind::NoShow,
                    percent: charge.percent,
                    yen,
                });
            }
            effects.push(notify(Recipient::Family, Status::NoShow));
            to(Status::NoShow, effects)
        }
        (Status::Offered { expires_at }, Event::Expire) => {
            if now < expires_at {
                return no("提示の期限前です", "The offer has not expired yet");
            }
            to(
                Status::Expired,
                vec![
                    Effect::OfferFreedPlace,
                    notify(Recipient::Family, Status::Expired),
                ],
            )
        }
        (Status::Requested | Status::Approved | Status::Waitlisted, Event::Expire) => {
            if !started {
                return no("まだ期限前です", "It has not expired yet");
            }
            let mut effects = vec![notify(Recipient::Family, Status::Expired)];
            if from != Status::Waitlisted {
                effects.push(notify(Recipient::Coordinator, Status::Expired));
            }
            to(Status::Expired, effects)
        }
        (Status::Waitlisted, Event::Offer { expires_at }) => {
            if started {
                return no("開始時刻を過ぎています", "The start time has passed");
            }
            // An offer never outlives the booking's start.
            let expires_at = expires_at.min(start);
            if expires_at <= now {
                return no(
                    "提示の期限が過去です",
                    "The offer would already have expired",
                );
            }
            to(
                Status::Offered { expires_at },
                vec![
                    notify(Recipient::Family, Status::Offered { expires_at }),
                    Effect::ScheduleExpiry { at: expires_at },
                ],
            )
        }
        (Status::Offered { expires_at }, Event::AcceptOffer) => {
            if now >= expires_at {
                return no("提示の期限が過ぎました", "The offer has expired");
            }
            match b.flow.approval {
                Approval::Automatic => Ok(confirmed(b, Some(from))),
                Approval::Coordinator => Ok(requested(b, Some(from))),
            }
        }
        _ => no(
            "この操作は今の状態ではできません",
            "This action is not possible in the booking's current state",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::local_to_utc;
    use chrono::NaiveDate;

    fn t(d: u32, h: u32) -> Instant {
        local_to_utc(
            NaiveDate::from_ymd_opt(2026, 6, d)
                .and_then(|x| x.and_hms_opt(h, 0, 0))
                .expect("time"),
        )
    }

    fn booking(status: Status, approval: Approval, needs_provider: bool) -> Booking {
        Booking {
            status,
            interval: Interval::new(t(10, 10), t(10, 12)).expect("iv"),
            flow: Flow {
                approval,
                needs_provider,
                waitlist: true,
            },
            fee_yen: 2_000,
            coupons: vec![
                CouponUse {
                    child: "c1".into(),
                    yen: 1_000,
                },
                CouponUse {
                    child: "c2".into(),
                    yen: 500,
                },
            ],
            cancellation: CancellationPolicy::typical(),
            low_income: false,
        }
    }

    #[test]
    fn automatic_services_confirm_and_spend_each_siblings_coupon() {
        let b = booking(Status::Requested, Approval::Automatic, false);
        let tr = submit(&b, true, t(1, 9)).expect("ok");
        assert_eq!(tr.to, Status::Confirmed);
        assert_eq!(
            tr.effects[..2],
            [
                Effect::SpendCoupon {
                    child: "c1".into(),
                    yen: 1_000
                },
                Effect::SpendCoupon {
                    child: "c2".into(),
                    yen: 500
                },
            ]
        );
        assert!(submit(&b, true, t(10, 10)).is_err(), "in the past");
        assert_eq!(
            submit(&b, false, t(1, 9)).expect("waitlist").to,
            Status::Waitlisted
        );
    }

    #[test]
    fn coordinator_and_provider_path() {
        let mut b = booking(Status::Requested, Approval::Coordinator, true);
        assert_eq!(submit(&b, true, t(1, 9)).expect("ok").to, Status::Requested);
        let tr = transition(&b, Event::Approve, t(2, 9)).expect("approve");
        assert_eq!(tr.to, Status::Approved);
        assert!(
            !tr.effects
                .iter()
                .any(|e| matches!(e, Effect::SpendCoupon { .. }))
        );
        b.status = tr.to;
        let tr = transition(&b, Event::Confirm, t(3, 9)).expect("confirm");
        assert_eq!(tr.to, Status::Confirmed);
        assert!(tr.effects.contains(&Effect::SpendCoupon {
            child: "c1".into(),
            yen: 1_000
        }));
        assert!(
            tr.effects
                .contains(&notify(Recipient::Provider, Status::Confirmed))
        );
    }

    #[test]
    fn a_coordinator_moves_a_request_back_to_the_waiting_list() {
        let b = booking(Status::Requested, Approval::Coordinator, false);
        let tr = transition(&b, Event::MoveToWaitlist, t(2, 9)).expect("move");
        assert_eq!(tr.to, Status::Waitlisted);
        assert!(tr.effects.contains(&Effect::OfferFreedPlace));
        assert!(
            tr.effects
                .contains(&notify(Recipient::Family, Status::Waitlisted))
        );
        assert!(
            transition(&b, Event::MoveToWaitlist, t(10, 10)).is_err(),
            "started"
        );
        let confirmed = booking(Status::Confirmed, Approval::Coordinator, false);
        assert!(transition(&confirmed, Event::MoveToWaitlist, t(2, 9)).is_err());
    }

    #[test]
    fn cancellation_fee_refund_and_waitlist() {
        let b = booking(Status::Confirmed, Approval::Automatic, false);
        let early = transition(&b, Event::Cancel { by: Actor::Family }, t(9, 16)).expect("ok");
        assert_eq!(early.to, Status::Cancelled);
        assert!(
            !early
                .effects
                .iter()
                .any(|e| matches!(e, Effect::Charge { .. }))
        );
        assert!(early.effects.contains(&Effect::RefundCoupon {
            child: "c2".into(),
            yen: 500
        }));
        assert!(early.effects.contains(&Effect::OfferFreedPlace));
        let late = transition(&b, Event::Cancel { by: Actor::Family }, t(9, 17)).expect("ok");
        assert!(late.effects.contains(&Effect::Charge {
            kind: ChargeKind::Cancellation,
            percent: 50,
            yen: 1_000
        }));
        let by_center = transition(
            &b,
            Event::Cancel {
                by: Actor::Coordinator,
            },
            t(10, 9),
        )
        .expect("ok");
        assert!(
            !by_center
                .effects
                .iter()
                .any(|e| matches!(e, Effect::Charge { .. }))
        );
        let exempt = Booking {
            low_income: true,
            ..b.clone()
        };
        let tr = transition(&exempt, Event::Cancel { by: Actor::Family }, t(10, 9)).expect("ok");
        assert!(
            !tr.effects
                .iter()
                .any(|e| matches!(e, Effect::Charge { .. }))
        );
        assert!(transition(&b, Event::Cancel { by: Actor::Family }, t(10, 11)).is_err());
    }

    #[test]
    fn completion_no_show_and_expiry_need_the_start_to_pass() {
        let b = booking(Status::Confirmed, Approval::Automatic, false);
        assert!(transition(&b, Event::Complete, t(10, 9)).is_err());
        assert_eq!(
            transition(&b, Event::Complete, t(10, 12)).expect("ok").to,
            Status::Completed
        );
        let ns = transition(&b, Event::NoShow, t(10, 11)).expect("ok");
        // 100 % of 2,000 minus the 1,500 of coupons already spent.
        assert!(ns.effects.contains(&Effect::Charge {
            kind: ChargeKind::NoShow,
            percent: 100,
            yen: 500
        }));
        let r = booking(Status::Requested, Approval::Coordinator, false);
        assert!(transition(&r, Event::Expire, t(10, 9)).is_err());
        assert_eq!(
            transition(&r, Event::Expire, t(10, 10)).expect("ok").to,
            Status::Expired
        );
    }

    #[test]
    fn waitlist_offer_accept_and_lapse() {
        let w = booking(Status::Waitlisted, Approval::Automatic, false);
        let offer = transition(
            &w,
            Event::Offer {
                expires_at: t(5, 9),
            },
            t(4, 9),
        )
        .expect("offer");
        assert_eq!(
            offer.to,
            Status::Offered {
                expires_at: t(5, 9)
            }
        );
        assert!(offer.to.holds_place());
        let o = Booking {
            status: offer.to,
            ..w.clone()
        };
        assert_eq!(
            transition(&o, Event::AcceptOffer, t(5, 8)).expect("ok").to,
            Status::Confirmed
        );
        assert!(transition(&o, Event::AcceptOffer, t(5, 9)).is_err());
        let lapsed = transition(&o, Event::Expire, t(5, 9)).expect("ok");
        assert_eq!(lapsed.to, Status::Expired);
        assert!(lapsed.effects.contains(&Effect::OfferFreedPlace));
        // An offer is cut to the start of the booking.
        let late = transition(
            &w,
            Event::Offer {
                expires_at: t(20, 0),
            },
            t(9, 0),
        )
        .expect("offer");
        assert_eq!(
            late.to,
            Status::Offered {
                expires_at: t(10, 10)
            }
        );
    }
}
