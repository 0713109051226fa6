import StreamCore

/// A feature column with its concrete type recovered for the built-in aggregators.
///
/// Calling a column through `any FeatureColumn` enters the generic code of `WindowColumn<A>` and
/// `KeyColumn<A>`, and a profile showed those entry points looking up generic metadata on each
/// call. Switching over the concrete types here lets the optimizer call the specialized code
/// directly. Columns of other aggregators go through the existential as before. Only the
/// per-event and per-visit operations are here, and the rest use ``column``.
///
/// No case holds its column with a strong reference, so copying a bound column
/// in the tick loop changes no reference count. A bound column is valid only while its owner
/// (``FeaturePlan/columns``) keeps a strong reference to the column.
enum BoundColumn {
    case countWindow(UnretainedColumn<WindowColumn<CountAggregator>>)
    case sumWindow(UnretainedColumn<WindowColumn<SumAggregator>>)
    case meanWindow(UnretainedColumn<WindowColumn<MeanAggregator>>)
    case extremumWindow(UnretainedColumn<WindowColumn<ExtremumAggregator>>)
    case decayedSumWindow(UnretainedColumn<WindowColumn<DecayedSumAggregator>>)
    case distinctUsersWindow(UnretainedColumn<WindowColumn<DistinctUsersAggregator>>)
    case countKey(UnretainedColumn<KeyColumn<CountAggregator>>)
    case sumKey(UnretainedColumn<KeyColumn<SumAggregator>>)
    case meanKey(UnretainedColumn<KeyColumn<MeanAggregator>>)
    case extremumKey(UnretainedColumn<KeyColumn<ExtremumAggregator>>)
    case decayedSumKey(UnretainedColumn<KeyColumn<DecayedSumAggregator>>)
    case distinctUsersKey(UnretainedColumn<KeyColumn<DistinctUsersAggregator>>)
    case other(UnretainedFeatureColumn)

    init(_ column: any FeatureColumn) {
        switch column {
        case let column as WindowColumn<CountAggregator>: self = .countWindow(UnretainedColumn(column))
        case let column as WindowColumn<SumAggregator>: self = .sumWindow(UnretainedColumn(column))
        case let column as WindowColumn<MeanAggregator>: self = .meanWindow(UnretainedColumn(column))
        case let column as WindowColumn<ExtremumAggregator>: self = .extremumWindow(UnretainedColumn(column))
        case let column as WindowColumn<DecayedSumAggregator>: self = .decayedSumWindow(UnretainedColumn(column))
        case let column as WindowColumn<DistinctUsersAggregator>: self = .distinctUsersWindow(UnretainedColumn(column))
        case let column as KeyColumn<CountAggregator>: self = .countKey(UnretainedColumn(column))
        case let column as KeyColumn<SumAggregator>: self = .sumKey(UnretainedColumn(column))
        case let column as KeyColumn<MeanAggregator>: self = .meanKey(UnretainedColumn(column))
        case let column as KeyColumn<ExtremumAggregator>: self = .extremumKey(UnretainedColumn(column))
        case let column as KeyColumn<DecayedSumAggregator>: self = .decayedSumKey(UnretainedColumn(column))
        case let column as KeyColumn<DistinctUsersAggregator>: self = .distinctUsersKey(UnretainedColumn(column))
        default: self = .other(UnretainedFeatureColumn(column))
        }
    }

    /// The column as an existential, for the operations outside the hot path.
    var column: any FeatureColumn {
        switch self {
        case .countWindow(let column): column.object
        case .sumWindow(let column): column.object
        case .meanWindow(let column): column.object
        case .extremumWindow(let column): column.object
        case .decayedSumWindow(let column): column.object
        case .distinctUsersWindow(let column): column.object
        case .countKey(let column): column.object
        case .sumKey(let column): column.object
        case .meanKey(let column): column.object
        case .extremumKey(let column): column.object
        case .decayedSumKey(let column): column.object
        case .distinctUsersKey(let column): column.object
        case .other(let column): column.column
        }
    }

