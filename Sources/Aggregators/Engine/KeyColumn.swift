import StreamCore

/// One aggregator over all of a key's events with `ts < T` (key and clock features).
///
/// The fixed words hold the state of the events with `ts` before the last processed tick, which
/// are counted at once. Later events wait in per-tick panes and are folded in when their tick has
/// passed, so an event that arrived early never leaks into a tick at or before its own time.
final class KeyColumn<A: Aggregator>: FeatureColumn {
    let eventType: String?
    let tick: Int64
    private(set) var states: PackedStates<A>
    private var preparedStart: Int64 = 0
    private var preparedState: A.State

    init(aggregator: A, eventType: String?, tick: Int64) {
        self.eventType = eventType
        self.tick = tick
        states = PackedStates(aggregator: aggregator)
        preparedState = aggregator.emptyState
    }

    var aggregator: A { states.aggregator }
    var isWindow: Bool { false }
    var fixedWords: Int { states.stateWords }
    var paneWords: Int { 1 + states.stateWords }

    func initialize(_ region: ColumnRegion) {
        states.initialize(region.words, to: aggregator.emptyState)
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func add(_ event: Event, to region: ColumnRegion, lastProcessedTick: Int64?) -> PaneUnits {
        let time = event.eventTime.rawValue
        if let lastProcessedTick, time < lastProcessedTick {
            states.update(region.words, with: event)
            return .none
        }
        let start = TickArithmetic.floor(time, to: self.tick)
        let room = addToPane(
            event,
            start: start,
            region: region,
            fixedWords: fixedWords,
            states: &states,
            prepared: &preparedState
        )
        if room.count > 0 { preparedStart = start }
        return room
    }

    func writePreparedPane(_ region: ColumnRegion, at index: Int) {
        let fixedWords = fixedWords
        let paneWords = paneWords
        region.words[fixedWords + index * paneWords] = UInt64(bitPattern: preparedStart)
        states.initialize(region.paneState(index, fixedWords: fixedWords, paneWords: paneWords), to: preparedState)
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func advance(_ region: ColumnRegion, to tick: Int64, nextChange: inout Int64) -> PaneUnits {
        nextChange = unknownNextChange
        // A bucket [b, b + tick) contains only events with ts < tick once b < tick.
        let fixedWords = fixedWords
        let paneWords = paneWords
        var count = 0
        while count < region.paneCount, region.paneStart(count, fixedWords: fixedWords, paneWords: paneWords) < tick {
            let pane = region.paneState(count, fixedWords: fixedWords, paneWords: paneWords)
            states.merge(region.words, with: states.load(pane))
            states.release(pane)
            count += 1
        }
        return PaneUnits(first: 0, count: count)
    }

    func coversEvent(_ region: ColumnRegion, at tick: Int64) -> Bool { false }

    func hasWaitingPane(_ region: ColumnRegion, at tick: Int64) -> Bool { false }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func nextChange(_ region: ColumnRegion, after tick: Int64) -> Int64? {
        guard region.paneCount > 0 else { return nil }
        let first = region.paneStart(0, fixedWords: fixedWords, paneWords: paneWords)
        return Swift.max(first + self.tick, tick + self.tick)
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func evaluate(member: Int, _ region: ColumnRegion, at tick: Int64) -> FeatureValue {
        aggregator.evaluate(states.load(region.words), at: tick)
    }

    func release(_ region: ColumnRegion) {
        guard !states.isInline else { return }
        states.release(region.words)
        for index in 0..<region.paneCount {
            states.release(region.paneState(index, fixedWords: fixedWords, paneWords: paneWords))
        }
    }

    func encode(_ region: ColumnRegion, into writer: inout StateWriter) {
        aggregator.encode(states.load(region.words), into: &writer)
        encodePanes(region, fixedWords: fixedWords, states: states, into: &writer)
    }

    func decode(from reader: inout StateReader, appendingTo words: inout [UInt64]) throws(StateDecodingError) -> Int {
        let committed = try aggregator.decode(from: &reader)
        appendState(committed, states: &states, to: &words)
        return try decodePanes(states: &states, from: &reader, appendingTo: &words)
    }

    func outOfBlockBytes(_ region: ColumnRegion) -> Int {
        guard !states.isInline else { return 0 }
        var total = states.outOfBlockBytes(region.words)
        for index in 0..<region.paneCount {
            total += states.outOfBlockBytes(region.paneState(index, fixedWords: fixedWords, paneWords: paneWords))
        }
        return total
    }
}
