//! The dispatch solver: ruin-and-recreate with simulated annealing (the SISR scheme of
//! Christiaens & Vanden Berghe, "Slack induction by string removals", 2020), plus a fleet
//! minimisation phase and a regret-insertion re-planner.
//!
//! Why this design: ruin-and-recreate with string removals needs only one insertion
//! evaluator for every rule (time windows, capacity, skills, pins, shifts), so product rules
//! stay in one place; it is among the best simple methods on the Solomon benchmarks, and
//! each iteration is cheap enough for tens of thousands of iterations per second.
//!
//! - Construction: greedy cheapest insertion.
//! - Fleet minimisation (only when [`Objective::minimise_vehicles`]): drop the smallest
//!   route, then ruin-and-recreate with one vehicle fewer, accepting plans that leave fewer
//!   visits out (or visits that were left out less often), until every visit is back in.
//! - Distance (and soft costs): ruin-and-recreate with simulated annealing, never using more
//!   vehicles than the best plan once that plan serves every visit.
//! - Final pass: every visit still left out is offered to every available helper, idle
//!   ones included, so a visit is reported unassigned only when it fits nowhere.
//!
//! Determinism: the only randomness is a seeded generator, so the same problem, seed and
//! iteration budget give the same plan. A time budget is the caller's business (the library
//! has no clock, it runs on wasm): pass [`Budget::Custom`] reporting elapsed/limit.

use super::model::{Objective, Plan, Problem, ProblemError};
use super::rng::Rng;
use super::validate::validate;

const NONE: usize = usize::MAX;

/// How long the solver may run, as progress in `[0, 1]`; at 1 it stops.
#[derive(Clone, Copy)]
pub enum Budget<'a> {
    Iterations(u64),
    /// Called once per iteration with the iteration number; returns the fraction of the
    /// budget used (e.g. elapsed / limit). Also lets a caller stop the search early.
    Custom(&'a dyn Fn(u64) -> f64),
}

impl Budget<'_> {
    fn progress(&self, iteration: u64) -> f64 {
        match self {
            Budget::Iterations(n) => iteration as f64 / (*n).max(1) as f64,
            Budget::Custom(f) => f(iteration),
        }
    }
}

/// Tuning knobs; the defaults are what the Solomon benchmark uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub seed: u64,
    /// Mean number of visits removed per ruin (SISR `c̄`).
    pub mean_removed: f64,
    /// Longest string removed from one route (SISR `L_max`).
    pub max_string: f64,
    /// Annealing temperatures at the start and end, relative to the mean distance between
    /// a visit and its ten nearest neighbours.
    pub temp_start: f64,
    pub temp_end: f64,
    /// Share of the budget that fleet minimisation may use at most.
    pub fleet_share: f64,
    /// Probability of skipping an insertion position (SISR "blinks").
    pub blink: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            seed: 1,
            mean_removed: 10.0,
            max_string: 10.0,
            // Low temperatures suit 1 s runs (a few ten thousand iterations); SISR's
            // published 100 → 1 is for runs a thousand times longer.
            temp_start: 0.3,
            temp_end: 0.005,
            fleet_share: 0.5,
            blink: 0.01,
        }
    }
}

/// Distances, compatibility and neighbour lists, computed once.
struct Ctx<'a> {
    p: &'a Problem,
    n: usize,
    nv: usize,
    stride: usize,
    dist: Vec<f64>,
    time: Vec<f64>,
    compat: Vec<bool>,
    neighbours: Vec<Vec<usize>>,
    temp_scale: f64,
    obj: Objective,
}

impl<'a> Ctx<'a> {
    fn new(p: &'a Problem) -> Self {
        let (n, nv) = (p.visits.len(), p.vehicles.len());
        let stride = n + 2 * nv;
        let mut pts = Vec::with_capacity(stride);
        pts.extend(p.visits.iter().map(|v| v.location));
        pts.extend(p.vehicles.iter().map(|v| v.start));
        pts.extend(p.vehicles.iter().map(|v| v.end));
        let mut dist = vec![0.0; stride * stride];
        for a in 0..stride {
            for b in 0..stride {
                dist[a * stride + b] = pts[a].distance(pts[b]);
            }
        }
        let time = dist.iter().map(|d| d / p.speed).collect();
        let mut compat = vec![false; n * nv.max(1)];
        for v in 0..n {
            for k in 0..nv {
                compat[v * nv + k] = p.compatible(v, k);
            }
        }
        let mut neighbours = Vec::with_capacity(n);
        let mut near_sum = 0.0;
        let mut near_cnt = 0usize;
        for a in 0..n {
            let mut others: Vec<usize> = (0..n).filter(|&b| b != a).collect();
            others.sort_by(|&x, &y| dist[a * stride + x].total_cmp(&dist[a * stride + y]));
            for &b in others.iter().take(10) {
                near_sum += dist[a * stride + b];
                near_cnt += 1;
            }
            neighbours.push(others);
        }
        let temp_scale = if near_cnt > 0 {
            (near_sum / near_cnt as f64).max(1e-9)
        } else {
            1.0
        };
        Ctx {
            p,
            n,
            nv,
            stride,
            dist,
            time,
            compat,
            neighbours,
            temp_scale,
            obj: p.objective,
        }
    }

