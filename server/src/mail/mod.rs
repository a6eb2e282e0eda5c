//! Email that is never lost: an outbox table written in the same transaction as
//! the change it reports, a worker that claims and sends rows (SMTP or `.eml`
//! files) with retries, Japanese/English templates and `.ics` attachments.
//!
//! Call sites use one line inside their transaction:
//! `mail::outbox::enqueue(&txn, &state.settings, Recipient::User(id), MailEvent::…).await?`

pub mod booking_events;
pub mod ics;
pub mod jobs;
pub mod message;
pub mod outbox;
pub mod settings;
pub mod templates;
pub mod transport;
pub mod worker;

pub use outbox::{Recipient, enqueue, enqueue_once};
pub use settings::MailSettings;
pub use templates::{BookingInfo, MailEvent};
pub use worker::Worker;
