import StreamCore

/// The words of one column inside a key's block: the column's fixed words (a key column's
/// committed state), then its panes. In the wide layout `paneCount` panes follow, each a start word
/// and the pane's state. In the packed layout (``WindowColumn``), `paneCount` counts the words of
/// the packed panes.
struct ColumnRegion {
    /// The column's first word. Valid until the key's block moves.
    let words: UnsafeMutablePointer<UInt64>
    /// The number of units after the fixed words: panes in the wide layout, words in the packed one.
    let paneCount: Int
}

/// The value of `nextChange` after ``FeatureColumn/advance(_:to:nextChange:)`` when the column
/// did not compute it: the engine then calls ``FeatureColumn/nextChange(_:after:)``.
let unknownNextChange = Int64.min

/// A run of units (``FeatureColumn/paneWords`` words each) after a column's fixed words: where
/// the engine opens room for a column, or which units it removes.
struct PaneUnits: Equatable {
    /// The first unit of the run.
    var first: Int
    /// The number of units, or 0 when there is nothing to do.
    var count: Int

    /// Nothing to open or remove.
    static let none = PaneUnits(first: 0, count: 0)
}

/// One aggregator's share of every key's block.
///
/// The engine keeps one column per distinct (aggregator, parameters, event-type filter, hop), so
/// window features that differ only in size (`views_1m`, `views_5m`) share one pane timeline.
/// A column never resizes its region itself. When it needs room it returns where and how many
/// units, and the engine makes room before the column writes. To drop panes it returns the units
/// the engine may remove. Not thread-safe: owned by one partition engine.
protocol FeatureColumn: AnyObject {
    /// `true` for window columns, whose content decides whether a key is kept.
    var isWindow: Bool { get }
    /// The event type the column counts, or `nil` for every type.
    var eventType: String? { get }
    /// Words every key has in the column before its panes.
    var fixedWords: Int { get }
    /// Words per unit of the region: a whole pane (the start, then the state) in the wide
    /// layout, 1 in the packed layout.
    var paneWords: Int { get }
    /// Writes the fixed words of a key that has no state in the column.
    func initialize(_ region: ColumnRegion)
    /// Adds an accepted event that passed the column's filter. Returns ``PaneUnits/none`` when
    /// the event was counted or ignored. Otherwise the column needs the returned units opened
    /// (its `first` unit moves back by `count`), and the engine then calls
    /// ``writePreparedPane(_:at:)`` with `first`. `lastProcessedTick` decides whether a key
    /// column counts the event at once (`ts < lastProcessedTick`) or keeps it waiting for its tick.
    func add(_ event: Event, to region: ColumnRegion, lastProcessedTick: Int64?) -> PaneUnits
    /// Writes what the last ``add(_:to:lastProcessedTick:)`` prepared into `region`, which
    /// already has the room it asked for at unit `index`.
    func writePreparedPane(_ region: ColumnRegion, at index: Int)
    /// Moves the key to tick `tick`: folds waiting events with `ts < tick` into the fixed state
    /// and gives up panes no window at `tick` or later covers. Returns the units the engine must
    /// remove, whose states are already released. A column that computes its
    /// ``nextChange(_:after:)`` for `tick` in the same pass sets `nextChange` to it (`Int64.max`
    /// for none). Any other column sets ``unknownNextChange``.
    func advance(_ region: ColumnRegion, to tick: Int64, nextChange: inout Int64) -> PaneUnits
    /// `true` when some window of the column covers a non-empty pane at `tick`.
    func coversEvent(_ region: ColumnRegion, at tick: Int64) -> Bool
    /// `true` when a non-empty pane will enter the windows after `tick`.
    func hasWaitingPane(_ region: ColumnRegion, at tick: Int64) -> Bool
    /// Returns the first tick after `tick` at which a value of the column can change, or `nil`.
    func nextChange(_ region: ColumnRegion, after tick: Int64) -> Int64?
    /// Computes the value of member `member` (a window size index, 0 for key columns) at `tick`.
    func evaluate(member: Int, _ region: ColumnRegion, at tick: Int64) -> FeatureValue
    /// Releases the states of a key that is dropped.
    func release(_ region: ColumnRegion)
    /// Writes the key's state in the checkpoint format.
    func encode(_ region: ColumnRegion, into writer: inout StateWriter)
    /// Reads a key's state written by ``encode(_:into:)`` and appends its words (fixed words,
    /// then units in the current layout) to `words`. Returns the number of units.
    func decode(from reader: inout StateReader, appendingTo words: inout [UInt64]) throws(StateDecodingError) -> Int
    /// Bytes the key's states take outside its block.
    func outOfBlockBytes(_ region: ColumnRegion) -> Int

    /// `true` when the column can pack its panes (``WindowColumn`` with inline states).
    var canBePacked: Bool { get }
    /// `true` while the column packs its panes.
    var isPacked: Bool { get }
    /// Switches the layout that ``paneWords`` and every pane access use. The caller re-lays the
    /// panes of every key.
    func setPacked(_ packed: Bool)
    /// Chooses the layout for an engine whose events can arrive `delayMilliseconds` (allowed
    /// lateness plus out-of-orderness) behind the newest: packed only while a key's panes stay
    /// few. Called once, before any key has state.
    func chooseLayout(delayMilliseconds: Int64)
    /// Appends the region's panes to `target` in the wide layout, oldest first, and returns the
    /// number of panes.
    func appendPanesWide(_ region: ColumnRegion, to target: inout [UInt64]) -> Int
    /// Returns the units that `count` panes given in the wide layout take in the current layout.
    func units(forWide source: UnsafePointer<UInt64>, count: Int) -> Int
    /// Writes `count` panes given in the wide layout into `region`, which has the units
    /// ``units(forWide:count:)`` returned.
    func writePanes(fromWide source: UnsafePointer<UInt64>, count: Int, to region: ColumnRegion)
}

