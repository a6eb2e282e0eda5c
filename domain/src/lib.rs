//! The booking core of Hagukumi: what a family may book, when, and at what price.
//!
//! Everything here is pure: no I/O, no clock, no global time zone. `now` and the
//! municipality's rules are arguments, so the same code runs in the server and in
//! the browser (wasm32) and every rule can be tested with a table.

pub mod availability;
pub mod booking;
pub mod calendar;
pub mod capacity;
pub mod coupon;
pub mod dispatch;
pub mod eligibility;
pub mod fees;
pub mod home_start;
pub mod i18n;
pub mod matching;
pub mod rules;
pub mod service;
pub mod staffing;

pub use i18n::{Lang, Text};
pub use service::ServiceId;
