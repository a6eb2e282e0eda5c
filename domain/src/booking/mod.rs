//! Bookings: the lifecycle state machine, cancellation fees, quotas, recurring series and
//! the waitlist. All pure; the server stores the result and performs the effects in the
//! same transaction.

pub mod cancellation;
pub mod change;
pub mod quota;
pub mod recurring;
pub mod state;
pub mod waitlist;

pub use cancellation::{CancellationPolicy, CancellationTier, Charge, Deadline};
pub use change::{change_deadline, change_fee, coupon_effects, may_change};
pub use quota::{
    Period, Quota, QuotaUnit, QuotaUsage, check_quotas, quotas_from_rules, usage, used,
};
pub use recurring::{OccurrenceReport, SERIES_CAP, SeriesContext, expand_series, plan_series};
pub use state::{
    Actor, Approval, Booking, ChargeKind, CouponUse, Effect, Event, Flow, InvalidTransition,
    Recipient, Status, Transition, submit, transition,
};
pub use waitlist::{Offer, Waiting, WaitlistPolicy, next_offer};
