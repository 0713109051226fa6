import Foundation
import StreamCore

/// The JSON form of a feature set. Member names follow the input format's snake_case.
private struct FeatureSetDocument: Decodable {
    var name: String
    var version: Int
    var features: [FeatureDocument]
}

private struct FeatureDocument: Decodable {
    var name: String
    var kind: String
    var aggregator: String?
    var parameters: [String: ParameterValue]?
    var eventType: String?
    var sizeMs: Int64?
    var hopMs: Int64?
    var expression: String?
    var emit: Bool?

    enum CodingKeys: String, CodingKey {
        case name, kind, aggregator, parameters, expression, emit
        case eventType = "event_type"
        case sizeMs = "size_ms"
        case hopMs = "hop_ms"
    }
}

extension ParameterValue: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .float(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }
}

extension FeatureSet {
    /// Parses and validates a JSON feature set definition.
    ///
    /// The document is `{"name": …, "version": …, "features": [ … ]}`; each feature has `name`,
    /// `kind` (`window`, `derived`, `key` or `clock`), and either `aggregator` (with optional
    /// `parameters` and `event_type`, and `size_ms` and `hop_ms` for windows) or `expression`.
    /// `"emit": false` marks a helper that records leave out. See docs/features.md.
    ///
    /// - Parameters:
    ///   - jsonBytes: The UTF-8 JSON document.
    ///   - registry: Where aggregator names are looked up.
    ///   - tickMilliseconds: The engine tick that every hop must be a multiple of.
    /// - Throws: ``FeatureSetError`` naming the feature and the fix.
    public static func load(
        jsonBytes: [UInt8],
        registry: AggregatorRegistry = .builtIn,
        tickMilliseconds: Int64 = EngineConfiguration().tickMilliseconds
    ) throws(FeatureSetError) -> FeatureSet {
        let document: FeatureSetDocument
        do {
            document = try JSONDecoder().decode(FeatureSetDocument.self, from: Data(jsonBytes))
        } catch {
            throw FeatureSetError(feature: nil, "the JSON does not match the feature set format (\(error))")
        }
        var definitions: [FeatureDefinition] = []
        for feature in document.features {
            definitions.append(try makeDefinition(feature, earlier: definitions.map(\.name), registry: registry))
        }
        let set = try FeatureSet(name: document.name, version: document.version, features: definitions)
        try set.validate(tickMilliseconds: tickMilliseconds)
        return set
    }

    /// Reads, parses and validates the JSON feature set definition at `path`.
    /// - Throws: ``FeatureSetError`` when the file cannot be read or the definition is invalid.
    public static func load(
        path: String,
        registry: AggregatorRegistry = .builtIn,
        tickMilliseconds: Int64 = EngineConfiguration().tickMilliseconds
    ) throws(FeatureSetError) -> FeatureSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FeatureSetError(feature: nil, "cannot read the feature set file \(path); check the path")
        }
        return try load(jsonBytes: Array(data), registry: registry, tickMilliseconds: tickMilliseconds)
    }

    private static func makeDefinition(
        _ feature: FeatureDocument,
        earlier: [String],
        registry: AggregatorRegistry
    ) throws(FeatureSetError) -> FeatureDefinition {
        guard let kind = FeatureDefinition.Kind(rawValue: feature.kind) else {
            let kinds = FeatureDefinition.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw FeatureSetError(feature: feature.name, "unknown kind \"\(feature.kind)\"; use one of \(kinds)")
        }
        let computation: FeatureDefinition.Computation
        switch (feature.aggregator, feature.expression) {
        case (let name?, nil):
            let parameters = AggregatorParameters(featureName: feature.name, values: feature.parameters ?? [:])
            computation = .aggregate(
                AggregateSpecification(
                    aggregatorName: name,
                    aggregator: try registry.make(name, parameters: parameters),
                    parameters: parameters.values,
                    eventType: feature.eventType,
                    sizeMilliseconds: feature.sizeMs,
                    hopMilliseconds: feature.hopMs
                )
            )
        case (nil, let text?):
            computation = .expression(
                try DerivedExpression.parse(text, featureName: feature.name, earlierFeatures: earlier),
                text: text
            )
        default:
            throw FeatureSetError(feature: feature.name, "give exactly one of \"aggregator\" and \"expression\"")
        }
        return FeatureDefinition(
            name: feature.name,
            kind: kind,
            isEmitted: feature.emit ?? true,
            computation: computation
        )
    }
}
