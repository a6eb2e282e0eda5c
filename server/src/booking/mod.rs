//! Bookings on the server: the domain decides (availability, capacity, lifecycle,
//! waitlist); this module loads what it needs, locks what the decision depends on,
//! and stores the result with its audit record in one transaction.
//!
//! - [`locks`]: the always-existing rows a decision locks (resource-day, household).
//! - [`resource`]: a site as the domain sees it: open time and capacity model.
//! - [`repo`]: queries shared by the service and the API.
//! - [`service`]: create, preview, and every lifecycle event.
//! - [`change`]: moving a booking to another time.
//! - [`waitlist`]: offering freed places, expiring lapsed offers.
//! - [`queue`]: the coordinators' approval queue with what each decision needs.
//! - [`site_calendar`] / [`site_admin`]: staff calendars per site; capacity changes.
//! - [`events`]: what happened, for the email outbox (written in the same transaction).
//! - [`group`]: group commit: new bookings decided and stored together, many per transaction.
//! - [`helper_visits`]: helper-programme bookings handed to dispatch and taken back.

pub mod change;
pub mod events;
pub mod group;
pub mod held;
pub mod helper_visits;
pub mod locks;
pub mod queue;
pub mod repo;
pub mod resource;
pub mod service;
pub mod site_admin;
pub mod site_calendar;
pub mod view;
pub mod waitlist;

pub use events::BookingEvent;
