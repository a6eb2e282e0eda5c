//! Exact minimum-cost assignment (the linear sum assignment problem) on integer costs.
//!
//! Two entry points:
//! - [`solve_dense`]: every row may take every column (a full `rows × cols` matrix). Uses the
//!   Jonker–Volgenant algorithm (LAPJV, 1987): column reduction with reduction transfer,
//!   two passes of augmenting row reduction, then shortest augmenting paths scanned in
//!   "all columns at the current minimum distance" batches. This is the same family of
//!   algorithm as `scipy.optimize.linear_sum_assignment` (which skips the initialisation
//!   phases), and the initialisation is what makes it fast on random matrices.
//! - [`solve_sparse`]: only listed `(row, col, cost)` edges are allowed (hard exclusions are
//!   simply absent edges). Shortest augmenting paths with Dijkstra over the sparse edges.
//!   When no assignment covers every row, the error lists the rows that cannot be covered.
//!
//! Costs are `i64` so optima are exact and comparable bit for bit with other solvers. Rows
//! are assigned in full; when `rows > cols` the problem is solved on the transpose, so every
//! column is assigned instead (as scipy does).
//!
//! Why rectangular problems are correct with column potentials that start at zero: with
//! `rows < cols` an unassigned column must keep potential 0 and all potentials must stay
//! `≤ 0` (the column constraints are inequalities). Augmenting row reduction and the
//! shortest path updates only ever *lower* the potential of a column that ends up assigned,
//! so both conditions hold without padding the matrix with dummy rows.

use thiserror::Error;

/// The largest absolute cost accepted. Keeps every potential and path length far from
/// `i64` overflow (paths add at most `2 × rows` costs).
pub const MAX_ABS_COST: i64 = 1 << 40;

/// Why an assignment could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AssignmentError {
    /// The data length does not equal `rows × cols`.
    #[error("cost matrix has {len} entries, expected {rows} × {cols}")]
    Shape {
        rows: usize,
        cols: usize,
        len: usize,
    },
    /// A cost is outside `±MAX_ABS_COST`.
    #[error("cost {cost} at row {row}, column {col} is outside ±2^40")]
    CostOutOfRange { row: usize, col: usize, cost: i64 },
    /// An edge names a row or column that does not exist.
    #[error("edge ({row}, {col}) is outside a {rows} × {cols} problem")]
    EdgeOutOfRange {
        row: usize,
        col: usize,
        rows: usize,
        cols: usize,
    },
    /// No assignment covers every row; `unmatched_rows` are rows left out by a maximum
    /// matching (their number is the deficiency, which rows exactly depends on tie order).
    #[error("no assignment covers every row: {} row(s) cannot be matched, e.g. row {}",
        .unmatched_rows.len(), .unmatched_rows.first().copied().unwrap_or_default())]
    Infeasible { unmatched_rows: Vec<usize> },
}

/// An optimal assignment: `(row, col)` pairs sorted by row, and their total cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub pairs: Vec<(usize, usize)>,
    pub total: i64,
}

/// A dense row-major integer cost matrix. A value that exists has the right shape and
/// costs within range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostMatrix {
    rows: usize,
    cols: usize,
    data: Vec<i64>,
}

impl CostMatrix {
    /// Builds a matrix from row-major data.
    pub fn new(rows: usize, cols: usize, data: Vec<i64>) -> Result<Self, AssignmentError> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(AssignmentError::Shape {
                rows,
                cols,
                len: data.len(),
            });
        }
        if let Some(k) = data.iter().position(|c| c.abs() > MAX_ABS_COST) {
            let cols_nz = cols.max(1);
            return Err(AssignmentError::CostOutOfRange {
                row: k / cols_nz,
                col: k % cols_nz,
                cost: data[k],
            });
        }
        Ok(CostMatrix { rows, cols, data })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn get(&self, row: usize, col: usize) -> i64 {
        self.data[row * self.cols + col]
    }

    /// The matrix with rows and columns swapped.
    pub fn transpose(&self) -> CostMatrix {
        let mut data = Vec::with_capacity(self.data.len());
        for c in 0..self.cols {
            for r in 0..self.rows {
                data.push(self.data[r * self.cols + c]);
            }
        }
        CostMatrix {
            rows: self.cols,
            cols: self.rows,
            data,
        }
    }
}

