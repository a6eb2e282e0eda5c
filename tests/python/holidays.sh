#!/usr/bin/env bash
# The holiday table against the independent `holidays` package from PyPI.
set -euo pipefail
cargo run -q -p hagukumi-domain --example dump_holidays | .venv/bin/python tests/holidays/check_holidays.py -
