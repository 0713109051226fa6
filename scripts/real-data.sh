#!/usr/bin/env bash
# Converts the KuaiRand like/hate sample to events, replays it with the release build and
# prints a summary. The data is read from ../shared/data/kuairand (or $MEMESTREAM_SHARED_DIR)
# and never copied into the repository; the outputs go to a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${MEMESTREAM_SHARED_DIR:-../shared}"
TSV="$SHARED/data/kuairand/kuairand27k_like_hate_kcore15.tsv"
BIN=.build/release/memestream

if [ ! -f "$TSV" ]; then
    cat >&2 <<MSG
real-data: $TSV not found.
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

WORK="$(mktemp -d "${TMPDIR:-/tmp}/memestream-real-data.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

"$BIN" import-kuairand --input "$TSV" --output "$WORK/events.jsonl.zst"
"$BIN" replay --input-file "$WORK/events.jsonl.zst" --output-file "$WORK/features.jsonl" \
    --rejections-file "$WORK/rejected.jsonl"

echo "real-data: $(wc -l < "$WORK/features.jsonl") feature records and tombstones written"
echo "real-data: highest trending_score over the whole replay (meme, tick, score):"
grep -v '"features":null' "$WORK/features.jsonl" \
    | sed -E 's/.*"meme_id":"([^"]*)","tick":([0-9]+).*"trending_score":([0-9.eE+-]+).*/\3 \1 \2/' \
    | sort -g -r \
    | awk 'shown < 5 && !seen[$2]++ { printf "  %s  tick %s  trending_score %s\n", $2, $3, $1; shown++ }'
