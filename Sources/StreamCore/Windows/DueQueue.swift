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
        public var memeID: String

        /// Creates an entry.
        public init(tick: Int64, memeID: String) {
            self.tick = tick
            self.memeID = memeID
        }

        fileprivate static func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
            if lhs.tick != rhs.tick { return lhs.tick < rhs.tick }
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
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Entry.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the first entry. - Complexity: O(log n).
    public mutating func popFirst() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let result = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, Entry.precedes(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Entry.precedes(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return result
    }

    /// Removes every entry.
    public mutating func removeAll() { heap.removeAll() }
}
