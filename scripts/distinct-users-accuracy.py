#!/usr/bin/env python3
"""Simulates the distinct_users estimator with random 64-bit hashes and prints its error.

Usage: scripts/distinct-users-accuracy.py TRIALS COUNT...
Example: scripts/distinct-users-accuracy.py 40 1000 5000 10000 20000 (a few seconds)

For each COUNT it fills TRIALS sketches of 4096 registers with COUNT random hashes, the way
DistinctUsersAggregator sets registers. It prints the mean, RMS and largest relative error of two
estimators. The classic one switches to linear counting below 2.5 x 4096. The improved raw
estimator, which the aggregator uses, works from the histogram of register values.
"""
import math
import random
import sys

PRECISION = 12
REGISTERS = 1 << PRECISION
Q = 64 - PRECISION


def sigma(x):
    if x == 1.0:
        return math.inf
    y, total = 1.0, x
    for _ in range(128):
        x *= x
        previous = total
        total += x * y
        y += y
        if total == previous:
            break
    return total


def tau(x):
    if x in (0.0, 1.0):
        return 0.0
    y, total = 1.0, 1.0 - x
    for _ in range(128):
        x = math.sqrt(x)
        previous = total
        y *= 0.5
        total -= (1 - x) ** 2 * y
        if total == previous:
            break
    return total / 3


def improved(registers):
    histogram = [0] * (Q + 2)
    for value in registers:
        histogram[value] += 1
    z = REGISTERS * tau(1 - histogram[Q + 1] / REGISTERS)
    for value in range(Q, 0, -1):
        z = 0.5 * (z + histogram[value])
    z += REGISTERS * sigma(histogram[0] / REGISTERS)
    return REGISTERS * REGISTERS / (2 * math.log(2) * z)


def classic(registers):
    inverse = sum(2.0 ** -value for value in registers)
    estimate = 0.7213 / (1 + 1.079 / REGISTERS) * REGISTERS * REGISTERS / inverse
    zeros = registers.count(0)
    if estimate <= 2.5 * REGISTERS and zeros > 0:
        estimate = REGISTERS * math.log(REGISTERS / zeros)
    return estimate


def main():
    arguments = sys.argv[1:]
    if len(arguments) < 2 or not all(argument.isdigit() and int(argument) > 0 for argument in arguments):
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    trials = int(sys.argv[1])
    for count in map(int, sys.argv[2:]):
        generator = random.Random(count)
        errors = {"classic": [], "improved": []}
        for _ in range(trials):
            registers = [0] * REGISTERS
            for _ in range(count):
                value = generator.getrandbits(64)
                index = value >> (64 - PRECISION)
                rest = (value << PRECISION) & ((1 << 64) - 1)
                zeros = 64 if rest == 0 else 64 - rest.bit_length()
                registers[index] = max(registers[index], min(zeros, Q) + 1)
            errors["classic"].append(classic(registers) / count - 1)
            errors["improved"].append(improved(registers) / count - 1)
        parts = []
        for name, values in errors.items():
            mean = sum(values) / len(values)
            rms = math.sqrt(sum(v * v for v in values) / len(values))
            largest = max(abs(v) for v in values)
            parts.append(f"{name} mean {mean * 100:+.2f}% rms {rms * 100:.2f}% max {largest * 100:.2f}%")
        print(f"count {count:7d}: " + " | ".join(parts))


if __name__ == "__main__":
    main()
