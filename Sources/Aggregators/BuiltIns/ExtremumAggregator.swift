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

    /// The state without a value. No validated event carries it: `ts` and `published_at` lie in
    /// [10^12, 10^13) and `dwell_ms` is not negative. A plain `Int64` takes one word of a key's
    /// block, where an `Int64?` takes two.
    public static let noValue = Int64.min

    public var emptyState: Int64 { Self.noValue }

    public func update(_ state: inout Int64, with event: Event) {
        guard let value = field.value(in: event) else { return }
        merge(&state, with: value)
    }

    public func merge(_ state: inout Int64, with other: Int64) {
        guard other != Self.noValue else { return }
        guard state != Self.noValue else {
            state = other
            return
        }
        state = kind == .minimum ? Swift.min(state, other) : Swift.max(state, other)
    }

    public func isEmpty(_ state: Int64) -> Bool { state == Self.noValue }

    public func evaluate(_ state: Int64, at tick: Int64) -> FeatureValue {
        state == Self.noValue ? .null : .integer(state)
    }

    /// Writes the state as an optional integer, absent without a value. This is the format of
    /// the earlier `Int64?` state, so checkpoints written before the change restore unchanged.
    public func encode(_ state: Int64, into writer: inout StateWriter) {
        writer.writeOptionalInt64(state == Self.noValue ? nil : state)
    }

    public func decode(from reader: inout StateReader) throws(StateDecodingError) -> Int64 {
        try reader.readOptionalInt64("\(kind.rawValue) state") ?? Self.noValue
    }
}
