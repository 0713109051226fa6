#!/usr/bin/env bash
# The meme_v1 engine on one core: 1,000,000 events over 200,000 heavy-tailed memes in one hour of
# event time, then a three-day watermark jump. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
.build/release/memestream bench engine --events 1000000 --keys 200000 --span-minutes 60 --seed 1
