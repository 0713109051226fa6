import StreamCore

/// One feature of a feature set: its name, kind and how its value is computed.
public struct FeatureDefinition: Sendable {
    /// The kind of a feature, which decides its computation and whether the emission rule compares it.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An aggregator over the events in `[T_H − size, T_H)`, `T_H = floor(T / hop) × hop`.
        case window
        /// An expression over earlier features; it may not depend on the tick.
        case derived
        /// An aggregator over all the key's events with `ts < T`.
        case key
        /// A value that depends on the tick itself (an aggregator evaluated at `T` or an
        /// expression using `tick`). Left out of the comparable vector.
        case clock
    }

    /// The computation of a value: an aggregator or an expression.
    public enum Computation: Sendable {
        /// An aggregator applied to the events that pass the filter.
        case aggregate(AggregateSpecification)
        /// An expression over earlier features.
        case expression(DerivedExpression, text: String)
    }

    /// The name, unique in the set; also the JSON member name in feature records.
    public var name: String
    /// The kind.
    public var kind: Kind
    /// `false` for helper features that other features use but records leave out.
    public var isEmitted: Bool
    /// The computation of the value.
    public var computation: Computation

    /// Creates a definition; ``FeatureSet/init(name:version:features:)`` validates it.
    public init(name: String, kind: Kind, isEmitted: Bool = true, computation: Computation) {
        self.name = name
        self.kind = kind
        self.isEmitted = isEmitted
        self.computation = computation
    }

    /// `true` for kinds the emission rule leaves out of the comparable vector.
    public var isClock: Bool { kind == .clock }
}

/// An aggregator with its parameters, event-type filter and (for window features) window shape.
public struct AggregateSpecification: Sendable {
    /// The registry name of the aggregator.
    public var aggregatorName: String
    /// The aggregator built from the parameters.
    public var aggregator: any Aggregator
    /// The parameters it was built from.
    public var parameters: [String: ParameterValue]
    /// Only events of this `type` are aggregated; `nil` aggregates every event.
    public var eventType: String?
    /// Window size S in ms (window features only).
    public var sizeMilliseconds: Int64?
    /// Window hop H in ms (window features only).
    public var hopMilliseconds: Int64?

    /// Creates a specification.
    public init(
        aggregatorName: String,
        aggregator: any Aggregator,
        parameters: [String: ParameterValue] = [:],
        eventType: String? = nil,
        sizeMilliseconds: Int64? = nil,
        hopMilliseconds: Int64? = nil
    ) {
        self.aggregatorName = aggregatorName
        self.aggregator = aggregator
        self.parameters = parameters
        self.eventType = eventType
        self.sizeMilliseconds = sizeMilliseconds
        self.hopMilliseconds = hopMilliseconds
    }

    /// `true` when `event` passes the event-type filter.
    @inlinable
    public func accepts(_ event: Event) -> Bool {
        guard let eventType else { return true }
        return event.type == eventType
    }
}
