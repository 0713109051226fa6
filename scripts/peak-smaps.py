#!/usr/bin/env python3
"""Runs a command and reports where its resident memory sits at its peak.

Usage: scripts/peak-smaps.py COMMAND [ARGS...]
Example: scripts/peak-smaps.py .build/release/memestream replay --input-file EVENTS --output-file /dev/null

Polls /proc/PID/status every 3 ms (at most 400,000 polls, about 20 minutes). Each time VmRSS
rises by more than 256 KiB over the highest value seen, it reads /proc/PID/smaps and keeps the
anonymous mappings with more than 300 KiB resident. At the end it prints the snapshot of the
highest VmRSS: each mapping's resident and mapped size. Linux only.
"""
import re
import subprocess
import sys
import time

if len(sys.argv) < 2:
    sys.exit(__doc__)

process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
started = time.time()
highest = 0
snapshot = None


def resident_kilobytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def anonymous_mappings(pid):
    mappings = []
    current = None
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                fields = line.split()
                current = (fields[0], fields[5] if len(fields) > 5 else "")
            elif line.startswith("Rss:") and current is not None:
                kilobytes = int(line.split()[1])
                if kilobytes > 300 and not current[1].startswith("/"):
                    mappings.append((kilobytes, current[0]))
    return sorted(mappings, reverse=True)


for _ in range(400_000):
    if process.poll() is not None:
        break
    try:
        resident = resident_kilobytes(process.pid)
        if resident > highest + 256:
            highest = resident
            snapshot = (time.time() - started, resident, anonymous_mappings(process.pid))
    except OSError:
        # The process ended between the poll and the read.
        break
    time.sleep(0.003)
process.wait()

if snapshot is None:
    sys.exit("no resident set was read: the command ended too early")
print("peak at %.2f s: VmRSS %d kB" % (snapshot[0], snapshot[1]))
for kilobytes, address_range in snapshot[2][:8]:
    low, high = address_range.split("-")
    mapped = (int(high, 16) - int(low, 16)) // 1024
    print("  %7d kB resident of %7d kB mapped  %s" % (kilobytes, mapped, address_range))
