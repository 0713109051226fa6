import Foundation
import StreamCore

extension FeatureSet {
    /// The largest feature set file read, in bytes. A set of the most features allowed, each
    /// with a long expression, stays far below it.
    public static let maximumFileBytes = 64 << 20

    /// Parses and validates a JSON feature set definition.
    ///
    /// The document is `{"name": …, "version": …, "features": [ … ]}`; each feature has `name`,
    /// `kind` (`window`, `derived`, `key` or `clock`), and either `aggregator` (with optional
    /// `parameters` and `event_type`, and `size_ms` and `hop_ms` for windows) or `expression`.
    /// `"emit": false` marks a helper that records leave out. See docs/features.md.
    ///
    /// An unknown member of the set or of a feature is an error, and so is an unknown parameter
    /// of an aggregator registered with its parameter names. A syntax error names its line and column.
    ///
    /// - Parameters:
    ///   - jsonBytes: The UTF-8 JSON document.
    ///   - registry: Where aggregator names are looked up.
    ///   - tickMilliseconds: The engine tick that every hop must be a multiple of.
    /// - Throws: ``FeatureSetError`` naming the feature and the fix.
    public static func load(
        jsonBytes: [UInt8],
        registry: AggregatorRegistry = .memestream,
        tickMilliseconds: Int64 = EngineConfiguration().tickMilliseconds
    ) throws(FeatureSetError) -> FeatureSet {
        let document = try FeatureSetDocument.decode(jsonBytes)
        var definitions: [FeatureDefinition] = []
        // Name to position, so that resolving an expression's names costs O(1) per name.
        var positions: [String: Int] = [:]
        for feature in document.features {
            definitions.append(try makeDefinition(feature, earlier: positions, registry: registry))
            if positions[feature.name] == nil { positions[feature.name] = definitions.count - 1 }
        }
        let set = try FeatureSet(name: document.name, version: document.version, features: definitions)
        try set.validate(tickMilliseconds: tickMilliseconds)
        return set
    }

    /// Reads, parses and validates the JSON feature set definition at `path`.
    /// - Throws: ``FeatureSetError`` when the file cannot be read or the definition is invalid.
    public static func load(
        path: String,
        registry: AggregatorRegistry = .memestream,
        tickMilliseconds: Int64 = EngineConfiguration().tickMilliseconds
    ) throws(FeatureSetError) -> FeatureSet {
        let bytes: [UInt8]
        do throws(SmallFile.Failure) {
            bytes = try SmallFile.read(path: path, limit: maximumFileBytes)
        } catch {
            throw FeatureSetError(
                feature: nil,
                "cannot read the feature set file \(path): the file \(error); check the path and its permissions"
            )
        }
        return try load(jsonBytes: bytes, registry: registry, tickMilliseconds: tickMilliseconds)
    }

    private static func makeDefinition(
        _ feature: FeatureSetDocument.Feature,
        earlier: [String: Int],
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
            try registry.checkParameterNames(of: name, parameters: parameters)
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
            if feature.kind == "window" || feature.kind == "key" {
                throw FeatureSetError(
                    feature: feature.name,
                    "a \(feature.kind) feature needs an aggregator, not an expression; add \"aggregator\", or declare "
                        + "the feature \"kind\": \"derived\" (or \"clock\" when it uses the tick)"
                )
            }
            // These keys configure an aggregator, so with an expression they would be ignored.
            let aggregatorKeys: [(String, Bool)] = [
                ("parameters", feature.parameters != nil), ("event_type", feature.eventType != nil),
                ("size_ms", feature.sizeMs != nil), ("hop_ms", feature.hopMs != nil),
            ]
            if let (key, _) = aggregatorKeys.first(where: { $0.1 }) {
                throw FeatureSetError(
                    feature: feature.name,
                    "\"\(key)\" applies only to a feature with an aggregator, not an expression; remove it"
                )
            }
            computation = .expression(
                try DerivedExpression.parse(text, featureName: feature.name, positions: earlier),
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
