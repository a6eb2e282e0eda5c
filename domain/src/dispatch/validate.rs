//! Independent plan checker. It recomputes everything from the [`Problem`] alone (it shares
//! no code with the solver's route caches), so a solver bug cannot hide behind its own
//! bookkeeping: a gap only counts if this says the plan is valid.

use serde::Serialize;

use super::model::{Plan, Problem};

/// Slack for floating-point comparisons of times (different summation orders).
const EPS: f64 = 1e-6;

/// One broken hard rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Violation {
    /// A visit appears twice, or both in a route and in `unassigned`.
    Duplicate {
        visit: usize,
    },
    /// A visit is in no route and not reported as unassigned.
    Missing {
        visit: usize,
    },
    UnknownVisit {
        visit: usize,
    },
    Capacity {
        vehicle: usize,
        load: i64,
        capacity: i64,
    },
    /// Service would start after the visit's due time.
    Late {
        vehicle: usize,
        visit: usize,
        start: f64,
        due: f64,
    },
    /// The helper is back at the end location after their shift.
    ShiftEnd {
        vehicle: usize,
        back: f64,
        shift_end: f64,
    },
    Skills {
        vehicle: usize,
        visit: usize,
    },
    Pin {
        vehicle: usize,
        visit: usize,
        pinned: usize,
    },
    Unavailable {
        vehicle: usize,
    },
    /// The plan has a different number of routes than there are vehicles.
    Shape {
        routes: usize,
        vehicles: usize,
    },
}

/// When each visit starts and the totals, for a valid plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `(vehicle, visit, arrival, service start)` in route order.
    pub schedule: Vec<(usize, usize, f64, f64)>,
    pub vehicles_used: usize,
    pub distance: f64,
    pub unassigned: usize,
}

/// Checks every hard rule; returns the schedule and totals, or every violation found.
pub fn validate(problem: &Problem, plan: &Plan) -> Result<Report, Vec<Violation>> {
    let mut errors = Vec::new();
    if plan.routes.len() != problem.vehicles.len() {
        return Err(vec![Violation::Shape {
            routes: plan.routes.len(),
            vehicles: problem.vehicles.len(),
        }]);
    }
    let n = problem.visits.len();
    let mut seen = vec![0u32; n];
    for &v in plan.routes.iter().flatten().chain(&plan.unassigned) {
        match seen.get_mut(v) {
            Some(s) => *s += 1,
            None => errors.push(Violation::UnknownVisit { visit: v }),
        }
    }
    for (visit, &count) in seen.iter().enumerate() {
        match count {
            0 => errors.push(Violation::Missing { visit }),
            1 => {}
            _ => errors.push(Violation::Duplicate { visit }),
        }
    }
    let mut report = Report {
        schedule: Vec::new(),
        vehicles_used: 0,
        distance: 0.0,
        unassigned: plan.unassigned.len(),
    };
    for (k, route) in plan.routes.iter().enumerate() {
        if route.is_empty() {
            continue;
        }
        let h = &problem.vehicles[k];
        report.vehicles_used += 1;
        if !h.available {
            errors.push(Violation::Unavailable { vehicle: k });
        }
        // One helper, one place at a time: the schedule is the sequence itself, each visit
        // starting no earlier than the previous one's end plus the travel between them.
        let mut here = h.start;
        let mut t = h.shift_start;
        let mut load = 0i64;
        for &v in route {
            let Some(visit) = problem.visits.get(v) else {
                continue;
            };
            let d = here.distance(visit.location);
            report.distance += d;
            let arrival = t + d / problem.speed;
            let start = arrival.max(visit.ready);
            if start > visit.due + EPS {
                errors.push(Violation::Late {
                    vehicle: k,
                    visit: v,
                    start,
                    due: visit.due,
                });
            }
            if !h.skills.covers(visit.required_skills) {
                errors.push(Violation::Skills {
                    vehicle: k,
                    visit: v,
                });
            }
            if let Some(p) = visit.pinned_vehicle.filter(|&p| p != k) {
                errors.push(Violation::Pin {
                    vehicle: k,
                    visit: v,
                    pinned: p,
                });
            }
            report.schedule.push((k, v, arrival, start));
            load += visit.demand;
            t = start + visit.service;
            here = visit.location;
        }
        let d = here.distance(h.end);
        report.distance += d;
        let back = t + d / problem.speed;
        if back > h.shift_end + EPS {
            errors.push(Violation::ShiftEnd {
                vehicle: k,
                back,
                shift_end: h.shift_end,
            });
        }
        if load > h.capacity {
            errors.push(Violation::Capacity {
                vehicle: k,
                load,
                capacity: h.capacity,
            });
        }
    }
    if errors.is_empty() {
        Ok(report)
    } else {
        Err(errors)
    }
}
