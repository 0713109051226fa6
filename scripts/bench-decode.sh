#!/usr/bin/env bash
# Decode benchmark: memestream's EventDecoder against simdjson On-Demand on the same corpus.
#
# Builds the release binary, writes a seeded corpus of 1 000 000 events (120-200 bytes each)
# with `memestream bench decode --write-corpus`, then compiles scripts/decode-simdjson.cpp with
# g++ and runs it on that file. Both print events/s and MB/s by wall time and by thread CPU
# time; the CPU figures are the steadier ones on a shared machine.
#
# Environment: EVENTS (default 1000000), ROUNDS (default 5), CORPUS (default a temporary file).
# simdjson comes from the Debian package libsimdjson-dev; without it only the Swift side runs.
set -euo pipefail
cd "$(dirname "$0")/.."

events="${EVENTS:-1000000}"
rounds="${ROUNDS:-5}"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
corpus="${CORPUS:-$workdir/decode-corpus.jsonl}"

swift build -c release --product memestream >/dev/null
echo "-- memestream EventDecoder (Swift, release build)"
.build/release/memestream bench decode --events "$events" --rounds "$rounds" --write-corpus "$corpus"

if ! dpkg-query -W -f='${Status}' libsimdjson-dev 2>/dev/null | grep -q "install ok installed"; then
    echo "-- simdjson: skipped, libsimdjson-dev is not installed (apt-get install libsimdjson-dev)"
    exit 0
fi
echo "-- simdjson On-Demand $(dpkg-query -W -f='${Version}' libsimdjson-dev) (g++ -O3 -march=native)"
g++ -std=c++17 -O3 -march=native -o "$workdir/decode-simdjson" scripts/decode-simdjson.cpp -lsimdjson
"$workdir/decode-simdjson" "$corpus" "$rounds"
