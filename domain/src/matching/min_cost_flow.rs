//! Minimum-cost maximum flow by successive shortest paths (Dijkstra with Johnson potentials).
//!
//! Used for batch matching where providers take several requests (a weekly limit), which a
//! one-to-one assignment cannot express without copying providers into slots. Integer
//! capacities and costs keep the result exact. Each augmentation is a shortest path in the
//! residual graph, so after `k` units the flow is a cheapest `k`-unit flow; stopping when no
//! path is left gives the cheapest among the maximum flows.

/// A directed graph with capacities and per-unit costs.
#[derive(Debug, Clone, Default)]
pub struct FlowGraph {
    head: Vec<usize>,
    to: Vec<usize>,
    next: Vec<usize>,
    cap: Vec<i64>,
    cost: Vec<i64>,
}

const END: usize = usize::MAX;

/// The result of [`FlowGraph::min_cost_max_flow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowResult {
    pub flow: i64,
    pub cost: i64,
}

impl FlowGraph {
    pub fn new(nodes: usize) -> Self {
        FlowGraph {
            head: vec![END; nodes],
            ..Default::default()
        }
    }

    pub fn nodes(&self) -> usize {
        self.head.len()
    }

    /// Adds an arc `from → to`; returns its id for [`FlowGraph::flow_on`]. Nodes outside
    /// the graph grow it.
    pub fn add_edge(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> usize {
        let need = from.max(to) + 1;
        if need > self.head.len() {
            self.head.resize(need, END);
        }
        let id = self.to.len();
        for (a, b, c, k) in [(from, to, cap, cost), (to, from, 0, -cost)] {
            self.to.push(b);
            self.cap.push(c);
            self.cost.push(k);
            self.next.push(self.head[a]);
            self.head[a] = self.to.len() - 1;
        }
        id
    }

    /// Units currently flowing on arc `id` (the capacity of its reverse arc).
    pub fn flow_on(&self, id: usize) -> i64 {
        self.cap.get(id ^ 1).copied().unwrap_or(0)
    }

    /// Sends as much flow as possible from `s` to `t` (at most `limit`) at minimum cost.
    pub fn min_cost_max_flow(&mut self, s: usize, t: usize, limit: i64) -> FlowResult {
        let n = self.head.len();
        let mut res = FlowResult { flow: 0, cost: 0 };
        if s >= n || t >= n || s == t {
            return res;
        }
        let mut pot = self.initial_potentials(s);
        let mut dist = vec![i64::MAX; n];
        let mut via = vec![END; n];
        let mut done = vec![false; n];
        let mut heap = std::collections::BinaryHeap::new();
        while res.flow < limit {
            dist.fill(i64::MAX);
            done.fill(false);
            dist[s] = 0;
            heap.clear();
            heap.push(std::cmp::Reverse((0i64, s)));
            while let Some(std::cmp::Reverse((d, a))) = heap.pop() {
                if done[a] {
                    continue;
                }
                done[a] = true;
                // Stopping at t is safe: potentials below are only raised up to dist(t).
                if a == t {
                    break;
                }
                let mut e = self.head[a];
                while e != END {
                    let b = self.to[e];
                    if self.cap[e] > 0 && !done[b] && pot[b] != i64::MAX {
                        let nd = d + self.cost[e] + pot[a] - pot[b];
                        if nd < dist[b] {
                            dist[b] = nd;
                            via[b] = e;
                            heap.push(std::cmp::Reverse((nd, b)));
                        }
                    }
                    e = self.next[e];
                }
            }
            if !done[t] {
                break;
            }
            let dt = dist[t];
            for v in 0..n {
                if pot[v] != i64::MAX {
                    pot[v] += dist[v].min(dt);
                }
            }
            let mut push = limit - res.flow;
            let mut v = t;
            while v != s {
                let e = via[v];
                push = push.min(self.cap[e]);
                v = self.to[e ^ 1];
            }
            let mut v = t;
            while v != s {
                let e = via[v];
                self.cap[e] -= push;
                self.cap[e ^ 1] += push;
                res.cost += push * self.cost[e];
                v = self.to[e ^ 1];
            }
            res.flow += push;
        }
        res
    }

    /// Shortest distances from `s` by Bellman–Ford (arc costs may be negative, the graph
    /// must have no negative cycle); unreachable nodes get `i64::MAX` and are never used.
    fn initial_potentials(&self, s: usize) -> Vec<i64> {
        let n = self.head.len();
        let mut pot = vec![i64::MAX; n];
        pot[s] = 0;
        if self.cost.iter().step_by(2).all(|&c| c >= 0) {
            // Non-negative costs: zero potentials are already feasible.
            return vec![0; n];
        }
        for _ in 0..n {
            let mut changed = false;
            for a in 0..n {
                if pot[a] == i64::MAX {
                    continue;
                }
                let mut e = self.head[a];
                while e != END {
                    if self.cap[e] > 0 && pot[a] + self.cost[e] < pot[self.to[e]] {
                        pot[self.to[e]] = pot[a] + self.cost[e];
                        changed = true;
                    }
                    e = self.next[e];
                }
            }
            if !changed {
                break;
            }
        }
        pot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_small_network() {
        let mut g = FlowGraph::new(4);
        g.add_edge(0, 1, 2, 1);
        g.add_edge(0, 2, 1, 2);
        g.add_edge(1, 2, 1, 1);
        g.add_edge(1, 3, 1, 3);
        g.add_edge(2, 3, 2, 1);
        let r = g.min_cost_max_flow(0, 3, i64::MAX);
        assert_eq!(r, FlowResult { flow: 3, cost: 10 });
    }

    #[test]
    fn negative_costs_are_handled() {
        let mut g = FlowGraph::new(3);
        g.add_edge(0, 1, 1, -5);
        g.add_edge(1, 2, 1, 2);
        g.add_edge(0, 2, 1, 0);
        assert_eq!(
            g.min_cost_max_flow(0, 2, i64::MAX),
            FlowResult { flow: 2, cost: -3 }
        );
    }
}
