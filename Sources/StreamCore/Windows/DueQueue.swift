#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A min-heap of keys waiting for a tick, ordered by tick and then by `meme_id` bytes.
///
/// The engine schedules each key at the next tick where its features can change and pops keys in
/// that order, so a jump over many ticks costs work per due key, not per tick. Entries are never
/// removed early: when a key is rescheduled the old entry stays and the engine skips it when it
/// pops (lazy deletion), which keeps every operation O(log n).
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

    private var heap: [Entry] = []

    /// Creates an empty queue.
    public init() {}

    /// The number of entries, stale ones included.
    public var count: Int { heap.count }

    /// The first entry, without removing it.
    public var first: Entry? { heap.first }

    /// Adds an entry. - Complexity: O(log n).
    public mutating func insert(_ entry: Entry) {
        heap.append(entry)
        heap.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            // Move the new entry out, move parents down into the hole and move the entry into
            // its place. Moves copy no `String`, so no reference count changes on the way.
            var child = buffer.count - 1
            let moving = (base + child).move()
            while child > 0 {
                let parent = (child - 1) / 2
                guard Entry.precedes(moving, base[parent]) else { break }
                (base + child).moveInitialize(from: base + parent, count: 1)
                child = parent
            }
            (base + child).initialize(to: moving)
        }
    }

    /// Removes and returns the first entry. - Complexity: O(log n).
    public mutating func popFirst() -> Entry? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        return heap.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            let count = buffer.count
            let result = base.move()
            // Move the smaller child up into the hole until the last entry fits there.
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < count else { break }
                let right = left + 1
                let smaller = right < count && Entry.precedes(base[right], base[left]) ? right : left
                guard Entry.precedes(base[smaller], last) else { break }
                (base + parent).moveInitialize(from: base + smaller, count: 1)
                parent = smaller
            }
            (base + parent).initialize(to: last)
            return result
        }
    }

    /// Removes and returns the first entry when its tick is at most `tick`; `nil` otherwise.
    /// - Complexity: O(log n).
    public mutating func popFirst(dueBy tick: Int64) -> Entry? {
        guard let first = heap.first?.tick, first <= tick else { return nil }
        return popFirst()
    }

    /// Removes every entry.
    public mutating func removeAll() { heap.removeAll() }
}
