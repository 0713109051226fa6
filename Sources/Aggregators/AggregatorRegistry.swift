import StreamCore

/// A parameter value from a feature set definition.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    /// A JSON integer.
    case integer(Int64)
    /// A JSON number with a fraction or exponent.
    case float(Double)
    /// A JSON string.
    case string(String)
    /// A JSON Boolean.
    case bool(Bool)

    public var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .float(let value): return value.description
        case .string(let value): return "\"\(value)\""
        case .bool(let value): return String(value)
        }
    }
}

/// The parameters a feature passes to its aggregator (`"parameters": {...}` in JSON), with typed
/// accessors whose errors name the feature, the parameter and the fix.
public struct AggregatorParameters: Sendable, Hashable {
    /// The feature the parameters belong to, for error messages.
    public var featureName: String
    /// The raw values by parameter name.
    public var values: [String: ParameterValue]

    /// Creates parameters for `featureName`.
    public init(featureName: String, values: [String: ParameterValue] = [:]) {
        self.featureName = featureName
        self.values = values
    }

    /// Returns the integer parameter `name`.
    /// - Throws: ``FeatureSetError`` when it is missing or not an integer.
    public func integer(_ name: String) throws(FeatureSetError) -> Int64 {
        if case .float(let value)? = values[name], value.rounded() == value, value.magnitude >= 0x1p63 {
            // A whole number outside Int64 reaches here as a double, so the text differs from the file.
            throw FeatureSetError(
                feature: featureName,
                "parameter \"\(name)\" is about \(value), outside the 64-bit integer range; "
                    + "set it to an integer between -2^63 and 2^63 - 1"
            )
        }
        guard case .integer(let value)? = values[name] else {
            throw FeatureSetError(
                feature: featureName,
                "parameter \"\(name)\" is \(values[name]?.description ?? "missing"); set it to an integer"
            )
        }
        return value
    }

    /// Returns the event field named by the string parameter `name`.
    /// - Throws: ``FeatureSetError`` when it is missing or not one of the known fields.
    public func field(_ name: String = "field") throws(FeatureSetError) -> EventField {
        guard case .string(let text)? = values[name], let field = EventField(rawValue: text) else {
            let known = EventField.allCases.map(\.rawValue).joined(separator: ", ")
            throw FeatureSetError(
                feature: featureName,
                "parameter \"\(name)\" is \(values[name]?.description ?? "missing"); set it to one of \(known)"
            )
        }
        return field
    }
}

/// Aggregators by name, as feature set definitions refer to them.
///
/// ``builtIn`` contains `count`, `sum`, `mean`, `min`, `max`, `first_event_time`,
/// `last_event_time`, `decayed_sum` and `distinct_users`. ``memestream`` adds the aggregators of
/// `Sources/Aggregators/Registered`, and it is the registry that `memestream replay` and
/// `memestream run` use: register a new aggregator there. A registry built here with
/// ``register(_:make:)`` reaches only the ``FeatureSet/load(jsonBytes:registry:)`` call it is
/// passed to.
/// A value type: copy it freely and share it across threads.
public struct AggregatorRegistry: Sendable {
    /// Builds an aggregator from a feature's parameters, or throws an error naming the parameter.
    public typealias Factory = @Sendable (AggregatorParameters) throws(FeatureSetError) -> any Aggregator

    private var factories: [String: Factory] = [:]
    /// The accepted parameter names of the aggregators registered with a fixed list.
    private var parameterLists: [String: [String]] = [:]

    /// Creates an empty registry.
    public init() {}

    /// The registered names, sorted.
    public var names: [String] { factories.keys.sorted() }

    /// Registers `make` under `name`, replacing an earlier registration of the same name.
    /// `make` receives every parameter the feature gives and must check them itself.
    public mutating func register(_ name: String, make: @escaping Factory) {
        factories[name] = make
        parameterLists[name] = nil
    }

