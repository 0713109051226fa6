#!/usr/bin/env bash
# End-to-end worker throughput on the mock cluster against a plain C librdkafka consume of the
# same topic, plus tick processing latency: builds scripts/bench-kafka.c, then runs
# `memestream bench worker` for a few-memes and a many-memes workload.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build
cc -O2 -Wall -o .build/bench-kafka-c scripts/bench-kafka.c $(pkg-config --cflags --libs rdkafka)
BIN=${BIN:-.build/release/memestream}
for memes in 200 5000; do
    echo "-- memestream bench worker --memes $memes"
    "$BIN" bench worker --c-tool .build/bench-kafka-c --memes "$memes" --repeats 5 "$@"
done
