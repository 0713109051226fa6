import StreamCore

extension AggregatorRegistry {
    /// The registry that `memestream replay`, `memestream run` and ``FeatureSet/load(path:registry:tickMilliseconds:)``
    /// use by default: the built-ins and the aggregators registered below.
    ///
    /// To make a new aggregator available to the commands, register it here and rebuild. A
    /// registry built elsewhere reaches only the code it is passed to.
    public static let memestream: AggregatorRegistry = {
        var registry = AggregatorRegistry.builtIn
        registry.register("long_dwell_count", parameterNames: ["min_dwell_ms"]) { parameters throws(FeatureSetError) in
            try LongDwellCountAggregator(parameters: parameters)
        }
        return registry
    }()
}
