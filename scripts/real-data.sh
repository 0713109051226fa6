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
# One pass keeps each meme's highest score (records start {"meme_id":"…","tick":…), then the
# few thousand memes are sorted; sorting every record took about a minute.
awk '
    !/"features":null/ {
        at = index($0, "\"trending_score\":"); if (at == 0) next
        text = substr($0, at + 17); text = substr(text, 1, match(text, /[^0-9.eE+-]/) - 1)
        rest = substr($0, 13); meme = substr(rest, 1, index(rest, "\"") - 1)
        tick = substr($0, index($0, "\"tick\":") + 7); tick = substr(tick, 1, match(tick, /[^0-9]/) - 1)
        if (!(meme in best) || text + 0 > best[meme]) { best[meme] = text + 0; shown[meme] = text " " meme " " tick }
    }
    END { for (meme in shown) print shown[meme] }
' "$WORK/features.jsonl" \
    | sort -g -r \
    | awk 'NR <= 5 { printf "  %s  tick %s  trending_score %s\n", $2, $3, $1 }'
if [ -n "${MEMESTREAM_REAL_DATA_DIR:-}" ]; then
    echo "real-data: events, features and rejections kept in $WORK"
else
    echo "real-data: $WORK is removed now; set MEMESTREAM_REAL_DATA_DIR=DIR to keep the files"
fi
