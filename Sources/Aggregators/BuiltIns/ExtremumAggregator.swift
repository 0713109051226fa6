import StreamCore

/// `min` and `max` of a numeric field over the events that carry it, as an integer; null when
/// no event carries it. `first_event_time` and `last_event_time` are `min` and `max` of `ts`.
public struct ExtremumAggregator: Aggregator {
    /// The end of the range the aggregator keeps.
    public enum Kind: String, Sendable, Hashable {
        /// The smallest value.
        case minimum = "min"
        /// The largest value.
        case maximum = "max"
    }

    /// The field read from each event.
    public let field: EventField
    /// Whether the smallest or the largest value is kept.
    public let kind: Kind

    /// Creates the aggregator.
    public init(_ kind: Kind, of field: EventField) {
        self.kind = kind
        self.field = field
    }

    public var emptyState: Int64? { nil }

    public func update(_ state: inout Int64?, with event: Event) {
        guard let value = field.value(in: event) else { return }
        merge(&state, with: value)
    }

    public func merge(_ state: inout Int64?, with other: Int64?) {
        guard let other else { return }
        guard let current = state else {
            state = other
            return
        }
        state = kind == .minimum ? Swift.min(current, other) : Swift.max(current, other)
    }

    public func isEmpty(_ state: Int64?) -> Bool { state == nil }

    public func evaluate(_ state: Int64?, at tick: Int64) -> FeatureValue {
        state.map { .integer($0) } ?? .null
    }

    public func encode(_ state: Int64?, into writer: inout StateWriter) { writer.writeOptionalInt64(state) }

    public func decode(from reader: inout StateReader) throws(StateDecodingError) -> Int64? {
        try reader.readOptionalInt64("\(kind.rawValue) state")
    }
}