    fn start_node(&self, k: usize) -> usize {
        self.n + k
    }

    fn end_node(&self, k: usize) -> usize {
        self.n + self.nv + k
    }

    fn d(&self, a: usize, b: usize) -> f64 {
        self.dist[a * self.stride + b]
    }

    fn t(&self, a: usize, b: usize) -> f64 {
        self.time[a * self.stride + b]
    }

    fn compatible(&self, v: usize, k: usize) -> bool {
        self.compat[v * self.nv + k]
    }

    /// The soft cost of one visit on vehicle `k` (continuity).
    fn visit_penalty(&self, v: usize, k: usize) -> f64 {
        match self.p.visits[v].preferred_vehicle {
            Some(pref) if pref != k => self.obj.continuity_penalty,
            _ => 0.0,
        }
    }
}

/// One vehicle's route with the data that makes an insertion check O(1).
#[derive(Clone, Debug, Default)]
struct Route {
    visits: Vec<usize>,
    /// Service start at each position.
    start: Vec<f64>,
    /// Latest service start at each position that keeps the rest of the route feasible.
    latest: Vec<f64>,
    load: i64,
    work: f64,
    dist: f64,
    penalty: f64,
}

impl Route {
    fn cost(&self, ctx: &Ctx) -> f64 {
        self.dist + self.penalty + ctx.obj.fairness_weight * self.work * self.work
    }

    /// Recomputes the caches; returns whether the route is feasible.
    fn update(&mut self, ctx: &Ctx, k: usize) -> bool {
        let h = &ctx.p.vehicles[k];
        let m = self.visits.len();
        self.start.resize(m, 0.0);
        self.latest.resize(m, 0.0);
        self.load = 0;
        self.work = 0.0;
        self.dist = 0.0;
        self.penalty = 0.0;
        if m == 0 {
            return true;
        }
        let mut ok = true;
        let mut prev = ctx.start_node(k);
        let mut t = h.shift_start;
        for (i, &v) in self.visits.iter().enumerate() {
            let visit = &ctx.p.visits[v];
            let s = (t + ctx.t(prev, v)).max(visit.ready);
            ok &= s <= visit.due;
            self.start[i] = s;
            self.dist += ctx.d(prev, v);
            self.load += visit.demand;
            self.work += visit.service;
            self.penalty += ctx.visit_penalty(v, k);
            t = s + visit.service;
            prev = v;
        }
        let end = ctx.end_node(k);
        self.dist += ctx.d(prev, end);
        ok &= t + ctx.t(prev, end) <= h.shift_end;
        ok &= self.load <= h.capacity;
        let mut next_latest = h.shift_end;
        let mut next = end;
        for i in (0..m).rev() {
            let v = self.visits[i];
            let visit = &ctx.p.visits[v];
            let l = visit.due.min(next_latest - ctx.t(v, next) - visit.service);
            self.latest[i] = l;
            next_latest = l;
            next = v;
        }
        ok
    }

    /// Cost increase of inserting `v` before position `pos`, or `None` if infeasible.
    fn insertion_delta(&self, ctx: &Ctx, k: usize, v: usize, pos: usize) -> Option<f64> {
        let h = &ctx.p.vehicles[k];
        let visit = &ctx.p.visits[v];
        let (prev, depart) = if pos == 0 {
            (ctx.start_node(k), h.shift_start)
        } else {
            let p = self.visits[pos - 1];
            (p, self.start[pos - 1] + ctx.p.visits[p].service)
        };
        let arrival = depart + ctx.t(prev, v);
        if arrival > visit.due {
            return None;
        }
        let s = arrival.max(visit.ready);
        let (next, limit) = if pos == self.visits.len() {
            (ctx.end_node(k), h.shift_end)
        } else {
            (self.visits[pos], self.latest[pos])
        };
        if s + visit.service + ctx.t(v, next) > limit {
            return None;
        }
        Some(ctx.d(prev, v) + ctx.d(v, next) - ctx.d(prev, next))
    }

