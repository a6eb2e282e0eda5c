"""Generate the shared random cost matrices and time scipy on them.

Writes every case as /tmp/hagukumi-lsa/<name>.bin (two little-endian int64 header words
rows, cols, then rows*cols int64 costs row-major; -1 marks a forbidden pair in sparse
cases) so the Rust example solves exactly the same matrices, and writes scipy's optimum
and best-of-N time per case to /tmp/hagukumi-lsa/scipy.tsv.
"""

import os
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

OUT = os.environ.get("LSA_DIR", "/tmp/hagukumi-lsa")
REPEAT = int(os.environ.get("LSA_REPEAT", "3"))
SEED = 20261125

# name, rows, cols, max cost (exclusive), density (None = dense)
CASES = [
    ("dense-2000x2000-c1e3", 2000, 2000, 1_000, None),
    ("dense-2000x2000-c1e6", 2000, 2000, 1_000_000, None),
    ("rect-1000x2000-c1e6", 1000, 2000, 1_000_000, None),
    ("rect-2000x1000-c1e3", 2000, 1000, 1_000, None),
    ("sparse-2000x2000-1pct", 2000, 2000, 1_000_000, 0.01),
    ("sparse-2000x2000-10pct", 2000, 2000, 1_000_000, 0.10),
]


def best_time(fn):
    best, result = float("inf"), None
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main():
    os.makedirs(OUT, exist_ok=True)
    rows_out = []
    for k, (name, n, m, cmax, density) in enumerate(CASES):
        rng = np.random.default_rng(SEED + k)
        if density is None:
            cost = rng.integers(0, cmax, size=(n, m), dtype=np.int64)
            mask = None
        else:
            # Sparse costs start at 1 so that no allowed edge is an implicit zero in CSR.
            cost = rng.integers(1, cmax, size=(n, m), dtype=np.int64)
            mask = rng.random((n, m)) < density
        data = cost if mask is None else np.where(mask, cost, -1)
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(np.array([n, m], dtype="<i8").tobytes())
            f.write(np.ascontiguousarray(data, dtype="<i8").tobytes())

        if mask is None:
            t, (r, c) = best_time(lambda: linear_sum_assignment(cost))
            rows_out.append((name, "scipy-lsa", int(cost[r, c].sum()), t))
        else:
            dense = np.where(mask, cost.astype(np.float64), np.inf)
            t, (r, c) = best_time(lambda: linear_sum_assignment(dense))
            rows_out.append((name, "scipy-lsa-inf", int(cost[r, c].sum()), t))
            sp = csr_matrix(np.where(mask, cost, 0))
            t, (r, c) = best_time(lambda: min_weight_full_bipartite_matching(sp))
            rows_out.append((name, "scipy-csgraph", int(cost[r, c].sum()), t))
        print(f"{name:26} {rows_out[-1][1]:14} optimum {rows_out[-1][2]:>12}  {t*1000:9.1f} ms",
              file=sys.stderr)
    with open(os.path.join(OUT, "scipy.tsv"), "w") as f:
        for name, method, opt, t in rows_out:
            f.write(f"{name}\t{method}\t{opt}\t{t:.6f}\n")


if __name__ == "__main__":
    main()
