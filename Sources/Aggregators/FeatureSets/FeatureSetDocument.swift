import Foundation
import StreamCore

/// The JSON form of a feature set. Member names follow the input format's snake_case.
///
/// The decoders reject members they do not know, because a misspelled optional member (such as
/// `event_typ`) would otherwise be dropped and change what a feature computes without a word.
struct FeatureSetDocument: Decodable {
    static let keys = ["name", "version", "features"]

    var name: String
    var version: Int
    var features: [Feature]

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: MemberKey.self) else {
            throw FeatureSetError(
                feature: nil,
                "the document is not a JSON object; write {\"name\": ..., \"version\": ..., \"features\": [...]}"
            )
        }
        let members = MemberReader(container: container, feature: nil, place: nil)
        try members.rejectUnknownKeys(Self.keys, validIntroduction: "the valid keys of a feature set are")
        name = try members.required("name", as: String.self, expected: "a string")
        version = try members.required("version", as: Int.self, expected: "an integer")
        features = try members.required("features", as: [Feature].self, expected: "an array of features")
    }
}

extension FeatureSetDocument {
    /// One element of `features`.
    struct Feature: Decodable {
        static let keys = [
            "name", "kind", "aggregator", "parameters", "event_type", "size_ms", "hop_ms", "expression", "emit",
        ]

        var name: String
        var kind: String
        var aggregator: String?
        var parameters: [String: ParameterValue]?
        var eventType: String?
        var sizeMs: Int64?
        var hopMs: Int64?
        var expression: String?
        var emit: Bool?

        init(from decoder: any Decoder) throws {
            // Until the name is known, messages locate the feature by its index in "features".
            let place = decoder.codingPath.last?.intValue.map { "features[\($0)]" } ?? "a feature"
            guard let container = try? decoder.container(keyedBy: MemberKey.self) else {
                throw FeatureSetError(
                    feature: nil,
                    "\(place) is not a JSON object; write each feature as {\"name\": ..., \"kind\": ..., ...}"
                )
            }
            let label = try? container.decode(String.self, forKey: MemberKey("name"))
            let members = MemberReader(container: container, feature: label, place: place)
            try members.rejectUnknownKeys(Self.keys, validIntroduction: "the valid keys of a feature are")
            name = try members.required("name", as: String.self, expected: "a string")
            kind = try members.required("kind", as: String.self, expected: "a string")
            aggregator = try members.optional("aggregator", as: String.self, expected: "a string")
            parameters = try members.parameters()
            eventType = try members.optional("event_type", as: String.self, expected: "a string")
            sizeMs = try members.optional("size_ms", as: Int64.self, expected: "an integer number of ms")
            hopMs = try members.optional("hop_ms", as: Int64.self, expected: "an integer number of ms")
            expression = try members.optional("expression", as: String.self, expected: "a string")
            emit = try members.optional("emit", as: Bool.self, expected: "true or false")
        }
    }
}

/// A coding key for any member name, so that a document's members can be listed and checked.
private struct MemberKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Reads the members of one JSON object and turns decoding failures into ``FeatureSetError``s
/// that name the member, and the feature or its place in the set.
private struct MemberReader {
    let container: KeyedDecodingContainer<MemberKey>
    /// The feature's name, when it has one.
    let feature: String?
    /// The object's place in the document, such as `features[2]`, for messages when ``feature``
    /// is `nil`. It is `nil` for the set itself.
    let place: String?

    func error(_ message: String) -> FeatureSetError {
        if feature == nil, let place {
            return FeatureSetError(feature: nil, "\(place): \(message)")
        }
        return FeatureSetError(feature: feature, message)
    }

    /// Throws for the first member, in byte order, that `validKeys` does not contain.
    func rejectUnknownKeys(_ validKeys: [String], validIntroduction: String) throws(FeatureSetError) {
        let unknown = container.allKeys.map(\.stringValue).filter { !validKeys.contains($0) }
        guard let first = unknown.min() else { return }
        throw error(
            UnknownKeyMessage.make(noun: "key", key: first, validKeys: validKeys, validIntroduction: validIntroduction)
        )
    }