    /// Route-level part of an insertion's cost (soft penalties), or `None` if it cannot fit.
    fn route_delta(&self, ctx: &Ctx, k: usize, v: usize) -> Option<f64> {
        let visit = &ctx.p.visits[v];
        if !ctx.compatible(v, k) || self.load + visit.demand > ctx.p.vehicles[k].capacity {
            return None;
        }
        let w = ctx.obj.fairness_weight;
        let fair = w * ((self.work + visit.service).powi(2) - self.work * self.work);
        Some(fair + ctx.visit_penalty(v, k))
    }
}

/// A (partial) plan under construction.
#[derive(Clone, Debug)]
struct Sol {
    routes: Vec<Route>,
    unassigned: Vec<usize>,
    route_of: Vec<usize>,
}

impl Sol {
    fn empty(ctx: &Ctx) -> Self {
        Sol {
            routes: vec![Route::default(); ctx.nv],
            unassigned: Vec::new(),
            route_of: vec![NONE; ctx.n],
        }
    }

    fn used(&self) -> usize {
        self.routes.iter().filter(|r| !r.visits.is_empty()).count()
    }

    fn cost(&self, ctx: &Ctx) -> f64 {
        self.routes.iter().map(|r| r.cost(ctx)).sum()
    }

    /// Lexicographic quality: visits left out, then vehicles (if minimised), then cost.
    fn key(&self, ctx: &Ctx) -> (usize, usize, f64) {
        let used = if ctx.obj.minimise_vehicles {
            self.used()
        } else {
            0
        };
        (self.unassigned.len(), used, self.cost(ctx))
    }

    fn to_plan(&self) -> Plan {
        let mut unassigned = self.unassigned.clone();
        unassigned.sort_unstable();
        Plan {
            routes: self.routes.iter().map(|r| r.visits.clone()).collect(),
            unassigned,
        }
    }

    /// Best feasible insertion of `v` over all routes: `(route, position, delta)`.
    fn best_insertion(
        &self,
        ctx: &Ctx,
        v: usize,
        max_routes: usize,
        used: usize,
        rng: &mut Rng,
        blink: f64,
    ) -> Option<(usize, usize, f64)> {
        let mut best: Option<(usize, usize, f64)> = None;
        let mut last_idle_tried: Option<usize> = None;
        for (k, r) in self.routes.iter().enumerate() {
            if r.visits.is_empty() {
                // Opening a vehicle: only if the fleet limit allows. Identical idle vehicles
                // are common (Solomon), but differing ones matter, so each is tried unless
                // it is the same as the last idle one tried.
                if used >= max_routes
                    || last_idle_tried.is_some_and(|j| ctx.p.vehicles[j] == ctx.p.vehicles[k])
                {
                    continue;
                }
                last_idle_tried = Some(k);
            }
            let Some(base) = r.route_delta(ctx, k, v) else {
                continue;
            };
            let due = ctx.p.visits[v].due;
            for pos in 0..=r.visits.len() {
                if pos > 0 && r.start[pos - 1] > due {
                    break;
                }
                if blink > 0.0 && rng.f64() < blink {
                    continue;
                }
                if let Some(delta) = r.insertion_delta(ctx, k, v, pos) {
                    let total = base + delta;
                    if best.is_none_or(|b| total < b.2) {
                        best = Some((k, pos, total));
                    }
                }
            }
        }
        best
    }

    fn insert(&mut self, ctx: &Ctx, v: usize, k: usize, pos: usize) {
        self.routes[k].visits.insert(pos, v);
        self.routes[k].update(ctx, k);
        self.route_of[v] = k;
    }

    /// Inserts `order` greedily (cheapest position, with blinks); the rest stays unassigned.
    fn recreate(
        &mut self,
        ctx: &Ctx,
        order: &[usize],
        max_routes: usize,
        rng: &mut Rng,
        blink: f64,
    ) {
        let mut used = self.used();
        for &v in order {
            match self.best_insertion(ctx, v, max_routes, used, rng, blink) {
                Some((k, pos, _)) => {
                    if self.routes[k].visits.is_empty() {
                        used += 1;
                    }
                    self.insert(ctx, v, k, pos);
                }
                None => self.unassigned.push(v),
            }
        }
    }
}

