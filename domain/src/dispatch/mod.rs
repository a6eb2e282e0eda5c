//! Helper dispatch (issue 8): assigning home visits to helpers as a vehicle routing problem
//! with time windows (VRPTW).
//!
//! - [`model`]: the problem as data (visits with windows, durations, demand and skills;
//!   helpers with home base, hours, capacity, skills; pins, continuity, fairness).
//! - [`solver`]: [`solve`] (ruin-and-recreate with annealing, fleet minimisation) and
//!   [`replan`] (a helper called in sick: keep everyone else's route, reinsert the orphans).
//! - [`validate`](mod@validate): an independent checker of every hard rule.
//! - [`solomon`]: the Solomon benchmark file format, to measure the solver against the
//!   best known solutions.

pub mod model;
mod rng;
pub mod solomon;
pub mod solver;
pub mod validate;

pub use model::{Objective, Plan, Point, Problem, ProblemError, Skills, Vehicle, Visit};
pub use solver::{Budget, ReplanError, Settings, replan, solve};
pub use validate::{Report, Violation, validate};

#[cfg(test)]
mod tests;