extension FeatureColumn {
    var canBePacked: Bool { false }
    var isPacked: Bool { false }
    func setPacked(_ packed: Bool) { precondition(!packed, "this column has no packed layout") }
    func chooseLayout(delayMilliseconds: Int64) {}
    func appendPanesWide(_ region: ColumnRegion, to target: inout [UInt64]) -> Int {
        preconditionFailure("only packable columns are re-laid")
    }
    func units(forWide source: UnsafePointer<UInt64>, count: Int) -> Int {
        preconditionFailure("only packable columns are re-laid")
    }
    func writePanes(fromWide source: UnsafePointer<UInt64>, count: Int, to region: ColumnRegion) {
        preconditionFailure("only packable columns are re-laid")
    }
}

extension ColumnRegion {
    /// Returns the start of pane `index`.
    @inline(__always)
    func paneStart(_ index: Int, fixedWords: Int, paneWords: Int) -> Int64 {
        Int64(bitPattern: words[fixedWords + index * paneWords])
    }

    /// Returns the first state word of pane `index`.
    @inline(__always)
    func paneState(_ index: Int, fixedWords: Int, paneWords: Int) -> UnsafeMutablePointer<UInt64> {
        words + fixedWords + index * paneWords + 1
    }
}

/// Finds the pane starting at `start` among the region's panes, searching from the last one
/// (events mostly arrive in order). Returns its index and `true`, or the insertion index and
/// `false`.
@inline(__always)
func locatePane(_ region: ColumnRegion, start: Int64, fixedWords: Int, paneWords: Int) -> (index: Int, found: Bool) {
    var index = region.paneCount
    while index > 0 {
        let existing = region.paneStart(index - 1, fixedWords: fixedWords, paneWords: paneWords)
        if existing == start { return (index - 1, true) }
        if existing < start { break }
        index -= 1
    }
    return (index, false)
}

/// Adds `event` to the region's pane starting at `start`, and returns ``PaneUnits/none``. When
/// there is no such pane and the aggregator takes the event, it stores the new pane's state in
/// `prepared` instead and returns the one pane the engine must open.
@inline(__always)
func addToPane<A: Aggregator>(
    _ event: Event,
    start: Int64,
    region: ColumnRegion,
    fixedWords: Int,
    states: inout PackedStates<A>,
    prepared: inout A.State
) -> PaneUnits {
    let paneWords = 1 + states.stateWords
    let (index, found) = locatePane(region, start: start, fixedWords: fixedWords, paneWords: paneWords)
    if found {
        states.update(region.paneState(index, fixedWords: fixedWords, paneWords: paneWords), with: event)
        return .none
    }
    var state = states.aggregator.emptyState
    states.aggregator.update(&state, with: event)
    // An aggregator that ignores the event (a mean without the field) leaves no pane behind.
    guard !states.aggregator.isEmpty(state) else { return .none }
    prepared = state
    return PaneUnits(first: index, count: 1)
}

/// Writes the panes of `region` in the checkpoint format: a u32 count, then per pane its start
/// (i64) and the aggregator's state.
func encodePanes<A: Aggregator>(
    _ region: ColumnRegion,
    fixedWords: Int,
    states: PackedStates<A>,
    into writer: inout StateWriter
) {
    let paneWords = 1 + states.stateWords
    writer.writeUInt32(UInt32(region.paneCount))
    for index in 0..<region.paneCount {
        writer.writeInt64(region.paneStart(index, fixedWords: fixedWords, paneWords: paneWords))
        states.aggregator.encode(
            states.load(region.paneState(index, fixedWords: fixedWords, paneWords: paneWords)),
            into: &writer
        )
    }
}

/// Reads panes written by ``encodePanes(_:fixedWords:states:into:)`` and appends their words.
/// Returns the pane count.
func decodePanes<A: Aggregator>(
    states: inout PackedStates<A>,
    from reader: inout StateReader,
    appendingTo words: inout [UInt64]
) throws(StateDecodingError) -> Int {
    let count = Int(try reader.readUInt32("pane count"))
    var previous = Int64.min
    for _ in 0..<count {
        let start = try reader.readInt64("pane start")
        guard start.magnitude <= maximumStoredTime else {
            throw StateDecodingError("pane start \(start) is outside ±2^60 ms; the state is corrupt")
        }
        guard start > previous else {
            throw StateDecodingError("pane start \(start) is not after the previous pane start \(previous)")
        }
        previous = start
        let state = try states.aggregator.decode(from: &reader)
        words.append(UInt64(bitPattern: start))
        appendState(state, states: &states, to: &words)
    }
    return count
}

/// The largest magnitude of a time (ms) read from a state. Accepted events lie in [10^12, 10^13),
/// so a larger value means corruption. The bound also keeps `start + hop + size` from overflowing.
let maximumStoredTime: UInt64 = 1 << 60

/// Appends the words of `state` to `words`.
func appendState<A: Aggregator>(_ state: A.State, states: inout PackedStates<A>, to words: inout [UInt64]) {
    let first = words.count
    words.append(contentsOf: repeatElement(0, count: states.stateWords))
    words.withUnsafeMutableBufferPointer { buffer in
        states.initialize(buffer.baseAddress! + first, to: state)
    }
}
