import StreamCore

/// `count`: the number of events. Evaluates to an integer; 0 for an empty window.
public struct CountAggregator: Aggregator {
    /// Creates the aggregator; it has no parameters.
    public init() {}

    public var emptyState: Int64 { 0 }

    public func update(_ state: inout Int64, with event: Event) { state += 1 }

    public func merge(_ state: inout Int64, with other: Int64) { state += other }

    public func isEmpty(_ state: Int64) -> Bool { state == 0 }

    public func evaluate(_ state: Int64, at tick: Int64) -> FeatureValue { .integer(state) }

    public func encode(_ state: Int64, into writer: inout StateWriter) { writer.writeInt64(state) }

    public func decode(from reader: inout StateReader) throws(StateDecodingError) -> Int64 {
        try reader.readInt64("count state")
    }
}
