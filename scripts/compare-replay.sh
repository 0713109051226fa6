#!/usr/bin/env bash
# Compares the replay CPU time of two memestream binaries on one event file.
# Usage: scripts/compare-replay.sh BINARY_A BINARY_B EVENTS_FILE [RUNS]
# Runs the two binaries alternately RUNS times (default 3), each writing to /dev/null, and
# prints each binary's smallest user CPU time. Then it checks that both write the same output.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 BINARY_A BINARY_B EVENTS_FILE [RUNS]" >&2
    exit 2
fi
first=$1
second=$2
input=$3
runs=${4:-3}
for binary in "$first" "$second"; do
    if [ ! -x "$binary" ]; then
        echo "$0: $binary is not an executable file; give the path of a memestream binary" >&2
        exit 2
    fi
done
if [ ! -r "$input" ]; then
    echo "$0: cannot read $input; give an event file, such as one from 'memestream bench replay --keep'" >&2
    exit 2
fi
if [[ ! "$runs" =~ ^[1-9][0-9]?$ ]]; then
    echo "$0: RUNS is $runs; give a whole number from 1 to 99" >&2
    exit 2
fi
best_first=""
best_second=""
# Prints the user CPU seconds of one replay, measured with bash's own `time`.
user_seconds() {
    local TIMEFORMAT=%U
    { time "$1" replay --input-file "$input" --output-file /dev/null >/dev/null 2>&1; } 2>&1
}
smaller() {
    if [ -z "$1" ] || awk "BEGIN { exit !($2 < $1) }"; then echo "$2"; else echo "$1"; fi
}
for ((run = 0; run < runs; run++)); do
    best_first=$(smaller "$best_first" "$(user_seconds "$first")")
    best_second=$(smaller "$best_second" "$(user_seconds "$second")")
done
echo "$first: smallest user CPU of $runs runs: $best_first s"
echo "$second: smallest user CPU of $runs runs: $best_second s"
sum_first=$("$first" replay --input-file "$input" 2>/dev/null | md5sum | cut -d' ' -f1)
sum_second=$("$second" replay --input-file "$input" 2>/dev/null | md5sum | cut -d' ' -f1)
if [ "$sum_first" = "$sum_second" ]; then
    echo "outputs: identical"
else
    echo "outputs: DIFFERENT ($sum_first, $sum_second)"
    exit 1
fi
