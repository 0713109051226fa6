import StreamCore

/// A feature column with its concrete type recovered for the built-in aggregators.
///
/// Calling a column through `any FeatureColumn` enters the generic code of `WindowColumn<A>` and
/// `KeyColumn<A>`, and a profile showed those entry points looking up generic metadata on each
/// call. Switching over the concrete types here lets the optimizer call the specialized code
/// directly. Columns of other aggregators go through the existential as before. Only the
/// per-event and per-visit operations are here, and the rest use ``column``.
enum BoundColumn {
    case countWindow(WindowColumn<CountAggregator>)
    case sumWindow(WindowColumn<SumAggregator>)
    case meanWindow(WindowColumn<MeanAggregator>)
    case extremumWindow(WindowColumn<ExtremumAggregator>)
    case decayedSumWindow(WindowColumn<DecayedSumAggregator>)
    case distinctUsersWindow(WindowColumn<DistinctUsersAggregator>)
    case countKey(KeyColumn<CountAggregator>)
    case sumKey(KeyColumn<SumAggregator>)
    case meanKey(KeyColumn<MeanAggregator>)
    case extremumKey(KeyColumn<ExtremumAggregator>)
    case decayedSumKey(KeyColumn<DecayedSumAggregator>)
    case distinctUsersKey(KeyColumn<DistinctUsersAggregator>)
    case other(any FeatureColumn)

    init(_ column: any FeatureColumn) {
        switch column {
        case let column as WindowColumn<CountAggregator>: self = .countWindow(column)
        case let column as WindowColumn<SumAggregator>: self = .sumWindow(column)
        case let column as WindowColumn<MeanAggregator>: self = .meanWindow(column)
        case let column as WindowColumn<ExtremumAggregator>: self = .extremumWindow(column)
        case let column as WindowColumn<DecayedSumAggregator>: self = .decayedSumWindow(column)
        case let column as WindowColumn<DistinctUsersAggregator>: self = .distinctUsersWindow(column)
        case let column as KeyColumn<CountAggregator>: self = .countKey(column)
        case let column as KeyColumn<SumAggregator>: self = .sumKey(column)
        case let column as KeyColumn<MeanAggregator>: self = .meanKey(column)
        case let column as KeyColumn<ExtremumAggregator>: self = .extremumKey(column)
        case let column as KeyColumn<DecayedSumAggregator>: self = .decayedSumKey(column)
        case let column as KeyColumn<DistinctUsersAggregator>: self = .distinctUsersKey(column)
        default: self = .other(column)
        }
    }

    /// The column as an existential, for the operations outside the hot path.
    var column: any FeatureColumn {
        switch self {
        case .countWindow(let column): column
        case .sumWindow(let column): column
        case .meanWindow(let column): column
        case .extremumWindow(let column): column
        case .decayedSumWindow(let column): column
        case .distinctUsersWindow(let column): column
        case .countKey(let column): column
        case .sumKey(let column): column
        case .meanKey(let column): column
        case .extremumKey(let column): column
        case .decayedSumKey(let column): column
        case .distinctUsersKey(let column): column
        case .other(let column): column
        }
    }

