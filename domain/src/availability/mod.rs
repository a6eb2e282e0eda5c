//! Availability: when a resource can be booked, and what a month looks like to a parent.
//!
//! - [`interval`]: `Interval`, `IntervalSet`, `DateRange` and the JST/UTC helpers.
//! - [`recurrence`]: RRULE windows with bounded expansion.
//! - [`resource`]: one resource's open time (windows − exceptions − closures − holidays).
//! - [`roster`]: staff on duty as a step function.
//! - [`summary`]: the month calendar (○ / △ / ×) with bookable slots, honouring the
//!   booking window (opens the 15th of the previous month, closes the day before 17:00).

pub mod interval;
pub mod recurrence;
pub mod resource;
pub mod roster;
pub mod summary;

pub use interval::{
    DateRange, Instant, Interval, IntervalSet, JST, local_date, local_midnight, local_to_utc,
    utc_to_local,
};
pub use recurrence::{ExpansionLimits, RecurrenceError, RecurringWindow, WindowSpec};
pub use resource::Availability;
pub use roster::{Roster, Shift, StaffLevels};
pub use summary::{
    BookingWindow, Closes, DayReason, DaySummary, Mark, Opens, Slot, SlotPattern, SummaryConfig,
    WindowStatus, month_summary, summary_range,
};
