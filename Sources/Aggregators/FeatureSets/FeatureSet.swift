import StreamCore

/// A named, versioned, ordered list of features: what the engine computes per key and tick.
///
/// Build one from JSON with ``load(jsonBytes:registry:tickMilliseconds:)`` or use the built-in
/// ``memeV1``. The initializer validates the set, so every `FeatureSet` value is usable by the
/// engine for any tick that divides its hops (see ``validate(tickMilliseconds:)``).
/// Immutable after creation and safe to share across threads.
public struct FeatureSet: Sendable {
    /// The set's name, written into every record (`feature_set`).
    public var name: String
    /// The set's version, written into every record (`version`).
    public var version: Int
    /// Every feature, helpers included, in definition order.
    public private(set) var features: [FeatureDefinition]

    /// Creates and validates a feature set.
    /// - Throws: ``FeatureSetError`` for an empty or duplicate name, a version below 1, a window without a valid size
    ///   and hop, a size that is not a multiple of the hop, a size over ``maximumWindowMilliseconds``,
    ///   an event-type filter outside `[a-z][a-z0-9_]{0,31}`, a derived feature that depends on the
    ///   tick, a kind that does not match its computation, or a set that emits nothing.
    public init(name: String, version: Int, features: [FeatureDefinition]) throws(FeatureSetError) {
        guard !name.isEmpty else { throw FeatureSetError(feature: nil, "the set name is empty; give it a name") }
        guard name.utf8.count <= Self.maximumNameBytes else {
            throw FeatureSetError(
                feature: nil,
                "the set name has \(name.utf8.count) bytes, more than \(Self.maximumNameBytes); every record repeats "
                    + "it, so give a shorter name"
            )
        }
        // Records, record headers and logs carry the name, so it contains no control or invisible
        // characters: the characters of a Kafka topic name.
        guard name.utf8.allSatisfy(Self.isSetNameByte) else {
            throw FeatureSetError(
                feature: nil,
                "the set name \"\(FeatureSetError.excerpt(name, limit: 40))\" has a character other than A-Z, a-z, 0-9, "
                    + "'.', '_' and '-'; rename the set"
            )
        }
        guard version >= 1 else {
            throw FeatureSetError(
                feature: nil,
                "the set version is \(version); versions start at 1, so give 1 or more and raise it with every change"
            )
        }
        self.name = name
        self.version = version
        self.features = features
        try validateStructure()
    }

    /// The emitted features in record order.
    public var emittedFeatures: [FeatureDefinition] { features.filter(\.isEmitted) }

    /// The largest window size in ms, or 0 without window features.
    public var largestWindowMilliseconds: Int64 {
        features.compactMap { feature -> Int64? in
            guard case .aggregate(let specification) = feature.computation else { return nil }
            return specification.sizeMilliseconds
        }.max() ?? 0
    }

    /// How far before a tick T the oldest event any window covers at T can lie, in ms: the
    /// largest size plus hop over the window features, or 0 without them. A window ends at
    /// `T_H = floor(T / H) × H`, which is up to one hop before T, so a 24-hour window with a
    /// 1-hour hop reaches up to 25 hours back.
    public var largestWindowReachMilliseconds: Int64 {
        features.compactMap { feature -> Int64? in
            guard case .aggregate(let specification) = feature.computation,
                let size = specification.sizeMilliseconds, let hop = specification.hopMilliseconds
            else { return nil }
            return size + hop
        }.max() ?? 0
    }

    /// The maximum window size, in ms: 366 days. A key's state lives until its newest event
    /// has left the largest window, so a longer window keeps every meme of the last years in
    /// memory. The limit also rejects a hop so long that the window ends before every valid
    /// event time and never emits.
    public static let maximumWindowMilliseconds: Int64 = 366 * 86_400_000

    /// The maximum number of features in a set. It bounds the buffers the engine sizes when it
    /// starts: the record writer's buffer for the longest record and the comparable vector's bytes.
    public static let maximumFeatureCount = 4096

    /// The maximum length of a set or feature name in UTF-8 bytes. Every record repeats the names,
    /// and 255 is also the limit of a `meme_id`.
    public static let maximumNameBytes = 255

    /// The largest record a set may produce, in bytes: Kafka's default largest record
    /// (`message.max.bytes`, 1,000,000). A larger record would fail every delivery.
    public static let maximumRecordBytes = 1_000_000