/// Solves the dense assignment problem exactly. Every row is assigned when
/// `rows ≤ cols`, otherwise every column.
pub fn solve_dense(matrix: &CostMatrix) -> Assignment {
    if matrix.rows > matrix.cols {
        let t = matrix.transpose();
        let mut pairs: Vec<(usize, usize)> = lapjv(&t)
            .into_iter()
            .enumerate()
            .map(|(c, r)| (r, c))
            .collect();
        pairs.sort_unstable();
        let total = pairs.iter().map(|&(r, c)| matrix.get(r, c)).sum();
        return Assignment { pairs, total };
    }
    let pairs: Vec<(usize, usize)> = lapjv(matrix).into_iter().enumerate().collect();
    let total = pairs.iter().map(|&(r, c)| matrix.get(r, c)).sum();
    Assignment { pairs, total }
}

const NONE: usize = usize::MAX;

/// LAPJV for `rows ≤ cols`; returns the column of every row.
fn lapjv(m: &CostMatrix) -> Vec<usize> {
    let (n, nc) = (m.rows, m.cols);
    if n == 0 {
        return Vec::new();
    }
    let cost = &m.data;
    let mut x = vec![NONE; n]; // column of row
    let mut y = vec![NONE; nc]; // row of column
    let mut v = vec![0i64; nc];
    let mut free: Vec<usize>;
    if n == nc {
        free = column_reduction(n, cost, &mut x, &mut y, &mut v);
    } else {
        // Rectangular: potentials must start (and, for unassigned columns, stay) at 0,
        // so skip column reduction and let augmenting row reduction do the warm start.
        free = (0..n).collect();
    }
    for _ in 0..2 {
        if free.is_empty() {
            break;
        }
        free = augmenting_row_reduction(nc, cost, &free, &mut x, &mut y, &mut v);
    }
    augment(nc, cost, &free, &mut x, &mut y, &mut v);
    x
}

/// Column reduction and reduction transfer (square matrices only). Returns free rows.
fn column_reduction(
    n: usize,
    cost: &[i64],
    x: &mut [usize],
    y: &mut [usize],
    v: &mut [i64],
) -> Vec<usize> {
    v.fill(i64::MAX);
    for i in 0..n {
        let row = &cost[i * n..(i + 1) * n];
        for (j, &c) in row.iter().enumerate() {
            if c < v[j] {
                v[j] = c;
                y[j] = i;
            }
        }
    }
    let mut unique = vec![true; n];
    for j in (0..n).rev() {
        let i = y[j];
        if x[i] == NONE {
            x[i] = j;
        } else {
            unique[i] = false;
            y[j] = NONE;
        }
    }
    let mut free = Vec::new();
    for i in 0..n {
        if x[i] == NONE {
            free.push(i);
        } else if unique[i] {
            // Reduction transfer: move row i's slack onto its column's potential.
            let j = x[i];
            let row = &cost[i * n..(i + 1) * n];
            let mut min = i64::MAX;
            for (j2, &c) in row.iter().enumerate() {
                if j2 != j {
                    min = min.min(c - v[j2]);
                }
            }
            if min != i64::MAX {
                v[j] -= min;
            }
        }
    }
    free
}

/// One pass of augmenting row reduction; returns the rows still free.
fn augmenting_row_reduction(
    nc: usize,
    cost: &[i64],
    free_in: &[usize],
    x: &mut [usize],
    y: &mut [usize],
    v: &mut [i64],
) -> Vec<usize> {
    let mut free = free_in.to_vec();
    let n_free = free.len();
    let mut current = 0usize;
    let mut new_free = 0usize;
    let mut rr_cnt = 0usize;
    while current < n_free {
        rr_cnt += 1;
        let free_i = free[current];
        current += 1;
        let row = &cost[free_i * nc..(free_i + 1) * nc];
        let (mut j1, mut v1) = (0usize, row[0] - v[0]);
        let (mut j2, mut v2) = (NONE, i64::MAX);
        for j in 1..nc {
            let c = row[j] - v[j];
            if c < v2 {
                if c >= v1 {
                    v2 = c;
                    j2 = j;
                } else {
                    v2 = v1;
                    v1 = c;
                    j2 = j1;
                    j1 = j;
                }
            }
        }
        let mut i0 = y[j1];
        let v1_lowers = j2 != NONE && v2 > v1;
        // The guard bounds the work spent bouncing rows between tied columns.
        if rr_cnt < current * nc {
            if v1_lowers {
                v[j1] -= v2 - v1;
            } else if i0 != NONE && j2 != NONE {
                j1 = j2;
                i0 = y[j2];
            }
            if i0 != NONE {
                if v1_lowers {
                    current -= 1;
                    free[current] = i0;
                } else {
                    free[new_free] = i0;
                    new_free += 1;
                }
            }
        } else if i0 != NONE {
            free[new_free] = i0;
            new_free += 1;
        }
        if i0 != NONE {
            x[i0] = NONE;
        }
        x[free_i] = j1;
        y[j1] = free_i;
    }
    free.truncate(new_free);
    free
}

