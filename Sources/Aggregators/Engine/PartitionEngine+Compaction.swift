import StreamCore

extension PartitionEngine {
    /// Compacts the keyed state when released blocks contain more than
    /// 1 / 2^``compactionFreeShift`` of the words in use and at least
    /// ``compactionMinimumFreeWords`` words. The engine calls it after the ticks of a record are
    /// processed, when no block pointer is held.
    ///
    /// A key that outgrows its block leaves the old block on a free list, and in a stream where
    /// keys mostly grow, few other keys need that size later. Without compaction those blocks
    /// stayed resident: 120 bytes per key at the end of the replay benchmark (docs/benchmarks.md).
    /// - Complexity: O(1) when nothing is done, else O(live words + keys).
    @inline(__always)
    func compactStateIfFragmented() {
        let free = arena.freeWords
        guard free >= compactionMinimumFreeWords, free > arena.liveWords >> compactionFreeShift else { return }
        compactState()
    }

    /// Moves every key's block to the front of the arena, in offset order, into the smallest size
    /// class with room for its words in use, and returns the freed pages to the system. Output and
    /// encoded state do not change.
    func compactState() {
        let started = MonotonicClock.nanoseconds()
        var order: [UInt64] = []
        order.reserveCapacity(keyIndex.count)
        for slot in slots.indices where slots[slot].keyLength != 0 {
            order.append(UInt64(slots[slot].block.offset) << 32 | UInt64(slot))
        }
        Self.sortByOffset(&order)
        var blocks = order.map { slots[Int(truncatingIfNeeded: $0 & 0xFFFF_FFFF)].block }
        blocks.withUnsafeMutableBufferPointer { buffer in
            arena.compact(buffer) { Int(slots[Int(truncatingIfNeeded: order[$0] & 0xFFFF_FFFF)].usedWords) }
        }
        for (index, entry) in order.enumerated() {
            slots[Int(truncatingIfNeeded: entry & 0xFFFF_FFFF)].block = blocks[index]
        }
        compactionCount += 1
        let elapsed = MonotonicClock.nanoseconds() - started
        compactionNanoseconds += elapsed
        if elapsed > longestCompaction.nanoseconds {
            longestCompaction = (elapsed, arena.liveWords * 8)
        }
    }

    /// Sorts entries of the form `offset << 32 | slot` by offset, with two counting passes of 16
    /// bits each. O(n), where the comparison sort it replaced was O(n log n).
    static func sortByOffset(_ entries: inout [UInt64]) {
        guard entries.count > 1 else { return }
        var sorted = [UInt64](repeating: 0, count: entries.count)
        var counts = [Int](repeating: 0, count: 1 << 16 + 1)
        for shift in [UInt64(32), 48] {
            for index in counts.indices { counts[index] = 0 }
            for entry in entries { counts[Int(truncatingIfNeeded: (entry >> shift) & 0xFFFF) + 1] += 1 }
            for index in 1..<counts.count { counts[index] += counts[index - 1] }
            for entry in entries {
                let digit = Int(truncatingIfNeeded: (entry >> shift) & 0xFFFF)
                sorted[counts[digit]] = entry
                counts[digit] += 1
            }
            swap(&entries, &sorted)
        }
    }
}