/// SISR ruin: removes strings of consecutive visits from routes near a random seed visit.
fn ruin(ctx: &Ctx, s: &mut Sol, settings: &Settings, rng: &mut Rng) -> Vec<usize> {
    let assigned = ctx.n - s.unassigned.len();
    let used = s.used().max(1);
    let avg_len = assigned as f64 / used as f64;
    let ls_max = settings.max_string.min(avg_len).max(1.0);
    let ks_max = 4.0 * settings.mean_removed / (1.0 + ls_max) - 1.0;
    let ks = (rng.f64() * ks_max.max(1.0)).floor() as usize + 1;
    let mut removed = Vec::new();
    if ctx.n == 0 {
        return removed;
    }
    let seed = rng.below(ctx.n);
    let mut ruined: Vec<usize> = Vec::new();
    for &c in std::iter::once(&seed).chain(ctx.neighbours[seed].iter()) {
        if ruined.len() >= ks {
            break;
        }
        let k = s.route_of[c];
        if k == NONE || ruined.contains(&k) {
            continue;
        }
        let route = &mut s.routes[k].visits;
        let len = route.len();
        let Some(at) = route.iter().position(|&x| x == c) else {
            continue;
        };
        let l_max = ls_max.min(len as f64);
        let l = ((rng.f64() * l_max).floor() as usize + 1).min(len);
        let (from, to, keep): (usize, usize, Option<(usize, usize)>) =
            if rng.f64() < 0.5 || l == len {
                // A string of length l containing c.
                let lo = at.saturating_sub(l - 1);
                let hi = at.min(len - l);
                let first = lo + rng.below(hi - lo + 1);
                (first, first + l, None)
            } else {
                // Split string: a string of l + m, of which m consecutive visits stay.
                let mut m = 1usize;
                while l + m < len && rng.f64() < 0.5 {
                    m += 1;
                }
                let total = l + m;
                let lo = at.saturating_sub(total - 1);
                let hi = at.min(len - total);
                let first = lo + rng.below(hi - lo + 1);
                let keep_at = first + rng.below(l + 1);
                (first, first + total, Some((keep_at, keep_at + m)))
            };
        let mut kept = Vec::with_capacity(len);
        for (i, &v) in route.iter().enumerate() {
            let in_string = i >= from && i < to;
            let preserved = keep.is_some_and(|(a, b)| i >= a && i < b);
            if in_string && !preserved {
                removed.push(v);
            } else {
                kept.push(v);
            }
        }
        *route = kept;
        ruined.push(k);
    }
    for &k in &ruined {
        s.routes[k].update(ctx, k);
    }
    for &v in &removed {
        s.route_of[v] = NONE;
    }
    removed
}

/// SISR's randomised insertion orders: random, by demand, far from / close to the base,
/// and (for time windows) by due time.
fn order_removed(ctx: &Ctx, list: &mut [usize], rng: &mut Rng) {
    rng.shuffle(list);
    let base = |v: usize| {
        let k = ctx.p.visits[v]
            .pinned_vehicle
            .unwrap_or(0)
            .min(ctx.nv.saturating_sub(1));
        if ctx.nv == 0 {
            0.0
        } else {
            ctx.d(ctx.start_node(k), v)
        }
    };
    match rng.below(12) {
        0..=3 => {}
        4..=6 => list.sort_by_key(|&v| std::cmp::Reverse(ctx.p.visits[v].demand)),
        7..=8 => list.sort_by(|&a, &b| base(b).total_cmp(&base(a))),
        9 => list.sort_by(|&a, &b| base(a).total_cmp(&base(b))),
        _ => list.sort_by(|&a, &b| ctx.p.visits[a].due.total_cmp(&ctx.p.visits[b].due)),
    }
    // Pinned visits have one place to go: give them the first pick.
    list.sort_by_key(|&v| ctx.p.visits[v].pinned_vehicle.is_none());
}

fn fleet_limit(ctx: &Ctx) -> usize {
    ctx.p.vehicles.iter().filter(|v| v.available).count()
}

