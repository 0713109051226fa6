import StreamCore

/// Sparse panes of one aggregator for window features that share an event-type filter and hop.
///
/// A pane `[p, p + hop)` contains the events with `ts` in it. Only non-empty panes are stored,
/// sorted by start, inside each key's block. The window of size S at tick T covers the panes with
/// `T_H − S ≤ p < T_H`, `T_H = floor(T / hop) × hop`.
final class WindowColumn<A: Aggregator>: FeatureColumn {
    let eventType: String?
    let hop: Int64
    /// Window sizes of the features sharing the column, in ms.
    private(set) var sizes: [Int64] = []
    private var largestSize: Int64 = 0
    private(set) var states: PackedStates<A>
    private var preparedStart: Int64 = 0
    private var preparedState: A.State

    init(aggregator: A, eventType: String?, hop: Int64) {
        self.eventType = eventType
        self.hop = hop
        states = PackedStates(aggregator: aggregator)
        preparedState = aggregator.emptyState
    }

    var aggregator: A { states.aggregator }

    /// Adds a window size and returns its member index.
    func addSize(_ size: Int64) -> Int {
        if let index = sizes.firstIndex(of: size) { return index }
        sizes.append(size)
        largestSize = Swift.max(largestSize, size)
        return sizes.count - 1
    }

    var isWindow: Bool { true }

    /// Returns the index of the first pane whose start is greater than `start`, by binary search.
    @inline(__always)
    private func firstPane(startingAfter start: Int64, in region: ColumnRegion) -> Int {
        let paneWords = paneWords
        var low = 0
        var high = region.paneCount
        while low < high {
            let middle = (low + high) / 2
            if region.paneStart(middle, fixedWords: 0, paneWords: paneWords) <= start {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
    var fixedWords: Int { 0 }
    var paneWords: Int { 1 + states.stateWords }

    func initialize(_ region: ColumnRegion) {}

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func add(_ event: Event, to region: ColumnRegion, lastProcessedTick: Int64?) -> Int {
        let start = TickArithmetic.floor(event.eventTime.rawValue, to: hop)
        let index = addToPane(
            event,
            start: start,
            region: region,
            fixedWords: 0,
            states: &states,
            prepared: &preparedState
        )
        if index >= 0 { preparedStart = start }
        return index
    }

    func writePreparedPane(_ region: ColumnRegion, at index: Int) {
        let paneWords = paneWords
        region.words[index * paneWords] = UInt64(bitPattern: preparedStart)
        states.initialize(region.paneState(index, fixedWords: 0, paneWords: paneWords), to: preparedState)
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func advance(_ region: ColumnRegion, to tick: Int64) -> Int {
        let oldestCovered = TickArithmetic.floor(tick, to: hop) - largestSize
        let paneWords = paneWords
        var count = 0
        while count < region.paneCount, region.paneStart(count, fixedWords: 0, paneWords: paneWords) < oldestCovered {
            states.release(region.paneState(count, fixedWords: 0, paneWords: paneWords))
            count += 1
        }
        return count
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func coversEvent(_ region: ColumnRegion, at tick: Int64) -> Bool {
        let windowEnd = TickArithmetic.floor(tick, to: hop)
        let paneWords = paneWords
        var index = firstPane(startingAfter: windowEnd - largestSize - 1, in: region)
        while index < region.paneCount {
            if region.paneStart(index, fixedWords: 0, paneWords: paneWords) >= windowEnd { break }
            if !aggregator.isEmpty(states.load(region.paneState(index, fixedWords: 0, paneWords: paneWords))) {
                return true
            }
            index += 1
        }
        return false
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func hasWaitingPane(_ region: ColumnRegion, at tick: Int64) -> Bool {
        let windowEnd = TickArithmetic.floor(tick, to: hop)
        let paneWords = paneWords
        var index = region.paneCount
        while index > 0 {
            index -= 1
            if region.paneStart(index, fixedWords: 0, paneWords: paneWords) < windowEnd { return false }
            if !aggregator.isEmpty(states.load(region.paneState(index, fixedWords: 0, paneWords: paneWords))) {
                return true
            }
        }
        return false
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func nextChange(_ region: ColumnRegion, after tick: Int64) -> Int64? {
        // A pane enters every window at p + hop and leaves the window of size S at p + S + hop.
        // Both grow with p, so the earliest change of each kind after `tick` comes from the first
        // pane that has it after `tick`.
        let paneWords = paneWords
        var earliest = Int64.max
        let entering = firstPane(startingAfter: tick - hop, in: region)
        if entering < region.paneCount {
            earliest = region.paneStart(entering, fixedWords: 0, paneWords: paneWords) + hop
        }
        for size in sizes {
            let leaving = firstPane(startingAfter: tick - hop - size, in: region)
            if leaving < region.paneCount {
                earliest = Swift.min(
                    earliest,
                    region.paneStart(leaving, fixedWords: 0, paneWords: paneWords) + size + hop
                )
            }
        }
        return earliest == .max ? nil : earliest
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func evaluate(member: Int, _ region: ColumnRegion, at tick: Int64) -> FeatureValue {
        let windowEnd = TickArithmetic.floor(tick, to: hop)
        let windowStart = windowEnd - sizes[member]
        let paneWords = paneWords
        var state = aggregator.emptyState
        // Panes older than this member's window sit in front when a longer window shares the
        // column; skip them by binary search.
        var index = region.paneCount > 4 ? firstPane(startingAfter: windowStart - 1, in: region) : 0
        while index < region.paneCount {
            let start = region.paneStart(index, fixedWords: 0, paneWords: paneWords)
            if start >= windowEnd { break }
            if start >= windowStart {
                aggregator.merge(
                    &state,
                    with: states.load(region.paneState(index, fixedWords: 0, paneWords: paneWords))
                )
            }
            index += 1
        }
        return aggregator.evaluate(state, at: tick)
    }

    func release(_ region: ColumnRegion) {
        guard !states.isInline else { return }
        for index in 0..<region.paneCount {
            states.release(region.paneState(index, fixedWords: 0, paneWords: paneWords))
        }
    }

    func encode(_ region: ColumnRegion, into writer: inout StateWriter) {
        encodePanes(region, fixedWords: 0, states: states, into: &writer)
    }

    func decode(from reader: inout StateReader, appendingTo words: inout [UInt64]) throws(StateDecodingError) -> Int {
        try decodePanes(states: &states, from: &reader, appendingTo: &words)
    }

    func outOfBlockBytes(_ region: ColumnRegion) -> Int {
        guard !states.isInline else { return 0 }
        return (0..<region.paneCount).reduce(0) {
            $0 + states.outOfBlockBytes(region.paneState($1, fixedWords: 0, paneWords: paneWords))
        }
    }
}
