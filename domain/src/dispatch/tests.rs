//! Dispatch tests: hard rules on randomised instances, product hooks on hand-made cases,
//! re-planning after a sick call, and the validator catching what it must.

use proptest::prelude::*;

use super::model::{Objective, Plan, Point, Problem, Skills, Vehicle, Visit};
use super::solver::{Budget, Settings, replan, solve};
use super::validate::{Violation, validate};

fn visit(x: f64, y: f64, ready: f64, due: f64, service: f64) -> Visit {
    Visit {
        location: Point::new(x, y),
        ready,
        due,
        service,
        demand: 0,
        required_skills: Skills::NONE,
        preferred_vehicle: None,
        pinned_vehicle: None,
    }
}

fn helper(x: f64, y: f64, skills: u64) -> Vehicle {
    Vehicle {
        start: Point::new(x, y),
        end: Point::new(x, y),
        shift_start: 0.0,
        shift_end: 1000.0,
        capacity: 100,
        skills: Skills(skills),
        available: true,
    }
}

fn helper_objective() -> Objective {
    Objective {
        minimise_vehicles: false,
        continuity_penalty: 0.0,
        fairness_weight: 0.0,
    }
}

fn solve_it(p: &Problem, iterations: u64) -> Plan {
    solve(p, &Settings::default(), Budget::Iterations(iterations)).unwrap_or_else(|e| panic!("{e}"))
}

/// Random small helper-dispatch instances: distinct home bases and hours, two skills,
/// windows that are sometimes impossible, pins and preferences.
fn arb_problem() -> impl Strategy<Value = Problem> {
    let vehicles = prop::collection::vec(
        (
            0.0..100.0f64,
            0.0..100.0f64,
            0u64..4,
            0.0..200.0f64,
            200.0..600.0f64,
            1i64..6,
            any::<bool>(),
        ),
        1..=4,
    );
    let visits = prop::collection::vec(
        (
            (0.0..100.0f64, 0.0..100.0f64),
            (0.0..500.0f64, 0.0..200.0f64, 5.0..60.0f64),
            (0i64..3, 0u64..4),
            (0usize..8, 0usize..8),
        ),
        0..=14,
    );
    (vehicles, visits, 0.5..3.0f64, any::<bool>()).prop_map(|(hs, vs, speed, min_veh)| {
        let nv = hs.len();
        let vehicles = hs
            .into_iter()
            .map(|(x, y, skills, s0, len, cap, up)| Vehicle {
                start: Point::new(x, y),
                end: Point::new(y, x),
                shift_start: s0,
                shift_end: s0 + len,
                capacity: cap,
                skills: Skills(skills),
                available: up || nv == 1,
            })
            .collect();
        let visits = vs
            .into_iter()
            .map(
                |((x, y), (ready, width, service), (demand, skills), (pin, pref))| Visit {
                    location: Point::new(x, y),
                    ready,
                    due: ready + width,
                    service,
                    demand,
                    required_skills: Skills(skills),
                    // About one visit in four is pinned, one in two has a preferred helper.
                    pinned_vehicle: (pin < nv && pin % 4 == 0).then_some(pin),
                    preferred_vehicle: (pref < 2 * nv).then_some(pref % nv),
                },
            )
            .collect();
        Problem {
            visits,
            vehicles,
            speed,
            objective: Objective {
                minimise_vehicles: min_veh,
                continuity_penalty: 20.0,
                fairness_weight: 0.001,
            },
        }
    })
}