    /// Registers `make` under `name` with a fixed list of parameter names, replacing an earlier
    /// registration of the same name. Feature set loading rejects any other parameter before it
    /// calls `make` (see ``checkParameterNames(of:parameters:)``).
    public mutating func register(_ name: String, parameterNames: [String], make: @escaping Factory) {
        factories[name] = make
        parameterLists[name] = parameterNames
    }

    /// Returns the parameter names `name` accepts, or `nil` when it is not registered or was
    /// registered without a fixed list.
    public func parameterNames(of name: String) -> [String]? {
        parameterLists[name]
    }

    /// Builds the aggregator `name` for a feature. Parameters the aggregator does not use are
    /// ignored here; ``checkParameterNames(of:parameters:)`` rejects them.
    /// - Throws: ``FeatureSetError`` when `name` is not registered or a parameter is invalid.
    public func make(_ name: String, parameters: AggregatorParameters) throws(FeatureSetError) -> any Aggregator {
        guard let factory = factories[name] else {
            throw FeatureSetError(
                feature: parameters.featureName,
                "unknown aggregator \"\(name)\"; use one of \(names.joined(separator: ", ")), or register a new one in AggregatorRegistry.memestream and rebuild"
            )
        }
        return try factory(parameters)
    }

    /// Checks the parameter names against the list `name` was registered with. Feature set
    /// loading calls it before ``make(_:parameters:)``, so that a misspelled optional parameter
    /// cannot go unnoticed. Aggregators registered without a list accept any name here.
    /// - Throws: ``FeatureSetError`` naming the first unknown parameter in byte order.
    public func checkParameterNames(of name: String, parameters: AggregatorParameters) throws(FeatureSetError) {
        if let accepted = parameterLists[name],
            let unknown = parameters.values.keys.filter({ !accepted.contains($0) }).min()
        {
            let message: String
            if accepted.isEmpty {
                message = "aggregator \"\(name)\" takes no parameters; remove \"\(unknown)\""
            } else {
                message = UnknownKeyMessage.make(
                    noun: "parameter",
                    key: unknown,
                    validKeys: accepted,
                    validIntroduction: "the parameters of \"\(name)\" are"
                )
            }
            throw FeatureSetError(feature: parameters.featureName, message)
        }
    }

    /// The built-in aggregators.
    public static let builtIn: AggregatorRegistry = {
        var registry = AggregatorRegistry()
        registry.register("count", parameterNames: []) { _ throws(FeatureSetError) in CountAggregator() }
        registry.register("sum", parameterNames: ["field"]) { parameters throws(FeatureSetError) in
            SumAggregator(field: try parameters.field())
        }
        registry.register("mean", parameterNames: ["field"]) { parameters throws(FeatureSetError) in
            MeanAggregator(field: try parameters.field())
        }
        registry.register("min", parameterNames: ["field"]) { parameters throws(FeatureSetError) in
            ExtremumAggregator(.minimum, of: try parameters.field())
        }
        registry.register("max", parameterNames: ["field"]) { parameters throws(FeatureSetError) in
            ExtremumAggregator(.maximum, of: try parameters.field())
        }
        registry.register("first_event_time", parameterNames: []) { _ throws(FeatureSetError) in
            ExtremumAggregator(.minimum, of: .ts)
        }
        registry.register("last_event_time", parameterNames: []) { _ throws(FeatureSetError) in
            ExtremumAggregator(.maximum, of: .ts)
        }
        registry.register("decayed_sum", parameterNames: ["half_life_ms"]) { parameters throws(FeatureSetError) in
            let halfLife = try parameters.integer("half_life_ms")
            guard halfLife > 0 else {
                throw FeatureSetError(
                    feature: parameters.featureName,
                    "half_life_ms is \(halfLife); set it to a positive number of ms"
                )
            }
            return DecayedSumAggregator(halfLifeMilliseconds: halfLife)
        }
        registry.register("distinct_users", parameterNames: []) { _ throws(FeatureSetError) in DistinctUsersAggregator()
        }
        return registry
    }()
}
