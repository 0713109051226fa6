#!/usr/bin/env bash
# Replay benchmark: generates a heavy-tailed synthetic event file (10 M events by default),
# replays it from file to file on one thread and prints events/s and peak memory per active meme.
# Extra arguments pass through, for example: scripts/bench-replay.sh --events 2000000
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/memestream
if [ ! -x "$BIN" ]; then
    swift build -c release --product memestream
fi
"$BIN" bench replay "$@"
