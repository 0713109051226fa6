import StreamCore

/// Sparse panes of one aggregator for window features that share an event-type filter and hop.
///
/// A pane `[p, p + hop)` contains the events with `ts` in it. Only non-empty panes are stored,
/// sorted by start. The window of size S at tick T covers the panes with
/// `T_H − S ≤ p < T_H`, `T_H = floor(T / hop) × hop`.
final class WindowColumn<A: Aggregator>: FeatureColumn {
    let aggregator: A
    let eventType: String?
    let hop: Int64
    /// Window sizes of the features sharing the column, in ms.
    private(set) var sizes: [Int64] = []
    private var largestSize: Int64 = 0
    private var panesBySlot: [ContiguousArray<Pane<A.State>>] = []

    init(aggregator: A, eventType: String?, hop: Int64) {
        self.aggregator = aggregator
        self.eventType = eventType
        self.hop = hop
    }

    /// Adds a window size and returns its member index.
    func addSize(_ size: Int64) -> Int {
        if let index = sizes.firstIndex(of: size) { return index }
        sizes.append(size)
        largestSize = Swift.max(largestSize, size)
        return sizes.count - 1
    }

    var isWindow: Bool { true }

    func reserveSlots(_ count: Int) {
        while panesBySlot.count < count { panesBySlot.append([]) }
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func add(_ event: Event, slot: Int, lastProcessedTick: Int64?) {
        if let eventType, event.type != eventType { return }
        let start = TickArithmetic.floor(event.eventTime.rawValue, to: hop)
        addToPane(&panesBySlot[slot], start: start, event: event, aggregator: aggregator)
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func advance(slot: Int, to tick: Int64) {
        let oldestCovered = TickArithmetic.floor(tick, to: hop) - largestSize
        removePanes(&panesBySlot[slot], startingBefore: oldestCovered, aggregator: aggregator)
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func coversEvent(slot: Int, at tick: Int64) -> Bool {
        let windowEnd = TickArithmetic.floor(tick, to: hop)
        return panesBySlot[slot].contains {
            $0.start >= windowEnd - largestSize && $0.start < windowEnd && !aggregator.isEmpty($0.state)
        }
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func hasWaitingPane(slot: Int, at tick: Int64) -> Bool {
        let windowEnd = TickArithmetic.floor(tick, to: hop)
        return panesBySlot[slot].contains { $0.start >= windowEnd && !aggregator.isEmpty($0.state) }
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func nextChange(slot: Int, after tick: Int64) -> Int64? {
        var earliest: Int64?
        for pane in panesBySlot[slot] {
            // A pane enters every window at p + hop and leaves the window of size S at p + S + hop.
            let entry = pane.start + hop
            if entry > tick, entry < (earliest ?? .max) { earliest = entry }
            for size in sizes {
                let exit = pane.start + size + hop
                if exit > tick, exit < (earliest ?? .max) { earliest = exit }
            }
        }
        return earliest
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func evaluate(member: Int, slot: Int, at tick: Int64) -> FeatureValue {
        let windowEnd = TickArithmetic.floor(tick, to: hop)
        let windowStart = windowEnd - sizes[member]
        var state = aggregator.emptyState
        for pane in panesBySlot[slot] where pane.start >= windowStart && pane.start < windowEnd {
            aggregator.merge(&state, with: pane.state)
        }
        return aggregator.evaluate(state, at: tick)
    }

    func removeSlot(_ slot: Int) { panesBySlot[slot] = [] }

    func encode(slot: Int, into writer: inout StateWriter) {
        encodePanes(panesBySlot[slot], aggregator: aggregator, into: &writer)
    }

    func decode(slot: Int, from reader: inout StateReader) throws(StateDecodingError) {
        panesBySlot[slot] = try decodePanes(aggregator: aggregator, from: &reader)
    }

    func memoryBytes(slot: Int) -> Int {
        let panes = panesBySlot[slot]
        guard panes.capacity > 0 else { return 0 }
        // 32 bytes of array header plus the elements and their out-of-line parts.
        return 32 + panes.capacity * MemoryLayout<Pane<A.State>>.stride
            + panes.reduce(0) { $0 + aggregator.memoryBytes(of: $1.state) - MemoryLayout<A.State>.size }
    }
}