    /// `true` for the built-in aggregators that read only an event's time fields (`ts`,
    /// `published_at`, `dwell_ms`): all but `distinct_users`, which reads `user_id`, and any
    /// aggregator registered outside this module, whose reads are unknown.
    var readsOnlyTimeFields: Bool {
        switch self {
        case .distinctUsersWindow, .distinctUsersKey, .other: false
        default: true
        }
    }

    /// Adds an accepted event, as ``FeatureColumn/add(_:to:lastProcessedTick:)`` does.
    @inline(__always)
    func add(_ event: Event, to region: ColumnRegion, lastProcessedTick: Int64?) -> PaneUnits {
        switch self {
        case .countWindow(let column): column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .sumWindow(let column): column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .meanWindow(let column): column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .extremumWindow(let column):
            column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .decayedSumWindow(let column):
            column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .distinctUsersWindow(let column):
            column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .countKey(let column): column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .sumKey(let column): column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .meanKey(let column): column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .extremumKey(let column): column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .decayedSumKey(let column): column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .distinctUsersKey(let column):
            column.with { $0.add(event, to: region, lastProcessedTick: lastProcessedTick) }
        case .other(let column): column.column.add(event, to: region, lastProcessedTick: lastProcessedTick)
        }
    }

    /// Writes the prepared pane, as ``FeatureColumn/writePreparedPane(_:at:)`` does.
    @inline(__always)
    func writePreparedPane(_ region: ColumnRegion, at index: Int) {
        switch self {
        case .countWindow(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .sumWindow(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .meanWindow(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .extremumWindow(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .decayedSumWindow(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .distinctUsersWindow(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .countKey(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .sumKey(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .meanKey(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .extremumKey(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .decayedSumKey(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .distinctUsersKey(let column): column.with { $0.writePreparedPane(region, at: index) }
        case .other(let column): column.column.writePreparedPane(region, at: index)
        }
    }

    /// Moves the key to `tick`, as ``FeatureColumn/advance(_:to:nextChange:)`` does.
    @inline(__always)
    func advance(_ region: ColumnRegion, to tick: Int64, nextChange: inout Int64) -> PaneUnits {
        switch self {
        case .countWindow(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .sumWindow(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .meanWindow(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .extremumWindow(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .decayedSumWindow(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .distinctUsersWindow(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .countKey(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .sumKey(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .meanKey(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .extremumKey(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .decayedSumKey(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .distinctUsersKey(let column): column.with { $0.advance(region, to: tick, nextChange: &nextChange) }
        case .other(let column): column.column.advance(region, to: tick, nextChange: &nextChange)
        }
    }

    /// Returns whether a window covers a non-empty pane at `tick`, as ``FeatureColumn/coversEvent(_:at:)`` does.
    @inline(__always)
    func coversEvent(_ region: ColumnRegion, at tick: Int64) -> Bool {
        switch self {
        case .countWindow(let column): column.with { $0.coversEvent(region, at: tick) }
        case .sumWindow(let column): column.with { $0.coversEvent(region, at: tick) }
        case .meanWindow(let column): column.with { $0.coversEvent(region, at: tick) }
        case .extremumWindow(let column): column.with { $0.coversEvent(region, at: tick) }
        case .decayedSumWindow(let column): column.with { $0.coversEvent(region, at: tick) }
        case .distinctUsersWindow(let column): column.with { $0.coversEvent(region, at: tick) }
        case .countKey(let column): column.with { $0.coversEvent(region, at: tick) }
        case .sumKey(let column): column.with { $0.coversEvent(region, at: tick) }
        case .meanKey(let column): column.with { $0.coversEvent(region, at: tick) }
        case .extremumKey(let column): column.with { $0.coversEvent(region, at: tick) }
        case .decayedSumKey(let column): column.with { $0.coversEvent(region, at: tick) }
        case .distinctUsersKey(let column): column.with { $0.coversEvent(region, at: tick) }
        case .other(let column): column.column.coversEvent(region, at: tick)
        }
    }

    /// Returns whether a pane will enter the windows after `tick`, as ``FeatureColumn/hasWaitingPane(_:at:)`` does.
    @inline(__always)
    func hasWaitingPane(_ region: ColumnRegion, at tick: Int64) -> Bool {
        switch self {
        case .countWindow(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .sumWindow(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .meanWindow(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .extremumWindow(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .decayedSumWindow(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .distinctUsersWindow(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .countKey(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .sumKey(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .meanKey(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .extremumKey(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .decayedSumKey(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .distinctUsersKey(let column): column.with { $0.hasWaitingPane(region, at: tick) }
        case .other(let column): column.column.hasWaitingPane(region, at: tick)
        }
    }

    /// Returns the next tick at which a value can change, as ``FeatureColumn/nextChange(_:after:)`` does.
    @inline(__always)
    func nextChange(_ region: ColumnRegion, after tick: Int64) -> Int64? {
        switch self {
        case .countWindow(let column): column.with { $0.nextChange(region, after: tick) }
        case .sumWindow(let column): column.with { $0.nextChange(region, after: tick) }
        case .meanWindow(let column): column.with { $0.nextChange(region, after: tick) }
        case .extremumWindow(let column): column.with { $0.nextChange(region, after: tick) }
        case .decayedSumWindow(let column): column.with { $0.nextChange(region, after: tick) }
        case .distinctUsersWindow(let column): column.with { $0.nextChange(region, after: tick) }
        case .countKey(let column): column.with { $0.nextChange(region, after: tick) }
        case .sumKey(let column): column.with { $0.nextChange(region, after: tick) }
        case .meanKey(let column): column.with { $0.nextChange(region, after: tick) }
        case .extremumKey(let column): column.with { $0.nextChange(region, after: tick) }
        case .decayedSumKey(let column): column.with { $0.nextChange(region, after: tick) }
        case .distinctUsersKey(let column): column.with { $0.nextChange(region, after: tick) }
        case .other(let column): column.column.nextChange(region, after: tick)
        }
    }

    /// Computes a member's value at `tick`, as ``FeatureColumn/evaluate(member:_:at:)`` does.
    @inline(__always)
    func evaluate(member: Int, _ region: ColumnRegion, at tick: Int64) -> FeatureValue {
        switch self {
        case .countWindow(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .sumWindow(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .meanWindow(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .extremumWindow(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .decayedSumWindow(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .distinctUsersWindow(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .countKey(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .sumKey(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .meanKey(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .extremumKey(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .decayedSumKey(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .distinctUsersKey(let column): column.with { $0.evaluate(member: member, region, at: tick) }
        case .other(let column): column.column.evaluate(member: member, region, at: tick)
        }
    }
}

/// A reference to a column of an aggregator outside the built-ins that is not retained, so a
/// ``BoundColumn`` holds no reference count and copies as plain bytes.
///
/// - Precondition: another strong reference keeps the column alive while this value is used.
struct UnretainedFeatureColumn {
    unowned(unsafe) let column: any FeatureColumn

    init(_ column: any FeatureColumn) { self.column = column }
}

/// A column reference that is not retained: copying it and calling through it change no
/// reference count.
///
/// - Precondition: another strong reference keeps the column alive while this value is used.
struct UnretainedColumn<Column: AnyObject> {
    private let reference: Unmanaged<Column>

    /// Wraps `object`, which the caller keeps alive.
    init(_ object: Column) {
        reference = Unmanaged.passUnretained(object)
    }

    /// The column, retained by the caller like any other reference. For paths outside the loop.
    var object: Column { reference.takeUnretainedValue() }

    /// Calls `body` with the column without retaining it.
    @inline(__always)
    func with<Result>(_ body: (Column) -> Result) -> Result {
        reference._withUnsafeGuaranteedRef(body)
    }
}
