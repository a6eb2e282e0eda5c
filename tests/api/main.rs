//! Black-box API tests: the real server on port 0, on SQLite and on PostgreSQL.

mod helpers;

mod accounts;
mod basics;
mod bookings;
mod calendar;
mod change;
mod console;
mod contention;
mod dispatch;
mod embed;
mod family_support;
mod fs_reports;
mod helper_bookings;
mod home_start;
mod household;
mod mail;
mod municipalities;
mod pages;
mod rules;
mod storage;
