import StreamCore

/// The running total and number of events that carried a field; the state of `sum` and `mean`.
public struct FieldTotal: Sendable, Hashable {
    /// Sum of the field's values.
    public var sum: Int64
    /// Number of events that carried the field.
    public var count: Int64

    /// Creates a total.
    public init(sum: Int64, count: Int64) {
        self.sum = sum
        self.count = count
    }
}

/// `sum`: the sum of a numeric field over the events that carry it. Evaluates to an integer;
/// 0 when no event carries the field. Events without the field do not count as content.
public struct SumAggregator: Aggregator {
    /// The summed field.
    public let field: EventField

    /// Creates the aggregator over `field`.
    public init(field: EventField) {
        self.field = field
    }

    public var emptyState: FieldTotal { FieldTotal(sum: 0, count: 0) }

    public func update(_ state: inout FieldTotal, with event: Event) {
        guard let value = field.value(in: event) else { return }
        state.sum &+= value
        state.count += 1
    }

    public func merge(_ state: inout FieldTotal, with other: FieldTotal) {
        state.sum &+= other.sum
        state.count += other.count
    }

    public func isEmpty(_ state: FieldTotal) -> Bool { state.count == 0 }

    public func evaluate(_ state: FieldTotal, at tick: Int64) -> FeatureValue { .integer(state.sum) }

    public func encode(_ state: FieldTotal, into writer: inout StateWriter) {
        writer.writeInt64(state.sum)
        writer.writeInt64(state.count)
    }

    public func decode(from reader: inout StateReader) throws(StateDecodingError) -> FieldTotal {
        FieldTotal(sum: try reader.readInt64("sum state"), count: try reader.readInt64("sum state count"))
    }
}

/// `mean`: the arithmetic mean of a numeric field over the events that carry it, as a float;
/// null when no event carries it.
public struct MeanAggregator: Aggregator {
    private let sum: SumAggregator

    /// The averaged field.
    public var field: EventField { sum.field }

    /// Creates the aggregator over `field`.
    public init(field: EventField) {
        self.sum = SumAggregator(field: field)
    }

    public var emptyState: FieldTotal { sum.emptyState }

    public func update(_ state: inout FieldTotal, with event: Event) { sum.update(&state, with: event) }

    public func merge(_ state: inout FieldTotal, with other: FieldTotal) { sum.merge(&state, with: other) }

    public func isEmpty(_ state: FieldTotal) -> Bool { state.count == 0 }

    public func evaluate(_ state: FieldTotal, at tick: Int64) -> FeatureValue {
        state.count == 0 ? .null : .float(Double(state.sum) / Double(state.count))
    }

    public func encode(_ state: FieldTotal, into writer: inout StateWriter) { sum.encode(state, into: &writer) }

    public func decode(from reader: inout StateReader) throws(StateDecodingError) -> FieldTotal {
        try sum.decode(from: &reader)
    }
}
