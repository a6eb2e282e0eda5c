//! sea-orm entities, one file per table.

pub mod agency;
pub mod audit_log;
pub mod child;
pub mod household;
pub mod municipality;
pub mod outbox;
pub mod provider;
pub mod rule_set;
pub mod service;
pub mod session;
pub mod site;
pub mod site_share;
pub mod user;
