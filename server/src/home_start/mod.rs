//! Home-Start (ホームスタート) plans on the server (issue 7 item 7): the coordinator
//! creates a plan on a family's request, schedules the organiser's assessment visit,
//! assigns a trained visitor, schedules the weekly visits as an RRULE series (each
//! occurrence's fit shown first), the closing review, and closes or cancels. The rules
//! live in `hagukumi_domain::home_start`; every write is one transaction with its audit
//! record and its mail; a visitor's days are locked so their visits never overlap.

pub mod forms;
pub mod service;
pub mod views;
