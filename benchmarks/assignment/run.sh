#!/usr/bin/env bash
# Assignment benchmark: scipy.optimize.linear_sum_assignment (and csgraph's sparse
# matching) against hagukumi-domain's solvers on the same random integer matrices.
# Usage: benchmarks/assignment/run.sh      (prints the side-by-side table)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/.venv-bench"
export LSA_DIR="${LSA_DIR:-/tmp/hagukumi-lsa}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q -r "$ROOT/benchmarks/assignment/requirements.txt"
"$VENV/bin/python" "$ROOT/benchmarks/assignment/bench_scipy.py"
cargo run --quiet --release -p hagukumi-domain --example lsa_bench -- "$LSA_DIR"
