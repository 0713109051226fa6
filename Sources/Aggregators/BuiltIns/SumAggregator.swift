import StreamCore

/// The running total and number of events that carried a field; the state of `sum` and `mean`.
///
/// The total is kept in 128 bits, so it stays exact for as many 64-bit field values as the
/// `Int64` count can number. It is stored as two 64-bit words rather than an `Int128` so that the state
/// keeps 8-byte alignment and stays 24 bytes per pane.
public struct FieldTotal: Sendable, Hashable {
    private var sumLow: UInt64
    private var sumHigh: Int64
    /// Number of events that carried the field.
    public var count: Int64

    /// Creates a total.
    public init(sum: Int128, count: Int64) {
        self.sumLow = UInt64(truncatingIfNeeded: sum)
        self.sumHigh = Int64(truncatingIfNeeded: sum >> 64)
        self.count = count
    }

    /// Sum of the field's values.
    public var sum: Int128 {
        get { Int128(sumHigh) << 64 | Int128(sumLow) }
        set {
            sumLow = UInt64(truncatingIfNeeded: newValue)
            sumHigh = Int64(truncatingIfNeeded: newValue >> 64)
        }
    }

    /// The sum as a double, rounded to nearest. Converts from 64 bits when the sum fits, which is
    /// faster than the 128-bit conversion and gives the same double.
    var sumAsDouble: Double {
        let low = Int64(bitPattern: sumLow)
        return sumHigh == low >> 63 ? Double(low) : Double(sum)
    }

    /// Adds `value` to the sum in O(1). The 128-bit addition wraps rather than traps, which never
    /// happens for totals of fewer than 2^63 values of 64 bits.
    @inline(__always) mutating func add(_ value: Int128) {
        let (low, carry) = sumLow.addingReportingOverflow(UInt64(truncatingIfNeeded: value))
        sumLow = low
        sumHigh &+= Int64(truncatingIfNeeded: value >> 64) &+ (carry ? 1 : 0)
    }
}

/// `sum`: the sum of a numeric field over the events that carry it. Evaluates to an integer;
/// 0 when no event carries the field. Events without the field do not count as content. The
/// state is exact; a total beyond the 64-bit range evaluates to `Int64.max` or `Int64.min`.
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
        state.add(Int128(value))
        state.count += 1
    }

    public func merge(_ state: inout FieldTotal, with other: FieldTotal) {
        state.add(other.sum)
        state.count += other.count
    }

    public func isEmpty(_ state: FieldTotal) -> Bool { state.count == 0 }

    public func evaluate(_ state: FieldTotal, at tick: Int64) -> FeatureValue {
        .integer(Int64(clamping: state.sum))
    }

    public func encode(_ state: FieldTotal, into writer: inout StateWriter) {
        writer.writeInt128(state.sum)
        writer.writeInt64(state.count)
    }

    /// Reads the state; format version 1 wrote the sum as one i64, later versions as an i128.
    public func decode(from reader: inout StateReader) throws(StateDecodingError) -> FieldTotal {
        let sum: Int128 =
            reader.formatVersion == 1
            ? Int128(try reader.readInt64("sum state")) : try reader.readInt128("sum state")
        return FieldTotal(sum: sum, count: try reader.readInt64("sum state count"))
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
        state.count == 0 ? .null : .float(state.sumAsDouble / Double(state.count))
    }

    public func encode(_ state: FieldTotal, into writer: inout StateWriter) { sum.encode(state, into: &writer) }

    public func decode(from reader: inout StateReader) throws(StateDecodingError) -> FieldTotal {
        try sum.decode(from: &reader)
    }
}
