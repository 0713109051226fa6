#!/usr/bin/env bash
# Measures the cost of metric updates, registry lookups and log calls (memestream bench metrics).
set -euo pipefail
cd "$(dirname "$0")/.."
.build/release/memestream bench metrics --iterations "${ITERATIONS:-10000000}"
