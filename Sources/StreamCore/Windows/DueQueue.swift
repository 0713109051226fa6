#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A queue of keys waiting for a tick, popped in order of tick and then of `meme_id` bytes.
///
/// The engine schedules each key at the next tick where its features can change and pops keys in
/// that order, so a jump over many ticks costs work per due key, not per tick. Entries are never
/// removed early: when a key is rescheduled the old entry stays and the engine skips it when it
/// pops (lazy deletion).
///
/// Entries wait in one array per tick, and a small min-heap contains the ticks. The first pop at a
/// tick sorts that tick's array once, so inserting and popping touch memory in order instead of
/// walking a heap of every entry. Inserting is O(log t) for t distinct ticks (O(1) when the tick
/// already has entries), and popping is O(log b) amortized for b entries at the tick.
public struct DueQueue: Sendable {
    /// One scheduled visit of a key.
    public struct Entry: Sendable, Hashable {
        /// The tick at which the key is due, in ms.
        public var tick: Int64
        /// The key.
        public let memeID: String
        /// A handle the owner attaches to the key (the engine's key slot). It plays no part in
        /// the order.
        public var slot: Int
        /// The first 16 UTF-8 bytes of `memeID`, big-endian and zero-padded. When two prefixes
        /// differ, they order the keys as their full bytes do, which saves most string compares.
        private let prefixHigh: UInt64
        private let prefixLow: UInt64

        /// Creates an entry.
        public init(tick: Int64, memeID: String, slot: Int = 0) {
            self.tick = tick
            self.memeID = memeID
            self.slot = slot
            var high: UInt64 = 0
            var low: UInt64 = 0
            var index = 0
            for byte in memeID.utf8 {
                if index < 8 {
                    high |= UInt64(byte) << (56 - 8 * UInt64(index))
                } else if index < 16 {
                    low |= UInt64(byte) << (56 - 8 * UInt64(index - 8))
                } else {
                    break
                }
                index += 1
            }
            prefixHigh = high
            prefixLow = low
        }

        fileprivate static func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
            if lhs.tick != rhs.tick { return lhs.tick < rhs.tick }
            if lhs.prefixHigh != rhs.prefixHigh { return lhs.prefixHigh < rhs.prefixHigh }
            if lhs.prefixLow != rhs.prefixLow { return lhs.prefixLow < rhs.prefixLow }
            // Native strings expose their UTF-8 bytes, so the byte order is one memcmp.
            let ordered: Bool?? = lhs.memeID.utf8.withContiguousStorageIfAvailable { left in
                rhs.memeID.utf8.withContiguousStorageIfAvailable { right in
                    let common = Swift.min(left.count, right.count)
                    let comparison = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                    return comparison != 0 ? comparison < 0 : left.count < right.count
                }
            }
            if case .some(.some(let result)) = ordered { return result }
            return lhs.memeID.utf8.lexicographicallyPrecedes(rhs.memeID.utf8)
        }
    }

    /// Entries per tick, for the ticks in `ticks`.
    private var buckets: [Int64: [Entry]] = [:]
    /// A min-heap of the ticks that have a bucket.
    private var ticks: [Int64] = []
    /// The entries of the tick being popped, in descending order once `isCurrentSorted`, so the
    /// next entry is the last.
    private var current: [Entry] = []
    private var currentTick: Int64 = 0
    private var isCurrentSorted = true

    /// Creates an empty queue.
    public init() {}

    /// The number of entries, stale ones included.
    public private(set) var count = 0

    /// The tick of the first entry, or `nil` when the queue is empty. - Complexity: O(1).
    public var nextTick: Int64? {
        if !current.isEmpty { return ticks.first.map { Swift.min($0, currentTick) } ?? currentTick }
        return ticks.first
    }

    /// Adds an entry. - Complexity: O(log t) for t distinct ticks, O(1) amortized when the tick
    /// already has entries.
    public mutating func insert(_ entry: Entry) {
        count += 1
        if !current.isEmpty {
            if entry.tick == currentTick {
                current.append(entry)
                isCurrentSorted = false
                return
            }
            if entry.tick < currentTick {
                // An earlier tick comes first, so the current tick goes back to wait.
                buckets[currentTick] = current
                pushTick(currentTick)
                current = []
            }
        }
        if buckets[entry.tick]?.append(entry) == nil {
            buckets[entry.tick] = [entry]
            pushTick(entry.tick)
        }
    }

    /// Removes and returns the first entry. - Complexity: O(log b) amortized for b entries at its
    /// tick, when no entry is inserted at that tick between pops.
    public mutating func popFirst() -> Entry? {
        if current.isEmpty {
            guard let tick = popTick() else { return nil }
            current = buckets.removeValue(forKey: tick) ?? []
            currentTick = tick
            isCurrentSorted = false
        }
        if !isCurrentSorted {
            current.sort { Entry.precedes($1, $0) }
            isCurrentSorted = true
        }
        count -= 1
        return current.removeLast()
    }

    /// Removes every entry.
    public mutating func removeAll() {
        buckets = [:]
        ticks = []
        current = []
        isCurrentSorted = true
        count = 0
    }

    private mutating func pushTick(_ tick: Int64) {
        // Move parents down into the hole and write the tick once at its place.
        ticks.append(tick)
        var child = ticks.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard tick < ticks[parent] else { break }
            ticks[child] = ticks[parent]
            child = parent
        }
        ticks[child] = tick
    }

    private mutating func popTick() -> Int64? {
        guard let last = ticks.popLast() else { return nil }
        guard !ticks.isEmpty else { return last }
        let result = ticks[0]
        // Move the smaller child up into the hole until the last tick fits there.
        let count = ticks.count
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let smaller = right < count && ticks[right] < ticks[left] ? right : left
            guard ticks[smaller] < last else { break }
            ticks[parent] = ticks[smaller]
            parent = smaller
        }
        ticks[parent] = last
        return result
    }
}