/// Solves the problem within the budget. Never fails on a valid problem: visits that no
/// helper can take under the hard rules are returned in [`Plan::unassigned`].
pub fn solve(problem: &Problem, settings: &Settings, budget: Budget) -> Result<Plan, ProblemError> {
    problem.check()?;
    let ctx = Ctx::new(problem);
    let mut rng = Rng::new(settings.seed);
    let all_routes = fleet_limit(&ctx);

    let mut cur = Sol::empty(&ctx);
    let mut order: Vec<usize> = (0..ctx.n).collect();
    order_removed(&ctx, &mut order, &mut rng);
    order.sort_by(|&a, &b| problem.visits[a].due.total_cmp(&problem.visits[b].due));
    order.sort_by_key(|&v| problem.visits[v].pinned_vehicle.is_none());
    cur.recreate(&ctx, &order, all_routes, &mut rng, 0.0);
    let mut best = cur.clone();
    let mut it = 0u64;

    if problem.objective.minimise_vehicles {
        best = minimise_fleet(&ctx, best, settings, &budget, &mut rng, &mut it);
        cur = best.clone();
    }
    // The fleet is capped at the minimised size only when that plan serves every visit:
    // a plan that leaves visits out must stay free to open any idle helper, since serving
    // one more visit outranks using one vehicle fewer.
    let max_routes = if problem.objective.minimise_vehicles && best.unassigned.is_empty() {
        best.used()
    } else {
        all_routes
    };
    let mut best_key = best.key(&ctx);
    let mut cur_cost = cur.cost(&ctx);
    let t0 = settings.temp_start * ctx.temp_scale;
    let t1 = settings.temp_end * ctx.temp_scale;
    loop {
        let progress = budget.progress(it);
        if progress >= 1.0 || ctx.n == 0 {
            break;
        }
        it += 1;
        let temp = t0 * (t1 / t0).powf(progress.clamp(0.0, 1.0));
        let mut cand = cur.clone();
        let mut removed = ruin(&ctx, &mut cand, settings, &mut rng);
        removed.append(&mut cand.unassigned);
        order_removed(&ctx, &mut removed, &mut rng);
        cand.recreate(&ctx, &removed, max_routes, &mut rng, settings.blink);
        let cand_cost = cand.cost(&ctx);
        let accept = cand.unassigned.len() < cur.unassigned.len()
            || (cand.unassigned.len() == cur.unassigned.len()
                && cand_cost < cur_cost - temp * rng.f64().max(1e-300).ln());
        if accept {
            cur = cand;
            cur_cost = cand_cost;
            let key = cur.key(&ctx);
            if key < best_key {
                best_key = key;
                best = cur.clone();
            }
        }
    }
    // Final pass, no blinks, every available helper allowed: a visit is only reported
    // unassigned if it fits nowhere, not even alone on an idle helper. (Insertion only
    // tightens routes, so one pass in due order settles it.)
    let mut pending = std::mem::take(&mut best.unassigned);
    pending.sort_by(|&a, &b| problem.visits[a].due.total_cmp(&problem.visits[b].due));
    pending.sort_by_key(|&v| problem.visits[v].pinned_vehicle.is_none());
    best.recreate(&ctx, &pending, all_routes, &mut rng, 0.0);
    Ok(best.to_plan())
}

/// Removes whole routes while the visits still fit (SISR fleet minimisation).
fn minimise_fleet(
    ctx: &Ctx,
    mut best: Sol,
    settings: &Settings,
    budget: &Budget,
    rng: &mut Rng,
    it: &mut u64,
) -> Sol {
    let total_demand: i64 = ctx.p.visits.iter().map(|v| v.demand).sum();
    let cap = ctx
        .p
        .vehicles
        .iter()
        .map(|v| v.capacity)
        .max()
        .unwrap_or(0)
        .max(1);
    let lower_bound = ((total_demand + cap - 1) / cap).max(1) as usize;
    let mut absences = vec![0u64; ctx.n];
    while best.unassigned.is_empty() && best.used() > lower_bound {
        if budget.progress(*it) >= settings.fleet_share {
            break;
        }
        let target = best.used() - 1;
        let mut s = best.clone();
        // Drop the route with the fewest visits (ties: random).
        let mut pick = NONE;
        let mut pick_len = usize::MAX;
        for (k, r) in s.routes.iter().enumerate() {
            let len = r.visits.len();
            if len > 0 && (len < pick_len || (len == pick_len && rng.f64() < 0.5)) {
                pick = k;
                pick_len = len;
            }
        }
        if pick == NONE {
            break;
        }
        let dropped = std::mem::take(&mut s.routes[pick].visits);
        s.routes[pick].update(ctx, pick);
        for &v in &dropped {
            s.route_of[v] = NONE;
        }
        s.unassigned.extend(dropped);
        let absent_sum =
            |sol: &Sol, abs: &[u64]| sol.unassigned.iter().map(|&v| abs[v]).sum::<u64>();
        while !s.unassigned.is_empty() && budget.progress(*it) < settings.fleet_share {
            *it += 1;
            let mut cand = s.clone();
            let mut removed = ruin(ctx, &mut cand, settings, rng);
            removed.append(&mut cand.unassigned);
            order_removed(ctx, &mut removed, rng);
            cand.recreate(ctx, &removed, target, rng, settings.blink);
            if cand.unassigned.len() < s.unassigned.len()
                || absent_sum(&cand, &absences) < absent_sum(&s, &absences)
            {
                s = cand;
            }
            for &v in &s.unassigned {
                absences[v] += 1;
            }
        }
        if s.unassigned.is_empty() {
            best = s;
        } else {
            break;
        }
    }
    best
}

