#!/usr/bin/env python3
"""Replays conformance cases and compares the output with each case's expected files.

Usage: scripts/check-case.py [--binary PATH] CASE_DIR [CASE_DIR ...]

--binary defaults to .build/release/memestream (`make release`); give .build/debug/memestream
for a debug build.

Each CASE_DIR contains input.jsonl, case.json (its input_format), expected.jsonl and rejected.json.
The script runs `memestream replay` on the input without --to, as the cases expect, then compares:
- records, after sorting both sides by tick, then meme_id. Integers and strings must be equal,
  and floats may differ by a relative 1e-9, the cases' own rule.
- rejections by partition, offset and reason.
It prints one line per case and exits 1 when any case differs, 2 on a usage error.
Needs only Python 3's standard library.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

TOLERANCE = 1e-9


def same_value(actual, expected):
    """True when two parsed JSON values agree: floats to TOLERANCE relative, the rest exactly."""
    if isinstance(expected, float) or isinstance(actual, float):
        if not isinstance(actual, (int, float)) or not isinstance(expected, (int, float)):
            return False
        if isinstance(actual, bool) or isinstance(expected, bool):
            return False
        return math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=0.0)
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and list(actual) == list(expected)
                and all(same_value(actual[key], expected[key]) for key in expected))
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(same_value(a, e) for a, e in zip(actual, expected)))
    return type(actual) is type(expected) and actual == expected


def read_jsonl(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def order(record):
    return (record["tick"], record["meme_id"].encode("utf-8"))


def check(binary, case):
    """Returns a list of differences for one case directory; empty when it passes."""
    with open(os.path.join(case, "case.json"), encoding="utf-8") as file:
        input_format = json.load(file).get("input_format", "events")
    with tempfile.TemporaryDirectory(prefix="memestream-case-") as scratch:
        output = os.path.join(scratch, "out.jsonl")
        rejections = os.path.join(scratch, "rejected.out")
        command = [binary, "replay", "--input-file", os.path.join(case, "input.jsonl"),
                   "--input-format", input_format, "--output-file", output, "--rejections-file", rejections]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            return [f"replay exited with {result.returncode}: {result.stderr.strip()}"]
        actual = sorted(read_jsonl(output), key=order)
        actual_rejections = read_jsonl(rejections)
    expected = sorted(read_jsonl(os.path.join(case, "expected.jsonl")), key=order)
    with open(os.path.join(case, "rejected.json"), encoding="utf-8") as file:
        expected_rejections = json.load(file)["rejected"]

    differences = []
    if len(actual) != len(expected):
        differences.append(f"{len(actual)} records, expected {len(expected)}")
    for position, (got, want) in enumerate(zip(actual, expected)):
        if not same_value(got, want):
            differences.append(f"record {position} (tick {want['tick']}, {want['meme_id']}): got {json.dumps(got)}")
            break
    key = lambda entry: (entry["partition"], entry["offset"], entry["reason"])
    got_rejections = sorted(key(entry) for entry in actual_rejections)
    want_rejections = sorted(key(entry) for entry in expected_rejections)
    if got_rejections != want_rejections:
        missing = sorted(set(want_rejections) - set(got_rejections))[:3]
        extra = sorted(set(got_rejections) - set(want_rejections))[:3]
        differences.append(f"rejections differ: missing {missing}, unexpected {extra}")
    return differences


def main(arguments):
    if any(argument in ("-h", "--help") for argument in arguments):
        print(__doc__.strip())
        return 0
    binary = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build", "release", "memestream")
    if arguments[:1] == ["--binary"]:
        if len(arguments) < 2:
            print("check-case.py: --binary needs a path", file=sys.stderr)
            return 2
        binary = arguments[1]
        arguments = arguments[2:]
    if not arguments:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    if not os.access(binary, os.X_OK):
        print(f"check-case.py: {binary} is not an executable; build it with `make release` or give --binary PATH",
              file=sys.stderr)
        return 2
    failed = 0
    for case in arguments:
        name = os.path.basename(os.path.normpath(case))
        if not os.path.isfile(os.path.join(case, "input.jsonl")):
            print(f"{name}: no input.jsonl in {case}; give a case directory such as ../shared/cases/window-edges")
            failed += 1
            continue
        differences = check(binary, case)
        print(f"{name}: {'ok' if not differences else 'DIFFERENT'}")
        for difference in differences:
            print(f"  {difference}")
        failed += bool(differences)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
