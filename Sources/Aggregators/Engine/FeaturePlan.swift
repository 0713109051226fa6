import StreamCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A feature set compiled into shared columns and an evaluation order.
struct FeaturePlan {
    /// The origin of one feature's value.
    enum Source {
        /// Member `member` of column `column`.
        case column(Int, member: Int)
        /// An expression over earlier values.
        case expression(DerivedExpression)
    }

    let featureSet: FeatureSet
    /// The columns, held strongly: ``boundColumns`` relies on it.
    let columns: [any FeatureColumn]
    /// `columns` with their concrete types, for the per-event and per-visit calls.
    let boundColumns: [BoundColumn]
    /// Positions of the window columns in `columns`.
    let windowColumnIndices: [Int]
    let sources: [Source]
    /// Positions of the emitted features, in record order.
    let emittedIndices: [Int]
    /// Positions of the emitted non-clock features: the comparable vector.
    let comparableIndices: [Int]
    /// The distinct event types the columns filter on.
    let eventTypes: [String]
    /// Per column, its filter's position in `eventTypes`, or −1 for every type.
    let eventTypeIndices: [Int]
    /// `eventTypes` as UTF-8 bytes, for filtering on the bytes of a record value.
    private let eventTypeBytes: [[UInt8]]
    /// `true` when every column's aggregator is a built-in that reads only `ts`, `published_at`
    /// and `dwell_ms`, so the engine may hand it events without `meme_id`, `type` and `user_id`.
    let readsOnlyTimeFields: Bool
    /// Per column, its fixed words. Words per pane depend on the layout the engine chooses.
    let fixedWords: [Int]

    init(featureSet: FeatureSet, tickMilliseconds: Int64) {
        self.featureSet = featureSet
        var columns: [any FeatureColumn] = []
        var columnIndexByIdentity: [String: Int] = [:]
        var sources: [Source] = []
        for feature in featureSet.features {
            switch feature.computation {
            case .expression(let expression, _):
                sources.append(.expression(expression))
            case .aggregate(let specification):
                // Features with the same aggregator, parameters, filter and hop share a column.
                let parameters = specification.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                let identity =
                    [
                        feature.kind == .window ? "window" : "key", specification.aggregatorName,
                        specification.eventType ?? "*", String(specification.hopMilliseconds ?? 0),
                    ] + parameters
                let key = identity.joined(separator: "\u{1F}")
                let index: Int
                if let existing = columnIndexByIdentity[key] {
                    index = existing
                } else {
                    index = columns.count
                    columnIndexByIdentity[key] = index
                    columns.append(
                        Self.makeColumn(specification.aggregator, specification: specification, tick: tickMilliseconds)
                    )
                }
                var member = 0
                if let size = specification.sizeMilliseconds, let window = columns[index] as? any WindowSizing {
                    member = window.addSize(size)
                }
                sources.append(.column(index, member: member))
            }
        }
        self.columns = columns
        boundColumns = columns.map(BoundColumn.init)
        windowColumnIndices = columns.indices.filter { columns[$0].isWindow }
        self.sources = sources
        emittedIndices = featureSet.features.indices.filter { featureSet.features[$0].isEmitted }
        comparableIndices = emittedIndices.filter { !featureSet.features[$0].isClock }
        var eventTypes: [String] = []
        eventTypeIndices = columns.map { column in
            guard let type = column.eventType else { return -1 }
            if let index = eventTypes.firstIndex(of: type) { return index }
            eventTypes.append(type)
            return eventTypes.count - 1
        }
        self.eventTypes = eventTypes
        eventTypeBytes = eventTypes.map { Array($0.utf8) }
        readsOnlyTimeFields = boundColumns.allSatisfy(\.readsOnlyTimeFields)
        fixedWords = columns.map(\.fixedWords)
    }

    /// Returns the position of `type` in ``eventTypes``, or −1 when no column filters on it.
    @inline(__always)
    func eventTypeIndex(of type: String) -> Int {
        for index in eventTypes.indices where eventTypes[index] == type { return index }
        return -1
    }

    /// Returns the position of the type whose UTF-8 bytes are `type` in ``eventTypes``, or −1
    /// when no column filters on it.
    @inline(__always)
    func eventTypeIndex(of type: UnsafeRawBufferPointer) -> Int {
        for index in eventTypeBytes.indices {
            let matches = eventTypeBytes[index].withUnsafeBytes { candidate in
                candidate.count == type.count && memcmp(candidate.baseAddress!, type.baseAddress!, type.count) == 0
            }
            if matches { return index }
        }
        return -1
    }

    private static func makeColumn<A: Aggregator>(
        _ aggregator: A,
        specification: AggregateSpecification,
        tick: Int64
    ) -> any FeatureColumn {
        if let hop = specification.hopMilliseconds {
            return WindowColumn(aggregator: aggregator, eventType: specification.eventType, hop: hop)
        }
        return KeyColumn(aggregator: aggregator, eventType: specification.eventType, tick: tick)
    }
}

/// The columns that hold several window sizes.
protocol WindowSizing: AnyObject {
    func addSize(_ size: Int64) -> Int
}

extension WindowColumn: WindowSizing {}
