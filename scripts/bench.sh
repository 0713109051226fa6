#!/usr/bin/env bash
# Runs every benchmark script (scripts/bench-*.sh) against the release build.
# Results are printed; docs/benchmarks.md records them with the machine they ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "swift: $(swift --version 2>&1 | head -1)"
shopt -s nullglob
for script in scripts/bench-*.sh; do
    echo "== $script"
    bash "$script"
done
