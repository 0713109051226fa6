import StreamCore

/// `long_dwell_count`: the number of events whose `dwell_ms` is at least `min_dwell_ms`.
/// Evaluates to an integer, 0 for an empty window.
///
/// Not a built-in: it is the worked example of docs/features.md, "Adding an aggregator", and is
/// registered in ``AggregatorRegistry/memestream`` the way a feature developer registers theirs.
public struct LongDwellCountAggregator: Aggregator {
    /// The smallest `dwell_ms` counted, in ms.
    public let minimumDwellMilliseconds: Int64

    /// Creates the aggregator for events with `dwell_ms ≥ minimumDwellMilliseconds`.
    public init(minimumDwellMilliseconds: Int64) {
        self.minimumDwellMilliseconds = minimumDwellMilliseconds
    }

    /// Builds the aggregator from a feature's `min_dwell_ms` parameter.
    /// - Throws: ``FeatureSetError`` when the parameter is missing, not an integer or negative.
    public init(parameters: AggregatorParameters) throws(FeatureSetError) {
        let minimum = try parameters.integer("min_dwell_ms")
        guard minimum >= 0 else {
            throw FeatureSetError(
                feature: parameters.featureName,
                "parameter \"min_dwell_ms\" is \(minimum); set it to a dwell in ms of 0 or more"
            )
        }
        self.init(minimumDwellMilliseconds: minimum)
    }

    public var emptyState: Int64 { 0 }

    public func update(_ state: inout Int64, with event: Event) {
        if let dwell = event.dwellMilliseconds, dwell >= minimumDwellMilliseconds { state += 1 }
    }

    public func merge(_ state: inout Int64, with other: Int64) { state += other }

    /// Returns `true` when no event of the pane was counted, which includes a pane whose events
    /// all had a shorter dwell. Such a pane has the empty value.
    public func isEmpty(_ state: Int64) -> Bool { state == 0 }

    public func evaluate(_ state: Int64, at tick: Int64) -> FeatureValue { .integer(state) }

    public func encode(_ state: Int64, into writer: inout StateWriter) { writer.writeInt64(state) }

    public func decode(from reader: inout StateReader) throws(StateDecodingError) -> Int64 {
        try reader.readInt64("long dwell count")
    }
}
