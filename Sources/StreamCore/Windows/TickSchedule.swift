/// Keys waiting for a tick, grouped by tick.
///
/// The engine schedules each key (by slot number) at the next tick where its features can
/// change and takes whole ticks out in increasing order, so a jump over many ticks costs work per
/// due key, not per tick. A tick's slots come out in insertion order; the engine sorts them into
/// emission order. Entries are never removed early: when a key is rescheduled, its old entry stays
/// and the owner skips it (lazy deletion), so a tick can list a slot that is no longer due there,
/// or list it twice.
///
/// Not thread-safe. With t ticks holding slots, `schedule` is O(1) for a tick that already has
/// slots and O(log t) for a new one. Taking a tick is O(log t).
public struct TickSchedule: Sendable {
    private var slotsByTick: [Int64: [UInt32]] = [:]
    /// A min-heap of the ticks in `slotsByTick`.
    private var ticks: [Int64] = []
    /// Emptied arrays of at most 1,024 slots kept for reuse, so a busy schedule allocates rarely.
    /// Larger ones are freed: a reused array keeps its capacity, and in the replay benchmark
    /// arrays sized for busy ticks held 10 bytes per key while listing a few slots each.
    private var spare: [[UInt32]] = []

    /// Creates an empty schedule.
    public init() {}

    /// The number of ticks with slots.
    public var tickCount: Int { ticks.count }

    /// Bytes of the slot arrays' storage, spare arrays included, and of the tick heap, for
    /// memory accounting. Leaves out the dictionary's own table. O(t) for t ticks.
    public var estimatedBytes: Int {
        var bytes = ticks.capacity * 8
        for slots in slotsByTick.values { bytes += slots.capacity * 4 }
        for slots in spare { bytes += slots.capacity * 4 }
        return bytes
    }

    /// The earliest tick with slots, or `nil` when none is scheduled.
    public var firstTick: Int64? { ticks.first }

    /// Adds `slot` to `tick`.
    public mutating func schedule(_ slot: UInt32, at tick: Int64) {
        // One hash per call: most calls add to a tick that already has slots.
        if let index = slotsByTick.index(forKey: tick) {
            slotsByTick.values[index].append(slot)
            return
        }
        var slots = spare.popLast() ?? []
        slots.append(slot)
        slotsByTick[tick] = slots
        pushTick(tick)
    }

    /// Removes the earliest tick when it is at most `limit` and returns it with its slots.
    /// Give the array back with ``recycle(_:)`` after use.
    public mutating func takeFirst(dueBy limit: Int64) -> (tick: Int64, slots: [UInt32])? {
        guard let first = ticks.first, first <= limit else { return nil }
        popTick()
        let slots = slotsByTick.removeValue(forKey: first) ?? []
        return (first, slots)
    }

    /// Keeps `slots`' storage for a later tick when its capacity is at most 1,024 slots.
    public mutating func recycle(_ slots: [UInt32]) {
        guard spare.count < 64, slots.capacity <= 1 << 10 else { return }
        var slots = slots
        slots.removeAll(keepingCapacity: true)
        spare.append(slots)
    }

    /// Removes every entry.
    public mutating func removeAll() {
        slotsByTick.removeAll()
        ticks.removeAll()
    }

    private mutating func pushTick(_ tick: Int64) {
        ticks.append(tick)
        var child = ticks.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard ticks[child] < ticks[parent] else { break }
            ticks.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTick() {
        let last = ticks.removeLast()
        guard !ticks.isEmpty else { return }
        ticks[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < ticks.count else { break }
            let right = left + 1
            let smaller = right < ticks.count && ticks[right] < ticks[left] ? right : left
            guard ticks[smaller] < ticks[parent] else { break }
            ticks.swapAt(smaller, parent)
            parent = smaller
        }
    }
}
