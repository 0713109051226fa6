#!/usr/bin/env bash
# Loads the KuaiRand like/hate sample into an embedded Kafka cluster as the events topic, runs the
# streaming worker on it until it is caught up, prints a summary and checks that the feature topic
# equals `memestream replay` on the same events. The data is read in place from
# ../shared/data/kuairand (or $MEMESTREAM_SHARED_DIR) and never copied into the repository.
# Intermediate files go to a temporary directory that is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=real-data-demo
# shellcheck source=scripts/kuairand-path.sh
source scripts/kuairand-path.sh
BIN=.build/release/memestream
# 83,656 events compress to well under 5 MiB, the embedded cluster's retention per partition;
# 16 partitions leave a wide margin and spread the load like a real topic would.
PARTITIONS="${PARTITIONS:-16}"

if [ ! -x "$BIN" ]; then
    swift build -c release --product memestream
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/memestream-real-data-demo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

"$BIN" import-kuairand --input "$TSV" --output "$WORK/events.jsonl.zst"
echo "real-data-demo: loading the events into an embedded cluster ($PARTITIONS partitions), running the worker until caught up, then replay"
"$BIN" round-trip --input-file "$WORK/events.jsonl.zst" --partitions "$PARTITIONS" --log-file "$WORK/worker.log" \
    || { status=$?; echo "real-data-demo: worker log:" >&2; tail -n 20 "$WORK/worker.log" >&2; exit "$status"; }