/// The hard rules, checked here from scratch (not through the validator).
fn assert_hard_rules(p: &Problem, plan: &Plan) -> Result<(), TestCaseError> {
    prop_assert_eq!(plan.routes.len(), p.vehicles.len());
    let mut count = vec![0; p.visits.len()];
    for &v in plan.routes.iter().flatten().chain(&plan.unassigned) {
        count[v] += 1;
    }
    prop_assert!(
        count.iter().all(|&c| c == 1),
        "each visit exactly once: {:?}",
        count
    );
    for (k, route) in plan.routes.iter().enumerate() {
        // An idle helper stays home: no shift to fit (as in the validator), even when the
        // end base is further from the start than the shift is long.
        if route.is_empty() {
            continue;
        }
        let h = &p.vehicles[k];
        prop_assert!(h.available, "unavailable helper {} got work", k);
        let (mut here, mut free_at, mut load) = (h.start, h.shift_start, 0);
        for &v in route {
            let x = &p.visits[v];
            // No helper in two places at once: the next visit starts after the previous
            // one ended plus the travel between the two homes.
            let start = (free_at + here.distance(x.location) / p.speed).max(x.ready);
            prop_assert!(start >= free_at);
            prop_assert!(
                start <= x.due + 1e-6,
                "visit {} starts {} after due {}",
                v,
                start,
                x.due
            );
            prop_assert!(h.skills.covers(x.required_skills), "skills of visit {}", v);
            if let Some(pin) = x.pinned_vehicle {
                prop_assert_eq!(pin, k, "pin of visit {}", v);
            }
            load += x.demand;
            free_at = start + x.service;
            here = x.location;
        }
        prop_assert!(free_at + here.distance(h.end) / p.speed <= h.shift_end + 1e-6);
        prop_assert!(load <= h.capacity);
    }
    // A visit that some single helper could do alone must not be left out when that
    // helper is idle.
    for &v in &plan.unassigned {
        let x = &p.visits[v];
        for (k, h) in p.vehicles.iter().enumerate() {
            let alone = Plan {
                routes: (0..p.vehicles.len())
                    .map(|j| if j == k { vec![v] } else { vec![] })
                    .collect(),
                unassigned: (0..p.visits.len()).filter(|&u| u != v).collect(),
            };
            if plan.routes[k].is_empty() && p.compatible(v, k) && validate(p, &alone).is_ok() {
                prop_assert!(
                    false,
                    "visit {} left out although idle helper {} could do it ({:?})",
                    v,
                    k,
                    (x, h)
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn dispatch_respects_every_hard_rule(p in arb_problem(), seed in 0u64..1000) {
        let settings = Settings { seed, ..Settings::default() };
        let plan = solve(&p, &settings, Budget::Iterations(150)).unwrap_or_else(|e| panic!("{e}"));
        assert_hard_rules(&p, &plan)?;
        prop_assert!(validate(&p, &plan).is_ok(), "validator: {:?}", validate(&p, &plan));
        // Deterministic for a seed and an iteration budget.
        let again = solve(&p, &settings, Budget::Iterations(150)).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(plan, again);
    }

    #[test]
    fn replan_after_sick_call_keeps_unaffected_visits(p in arb_problem(), seed in 0u64..1000) {
        let settings = Settings { seed, ..Settings::default() };
        let plan = solve(&p, &settings, Budget::Iterations(100)).unwrap_or_else(|e| panic!("{e}"));
        let Some(sick) = (0..p.vehicles.len()).max_by_key(|&k| plan.routes[k].len()) else {
            return Ok(());
        };
        let new = replan(&p, &plan, sick).unwrap_or_else(|e| panic!("{e}"));
        let mut after = p.clone();
        after.vehicles[sick].available = false;
        assert_hard_rules(&after, &new)?;
        prop_assert!(new.routes[sick].is_empty());
        for (k, route) in plan.routes.iter().enumerate() {
            if k == sick {
                continue;
            }
            // Everyone else keeps their visits, in the same order.
            let kept: Vec<usize> = new.routes[k].iter().copied().filter(|v| route.contains(v)).collect();
            prop_assert_eq!(&kept, route, "helper {} lost or reordered visits", k);
            for &v in &new.routes[k] {
                prop_assert!(route.contains(&v) || plan.routes[sick].contains(&v));
            }
        }
        for &v in &plan.unassigned {
            prop_assert!(new.unassigned.contains(&v));
        }
    }
}

#[test]
fn skills_route_the_visit_to_the_qualified_helper() {
    let mut v = visit(10.0, 0.0, 0.0, 500.0, 60.0);
    v.required_skills = Skills(0b10); // e.g. twins
    let p = Problem {
        visits: vec![v],
        vehicles: vec![helper(10.0, 0.0, 0b01), helper(90.0, 0.0, 0b11)],
        speed: 1.0,
        objective: helper_objective(),
    };
    assert_eq!(solve_it(&p, 50).vehicle_of(0), Some(1));
}

#[test]
fn pins_win_over_distance() {
    let mut v = visit(10.0, 0.0, 0.0, 500.0, 60.0);
    v.pinned_vehicle = Some(1);
    let p = Problem {
        visits: vec![v, visit(12.0, 0.0, 0.0, 500.0, 30.0)],
        vehicles: vec![helper(10.0, 0.0, 0), helper(90.0, 0.0, 0)],
        speed: 1.0,
        objective: helper_objective(),
    };
    let plan = solve_it(&p, 100);
    // Helper 0 lives next door, but the coordinator pinned helper 1.
    assert_eq!(plan.vehicle_of(0), Some(1));
    assert!(validate(&p, &plan).is_ok());
}

#[test]
fn continuity_prefers_the_familiar_helper() {
    let mut v = visit(50.0, 0.0, 0.0, 500.0, 60.0);
    v.preferred_vehicle = Some(1);
    let mut p = Problem {
        visits: vec![v],
        vehicles: vec![helper(40.0, 0.0, 0), helper(62.0, 0.0, 0)],
        speed: 1.0,
        objective: helper_objective(),
    };
    assert_eq!(
        solve_it(&p, 50).vehicle_of(0),
        Some(0),
        "without the preference the nearer helper goes"
    );
    p.objective.continuity_penalty = 30.0;
    assert_eq!(solve_it(&p, 50).vehicle_of(0), Some(1));
}

#[test]
fn fairness_spreads_work() {
    let visits = (0..4)
        .map(|k| visit(50.0, 0.0, 100.0 * k as f64, 100.0 * k as f64 + 400.0, 60.0))
        .collect();
    let mut p = Problem {
        visits,
        vehicles: vec![helper(50.0, 0.0, 0), helper(52.0, 0.0, 0)],
        speed: 1.0,
        objective: helper_objective(),
    };
    let lens = |plan: &Plan| (plan.routes[0].len(), plan.routes[1].len());
    assert_eq!(
        lens(&solve_it(&p, 200)),
        (4, 0),
        "distance alone puts everything on the nearest helper"
    );
    p.objective.fairness_weight = 0.01;
    assert_eq!(lens(&solve_it(&p, 200)), (2, 2));
}

#[test]
fn impossible_visits_are_reported_not_forced() {
    let p = Problem {
        visits: vec![visit(5000.0, 0.0, 0.0, 10.0, 10.0)],
        vehicles: vec![helper(0.0, 0.0, 0)],
        speed: 1.0,
        objective: helper_objective(),
    };
    let plan = solve_it(&p, 20);
    assert_eq!(plan.unassigned, vec![0]);
    assert!(validate(&p, &plan).is_ok());
}

#[test]
fn validator_catches_broken_plans() {
    let mut p = Problem {
        visits: vec![
            visit(10.0, 0.0, 0.0, 5.0, 10.0),
            visit(20.0, 0.0, 0.0, 500.0, 10.0),
        ],
        vehicles: vec![helper(0.0, 0.0, 0)],
        speed: 1.0,
        objective: helper_objective(),
    };
    p.visits[1].demand = 500;
    p.visits[1].required_skills = Skills(1);
    let plan = Plan {
        routes: vec![vec![0, 1, 1]],
        unassigned: vec![],
    };
    let errors = validate(&p, &plan).err().unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, Violation::Late { visit: 0, .. }))
    );
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, Violation::Duplicate { visit: 1 }))
    );
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, Violation::Capacity { .. }))
    );
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, Violation::Skills { visit: 1, .. }))
    );
    let missing = Plan {
        routes: vec![vec![1]],
        unassigned: vec![],
    };
    let errors = validate(&p, &missing).err().unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, Violation::Missing { visit: 0 }))
    );
}

#[test]
fn bad_numbers_are_rejected() {
    let p = Problem {
        visits: vec![visit(f64::NAN, 0.0, 0.0, 5.0, 10.0)],
        vehicles: vec![helper(0.0, 0.0, 0)],
        speed: 1.0,
        objective: helper_objective(),
    };
    assert!(solve(&p, &Settings::default(), Budget::Iterations(1)).is_err());
}

/// The real Solomon C101 when the shared benchmark folder is next to the repository.
#[test]
fn solomon_c101_reaches_ten_vehicles() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/benchmarks/solomon/C101.txt"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let inst = super::solomon::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let p = inst.to_problem();
    let plan = solve_it(&p, 3000);
    let report = validate(&p, &plan).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(report.unassigned, 0);
    assert_eq!(report.vehicles_used, 10);
    assert!(
        report.distance < 828.94 * 1.05,
        "distance {}",
        report.distance
    );
}
