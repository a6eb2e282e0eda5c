#!/usr/bin/env bash
# Solomon VRPTW benchmark: OR-Tools (guided local search, 10 s per instance) against the
# hagukumi dispatch solver (1 s per instance), both validated by the same independent
# validator, side by side with the means.
# Usage: benchmarks/solomon/run.sh [--only C101,R101] [--ortools-seconds 10] [--our-seconds 1]
#        SKIP_ORTOOLS=1 benchmarks/solomon/run.sh   (reuse the last OR-Tools JSON)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/.venv-bench"
DATA="${SOLOMON_DIR:-$ROOT/../shared/benchmarks/solomon}"
OUT="${SOLOMON_OUT:-/tmp/hagukumi-solomon}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
ONLY=""; ORT_SECS=10; OUR_SECS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="$2"; shift 2 ;;
    --ortools-seconds) ORT_SECS="$2"; shift 2 ;;
    --our-seconds) OUR_SECS="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
if [ -z "${SKIP_ORTOOLS:-}" ]; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$ROOT/benchmarks/solomon/requirements.txt"
  "$VENV/bin/python" "$ROOT/benchmarks/solomon/ortools_vrptw.py" --dir "$DATA" \
    --seconds "$ORT_SECS" --only "$ONLY" --out "$OUT/ortools.json"
fi
ARGS=(--dir "$DATA" --time "$OUR_SECS" --ortools "$OUT/ortools.json")
[ -n "$ONLY" ] && ARGS+=(--only "$ONLY")
cargo run --quiet --release -p hagukumi-domain --example solomon_bench -- "${ARGS[@]}" \
  | tee "$OUT/table.txt"
