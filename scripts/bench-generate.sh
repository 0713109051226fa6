#!/usr/bin/env bash
# Throughput of `memestream generate` (release build): memory, plain file, zstd file, mock topic.
set -euo pipefail
cd "$(dirname "$0")/.."
.build/release/memestream bench generate "$@"