/// Shortest augmenting paths from every free row.
fn augment(
    nc: usize,
    cost: &[i64],
    free: &[usize],
    x: &mut [usize],
    y: &mut [usize],
    v: &mut [i64],
) {
    let mut cols: Vec<usize> = vec![0; nc];
    let mut d = vec![0i64; nc];
    let mut pred = vec![0usize; nc];
    for &f in free {
        let sink = find_path(nc, cost, f, y, v, &mut cols, &mut d, &mut pred);
        let mut j = sink;
        loop {
            let i = pred[j];
            y[j] = i;
            let prev = x[i];
            x[i] = j;
            if i == f {
                break;
            }
            j = prev;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn find_path(
    nc: usize,
    cost: &[i64],
    start: usize,
    y: &[usize],
    v: &mut [i64],
    cols: &mut [usize],
    d: &mut [i64],
    pred: &mut [usize],
) -> usize {
    let row = &cost[start * nc..(start + 1) * nc];
    for j in 0..nc {
        cols[j] = j;
        pred[j] = start;
        d[j] = row[j] - v[j];
    }
    // cols[..ready] are final, cols[lo..hi] are at the current minimum and waiting to be
    // scanned, cols[hi..] are still to do.
    let (mut lo, mut hi, mut ready) = (0usize, 0usize, 0usize);
    let mut mind = 0i64;
    let sink = 'search: loop {
        if lo == hi {
            ready = lo;
            hi = lo + 1;
            mind = d[cols[lo]];
            let first = hi;
            for k in first..nc {
                let j = cols[k];
                let dj = d[j];
                if dj <= mind {
                    if dj < mind {
                        hi = lo;
                        mind = dj;
                    }
                    cols[k] = cols[hi];
                    cols[hi] = j;
                    hi += 1;
                }
            }
            for &j in &cols[lo..hi] {
                if y[j] == NONE {
                    break 'search j;
                }
            }
        }
        while lo != hi {
            let j = cols[lo];
            lo += 1;
            let i = y[j];
            let ri = &cost[i * nc..(i + 1) * nc];
            let h = ri[j] - v[j] - mind;
            let first = hi;
            for k in first..nc {
                let j = cols[k];
                let c = ri[j] - v[j] - h;
                if c < d[j] {
                    d[j] = c;
                    pred[j] = i;
                    if c == mind {
                        if y[j] == NONE {
                            break 'search j;
                        }
                        cols[k] = cols[hi];
                        cols[hi] = j;
                        hi += 1;
                    }
                }
            }
        }
    };
    for &j in &cols[..ready] {
        v[j] += d[j] - mind;
    }
    sink
}

/// Allowed edges of a sparse assignment problem in compressed-row form. Parallel edges are
/// merged keeping the cheapest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparseCosts {
    rows: usize,
    cols: usize,
    row_start: Vec<usize>,
    col: Vec<usize>,
    cost: Vec<i64>,
}

impl SparseCosts {
    /// Builds the problem from `(row, col, cost)` edges.
    pub fn new(
        rows: usize,
        cols: usize,
        edges: impl IntoIterator<Item = (usize, usize, i64)>,
    ) -> Result<Self, AssignmentError> {
        let mut e: Vec<(usize, usize, i64)> = Vec::new();
        for (row, col, cost) in edges {
            if row >= rows || col >= cols {
                return Err(AssignmentError::EdgeOutOfRange {
                    row,
                    col,
                    rows,
                    cols,
                });
            }
            if cost.abs() > MAX_ABS_COST {
                return Err(AssignmentError::CostOutOfRange { row, col, cost });
            }
            e.push((row, col, cost));
        }
        e.sort_unstable();
        e.dedup_by(|later, kept| later.0 == kept.0 && later.1 == kept.1);
        let mut row_start = vec![0usize; rows + 1];
        for &(r, _, _) in &e {
            row_start[r + 1] += 1;
        }
        for r in 0..rows {
            row_start[r + 1] += row_start[r];
        }
        Ok(SparseCosts {
            rows,
            cols,
            row_start,
            col: e.iter().map(|t| t.1).collect(),
            cost: e.iter().map(|t| t.2).collect(),
        })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn edge_count(&self) -> usize {
        self.col.len()
    }

    fn row_edges(&self, r: usize) -> impl Iterator<Item = (usize, i64)> + '_ {
        let (a, b) = (self.row_start[r], self.row_start[r + 1]);
        self.col[a..b]
            .iter()
            .copied()
            .zip(self.cost[a..b].iter().copied())
    }

    fn cost_of(&self, r: usize, c: usize) -> Option<i64> {
        let (a, b) = (self.row_start[r], self.row_start[r + 1]);
        self.col[a..b]
            .binary_search(&c)
            .ok()
            .map(|k| self.cost[a + k])
    }
}

/// Solves the sparse assignment problem exactly: every row gets one allowed column, each
/// column at most one row, minimum total cost.
pub fn solve_sparse(p: &SparseCosts) -> Result<Assignment, AssignmentError> {
    let (n, nc) = (p.rows, p.cols);
    let mut x = vec![NONE; n];
    let mut y = vec![NONE; nc];
    let mut u = vec![0i64; n];
    let mut v = vec![0i64; nc];
    let mut free: Vec<usize> = if n == nc {
        sparse_column_reduction(p, &mut x, &mut y, &mut v)
    } else {
        // Rectangular: potentials start at 0 (see the module docs); row reduction warms up.
        (0..n).collect()
    };
    for _ in 0..2 {
        if free.is_empty() {
            break;
        }
        free = sparse_row_reduction(p, &free, &mut x, &mut y, &mut v);
    }
    for r in 0..n {
        if x[r] != NONE {
            u[r] = p.cost_of(r, x[r]).unwrap_or_default() - v[x[r]];
        }
    }
    let mut dist = vec![i64::MAX; nc];
    let mut pred = vec![NONE; nc];
    let mut done = vec![false; nc];
    let mut touched: Vec<usize> = Vec::new();
    let mut finalized: Vec<usize> = Vec::new();
    let mut heap = std::collections::BinaryHeap::new();
    let mut unmatched = Vec::new();
    for f in free {
        for &j in &touched {
            dist[j] = i64::MAX;
            done[j] = false;
        }
        touched.clear();
        finalized.clear();
        heap.clear();
        // Make f's reduced costs non-negative.
        let Some(uf) = p.row_edges(f).map(|(c, cost)| cost - v[c]).min() else {
            unmatched.push(f);
            continue;
        };
        u[f] = uf;
        for (c, cost) in p.row_edges(f) {
            let d = cost - u[f] - v[c];
            if d < dist[c] {
                if dist[c] == i64::MAX {
                    touched.push(c);
                }
                dist[c] = d;
                pred[c] = f;
                heap.push(std::cmp::Reverse((d, c)));
            }
        }
        let mut sink = NONE;
        while let Some(std::cmp::Reverse((d, j))) = heap.pop() {
            if done[j] || d > dist[j] {
                continue;
            }
            done[j] = true;
            finalized.push(j);
            let i = y[j];
            if i == NONE {
                sink = j;
                break;
            }
            for (k, cost) in p.row_edges(i) {
                if done[k] {
                    continue;
                }
                let nd = d + cost - u[i] - v[k];
                if nd < dist[k] {
                    if dist[k] == i64::MAX {
                        touched.push(k);
                    }
                    dist[k] = nd;
                    pred[k] = i;
                    heap.push(std::cmp::Reverse((nd, k)));
                }
            }
        }
        if sink == NONE {
            unmatched.push(f);
            continue;
        }
        let big_d = dist[sink];
        for &j in &finalized {
            let delta = big_d - dist[j];
            v[j] -= delta;
            let i = y[j];
            if i != NONE {
                u[i] += delta;
            }
        }
        u[f] += big_d;
        let mut j = sink;
        loop {
            let i = pred[j];
            y[j] = i;
            let prev = x[i];
            x[i] = j;
            if i == f {
                break;
            }
            j = prev;
        }
    }
    if !unmatched.is_empty() {
        unmatched.sort_unstable();
        return Err(AssignmentError::Infeasible {
            unmatched_rows: unmatched,
        });
    }
    let mut total = 0i64;
    let mut pairs = Vec::with_capacity(n);
    for (r, &c) in x.iter().enumerate() {
        total += p.cost_of(r, c).unwrap_or_default();
        pairs.push((r, c));
    }
    Ok(Assignment { pairs, total })
}

/// Sparse column reduction (square problems): each column's potential is its cheapest edge,
/// and a column goes to that row when the row is still free. Returns the free rows.
fn sparse_column_reduction(
    p: &SparseCosts,
    x: &mut [usize],
    y: &mut [usize],
    v: &mut [i64],
) -> Vec<usize> {
    let mut best = vec![i64::MAX; p.cols];
    for r in 0..p.rows {
        for (c, cost) in p.row_edges(r) {
            if cost < best[c] {
                best[c] = cost;
                y[c] = r;
            }
        }
    }
    for c in (0..p.cols).rev() {
        if best[c] == i64::MAX {
            continue;
        }
        v[c] = best[c];
        let r = y[c];
        if x[r] == NONE {
            x[r] = c;
        } else {
            y[c] = NONE;
        }
    }
    (0..p.rows).filter(|&r| x[r] == NONE).collect()
}

/// Augmenting row reduction over the allowed edges (same scheme as the dense version).
fn sparse_row_reduction(
    p: &SparseCosts,
    free_in: &[usize],
    x: &mut [usize],
    y: &mut [usize],
    v: &mut [i64],
) -> Vec<usize> {
    let mut free = free_in.to_vec();
    let n_free = free.len();
    let (mut current, mut new_free, mut rr_cnt) = (0usize, 0usize, 0usize);
    while current < n_free {
        rr_cnt += 1;
        let free_i = free[current];
        current += 1;
        let (mut j1, mut v1, mut j2, mut v2) = (NONE, i64::MAX, NONE, i64::MAX);
        for (j, cost) in p.row_edges(free_i) {
            let c = cost - v[j];
            if c < v2 {
                if c >= v1 {
                    v2 = c;
                    j2 = j;
                } else {
                    v2 = v1;
                    j2 = j1;
                    v1 = c;
                    j1 = j;
                }
            }
        }
        if j1 == NONE {
            // No edge at all: the augmentation phase will report the row.
            free[new_free] = free_i;
            new_free += 1;
            continue;
        }
        let mut i0 = y[j1];
        let v1_lowers = j2 != NONE && v2 > v1;
        if rr_cnt < current * p.cols {
            if v1_lowers {
                v[j1] -= v2 - v1;
            } else if i0 != NONE && j2 != NONE {
                j1 = j2;
                i0 = y[j2];
            }
            if i0 != NONE {
                if v1_lowers {
                    current -= 1;
                    free[current] = i0;
                } else {
                    free[new_free] = i0;
                    new_free += 1;
                }
            }
        } else if i0 != NONE {
            free[new_free] = i0;
            new_free += 1;
        }
        if i0 != NONE {
            x[i0] = NONE;
        }
        x[free_i] = j1;
        y[j1] = free_i;
    }
    free.truncate(new_free);
    free
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Exhaustive optimum over every injective map rows → cols (rows ≤ cols), `None` when
    /// no allowed map exists.
    fn brute(rows: usize, cols: usize, cost: &dyn Fn(usize, usize) -> Option<i64>) -> Option<i64> {
        fn rec(
            r: usize,
            rows: usize,
            cols: usize,
            used: &mut Vec<bool>,
            cost: &dyn Fn(usize, usize) -> Option<i64>,
        ) -> Option<i64> {
            if r == rows {
                return Some(0);
            }
            let mut best: Option<i64> = None;
            for c in 0..cols {
                if used[c] {
                    continue;
                }
                let Some(k) = cost(r, c) else { continue };
                used[c] = true;
                if let Some(rest) = rec(r + 1, rows, cols, used, cost) {
                    best = Some(best.map_or(k + rest, |b: i64| b.min(k + rest)));
                }
                used[c] = false;
            }
            best
        }
        rec(0, rows, cols, &mut vec![false; cols], cost)
    }

    fn check_valid(a: &Assignment, rows: usize, cols: usize) {
        let mut seen_c = vec![false; cols];
        let mut seen_r = vec![false; rows];
        for &(r, c) in &a.pairs {
            assert!(!seen_r[r] && !seen_c[c]);
            seen_r[r] = true;
            seen_c[c] = true;
        }
        assert_eq!(a.pairs.len(), rows.min(cols));
    }

    #[test]
    fn small_known_case() {
        let m = CostMatrix::new(3, 3, vec![4, 1, 3, 2, 0, 5, 3, 2, 2])
            .unwrap_or_else(|e| panic!("{e}"));
        let a = solve_dense(&m);
        assert_eq!(a.total, 5);
        assert_eq!(a.pairs, vec![(0, 1), (1, 0), (2, 2)]);
    }

    #[test]
    fn shape_is_checked() {
        assert!(matches!(
            CostMatrix::new(2, 2, vec![1, 2, 3]),
            Err(AssignmentError::Shape { .. })
        ));
        assert!(matches!(
            CostMatrix::new(1, 1, vec![i64::MAX]),
            Err(AssignmentError::CostOutOfRange { .. })
        ));
    }

    #[test]
    fn sparse_infeasible_names_rows() {
        // Rows 0 and 1 both only allow column 0.
        let p = SparseCosts::new(3, 3, [(0, 0, 1), (1, 0, 2), (2, 1, 1), (2, 2, 0)])
            .unwrap_or_else(|e| panic!("{e}"));
        match solve_sparse(&p) {
            Err(AssignmentError::Infeasible { unmatched_rows }) => {
                assert_eq!(unmatched_rows.len(), 1)
            }
            other => panic!("expected infeasible, got {other:?}"),
        }
    }

    #[test]
    fn empty_problems() {
        let m = CostMatrix::new(0, 3, vec![]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(solve_dense(&m).total, 0);
        let p = SparseCosts::new(0, 0, []).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(solve_sparse(&p).map(|a| a.total), Ok(0));
    }

    proptest! {
        #[test]
        fn dense_equals_brute_force(
            rows in 1usize..=6, cols in 1usize..=6, range in prop::sample::select(vec![2i64, 5, 100, 1_000_000]),
            seed in prop::collection::vec(any::<i64>(), 36),
        ) {
            let data: Vec<i64> = (0..rows * cols).map(|k| seed[k].rem_euclid(range) - range / 3).collect();
            let m = CostMatrix::new(rows, cols, data).unwrap_or_else(|e| panic!("{e}"));
            let a = solve_dense(&m);
            check_valid(&a, rows, cols);
            let expect = if rows <= cols {
                brute(rows, cols, &|r, c| Some(m.get(r, c)))
            } else {
                brute(cols, rows, &|c, r| Some(m.get(r, c)))
            };
            prop_assert_eq!(Some(a.total), expect);
            prop_assert_eq!(a.total, a.pairs.iter().map(|&(r, c)| m.get(r, c)).sum::<i64>());
        }

        #[test]
        fn sparse_equals_brute_force(
            rows in 1usize..=6, extra in 0usize..=2,
            seed in prop::collection::vec((any::<bool>(), any::<bool>(), 0i64..50), 48),
        ) {
            let cols = rows + extra;
            let edges: Vec<(usize, usize, i64)> = (0..rows * cols)
                .filter(|&k| seed[k].0 || seed[k].1)
                .map(|k| (k / cols, k % cols, seed[k].2))
                .collect();
            let p = SparseCosts::new(rows, cols, edges.clone()).unwrap_or_else(|e| panic!("{e}"));
            let lookup = |r: usize, c: usize| p.cost_of(r, c);
            let expect = brute(rows, cols, &lookup);
            match (solve_sparse(&p), expect) {
                (Ok(a), Some(best)) => {
                    check_valid(&a, rows, cols);
                    prop_assert_eq!(a.total, best);
                    for &(r, c) in &a.pairs { prop_assert!(p.cost_of(r, c).is_some()); }
                }
                (Err(AssignmentError::Infeasible { .. }), None) => {}
                (got, want) => prop_assert!(false, "got {:?}, want {:?}", got, want),
            }
        }

        #[test]
        fn sparse_equals_dense_when_complete(
            n in 1usize..=12, seed in prop::collection::vec(0i64..20, 144),
        ) {
            let data: Vec<i64> = (0..n * n).map(|k| seed[k]).collect();
            let m = CostMatrix::new(n, n, data.clone()).unwrap_or_else(|e| panic!("{e}"));
            let p = SparseCosts::new(n, n, (0..n * n).map(|k| (k / n, k % n, data[k])))
                .unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(solve_sparse(&p).map(|a| a.total), Ok(solve_dense(&m).total));
        }
    }
}
