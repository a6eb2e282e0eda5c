//! Exact matching solvers for the coordinator console (issue 7, item 5).
//!
//! - [`assignment`]: one-to-one minimum-cost assignment, dense ([`solve_dense`], LAPJV) and
//!   sparse with hard exclusions ([`solve_sparse`]).
//! - [`batch`]: requests × providers with weekly limits ([`batch_match`]), maximum number of
//!   families served, then maximum total match quality, via [`min_cost_flow`].
//!
//! All pure and integer-exact; the ranking that produces the scores lives elsewhere.

pub mod assignment;
pub mod batch;
pub mod candidates;
pub mod min_cost_flow;
pub mod reports;

pub use assignment::{
    Assignment, AssignmentError, CostMatrix, SparseCosts, solve_dense, solve_sparse,
};
pub use batch::{BatchError, BatchPlan, BatchProblem, Candidate, batch_match};
pub use min_cost_flow::{FlowGraph, FlowResult};
