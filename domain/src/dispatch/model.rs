//! The dispatch problem as plain data: visits, helpers (vehicles), soft preferences, and a
//! plan. Times and distances are `f64` in the caller's units (the Solomon convention:
//! minutes and distance units, travel time = distance / speed).

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A position in the plane (projected coordinates, e.g. metres or Solomon grid units).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }

    /// Euclidean distance, computed in doubles as the Solomon benchmarks define it.
    pub fn distance(self, other: Point) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// A set of skills as a bit mask (bit `k` = skill `k` of the centre's skill list, e.g.
/// newborn care, twins, housework, English). Up to 64 skills.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Skills(pub u64);

impl Skills {
    pub const NONE: Skills = Skills(0);

    /// Whether every skill in `required` is in `self`.
    pub fn covers(self, required: Skills) -> bool {
        required.0 & !self.0 == 0
    }
}

/// One visit (a Solomon customer): where, when service may start, how long, what it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub location: Point,
    /// Earliest service start; a helper arriving earlier waits.
    pub ready: f64,
    /// Latest service start (Solomon semantics: arrival ≤ due, service may end later).
    pub due: f64,
    pub service: f64,
    /// Load taken by the visit (Solomon demand); 0 for helper visits.
    pub demand: i64,
    pub required_skills: Skills,
    /// Continuity: the helper who served this family before (soft).
    pub preferred_vehicle: Option<usize>,
    /// Coordinator's pin: the visit must go to this helper (hard).
    pub pinned_vehicle: Option<usize>,
}

/// A helper (Solomon vehicle): home base, working hours, capacity, skills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    pub start: Point,
    pub end: Point,
    /// Working hours: leaves `start` no earlier than `shift_start`, back at `end` by `shift_end`.
    pub shift_start: f64,
    pub shift_end: f64,
    pub capacity: i64,
    pub skills: Skills,
    /// `false` when the helper called in sick or is on leave: gets no visits.
    pub available: bool,
}

/// What the plan should optimise, lexicographically after "serve every visit possible".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    /// Solomon literature: fewest vehicles first, then distance. For helper dispatch usually
    /// `false` (helpers are paid per visit, spreading work is preferred).
    pub minimise_vehicles: bool,
    /// Soft cost per visit not given to its preferred helper, in distance units.
    pub continuity_penalty: f64,
    /// Soft cost `fairness_weight × Σ_helpers work²` (work = total service time), which is
    /// smallest when work is spread evenly; 0 disables it.
    pub fairness_weight: f64,
}

impl Default for Objective {
    fn default() -> Self {
        Objective {
            minimise_vehicles: true,
            continuity_penalty: 0.0,
            fairness_weight: 0.0,
        }
    }
}

/// A complete dispatch problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub visits: Vec<Visit>,
    pub vehicles: Vec<Vehicle>,
    /// Distance units per time unit (1 for Solomon; e.g. 250 m/min for a car in town).
    pub speed: f64,
    pub objective: Objective,
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProblemError {
    #[error("visit {0} has a non-finite or negative time, or ready > due")]
    BadVisitTimes(usize),
    #[error("visit {0} has a non-finite coordinate or a negative demand")]
    BadVisit(usize),
    #[error("vehicle {0} has non-finite data or shift_start > shift_end")]
    BadVehicle(usize),
    #[error("visit {visit} refers to vehicle {vehicle}, which does not exist")]
    UnknownVehicle { visit: usize, vehicle: usize },
    #[error("speed must be finite and positive")]
    BadSpeed,
    #[error("plan has {got} routes for {expected} vehicles")]
    PlanShape { got: usize, expected: usize },
    #[error("plan names visit {0}, which does not exist")]
    UnknownVisit(usize),
}

impl Problem {
    /// Checks that the numbers make sense before any solver trusts them.
    pub fn check(&self) -> Result<(), ProblemError> {
        if !(self.speed.is_finite() && self.speed > 0.0) {
            return Err(ProblemError::BadSpeed);
        }
        for (k, v) in self.visits.iter().enumerate() {
            let times = [v.ready, v.due, v.service];
            if times.iter().any(|t| !t.is_finite() || *t < 0.0) || v.ready > v.due {
                return Err(ProblemError::BadVisitTimes(k));
            }
            if !(v.location.x.is_finite() && v.location.y.is_finite()) || v.demand < 0 {
                return Err(ProblemError::BadVisit(k));
            }
            for vehicle in [v.preferred_vehicle, v.pinned_vehicle]
                .into_iter()
                .flatten()
            {
                if vehicle >= self.vehicles.len() {
                    return Err(ProblemError::UnknownVehicle { visit: k, vehicle });
                }
            }
        }
        for (k, v) in self.vehicles.iter().enumerate() {
            let nums = [
                v.start.x,
                v.start.y,
                v.end.x,
                v.end.y,
                v.shift_start,
                v.shift_end,
            ];
            if nums.iter().any(|t| !t.is_finite()) || v.shift_start > v.shift_end || v.capacity < 0
            {
                return Err(ProblemError::BadVehicle(k));
            }
        }
        Ok(())
    }

    /// Whether `vehicle` may take `visit` at all (hard rules that do not depend on the route).
    pub fn compatible(&self, visit: usize, vehicle: usize) -> bool {
        let (v, h) = (&self.visits[visit], &self.vehicles[vehicle]);
        h.available
            && h.skills.covers(v.required_skills)
            && v.pinned_vehicle.is_none_or(|p| p == vehicle)
            && v.demand <= h.capacity
    }
}

/// A dispatch plan: for each vehicle (same index as `Problem::vehicles`) the visits in order,
/// and the visits nobody could take without breaking a hard rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub routes: Vec<Vec<usize>>,
    pub unassigned: Vec<usize>,
}

impl Plan {
    pub fn vehicles_used(&self) -> usize {
        self.routes.iter().filter(|r| !r.is_empty()).count()
    }

    /// The vehicle serving `visit`, if any.
    pub fn vehicle_of(&self, visit: usize) -> Option<usize> {
        self.routes.iter().position(|r| r.contains(&visit))
    }
}
