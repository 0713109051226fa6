import CMemory
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
        // The block order goes in the scratch buffer that the due keys use between compactions.
        let order = scratch.reserve(keyIndex.count, of: UInt64.self)
        var count = 0
        for slot in slots.indices where slots[slot].keyLength != 0 {
            order[count] = UInt64(slots[slot].block.offset) << 32 | UInt64(slot)
            count += 1
        }
        if count > 1 { Self.sortByOffset(order, count: count, shift: 56) }
        slots.withUnsafeMutableBufferPointer { slots in
            var compaction = arena.startCompaction()
            for index in 0..<count {
                // Slots come in block order, which is no order in the slot table.
                let ahead = index + 8
                if ahead < count {
                    memestream_prefetch(
                        slots.baseAddress! + Int(truncatingIfNeeded: order[ahead] & 0xFFFF_FFFF),
                        MemoryLayout<KeySlot>.size
                    )
                }
                let slot = Int(truncatingIfNeeded: order[index] & 0xFFFF_FFFF)
                slots[slot].block = compaction.move(slots[slot].block, keeping: Int(slots[slot].usedWords))
            }
            arena.finish(compaction)
        }
        compactionCount += 1
        let elapsed = MonotonicClock.nanoseconds() - started
        compactionNanoseconds += elapsed
        if elapsed > longestCompaction.nanoseconds {
            longestCompaction = (elapsed, arena.liveWords * 8)
        }
    }

    /// Sorts entries of the form `offset << 32 | slot` in ascending order, in place: a radix sort
    /// on the offset's bytes from the most significant, with insertion sort for runs of 32 or
    /// fewer and for entries of equal offset.
    /// O(n) passes of at most four digits, and no second array: compaction runs when the state
    /// is largest, and a copy of the entries would add eight bytes per key to the peak.
    static func sortByOffset(_ entries: inout [UInt64]) {
        entries.withUnsafeMutableBufferPointer { buffer in
            guard let first = buffer.baseAddress, buffer.count > 1 else { return }
            sortByOffset(first, count: buffer.count, shift: 56)
        }
    }

    /// Sorts `count` entries at `entries` that agree on the bits above `shift + 7`.
    private static func sortByOffset(_ entries: UnsafeMutablePointer<UInt64>, count: Int, shift: UInt64) {
        if count <= 32 || shift < 32 {
            for index in 1..<count {
                let entry = entries[index]
                var position = index
                while position > 0, entries[position - 1] > entry {
                    entries[position] = entries[position - 1]
                    position -= 1
                }
                entries[position] = entry
            }
            return
        }
        let moved = partitionByByte(entries, count: count, byte: { Int(truncatingIfNeeded: ($0 >> shift) & 0xFF) }) {
            sortByOffset(entries + $0, count: $1, shift: shift - 8)
        }
        // Every entry has this byte, as the high bytes of offsets into a small pool do.
        if !moved { sortByOffset(entries, count: count, shift: shift - 8) }
    }
}
