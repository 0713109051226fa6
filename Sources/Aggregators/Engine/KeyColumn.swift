import StreamCore

/// One aggregator over all of a key's events with `ts < T` (key and clock features).
///
/// Events with `ts` before the last processed tick are counted at once. Later ones wait in
/// per-tick buckets and are folded in when their tick has passed, so an event that arrived
/// early never leaks into a tick at or before its own time.
final class KeyColumn<A: Aggregator>: FeatureColumn {
    let aggregator: A
    let eventType: String?
    let tick: Int64
    private var committedBySlot: [A.State] = []
    private var waitingBySlot: [ContiguousArray<Pane<A.State>>] = []

    init(aggregator: A, eventType: String?, tick: Int64) {
        self.aggregator = aggregator
        self.eventType = eventType
        self.tick = tick
    }

    var isWindow: Bool { false }

    func reserveSlots(_ count: Int) {
        while committedBySlot.count < count {
            committedBySlot.append(aggregator.emptyState)
            waitingBySlot.append([])
        }
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func add(_ event: Event, slot: Int, lastProcessedTick: Int64?) {
        if let eventType, event.type != eventType { return }
        let time = event.eventTime.rawValue
        if let lastProcessedTick, time < lastProcessedTick {
            aggregator.update(&committedBySlot[slot], with: event)
            return
        }
        addToPane(
            &waitingBySlot[slot],
            start: TickArithmetic.floor(time, to: self.tick),
            event: event,
            aggregator: aggregator
        )
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func advance(slot: Int, to tick: Int64) {
        // A bucket [b, b + tick) contains only events with ts < tick once b < tick.
        guard let first = waitingBySlot[slot].first, first.start < tick else { return }
        var committed = committedBySlot[slot]
        withUnsafeMutablePointer(to: &committed) { merged in
            removePanes(&waitingBySlot[slot], startingBefore: tick, aggregator: aggregator, mergingInto: merged)
        }
        committedBySlot[slot] = committed
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func coversEvent(slot: Int, at tick: Int64) -> Bool { false }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func hasWaitingPane(slot: Int, at tick: Int64) -> Bool { false }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func nextChange(slot: Int, after tick: Int64) -> Int64? {
        guard let first = waitingBySlot[slot].first else { return nil }
        return Swift.max(first.start + self.tick, tick + self.tick)
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func evaluate(member: Int, slot: Int, at tick: Int64) -> FeatureValue {
        aggregator.evaluate(committedBySlot[slot], at: tick)
    }

    func removeSlot(_ slot: Int) {
        committedBySlot[slot] = aggregator.emptyState
        waitingBySlot[slot] = []
    }

    func encode(slot: Int, into writer: inout StateWriter) {
        aggregator.encode(committedBySlot[slot], into: &writer)
        encodePanes(waitingBySlot[slot], aggregator: aggregator, into: &writer)
    }

    func decode(slot: Int, from reader: inout StateReader) throws(StateDecodingError) {
        committedBySlot[slot] = try aggregator.decode(from: &reader)
        waitingBySlot[slot] = try decodePanes(aggregator: aggregator, from: &reader)
    }

    func memoryBytes(slot: Int) -> Int {
        let waiting = waitingBySlot[slot]
        let waitingBytes = waiting.capacity > 0 ? 32 + waiting.capacity * MemoryLayout<Pane<A.State>>.stride : 0
        return MemoryLayout<A.State>.stride + aggregator.memoryBytes(of: committedBySlot[slot])
            - MemoryLayout<A.State>.size + waitingBytes
    }
}
