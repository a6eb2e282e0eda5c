//! Why a booking does not fit: a code for machines, a place in time, a message for people.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Text;
use crate::availability::Interval;

/// Which rule said no. Stable snake_case codes for problem+json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictCode {
    /// Every bed of a night is taken.
    NoBed,
    /// Beds are free, but guaranteed to another municipality.
    AllocationReserved,
    /// The children present would need more staff than are on duty.
    StaffRatio,
    /// Nobody is on duty at that time.
    NoStaff,
    /// The person already has a visit then.
    PersonBusy,
    /// Not enough time to travel between two visits.
    TravelBuffer,
    /// The resource is not open (opening hours, leave, closure, holiday).
    Closed,
    /// Outside the booking window (too early to book, past the deadline, in the past).
    BookingWindow,
    /// A usage quota (per month, half-year, fiscal year) would be exceeded.
    Quota,
    /// The resource's own schedule could not be read (a broken rule in its config).
    ScheduleError,
}

/// A refusal the server turns into `409` problem+json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub code: ConflictCode,
    /// The night that is full (beds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub night: Option<NaiveDate>,
    /// The time that does not fit (ratio, person, closure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Interval>,
    pub message: Text,
}

impl Conflict {
    pub fn new(code: ConflictCode, message: Text) -> Self {
        Conflict {
            code,
            night: None,
            at: None,
            message,
        }
    }

    pub fn on_night(mut self, night: NaiveDate) -> Self {
        self.night = Some(night);
        self
    }

    pub fn during(mut self, at: Interval) -> Self {
        self.at = Some(at);
        self
    }
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message.en)
    }
}

impl std::error::Error for Conflict {}