    /// Reads `parameters`, naming the first parameter whose value is not a number, string or
    /// Boolean. Returns `nil` when the member is absent or null.
    func parameters() throws -> [String: ParameterValue]? {
        let key = MemberKey("parameters")
        guard container.contains(key), (try? container.decodeNil(forKey: key)) != true else { return nil }
        guard let object = try? container.nestedContainer(keyedBy: MemberKey.self, forKey: key) else {
            throw error("\"parameters\" must be an object whose values are numbers, strings or booleans")
        }
        var values: [String: ParameterValue] = [:]
        for member in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            if (try? object.decodeNil(forKey: member)) == true {
                throw error("parameter \"\(member.stringValue)\" is null; set it to a number, a string or a boolean")
            }
            guard let value = try? object.decode(ParameterValue.self, forKey: member) else {
                throw error(
                    "parameter \"\(member.stringValue)\" is an array or an object; set it to a number, a string or a boolean"
                )
            }
            values[member.stringValue] = value
        }
        return values
    }

    func required<Value: Decodable>(_ key: String, as type: Value.Type, expected: String) throws -> Value {
        guard container.contains(MemberKey(key)) else {
            throw error("missing \"\(key)\"; add it")
        }
        guard let value = try optional(key, as: type, expected: expected) else {
            throw error("\"\(key)\" is null; set it to \(expected)")
        }
        return value
    }

    /// Decodes `key`, or returns `nil` when it is absent or null. A ``FeatureSetError`` from a
    /// nested object passes through unchanged.
    func optional<Value: Decodable>(_ key: String, as type: Value.Type, expected: String) throws -> Value? {
        do {
            return try container.decodeIfPresent(type, forKey: MemberKey(key))
        } catch let error as FeatureSetError {
            throw error
        } catch is DecodingError {
            throw error("\"\(key)\" must be \(expected)")
        } catch {
            // Foundation (Swift 6.3 on Linux) reports a number the type cannot hold, such as 1.5 or
            // 1e19 for an integer, with an error type of its own instead of a DecodingError.
            throw self.error("\"\(key)\" must be \(expected); the number has a fraction or is outside the 64-bit range")
        }
    }
}

extension FeatureSetDocument {
    /// Checks the JSON syntax, then decodes the document. The check comes first because
    /// Foundation's decoder (Swift 6.3 on Linux) reports neither what nor where a syntax error is.
    static func decode(_ jsonBytes: [UInt8]) throws(FeatureSetError) -> FeatureSetDocument {
        // Editors on some systems save a UTF-8 byte order mark, which RFC 8259 lets parsers ignore.
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let bytes = jsonBytes.starts(with: byteOrderMark) ? Array(jsonBytes.dropFirst(3)) : jsonBytes
        // Some Windows editors save "Unicode" as UTF-16 with a byte order mark.
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw FeatureSetError(
                feature: nil,
                "the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8"
            )
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw FeatureSetError(
                feature: nil,
                "the document is empty; write {\"name\": ..., \"version\": ..., \"features\": [...]}"
            )
        }
        if let syntaxError = bytes.withUnsafeBytes({ JSONDocumentCheck.syntaxError(in: $0) }) {
            throw FeatureSetError(
                feature: nil,
                "the document is not valid JSON: \(syntaxError); correct the syntax at that position"
            )
        }
        // A feature set nests four levels (set, features, feature, parameters); Foundation's decoder
        // gives up at about 512 without saying where.
        if let nesting = bytes.withUnsafeBytes({ JSONDocumentCheck.nestingError(in: $0, maximumDepth: 64) }) {
            throw FeatureSetError(feature: nil, "the document has \(nesting); a feature set needs at most 4 levels")
        }
        if let duplicate = bytes.withUnsafeBytes({ JSONDocumentCheck.duplicateMemberName(in: $0) }) {
            throw FeatureSetError(feature: nil, "\(duplicate); remove one of them, because only one would be used")
        }
        if let number = bytes.withUnsafeBytes({ JSONDocumentCheck.unrepresentableNumber(in: $0) }) {
            throw FeatureSetError(
                feature: nil,
                "\(number); correct the number: a double keeps 15 significant digits exactly, and its size lies "
                    + "between about 1e-308 and 1.8e308"
            )
        }
        do {
            return try JSONDecoder().decode(FeatureSetDocument.self, from: Data(bytes))
        } catch let error as FeatureSetError {
            throw error
        } catch let DecodingError.dataCorrupted(context), let DecodingError.keyNotFound(_, context),
            let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context)
        {
            // The member decoders convert their own failures, so this is a value Foundation
            // cannot represent, such as a number out of range.
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            throw FeatureSetError(
                feature: nil,
                "the document does not match the feature set format at \(path.isEmpty ? "the top level" : path): "
                    + context.debugDescription
            )
        } catch {
            throw FeatureSetError(feature: nil, "the document does not match the feature set format (\(error))")
        }
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