/// Why a re-plan could not start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplanError {
    #[error(transparent)]
    Problem(#[from] ProblemError),
    #[error("vehicle {0} does not exist")]
    UnknownVehicle(usize),
    #[error("the previous plan breaks {0} hard rule(s); re-plan from scratch instead")]
    InvalidPrevious(usize),
}

/// Re-plans after `vehicle` became unavailable (a helper called in sick) with the fewest
/// changes: every other route keeps its visits in their order; only the orphaned visits
/// are inserted, by regret-2 insertion (the visit with the fewest good options first), into
/// other helpers' routes (idle helpers included). Orphans that fit nowhere are returned in
/// `unassigned` for the coordinator. `problem` describes the day before the sick call.
pub fn replan(problem: &Problem, previous: &Plan, vehicle: usize) -> Result<Plan, ReplanError> {
    problem.check()?;
    if vehicle >= problem.vehicles.len() {
        return Err(ReplanError::UnknownVehicle(vehicle));
    }
    validate(problem, previous).map_err(|e| ReplanError::InvalidPrevious(e.len()))?;
    let mut changed = problem.clone();
    changed.vehicles[vehicle].available = false;
    let ctx = Ctx::new(&changed);
    let mut s = Sol::empty(&ctx);
    for (k, route) in previous.routes.iter().enumerate() {
        if k == vehicle {
            continue;
        }
        s.routes[k].visits = route.clone();
        s.routes[k].update(&ctx, k);
        for &v in route {
            s.route_of[v] = k;
        }
    }
    s.unassigned = previous.unassigned.clone();
    let mut pending: Vec<usize> = previous.routes[vehicle].clone();
    let limit = fleet_limit(&ctx);
    while !pending.is_empty() {
        let used = s.used();
        // For each pending visit: best and second-best cost over different routes.
        let mut choice: Option<(usize, usize, usize, f64)> = None; // (index, route, pos, regret)
        let mut stuck = Vec::new();
        for (i, &v) in pending.iter().enumerate() {
            let mut best: Option<(usize, usize, f64)> = None;
            let mut second = f64::INFINITY;
            for k in 0..ctx.nv {
                let r = &s.routes[k];
                if r.visits.is_empty() && used >= limit {
                    continue;
                }
                let Some(base) = r.route_delta(&ctx, k, v) else {
                    continue;
                };
                let mut route_best: Option<(usize, f64)> = None;
                for pos in 0..=r.visits.len() {
                    if let Some(d) = r.insertion_delta(&ctx, k, v, pos)
                        && route_best.is_none_or(|b| base + d < b.1)
                    {
                        route_best = Some((pos, base + d));
                    }
                }
                if let Some((pos, c)) = route_best {
                    match best {
                        Some(b) if c >= b.2 => second = second.min(c),
                        Some(b) => {
                            second = b.2;
                            best = Some((k, pos, c));
                        }
                        None => best = Some((k, pos, c)),
                    }
                }
            }
            match best {
                None => stuck.push(i),
                Some((k, pos, c)) => {
                    let regret = if second.is_finite() {
                        second - c
                    } else {
                        f64::MAX
                    };
                    if choice.is_none_or(|ch| regret > ch.3) {
                        choice = Some((i, k, pos, regret));
                    }
                }
            }
        }
        match choice {
            Some((i, k, pos, _)) => {
                let v = pending.swap_remove(i);
                s.insert(&ctx, v, k, pos);
            }
            None => {
                for &i in stuck.iter().rev() {
                    s.unassigned.push(pending.swap_remove(i));
                }
            }
        }
    }
    Ok(s.to_plan())
}
