//! Helper dispatch (issue 8) on the server: loading a day into the dispatch solver of the
//! booking core, storing plans, pins, sick calls and the helpers' answers transactionally,
//! the providers' schedule and their private calendar feed, the helper-day locks that keep
//! a helper in one place at a time ([`guard`]), and the schedule digest ([`digest`]).

pub mod calendar;
pub mod digest;
pub mod feed;
pub mod forms;
pub mod guard;
pub mod notify;
pub mod pages;
pub mod problem;
pub mod schedule;
pub mod service;
