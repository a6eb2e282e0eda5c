//! Capacity: whether one more booking fits, and how many more would, behind one interface.
//!
//! Three models share [`CapacityModel`]:
//! - [`beds::BedsPerNight`] — short stay: a stay needs a bed on each of its nights; a
//!   facility shared between municipalities can guarantee each a number of beds.
//! - [`ratio::StaffRatio`] — temporary care: at every moment, the staff required for all
//!   children present must be on duty (swept over change points, not minutes).
//! - [`one_person::OnePerson`] — helpers and visitors: one visit at a time, with a travel
//!   buffer between visits.
//!
//! `existing` is always the occupancy that holds places (requested, approved, confirmed,
//! offered bookings); the server decides which rows those are and passes them in.

pub mod beds;
pub mod conflict;
pub mod one_person;
pub mod ranking;
pub mod ratio;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::availability::{Instant, Interval};

pub use beds::{Allocation, BedsPerNight, Release};
pub use conflict::{Conflict, ConflictCode};
pub use one_person::{GeoPoint, OnePerson, TravelSpeed};
pub use ranking::{FitScore, PersonSchedule, RankedPerson, rank_people};
pub use ratio::StaffRatio;

/// A municipality id such as `kiyose` or `higashikurume`: lowercase ASCII letters, digits
/// and hyphens, 1–64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Municipality(String);

/// The text was not a municipality id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a municipality id (lowercase letters, digits, hyphens)")]
pub struct BadMunicipality(pub String);

impl Municipality {
    pub fn parse(s: &str) -> Result<Self, BadMunicipality> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Municipality(s.to_owned()))
        } else {
            Err(BadMunicipality(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Municipality {
    type Error = BadMunicipality;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Municipality::parse(&s)
    }
}

impl From<Municipality> for String {
    fn from(m: Municipality) -> Self {
        m.0
    }
}

/// A place-holding booking (or a candidate one): when, which children, for which city,
/// where. The same shape serves all three models; each reads what it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Occupancy {
    pub interval: Interval,
    /// Birth dates of the children in the booking (siblings book together).
    #[serde(default)]
    pub children: Vec<NaiveDate>,
    /// The municipality the family belongs to (shared short-stay facilities).
    #[serde(default)]
    pub municipality: Option<Municipality>,
    /// Where a home visit happens (travel buffers).
    #[serde(default)]
    pub location: Option<GeoPoint>,
}

/// A candidate booking has the same shape as an existing one.
pub type Request = Occupancy;

impl Occupancy {
    pub fn new(interval: Interval) -> Self {
        Occupancy {
            interval,
            children: Vec::new(),
            municipality: None,
            location: None,
        }
    }

    pub fn with_children(mut self, children: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.children = children.into_iter().collect();
        self
    }

    pub fn with_municipality(mut self, m: Municipality) -> Self {
        self.municipality = Some(m);
        self
    }

    pub fn with_location(mut self, p: GeoPoint) -> Self {
        self.location = Some(p);
        self
    }

    /// Places taken: one per child, at least one.
    pub fn places(&self) -> u32 {
        u32::try_from(self.children.len())
            .unwrap_or(u32::MAX)
            .max(1)
    }

    /// The same request at another time (summary slots, recurring occurrences).
    pub fn at(&self, interval: Interval) -> Occupancy {
        Occupancy {
            interval,
            ..self.clone()
        }
    }
}

/// Remaining counts are capped here: the widget needs "plenty", not 4 billion.
pub const REMAINING_CAP: u32 = 99;

/// The one interface the server and the summary use for every capacity model.
pub trait CapacityModel {
    /// `Ok` if `candidate` can be added to `existing` without breaking the model at any
    /// moment; otherwise the first conflict, saying where and why.
    fn fits(
        &self,
        existing: &[Occupancy],
        candidate: &Request,
        now: Instant,
    ) -> Result<(), Conflict>;

    /// How many more requests shaped like `probe` (same children, city, time) would fit,
    /// at most [`REMAINING_CAP`].
    fn remaining(&self, existing: &[Occupancy], probe: &Request, now: Instant) -> u32;

    /// [`remaining`](Self::remaining) for `template` moved to each slot. Models override
    /// this when one sweep over all slots is much cheaper than one per slot.
    fn remaining_per_slot(
        &self,
        existing: &[Occupancy],
        template: &Request,
        slots: &[Interval],
        now: Instant,
    ) -> Vec<u32> {
        slots
            .iter()
            .map(|s| self.remaining(existing, &template.at(*s), now))
            .collect()
    }
}

/// The three models as one value, for code that picks the model from the service.
pub enum Capacity<'a> {
    Beds(BedsPerNight),
    StaffRatio(StaffRatio<'a>),
    OnePerson(OnePerson),
}

impl Capacity<'_> {
    fn model(&self) -> &dyn CapacityModel {
        match self {
            Capacity::Beds(m) => m,
            Capacity::StaffRatio(m) => m,
            Capacity::OnePerson(m) => m,
        }
    }
}

impl CapacityModel for Capacity<'_> {
    fn fits(
        &self,
        existing: &[Occupancy],
        candidate: &Request,
        now: Instant,
    ) -> Result<(), Conflict> {
        self.model().fits(existing, candidate, now)
    }

    fn remaining(&self, existing: &[Occupancy], probe: &Request, now: Instant) -> u32 {
        self.model().remaining(existing, probe, now)
    }

    fn remaining_per_slot(
        &self,
        existing: &[Occupancy],
        template: &Request,
        slots: &[Interval],
        now: Instant,
    ) -> Vec<u32> {
        self.model()
            .remaining_per_slot(existing, template, slots, now)
    }
}

/// Formatting helpers for conflict messages, Japanese and English.
pub(crate) mod fmt {
    use chrono::{Datelike, NaiveDate};

    use crate::availability::{Instant, Interval, utc_to_local};

    pub fn date_ja(d: NaiveDate) -> String {
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    }

    pub fn date_en(d: NaiveDate) -> String {
        d.format("%Y-%m-%d").to_string()
    }

    pub fn time(t: Instant) -> String {
        utc_to_local(t).format("%H:%M").to_string()
    }

    pub fn span_ja(iv: &Interval) -> String {
        format!(
            "{} {}〜{}",
            date_ja(iv.local_start_date()),
            time(iv.start()),
            time(iv.end())
        )
    }

    pub fn span_en(iv: &Interval) -> String {
        format!(
            "{} {}–{}",
            date_en(iv.local_start_date()),
            time(iv.start()),
            time(iv.end())
        )
    }
}