    /// The maximum length of a record of the set, in bytes: the longest `meme_id` escaped, the
    /// fixed members, and per emitted feature its name escaped and the longest number.
    public var maximumRecordBytes: Int {
        var bytes = 2_000 + 2 * name.utf8.count
        for feature in features where feature.isEmitted {
            bytes += 2 * feature.name.utf8.count + 4 + 32
        }
        return bytes
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F
    }

    private static func isSetNameByte(_ byte: UInt8) -> Bool {
        isIdentifierByte(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }

    /// `true` for a name an expression can refer to: ASCII letters, digits and `_`, not starting
    /// with a digit. Other names were ambiguous (`views-1` read as `views - 1`) or unusable in
    /// expressions, and canonically equal Unicode spellings (`é` and `e` with U+0301) compared
    /// as one name.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
            return false
        }
        return name.utf8.allSatisfy(isIdentifierByte)
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func validateStructure() throws(FeatureSetError) {
        guard features.count <= Self.maximumFeatureCount else {
            throw FeatureSetError(
                feature: nil,
                "set \"\(name)\" has \(features.count) features; at most \(Self.maximumFeatureCount) are supported, "
                    + "split it into several sets"
            )
        }
        guard features.contains(where: \.isEmitted) else {
            throw FeatureSetError(feature: nil, "set \"\(name)\" emits no feature; add one with \"emit\": true")
        }
        // Emission rule 3 compares the emitted features that are not clock features; without one,
        // each key would get a single record in its life.
        guard features.contains(where: { $0.isEmitted && !$0.isClock }) else {
            throw FeatureSetError(
                feature: nil,
                "set \"\(name)\" emits only clock features, which the emission rule does not compare, so each key "
                    + "would get one record; emit a window, key or derived feature too"
            )
        }
        var seen: Set<String> = []
        for (index, feature) in features.enumerated() {
            guard !feature.name.isEmpty, feature.name != "tick" else {
                throw FeatureSetError(feature: feature.name, "the name is empty or reserved; rename the feature")
            }
            guard feature.name.utf8.count <= Self.maximumNameBytes else {
                throw FeatureSetError(
                    feature: FeatureSetError.excerpt(feature.name, limit: 40),
                    "the name has \(feature.name.utf8.count) bytes, more than \(Self.maximumNameBytes); every record "
                        + "repeats it, so give a shorter name"
                )
            }
            if let control = feature.name.unicodeScalars.first(where: Self.isControl) {
                throw FeatureSetError(
                    feature: FeatureSetError.excerpt(feature.name),
                    "the name contains the control character U+\(Self.hex(control)); use printable characters"
                )
            }
            guard Self.isIdentifier(feature.name) else {
                throw FeatureSetError(
                    feature: feature.name,
                    "the name is not an identifier, so an expression could not refer to it (\"views-1\" would read "
                        + "as views - 1); use ASCII letters, digits and '_', starting with a letter or '_'"
                )
            }
            guard seen.insert(feature.name).inserted else {
                throw FeatureSetError(feature: feature.name, "the name appears twice; rename one of them")
            }
            if case .aggregate(let specification) = feature.computation, specification.aggregator.readsTick,
                feature.kind != .clock
            {
                throw FeatureSetError(
                    feature: feature.name,
                    "aggregator \"\(specification.aggregatorName)\" reads the tick, so its value changes between "
                        + "events, and a \(feature.kind.rawValue) feature is compared for emission only when its events "
                        + "change; declare the feature \"kind\": \"clock\" (without size_ms and hop_ms)"
                )
            }
            switch (feature.kind, feature.computation) {
            case (.window, .aggregate(let specification)):
                try Self.validateWindow(specification, feature: feature.name)
            case (.key, .aggregate(let specification)), (.clock, .aggregate(let specification)):
                guard specification.sizeMilliseconds == nil, specification.hopMilliseconds == nil else {
                    throw FeatureSetError(
                        feature: feature.name,
                        "a \(feature.kind.rawValue) feature has no window; remove size_ms and hop_ms"
                    )
                }
                try Self.validateFilter(specification, feature: feature.name)
            case (.derived, .expression(let expression, _)):
                if expression.dependsOnClock({ features[$0].isClock }) {
                    throw FeatureSetError(
                        feature: feature.name,
                        "the expression depends on the tick; declare the feature \"kind\": \"clock\""
                    )
                }
            case (.clock, .expression):
                break
            case (.window, .expression), (.key, .expression):
                throw FeatureSetError(
                    feature: feature.name,
                    "a \(feature.kind.rawValue) feature needs an aggregator, not an expression"
                )
            case (.derived, .aggregate):
                throw FeatureSetError(feature: feature.name, "a derived feature needs an expression, not an aggregator")
            }
            if case .expression(let expression, _) = feature.computation,
                let forward = expression.referencedIndices.first(where: { $0 >= index || $0 < 0 })
            {
                let target = forward >= 0 && forward < features.count ? features[forward].name : "#\(forward)"
                throw FeatureSetError(
                    feature: feature.name,
                    "the expression uses \"\(target)\", which is not listed before it; move it up"
                )
            }
        }
        guard features.contains(where: { $0.kind == .window }) else {
            // Emission rule 2: a key whose windows cover no event is dropped without a record.
            throw FeatureSetError(
                feature: nil,
                "set \"\(name)\" has no window feature, so no key would ever be kept and no record emitted; "
                    + "add a \"kind\": \"window\" feature"
            )
        }
        guard maximumRecordBytes <= Self.maximumRecordBytes else {
            throw FeatureSetError(
                feature: nil,
                "a record of set \"\(name)\" can reach \(maximumRecordBytes) bytes, more than "
                    + "\(Self.maximumRecordBytes), Kafka's default largest record; use fewer emitted features or "
                    + "shorter names, or split the set"
            )
        }
    }

