//! sea-orm entities, one file per table.

pub mod agency;
pub mod audit_log;
pub mod booking;
pub mod booking_child;
pub mod capacity_lock;
pub mod child;
pub mod coupon_balance;
pub mod idempotency_key;
pub mod helper_absence;
pub mod helper_visit;
pub mod helper_visit_decline;
pub mod household;
pub mod municipality;
pub mod outbox;
pub mod provider;
pub mod provider_feed_token;
pub mod rule_set;
pub mod service;
pub mod session;
pub mod site;
pub mod site_share;
pub mod user;