    /// Adds an accepted event of the key in `slot`, as ``FeatureColumn/add(_:slot:lastProcessedTick:)`` does.
    @inline(__always)
    func add(_ event: Event, slot: Int, lastProcessedTick: Int64?) {
        switch self {
        case .countWindow(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .sumWindow(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .meanWindow(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .extremumWindow(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .decayedSumWindow(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .distinctUsersWindow(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .countKey(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .sumKey(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .meanKey(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .extremumKey(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .decayedSumKey(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .distinctUsersKey(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        case .other(let column): column.add(event, slot: slot, lastProcessedTick: lastProcessedTick)
        }
    }

    /// Moves the key to `tick`, as ``FeatureColumn/advance(slot:to:)`` does.
    @inline(__always)
    func advance(slot: Int, to tick: Int64) {
        switch self {
        case .countWindow(let column): column.advance(slot: slot, to: tick)
        case .sumWindow(let column): column.advance(slot: slot, to: tick)
        case .meanWindow(let column): column.advance(slot: slot, to: tick)
        case .extremumWindow(let column): column.advance(slot: slot, to: tick)
        case .decayedSumWindow(let column): column.advance(slot: slot, to: tick)
        case .distinctUsersWindow(let column): column.advance(slot: slot, to: tick)
        case .countKey(let column): column.advance(slot: slot, to: tick)
        case .sumKey(let column): column.advance(slot: slot, to: tick)
        case .meanKey(let column): column.advance(slot: slot, to: tick)
        case .extremumKey(let column): column.advance(slot: slot, to: tick)
        case .decayedSumKey(let column): column.advance(slot: slot, to: tick)
        case .distinctUsersKey(let column): column.advance(slot: slot, to: tick)
        case .other(let column): column.advance(slot: slot, to: tick)
        }
    }

    /// Returns whether a window covers a non-empty pane at `tick`, as ``FeatureColumn/coversEvent(slot:at:)`` does.
    @inline(__always)
    func coversEvent(slot: Int, at tick: Int64) -> Bool {
        switch self {
        case .countWindow(let column): column.coversEvent(slot: slot, at: tick)
        case .sumWindow(let column): column.coversEvent(slot: slot, at: tick)
        case .meanWindow(let column): column.coversEvent(slot: slot, at: tick)
        case .extremumWindow(let column): column.coversEvent(slot: slot, at: tick)
        case .decayedSumWindow(let column): column.coversEvent(slot: slot, at: tick)
        case .distinctUsersWindow(let column): column.coversEvent(slot: slot, at: tick)
        case .countKey(let column): column.coversEvent(slot: slot, at: tick)
        case .sumKey(let column): column.coversEvent(slot: slot, at: tick)
        case .meanKey(let column): column.coversEvent(slot: slot, at: tick)
        case .extremumKey(let column): column.coversEvent(slot: slot, at: tick)
        case .decayedSumKey(let column): column.coversEvent(slot: slot, at: tick)
        case .distinctUsersKey(let column): column.coversEvent(slot: slot, at: tick)
        case .other(let column): column.coversEvent(slot: slot, at: tick)
        }
    }

    /// Returns whether a pane will enter the windows after `tick`, as ``FeatureColumn/hasWaitingPane(slot:at:)`` does.
    @inline(__always)
    func hasWaitingPane(slot: Int, at tick: Int64) -> Bool {
        switch self {
        case .countWindow(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .sumWindow(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .meanWindow(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .extremumWindow(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .decayedSumWindow(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .distinctUsersWindow(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .countKey(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .sumKey(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .meanKey(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .extremumKey(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .decayedSumKey(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .distinctUsersKey(let column): column.hasWaitingPane(slot: slot, at: tick)
        case .other(let column): column.hasWaitingPane(slot: slot, at: tick)
        }
    }

    /// Returns the next tick at which a value can change, as ``FeatureColumn/nextChange(slot:after:)`` does.
    @inline(__always)
    func nextChange(slot: Int, after tick: Int64) -> Int64? {
        switch self {
        case .countWindow(let column): column.nextChange(slot: slot, after: tick)
        case .sumWindow(let column): column.nextChange(slot: slot, after: tick)
        case .meanWindow(let column): column.nextChange(slot: slot, after: tick)
        case .extremumWindow(let column): column.nextChange(slot: slot, after: tick)
        case .decayedSumWindow(let column): column.nextChange(slot: slot, after: tick)
        case .distinctUsersWindow(let column): column.nextChange(slot: slot, after: tick)
        case .countKey(let column): column.nextChange(slot: slot, after: tick)
        case .sumKey(let column): column.nextChange(slot: slot, after: tick)
        case .meanKey(let column): column.nextChange(slot: slot, after: tick)
        case .extremumKey(let column): column.nextChange(slot: slot, after: tick)
        case .decayedSumKey(let column): column.nextChange(slot: slot, after: tick)
        case .distinctUsersKey(let column): column.nextChange(slot: slot, after: tick)
        case .other(let column): column.nextChange(slot: slot, after: tick)
        }
    }

    /// Computes a member's value at `tick`, as ``FeatureColumn/evaluate(member:slot:at:)`` does.
    @inline(__always)
    func evaluate(member: Int, slot: Int, at tick: Int64) -> FeatureValue {
        switch self {
        case .countWindow(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .sumWindow(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .meanWindow(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .extremumWindow(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .decayedSumWindow(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .distinctUsersWindow(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .countKey(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .sumKey(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .meanKey(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .extremumKey(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .decayedSumKey(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .distinctUsersKey(let column): column.evaluate(member: member, slot: slot, at: tick)
        case .other(let column): column.evaluate(member: member, slot: slot, at: tick)
        }
    }

    /// Forgets the key in `slot`, as ``FeatureColumn/removeSlot(_:)`` does.
    @inline(__always)
    func removeSlot(_ slot: Int) {
        switch self {
        case .countWindow(let column): column.removeSlot(slot)
        case .sumWindow(let column): column.removeSlot(slot)
        case .meanWindow(let column): column.removeSlot(slot)
        case .extremumWindow(let column): column.removeSlot(slot)
        case .decayedSumWindow(let column): column.removeSlot(slot)
        case .distinctUsersWindow(let column): column.removeSlot(slot)
        case .countKey(let column): column.removeSlot(slot)
        case .sumKey(let column): column.removeSlot(slot)
        case .meanKey(let column): column.removeSlot(slot)
        case .extremumKey(let column): column.removeSlot(slot)
        case .decayedSumKey(let column): column.removeSlot(slot)
        case .distinctUsersKey(let column): column.removeSlot(slot)
        case .other(let column): column.removeSlot(slot)
        }
    }
}
