//! Batch matching for the coordinator console (issue 7, item 5): all open Family Support
//! requests against all providers at once, each provider within their weekly limit.
//!
//! Input, as plain indices so the console can map its own ids:
//! - `requests`: how many open requests (indices `0..requests`);
//! - `provider_capacity[p]`: how many more requests provider `p` may take this week;
//! - `edges`: the allowed `(request, provider, score)` pairs. Hard exclusions (refresher
//!   expired, ages not accepted, …) are simply not listed; `score` is the match quality
//!   from the ranking (higher is better).
//!
//! Output: the pairs, their total score, and the requests left unmatched.
//!
//! Objective, lexicographic: first serve as many requests as possible, then maximise the
//! total score among those plans. A coordinator would rather see every family served than a
//! slightly better score for fewer families. It is solved exactly as a min-cost max-flow
//! (source → request → provider → sink, provider arcs with their capacity), with cost
//! `max_score − score` so all costs are non-negative.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::assignment::MAX_ABS_COST;
use super::min_cost_flow::FlowGraph;

/// One allowed pairing and its quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub request: usize,
    pub provider: usize,
    pub score: i64,
}

/// The problem as the console hands it over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchProblem {
    pub requests: usize,
    pub provider_capacity: Vec<u32>,
    pub candidates: Vec<Candidate>,
}

/// An optimal plan for review by the coordinator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchPlan {
    /// `(request, provider)` sorted by request.
    pub pairs: Vec<(usize, usize)>,
    pub total_score: i64,
    /// Requests that no plan can serve alongside the others (sorted).
    pub unmatched: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BatchError {
    #[error(
        "candidate ({request}, {provider}) refers to a request or provider that does not exist"
    )]
    UnknownIndex { request: usize, provider: usize },
    #[error("candidate ({request}, {provider}) is listed twice")]
    Duplicate { request: usize, provider: usize },
    #[error("score {score} is outside ±2^40")]
    ScoreOutOfRange { score: i64 },
}

/// Computes the optimal batch plan (see the module documentation for the objective).
pub fn batch_match(p: &BatchProblem) -> Result<BatchPlan, BatchError> {
    let (nr, np) = (p.requests, p.provider_capacity.len());
    let mut seen = std::collections::HashSet::new();
    for c in &p.candidates {
        if c.request >= nr || c.provider >= np {
            return Err(BatchError::UnknownIndex {
                request: c.request,
                provider: c.provider,
            });
        }
        if !seen.insert((c.request, c.provider)) {
            return Err(BatchError::Duplicate {
                request: c.request,
                provider: c.provider,
            });
        }
        if c.score.abs() > MAX_ABS_COST {
            return Err(BatchError::ScoreOutOfRange { score: c.score });
        }
    }
    let max_score = p.candidates.iter().map(|c| c.score).max().unwrap_or(0);
    let (s, t) = (nr + np, nr + np + 1);
    let mut g = FlowGraph::new(nr + np + 2);
    for r in 0..nr {
        g.add_edge(s, r, 1, 0);
    }
    for (k, &cap) in p.provider_capacity.iter().enumerate() {
        if cap > 0 {
            g.add_edge(nr + k, t, i64::from(cap), 0);
        }
    }
    let arcs: Vec<usize> = p
        .candidates
        .iter()
        .map(|c| g.add_edge(c.request, nr + c.provider, 1, max_score - c.score))
        .collect();
    g.min_cost_max_flow(s, t, i64::MAX);
    let mut pairs = Vec::new();
    let mut total_score = 0;
    let mut matched = vec![false; nr];
    for (c, &arc) in p.candidates.iter().zip(&arcs) {
        if g.flow_on(arc) > 0 {
            pairs.push((c.request, c.provider));
            total_score += c.score;
            matched[c.request] = true;
        }
    }
    pairs.sort_unstable();
    let unmatched = (0..nr).filter(|&r| !matched[r]).collect();
    Ok(BatchPlan {
        pairs,
        total_score,
        unmatched,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cand(request: usize, provider: usize, score: i64) -> Candidate {
        Candidate {
            request,
            provider,
            score,
        }
    }

    #[test]
    fn capacity_is_shared_by_the_best_requests() {
        // One provider with room for two; three requests want them; request 2 has another option.
        let p = BatchProblem {
            requests: 3,
            provider_capacity: vec![2, 1],
            candidates: vec![cand(0, 0, 9), cand(1, 0, 8), cand(2, 0, 7), cand(2, 1, 1)],
        };
        let plan = batch_match(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.pairs, vec![(0, 0), (1, 0), (2, 1)]);
        assert_eq!(plan.total_score, 18);
        assert!(plan.unmatched.is_empty());
    }

    #[test]
    fn excluded_requests_are_reported() {
        let p = BatchProblem {
            requests: 2,
            provider_capacity: vec![1],
            candidates: vec![cand(0, 0, 3), cand(1, 0, 5)],
        };
        let plan = batch_match(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.pairs, vec![(1, 0)]);
        assert_eq!(plan.unmatched, vec![0]);
    }

    #[test]
    fn bad_input_is_rejected() {
        let p = BatchProblem {
            requests: 1,
            provider_capacity: vec![1],
            candidates: vec![cand(0, 3, 1)],
        };
        assert!(matches!(
            batch_match(&p),
            Err(BatchError::UnknownIndex { .. })
        ));
        let p = BatchProblem {
            requests: 1,
            provider_capacity: vec![1],
            candidates: vec![cand(0, 0, 1), cand(0, 0, 2)],
        };
        assert!(matches!(batch_match(&p), Err(BatchError::Duplicate { .. })));
    }

    /// Exhaustive: each request picks one of its candidates or nothing.
    fn brute(p: &BatchProblem) -> (usize, i64) {
        fn rec(r: usize, p: &BatchProblem, left: &mut Vec<u32>) -> (usize, i64) {
            if r == p.requests {
                return (0, 0);
            }
            let mut best = rec(r + 1, p, left);
            for c in p.candidates.iter().filter(|c| c.request == r) {
                if left[c.provider] > 0 {
                    left[c.provider] -= 1;
                    let (n, s) = rec(r + 1, p, left);
                    left[c.provider] += 1;
                    best = best.max((n + 1, s + c.score));
                }
            }
            best
        }
        rec(0, p, &mut p.provider_capacity.clone())
    }

    proptest! {
        #[test]
        fn equals_brute_force(
            requests in 1usize..=6,
            caps in prop::collection::vec(0u32..=3, 1..=3),
            raw in prop::collection::vec((0usize..6, 0usize..3, -5i64..20), 0..14),
        ) {
            let mut seen = std::collections::HashSet::new();
            let candidates: Vec<Candidate> = raw.into_iter()
                .filter(|&(r, p, _)| r < requests && p < caps.len() && seen.insert((r, p)))
                .map(|(r, p, s)| cand(r, p, s))
                .collect();
            let p = BatchProblem { requests, provider_capacity: caps.clone(), candidates };
            let plan = batch_match(&p).unwrap_or_else(|e| panic!("{e}"));
            let (n, s) = brute(&p);
            prop_assert_eq!((plan.pairs.len(), plan.total_score), (n, s));
            let mut load = vec![0u32; caps.len()];
            for &(_, q) in &plan.pairs { load[q] += 1; }
            for (l, c) in load.iter().zip(&caps) { prop_assert!(l <= c); }
            prop_assert_eq!(plan.pairs.len() + plan.unmatched.len(), requests);
        }
    }
}
