import StreamCore

/// Sparse panes of one aggregator for window features that share an event-type filter and hop.
///
/// A pane `[p, p + hop)` contains the events with `ts` in it. Only non-empty panes are stored,
/// sorted by start, inside each key's block. The window of size S at tick T covers the panes with
/// `T_H − S ≤ p < T_H`, `T_H = floor(T / hop) × hop`.
///
/// A column whose states are plain data starts with narrow panes: 32-bit lanes, the first containing
/// `p / hop` minus the hop index of 10^12 ms, then one lane per state word, sign-extended when
/// read. A count pane then takes one word instead of two. When a pane start or a state word does
/// not fit a lane, ``add(_:to:lastProcessedTick:)`` returns ``paneNeedsWideLayout`` without
/// changing anything, and the engine rewrites the column of every key in whole words.
final class WindowColumn<A: Aggregator>: FeatureColumn {
    let eventType: String?
    let hop: Int64
    /// Window sizes of the features sharing the column, in ms.
    private(set) var sizes: [Int64] = []
    private var largestSize: Int64 = 0
    private(set) var states: PackedStates<A>
    private var preparedStart: Int64 = 0
    private var preparedState: A.State
    /// `true` while panes are stored in 32-bit lanes.
    private(set) var isNarrow: Bool
    /// Words per pane in the current layout.
    private(set) var paneWords: Int
    private let stateWords: Int
    /// The hop index that lane value 0 represents.
    private let laneBase: Int64
    /// Scratch for one state in whole words, for converting lanes.
    private let scratch: UnsafeMutablePointer<UInt64>

    init(aggregator: A, eventType: String?, hop: Int64) {
        self.eventType = eventType
        self.hop = hop
        states = PackedStates(aggregator: aggregator)
        preparedState = aggregator.emptyState
        stateWords = states.stateWords
        isNarrow = states.isInline
        paneWords = states.isInline ? (2 + states.stateWords) / 2 : 1 + states.stateWords
        laneBase = 1_000_000_000_000 / hop
        scratch = .allocate(capacity: Swift.max(1, states.stateWords))
    }