    private static func validateFilter(_ specification: AggregateSpecification, feature: String) throws(FeatureSetError)
    {
        guard let eventType = specification.eventType else { return }
        let bytes = Array(eventType.utf8)
        let isLower = { (byte: UInt8) in byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let valid =
            (1...32).contains(bytes.count) && isLower(bytes[0])
            && bytes.dropFirst().allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
        guard valid else {
            throw FeatureSetError(
                feature: feature,
                "event_type \"\(eventType)\" can never match an event; use a type matching [a-z][a-z0-9_]{0,31} "
                    + "or omit it to aggregate every event"
            )
        }
    }

    private static func validateWindow(_ specification: AggregateSpecification, feature: String) throws(FeatureSetError)
    {
        try validateFilter(specification, feature: feature)
        guard let size = specification.sizeMilliseconds, let hop = specification.hopMilliseconds else {
            throw FeatureSetError(feature: feature, "a window feature needs size_ms and hop_ms; add both")
        }
        guard hop > 0, size > 0 else {
            throw FeatureSetError(feature: feature, "size_ms \(size) and hop_ms \(hop) must both be positive")
        }
        guard size <= maximumWindowMilliseconds else {
            throw FeatureSetError(
                feature: feature,
                "size_ms \(size) is longer than \(maximumWindowMilliseconds) ms (366 days); use a window of at most "
                    + "366 days"
            )
        }
        guard size % hop == 0 else {
            throw FeatureSetError(
                feature: feature,
                "size_ms \(size) is not a multiple of hop_ms \(hop); make the size a whole number of hops"
            )
        }
    }

    /// Checks that every window hop is a multiple of the engine's tick.
    /// - Throws: ``FeatureSetError`` naming the first feature whose hop is not.
    public func validate(tickMilliseconds: Int64) throws(FeatureSetError) {
        guard tickMilliseconds > 0 else {
            throw FeatureSetError(feature: nil, "tick \(tickMilliseconds) ms must be positive")
        }
        let hops = features.compactMap { feature -> Int64? in
            guard case .aggregate(let specification) = feature.computation else { return nil }
            return specification.hopMilliseconds
        }
        // Every tick that divides this divides every hop.
        let common = hops.reduce(Int64(0)) { Self.greatestCommonDivisor($0, $1) }
        for feature in features {
            guard case .aggregate(let specification) = feature.computation, let hop = specification.hopMilliseconds
            else { continue }
            guard hop % tickMilliseconds == 0 else {
                throw FeatureSetError(
                    feature: feature.name,
                    "hop_ms \(hop) is not a multiple of the tick \(tickMilliseconds) ms; make hop_ms a multiple of "
                        + "\(tickMilliseconds), or run with a --tick that divides every hop of the set (\(common) ms or a "
                        + "divisor of it)"
                )
            }
        }
    }

    private static func greatestCommonDivisor(_ a: Int64, _ b: Int64) -> Int64 {
        var (a, b) = (a, b)
        // Euclid's algorithm: at most about 90 steps for 64-bit values.
        for _ in 0..<128 where b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
