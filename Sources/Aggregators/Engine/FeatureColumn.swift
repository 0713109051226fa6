import StreamCore

/// The per-key storage of one aggregator, for every key of a partition, indexed by key slot.
///
/// The engine keeps one column per distinct (aggregator, parameters, event-type filter, hop), so
/// window features that differ only in size (`views_1m`, `views_5m`) share one pane timeline.
/// Not thread-safe: owned by one partition engine.
protocol FeatureColumn: AnyObject {
    /// `true` for window columns, whose content decides whether a key is kept.
    var isWindow: Bool { get }
    /// Makes room for slots `0..<count`.
    func reserveSlots(_ count: Int)
    /// Adds an accepted event of the key in `slot`. `lastProcessedTick` decides whether a key
    /// column counts it at once (`ts < lastProcessedTick`) or keeps it waiting until its tick passes.
    func add(_ event: Event, slot: Int, lastProcessedTick: Int64?)
    /// Moves the key to tick `tick`: folds held events with `ts < tick` and drops panes that no
    /// window at `tick` or later can cover.
    func advance(slot: Int, to tick: Int64)
    /// `true` when some window of the column covers a non-empty pane at `tick`.
    func coversEvent(slot: Int, at tick: Int64) -> Bool
    /// `true` when a non-empty pane will enter the windows after `tick`.
    func hasWaitingPane(slot: Int, at tick: Int64) -> Bool
    /// Returns the first tick after `tick` at which a value of the column can change, or `nil`.
    func nextChange(slot: Int, after tick: Int64) -> Int64?
    /// Computes the value of member `member` (a window size index, 0 for key columns) at `tick`.
    func evaluate(member: Int, slot: Int, at tick: Int64) -> FeatureValue
    /// Forgets the key in `slot`.
    func removeSlot(_ slot: Int)
    /// Writes the key's state in `slot`.
    func encode(slot: Int, into writer: inout StateWriter)
    /// Reads a key's state written by ``encode(slot:into:)`` into `slot`.
    func decode(slot: Int, from reader: inout StateReader) throws(StateDecodingError)
    /// Estimated heap bytes of the key's state in `slot`.
    func memoryBytes(slot: Int) -> Int
}

/// One aggregator state for events whose pane (window column) or tick (key column) starts at
/// `start` ms.
struct Pane<State: Sendable & Equatable>: Sendable {
    var start: Int64
    var state: State
}

extension ContiguousArray {
    /// The index of the first element whose `start` is ≥ `start`, by binary search.
    fileprivate func insertionIndex<State>(forStart start: Int64) -> Int where Element == Pane<State> {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].start < start { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Adds `event` to the pane starting at `start`, creating it when the aggregator takes the event.
@_specialize(where A == CountAggregator)
@_specialize(where A == SumAggregator)
@_specialize(where A == MeanAggregator)
@_specialize(where A == ExtremumAggregator)
@_specialize(where A == DecayedSumAggregator)
func addToPane<A: Aggregator>(
    _ panes: inout ContiguousArray<Pane<A.State>>,
    start: Int64,
    event: Event,
    aggregator: A
) {
    // Events mostly arrive in order, so the last pane is the usual target.
    if let last = panes.last, last.start == start {
        aggregator.update(&panes[panes.count - 1].state, with: event)
        return
    }
    let index = panes.insertionIndex(forStart: start)
    if index < panes.count, panes[index].start == start {
        aggregator.update(&panes[index].state, with: event)
        return
    }
    var state = aggregator.emptyState
    aggregator.update(&state, with: event)
    // An aggregator that ignores the event (a mean without the field) leaves no pane behind.
    guard !aggregator.isEmpty(state) else { return }
    panes.insert(Pane(start: start, state: state), at: index)
}

/// Removes the leading panes that start before `start`, in place, and returns them merged into
/// `merged` when given.
@_specialize(where A == CountAggregator)
@_specialize(where A == SumAggregator)
@_specialize(where A == MeanAggregator)
@_specialize(where A == ExtremumAggregator)
@_specialize(where A == DecayedSumAggregator)
func removePanes<A: Aggregator>(
    _ panes: inout ContiguousArray<Pane<A.State>>,
    startingBefore start: Int64,
    aggregator: A,
    mergingInto merged: UnsafeMutablePointer<A.State>? = nil
) {
    var count = 0
    while count < panes.count, panes[count].start < start {
        if let merged { aggregator.merge(&merged.pointee, with: panes[count].state) }
        count += 1
    }
    if count == panes.count {
        // Release the storage: most keys go quiet, and an empty array costs no heap.
        panes = []
    } else if count > 0 {
        panes.removeFirst(count)
    }
}

func encodePanes<A: Aggregator>(_ panes: ContiguousArray<Pane<A.State>>, aggregator: A, into writer: inout StateWriter)
{
    writer.writeUInt32(UInt32(panes.count))
    for pane in panes {
        writer.writeInt64(pane.start)
        aggregator.encode(pane.state, into: &writer)
    }
}

func decodePanes<A: Aggregator>(
    aggregator: A,
    from reader: inout StateReader
) throws(StateDecodingError)
    -> ContiguousArray<Pane<A.State>>
{
    let count = Int(try reader.readUInt32("pane count"))
    var panes = ContiguousArray<Pane<A.State>>()
    panes.reserveCapacity(count)
    var previous = Int64.min
    for _ in 0..<count {
        let start = try reader.readInt64("pane start")
        guard start > previous else {
            throw StateDecodingError("pane start \(start) is not after the previous pane start \(previous)")
        }
        previous = start
        panes.append(Pane(start: start, state: try aggregator.decode(from: &reader)))
    }
    return panes
}
