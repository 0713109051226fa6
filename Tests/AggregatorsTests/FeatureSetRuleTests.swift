import Aggregators
import StreamCore
import Testing

/// Rules a feature set must follow so that its records match its definition, found by a break-it
/// trial and a feature developer's trial (2026-12-06).
@Suite struct FeatureSetRuleTests {
    private static let views =
        #"{"name":"views","kind":"window","aggregator":"count","event_type":"view","size_ms":60000,"hop_ms":10000}"#

    private static func load(_ features: String, name: String = "custom") throws -> FeatureSet {
        try FeatureSet.load(jsonBytes: Array(#"{"name":"\#(name)","version":1,"features":[\#(features)]}"#.utf8))
    }

    private static func failure(_ features: String, name: String = "custom") throws -> String {
        try #require(throws: FeatureSetError.self) { try load(features, name: name) }.description
    }

    /// `views-1` loaded, and an expression `views-1` then read as `views - 1`.
    @Test(arguments: ["views-1", "a b", "1x", "\u{E9}", "e\u{301}", "x.y"])
    func nonIdentifierNameRejected(name: String) throws {
        let feature = Self.views.replacingOccurrences(of: #""name":"views""#, with: #""name":"\#(name)""#)
        let message = try Self.failure(feature)
        #expect(message.contains("the name is not an identifier"), "\(message)")
    }

    @Test func upperCaseNamesWorkInExpressions() throws {
        let feature = Self.views.replacingOccurrences(of: #""name":"views""#, with: #""name":"Views_5m""#)
        let set = try Self.load(feature + #",{"name":"half","kind":"derived","expression":"Views_5m / 2"}"#)
        #expect(set.features.map(\.name) == ["Views_5m", "half"])
    }

    /// The names as written in the JSON file, with JSON escapes.
    @Test(arguments: [#"a\u0000b"#, #"red\u001b[31m"#, #"caf\u00e9"#, "two words", ""])
    func invalidSetNameRejected(name: String) throws {
        let message = try Self.failure(Self.views, name: name)
        #expect(message.contains("set name"), "\(message)")
        #expect(!message.unicodeScalars.contains { $0.value < 0x20 }, "\(message)")
    }

    @Test func setNameWithTopicCharactersLoads() throws {
        #expect(try Self.load(Self.views, name: "meme_v2.test-A").name == "meme_v2.test-A")
    }

    /// A decayed sum changes between events, but window and key features are compared for
    /// emission only when their events change: one record, then nothing until the tombstone.
    @Test(arguments: [
        #"{"name":"score","kind":"key","aggregator":"decayed_sum","parameters":{"half_life_ms":3600000}}"#,
        #"{"name":"score","kind":"window","aggregator":"decayed_sum","parameters":{"half_life_ms":3600000},"size_ms":60000,"hop_ms":10000}"#,
    ])
    func tickReaderNeedsClockKind(feature: String) throws {
        let message = try Self.failure(Self.views + "," + feature)
        #expect(message.contains("reads the tick"), "\(message)")
        #expect(message.contains(#"declare the feature "kind": "clock""#), "\(message)")
    }

    @Test func tickReadingAggregatorAsClockLoads() throws {
        let clock = #"{"name":"score","kind":"clock","aggregator":"decayed_sum","parameters":{"half_life_ms":3600000}}"#
        #expect(try Self.load(Self.views + "," + clock).features.count == 2)
    }

    /// The comparable vector was empty, so each key got one record in its life.
    @Test func setEmittingOnlyClockFeaturesIsRejected() throws {
        let hidden = Self.views.replacingOccurrences(of: "}", with: #","emit":false}"#)
        let clock = #"{"name":"score","kind":"clock","aggregator":"decayed_sum","parameters":{"half_life_ms":3600000}}"#
        let message = try Self.failure(hidden + "," + clock)
        #expect(message.contains("emits only clock features"), "\(message)")
    }

    /// A name of megabytes in an expression was repeated in full in the message.
    @Test func longValuesAreCutInMessages() throws {
        let long = String(repeating: "q", count: 1_000_000)
        let derived = #"{"name":"d","kind":"derived","expression":"\#(long) + 1"}"#
        let message = try Self.failure(Self.views + "," + derived)
        #expect(message.utf8.count < 3_000, "\(message.utf8.count) bytes")
        #expect(message.contains("more bytes)"), "\(message.prefix(300))")
        let escaped = try Self.failure(Self.views + #",{"name":"d","kind":"derived","expression":"views \u001b[2J"}"#)
        #expect(!escaped.unicodeScalars.contains { $0.value == 0x1B }, "\(escaped)")
    }

    /// A window feature with only an expression got the message that size_ms "applies only to a
    /// feature with an aggregator".
    @Test func windowFeatureWithExpressionIsNamed() throws {
        let feature = #"{"name":"w","kind":"window","expression":"views / 2","size_ms":60000,"hop_ms":10000}"#
        let message = try Self.failure(Self.views + "," + feature)
        #expect(message.contains("a window feature needs an aggregator, not an expression"), "\(message)")
    }

    @Test func utf16FileIsNamed() throws {
        let text = #"{"name":"s","version":1,"features":[]}"#
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf8.flatMap { [$0, 0] }
        let error = try #require(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: bytes) }
        #expect(error.description.contains("UTF-16"), "\(error)")
    }

    /// A long chain of names resolved each name by a linear search over the earlier features.
    @Test func longExpressionsLoadFast() throws {
        var features = [Self.views]
        for index in 1..<400 {
            let terms = (0..<200).map { _ in index == 1 ? "views" : "f\(index - 1)" }.joined(separator: " + ")
            features.append(#"{"name":"f\#(index)","kind":"derived","expression":"\#(terms)"}"#)
        }
        #expect(try Self.load(features.joined(separator: ",")).features.count == 400)
    }

    /// An aggregator whose encoding changed must not restore the old bytes: its state format
    /// version enters the digest. Version 1 adds nothing, so existing digests stay as they are.
    @Test func stateVersionChangesDigest() throws {
        var registry = AggregatorRegistry.memestream
        registry.register("versioned_count") { _ throws(FeatureSetError) in VersionedCount(version: 1) }
        let feature =
            #"{"name":"n","kind":"window","aggregator":"versioned_count","size_ms":60000,"hop_ms":10000}"#
        let document = Array(#"{"name":"s","version":1,"features":[\#(feature)]}"#.utf8)
        let first = try FeatureSet.load(jsonBytes: document, registry: registry).definitionDigest
        registry.register("versioned_count") { _ throws(FeatureSetError) in VersionedCount(version: 2) }
        let second = try FeatureSet.load(jsonBytes: document, registry: registry).definitionDigest
        #expect(first != second)
        var plain = AggregatorRegistry.memestream
        plain.register("versioned_count") { _ throws(FeatureSetError) in CountAggregator() }
        #expect(try FeatureSet.load(jsonBytes: document, registry: plain).definitionDigest == first)
    }
}

/// A count whose state format version is set by the test.
private struct VersionedCount: Aggregator {
    var version: Int
    var emptyState: Int64 { 0 }
    var stateFormatVersion: Int { version }
    func update(_ state: inout Int64, with event: Event) { state += 1 }
    func merge(_ state: inout Int64, with other: Int64) { state += other }
    func isEmpty(_ state: Int64) -> Bool { state == 0 }
    func evaluate(_ state: Int64, at tick: Int64) -> FeatureValue { .integer(state) }
    func encode(_ state: Int64, into writer: inout StateWriter) { writer.writeInt64(state) }
    func decode(from reader: inout StateReader) throws(StateDecodingError) -> Int64 { try reader.readInt64() }
}
