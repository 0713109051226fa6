#!/usr/bin/env bash
# Compares KafkaBridge with a plain C librdkafka loop on one mock cluster and topic:
# builds scripts/bench-kafka.c with cc, then runs `memestream bench kafka` with it.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build
# Any C compiler works; the Swift toolchain ships clang when the system has no cc.
CC=${CC:-$(command -v cc || command -v clang)}
"$CC" -O2 -Wall -o .build/bench-kafka-c scripts/bench-kafka.c $(pkg-config --cflags --libs rdkafka)
BIN=${BIN:-.build/release/memestream}
"$BIN" bench kafka --c-tool .build/bench-kafka-c "$@"