    deinit { scratch.deallocate() }

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
        var low = 0
        var high = region.paneCount
        while low < high {
            let middle = (low + high) / 2
            if paneStart(region, middle) <= start {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    var fixedWords: Int { 0 }
    var widePaneWords: Int { 1 + stateWords }
    var canBeNarrow: Bool { states.isInline }

    func setNarrow(_ narrow: Bool) {
        precondition(!narrow || canBeNarrow, "a column with boxed states has no narrow layout")
        isNarrow = narrow
        paneWords = narrow ? (2 + stateWords) / 2 : 1 + stateWords
    }

    // MARK: - Pane access in either layout

    /// Returns the start of pane `index`, in ms.
    @inline(__always)
    private func paneStart(_ region: ColumnRegion, _ index: Int) -> Int64 {
        if isNarrow {
            let lane = UnsafeRawPointer(region.words + index * paneWords).load(as: UInt32.self)
            return (laneBase + Int64(lane)) * hop
        }
        return Int64(bitPattern: region.words[index * paneWords])
    }

    /// Returns the state of pane `index`.
    @inline(__always)
    private func paneState(_ region: ColumnRegion, _ index: Int) -> A.State {
        guard isNarrow else { return states.load(region.words + index * paneWords + 1) }
        let lanes = UnsafeRawPointer(region.words + index * paneWords)
        if MemoryLayout<A.State>.size <= 8 {
            // One state word (a count, a minimum): no detour through the scratch words. The
            // condition is a constant in each specialization.
            var word = UInt64(bitPattern: Int64(lanes.load(fromByteOffset: 4, as: Int32.self)))
            return withUnsafeBytes(of: &word) { $0.load(as: A.State.self) }
        }
        for word in 0..<stateWords {
            let lane = lanes.load(fromByteOffset: 4 + 4 * word, as: Int32.self)
            scratch[word] = UInt64(bitPattern: Int64(lane))
        }
        return UnsafeRawPointer(scratch).load(as: A.State.self)
    }

    /// Writes `state` into the scratch words and returns `true` when every word fits a lane.
    @inline(__always)
    private func lanesHold(_ state: A.State) -> Bool {
        if MemoryLayout<A.State>.size <= 8 {
            var word: UInt64 = 0
            withUnsafeMutableBytes(of: &word) { $0.storeBytes(of: state, as: A.State.self) }
            scratch[0] = word
            return Self.laneHolds(word)
        }
        scratch.update(repeating: 0, count: stateWords)
        UnsafeMutableRawPointer(scratch).storeBytes(of: state, as: A.State.self)
        for word in 0..<stateWords where !Self.laneHolds(scratch[word]) { return false }
        return true
    }

    @inline(__always)
    private static func laneHolds(_ word: UInt64) -> Bool {
        let value = Int64(bitPattern: word)
        return value == Int64(Int32(truncatingIfNeeded: value))
    }

    /// `true` when the pane start `start` (a multiple of the hop) fits the start lane.
    @inline(__always)
    private func laneHolds(start: Int64) -> Bool {
        let lane = start / hop - laneBase
        return lane >= 0 && lane <= Int64(UInt32.max)
    }

    /// Writes a narrow pane from `start` and the state words already in `scratch`.
    @inline(__always)
    private func writeNarrowPane(_ region: ColumnRegion, _ index: Int, start: Int64) {
        let words = region.words + index * paneWords
        words.update(repeating: 0, count: paneWords)
        let lanes = UnsafeMutableRawPointer(words)
        lanes.storeBytes(of: UInt32(truncatingIfNeeded: start / hop - laneBase), as: UInt32.self)
        writeScratchLanes(lanes)
    }

    @inline(__always)
    private func writeScratchLanes(_ lanes: UnsafeMutableRawPointer) {
        for word in 0..<stateWords {
            let lane = Int32(truncatingIfNeeded: Int64(bitPattern: scratch[word]))
            lanes.storeBytes(of: lane, toByteOffset: 4 + 4 * word, as: Int32.self)
        }
    }

    func copyPanesWide(_ region: ColumnRegion, to target: UnsafeMutablePointer<UInt64>) {
        let wide = widePaneWords
        for index in 0..<region.paneCount {
            target[index * wide] = UInt64(bitPattern: paneStart(region, index))
            if isNarrow {
                let state = paneState(region, index)
                let words = target + index * wide + 1
                words.update(repeating: 0, count: stateWords)
                UnsafeMutableRawPointer(words).storeBytes(of: state, as: A.State.self)
            } else {
                (target + index * wide + 1).update(from: region.words + index * wide + 1, count: stateWords)
            }
        }
    }

    func writePanes(fromWide source: UnsafePointer<UInt64>, count: Int, to region: ColumnRegion) {
        let wide = widePaneWords
        guard isNarrow else {
            region.words.update(from: source, count: count * wide)
            return
        }
        for index in 0..<count {
            scratch.update(from: source + index * wide + 1, count: stateWords)
            writeNarrowPane(region, index, start: Int64(bitPattern: source[index * wide]))
        }
    }

    func panesFitNarrow(_ region: ColumnRegion) -> Bool {
        guard canBeNarrow else { return false }
        if isNarrow { return true }
        for index in 0..<region.paneCount {
            guard laneHolds(start: paneStart(region, index)) else { return false }
            let words = region.words + index * paneWords + 1
            for word in 0..<stateWords where !Self.laneHolds(words[word]) { return false }
        }
        return true
    }

    func initialize(_ region: ColumnRegion) {}

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func add(_ event: Event, to region: ColumnRegion, lastProcessedTick: Int64?) -> Int {
        let start = TickArithmetic.floor(event.eventTime.rawValue, to: hop)
        if isNarrow { return addToNarrowPane(event, start: start, region: region) }
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

    /// ``add(_:to:lastProcessedTick:)`` for narrow panes.
    @inline(__always)
    private func addToNarrowPane(_ event: Event, start: Int64, region: ColumnRegion) -> Int {
        var index = region.paneCount
        while index > 0 {
            let existing = paneStart(region, index - 1)
            if existing == start {
                var state = paneState(region, index - 1)
                aggregator.update(&state, with: event)
                guard lanesHold(state) else { return paneNeedsWideLayout }
                writeScratchLanes(UnsafeMutableRawPointer(region.words + (index - 1) * paneWords))
                return -1
            }
            if existing < start { break }
            index -= 1
        }
        var state = aggregator.emptyState
        aggregator.update(&state, with: event)
        // An aggregator that ignores the event (a mean without the field) leaves no pane behind.
        guard !aggregator.isEmpty(state) else { return -1 }
        guard laneHolds(start: start), lanesHold(state) else { return paneNeedsWideLayout }
        preparedState = state
        preparedStart = start
        return index
    }

    func writePreparedPane(_ region: ColumnRegion, at index: Int) {
        if isNarrow {
            _ = lanesHold(preparedState)
            writeNarrowPane(region, index, start: preparedStart)
            return
        }
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
        var count = 0
        while count < region.paneCount, paneStart(region, count) < oldestCovered {
            if !states.isInline { states.release(region.paneState(count, fixedWords: 0, paneWords: paneWords)) }
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
        var index = firstPane(startingAfter: windowEnd - largestSize - 1, in: region)
        while index < region.paneCount {
            if paneStart(region, index) >= windowEnd { break }
            if !aggregator.isEmpty(paneState(region, index)) {
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
        var index = region.paneCount
        while index > 0 {
            index -= 1
            if paneStart(region, index) < windowEnd { return false }
            if !aggregator.isEmpty(paneState(region, index)) {
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
        var earliest = Int64.max
        let entering = firstPane(startingAfter: tick - hop, in: region)
        if entering < region.paneCount {
            earliest = paneStart(region, entering) + hop
        }
        for size in sizes {
            let leaving = firstPane(startingAfter: tick - hop - size, in: region)
            if leaving < region.paneCount {
                earliest = Swift.min(
                    earliest,
                    paneStart(region, leaving) + size + hop
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
        var state = aggregator.emptyState
        // Panes older than this member's window sit in front when a longer window shares the
        // column; skip them by binary search.
        var index = region.paneCount > 4 ? firstPane(startingAfter: windowStart - 1, in: region) : 0
        while index < region.paneCount {
            let start = paneStart(region, index)
            if start >= windowEnd { break }
            if start >= windowStart {
                aggregator.merge(
                    &state,
                    with: paneState(region, index)
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
        guard isNarrow else {
            encodePanes(region, fixedWords: 0, states: states, into: &writer)
            return
        }
        // The same format as wide panes: a u32 count, then per pane its start and state.
        writer.writeUInt32(UInt32(region.paneCount))
        for index in 0..<region.paneCount {
            writer.writeInt64(paneStart(region, index))
            aggregator.encode(paneState(region, index), into: &writer)
        }
    }

    /// Appends wide panes: the engine restores every column wide, then narrows the columns
    /// whose panes all fit lanes.
    func decode(from reader: inout StateReader, appendingTo words: inout [UInt64]) throws(StateDecodingError) -> Int {
        precondition(!isNarrow, "restore decodes window columns in the wide layout")
        return try decodePanes(states: &states, from: &reader, appendingTo: &words)
    }

    func outOfBlockBytes(_ region: ColumnRegion) -> Int {
        guard !states.isInline else { return 0 }
        return (0..<region.paneCount).reduce(0) {
            $0 + states.outOfBlockBytes(region.paneState($1, fixedWords: 0, paneWords: paneWords))
        }
    }
}
