#!/usr/bin/env bash
# Converts the KuaiRand like/hate sample to events, replays it with the release build and
# prints a summary. The data is read from ../shared/data/kuairand (or $MEMESTREAM_SHARED_DIR)
# and never copied into the repository. The outputs go to a temporary directory that is removed
# at the end, or to $MEMESTREAM_REAL_DATA_DIR when that is set, which keeps them.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=real-data
# shellcheck source=scripts/kuairand-path.sh
source scripts/kuairand-path.sh
BIN=.build/release/memestream

if [ ! -x "$BIN" ]; then
    swift build -c release --product memestream
fi

if [ -n "${MEMESTREAM_REAL_DATA_DIR:-}" ]; then
    WORK="$MEMESTREAM_REAL_DATA_DIR"
    mkdir -p "$WORK"
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/memestream-real-data.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
fi

"$BIN" import-kuairand --input "$TSV" --output "$WORK/events.jsonl.zst"
"$BIN" replay --input-file "$WORK/events.jsonl.zst" --output-file "$WORK/features.jsonl" \
    --rejections-file "$WORK/rejected.jsonl"

echo "real-data: $(wc -l < "$WORK/features.jsonl") feature records and tombstones written"
echo "real-data: highest trending_score over the whole replay (meme, tick, score):"
grep -v '"features":null' "$WORK/features.jsonl" \
    | sed -E 's/.*"meme_id":"([^"]*)","tick":([0-9]+).*"trending_score":([0-9.eE+-]+).*/\3 \1 \2/' \
    | sort -g -r \
    | awk 'shown < 5 && !seen[$2]++ { printf "  %s  tick %s  trending_score %s\n", $2, $3, $1; shown++ }'
if [ -n "${MEMESTREAM_REAL_DATA_DIR:-}" ]; then
    echo "real-data: events, features and rejections kept in $WORK"
fi
