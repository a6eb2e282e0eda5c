//! What happened to a booking, for the email outbox.
//!
//! Every service function collects these from the domain's `Effect::Notify` while it
//! changes a booking, and hands them to [`publish`] *inside the same transaction*
//! just before commit: the outbox row must exist exactly when the change does. The
//! outbox (server/src/mail/) turns each event into a `MailEvent` and calls
//! `mail::outbox::enqueue(txn, settings, recipient, event)` here.

use chrono::{DateTime, Utc};
use hagukumi_domain::booking::Recipient;
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use uuid::Uuid;

use crate::settings::Settings;

/// The kind of news, one per email template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A request arrived; `needs_approval` when a coordinator must approve it.
    Received {
        needs_approval: bool,
    },
    /// Approved, waiting for a provider (services with providers only).
    Approved,
    Confirmed,
    Declined,
    /// `fee_yen` is the cancellation charge (0 when free).
    Cancelled {
        fee_yen: i64,
    },
    /// Joined the waiting list.
    Waitlisted,
    /// A coordinator moved the request back to the waiting list.
    MovedToWaitlist,
    /// A freed place is offered until `expires_at`.
    WaitlistOffer {
        expires_at: DateTime<Utc>,
    },
    /// The offer lapsed.
    WaitlistOfferExpired,
    /// Not approved (or not offered) before it started.
    Expired,
    Completed,
    NoShow,
    /// The family moved the booking; it was at `previous_*` before.
    Changed {
        previous_starts_at: DateTime<Utc>,
        previous_ends_at: DateTime<Utc>,
    },
}

/// One email's worth of news about a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingEvent {
    pub booking_id: Uuid,
    pub municipality_id: Uuid,
    pub household_id: Uuid,
    /// The account that booked (the family's address).
    pub family_user: Uuid,
    pub to: Recipient,
    pub kind: EventKind,
}

/// Writes the events' outbox rows on `txn`. The hook for the outbox: for
/// `Recipient::Family` send to `family_user`, for `Recipient::Coordinator` to the
/// municipality's coordinators. Until the outbox maps them, events are logged only.
pub async fn publish(
    _txn: &impl ConnectionTrait,
    _settings: &Settings,
    events: &[BookingEvent],
) -> Result<(), DbErr> {
    for e in events {
        tracing::debug!(booking = %e.booking_id, kind = ?e.kind, to = ?e.to, "booking event");
    }
    // mail (issue 6): the events' emails, on the booking's transaction.
    crate::mail::booking_events::publish(_txn, _settings, events).await?;
    Ok(())
}
