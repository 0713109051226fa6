#!/usr/bin/env bash
# Coverage-guided fuzzing of EventDecoder with libFuzzer.
#
# Compiles the decoder's sources (the Decoding folder and the StreamCore types it uses; add a
# file here when the decoder starts using another one) and scripts/fuzz-decoder/FuzzEntry.swift with
# -sanitize=fuzzer,address into .build/fuzz/fuzz-decoder, seeds a corpus folder with a few valid
# events, then runs libFuzzer. Arguments after the script name go to libFuzzer; the default is
# a 60-second run (-max_total_time=60). A crash leaves its input in .build/fuzz/crash-*.
#
# Example: scripts/fuzz-decoder.sh -max_total_time=600 -jobs=2
set -euo pipefail
cd "$(dirname "$0")/.."

out=.build/fuzz
mkdir -p "$out/corpus"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name StreamCore \
    Sources/StreamCore/Event.swift Sources/StreamCore/EventTime.swift \
    Sources/StreamCore/RejectionReason.swift Sources/StreamCore/InputRecord.swift \
    Sources/StreamCore/Decoding/*.swift \
    scripts/fuzz-decoder/FuzzEntry.swift -o "$out/fuzz-decoder"

printf '%s' '{"meme_id":"m1","type":"view","ts":1700000000000}' >"$out/corpus/seed-1"
printf '%s' '{"meme_id":"m\u00e9","type":"like","ts":"2023-11-14T22:13:20.123+01:00","user_id":"u7"}' >"$out/corpus/seed-2"
printf '%s' '{"type":"share","ts":1700000000000,"meme_id":"x","dwell_ms":5,"extra":{"a":[1,-0.5e3,null]}}' >"$out/corpus/seed-3"

if [ "$#" -eq 0 ]; then
    set -- -max_total_time=60
fi
"$out/fuzz-decoder" -artifact_prefix="$out/" "$@" "$out/corpus"
