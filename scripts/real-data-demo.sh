#!/usr/bin/env bash
# Loads the KuaiRand like/hate sample into an embedded Kafka cluster as the events topic, runs the
# streaming worker on it until it is caught up, prints a summary and checks that the feature topic
# equals `memestream replay` on the same events. The data is read in place from
# ../shared/data/kuairand (or $MEMESTREAM_SHARED_DIR) and never copied into the repository.
# Intermediate files go to a temporary directory that is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${MEMESTREAM_SHARED_DIR:-../shared}"
TSV="$SHARED/data/kuairand/kuairand27k_like_hate_kcore15.tsv"
BIN=.build/release/memestream
# 83,656 events compress to well under 5 MiB, the embedded cluster's retention per partition;
# 16 partitions leave a wide margin and spread the load like a real topic would.
PARTITIONS="${PARTITIONS:-16}"

if [ ! -f "$TSV" ]; then
    cat >&2 <<MSG
real-data-demo: $TSV not found.
The data is KuaiRand-27K (Gao et al., "KuaiRand: An Unbiased Sequential Recommendation Dataset
with Randomly Exposed Videos", CIKM 2022, https://kuairand.com, licence CC BY-SA 4.0), reduced to
like/hate rows by github.com/alessandrosocc/predict_explicit_negative_feedback_kuairand
(processed_data/processed_standard_kcore_15.csv). Save that file under the file name above, or set
MEMESTREAM_SHARED_DIR to the folder that holds data/kuairand/. See docs/real-data.md.
MSG
    exit 1
fi
if [ ! -x "$BIN" ]; then
    swift build -c release --product memestream
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/memestream-real-data-demo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

"$BIN" import-kuairand --input "$TSV" --output "$WORK/events.jsonl.zst"
echo "real-data-demo: loading the events into an embedded cluster ($PARTITIONS partitions), running the worker until caught up, then replay"
"$BIN" round-trip --input-file "$WORK/events.jsonl.zst" --partitions "$PARTITIONS" --log-file "$WORK/worker.log" \
    || { status=$?; echo "real-data-demo: worker log:" >&2; tail -n 20 "$WORK/worker.log" >&2; exit "$status"; }
