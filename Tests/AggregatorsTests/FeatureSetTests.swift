import Foundation
import StreamCore
import Testing

@testable import Aggregators

@Suite struct FeatureSetTests {
    /// docs/meme_v1.json is the template users copy, so it must stay the built-in definition.
    @Test func documentedMemeV1FileMatchesBuiltIn() throws {
        // This file is <root>/Tests/AggregatorsTests/FeatureSetTests.swift.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("docs/meme_v1.json").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == FeatureSet.memeV1Definition + "\n")
    }

    @Test func memeV1EmitsFeaturesInRecordOrder() {
        let names = FeatureSet.memeV1.emittedFeatures.map(\.name)
        #expect(
            names == [
                "views_1m", "likes_1m", "views_5m", "likes_5m", "views_1h", "likes_1h", "views_24h", "likes_24h",
                "view_velocity_5m", "view_acceleration_5m", "like_rate_1h", "dwell_ms_avg_1h", "first_seen_ms",
                "last_event_ms", "published_at_ms", "age_s", "trending_score",
            ]
        )
        #expect(FeatureSet.memeV1.name == "meme_v1")
        #expect(FeatureSet.memeV1.version == 1)
        #expect(FeatureSet.memeV1.largestWindowMilliseconds == 86_400_000)
    }

    @Test func memeV1ClockFeaturesAreAgeAndTrending() {
        let clock = FeatureSet.memeV1.features.filter(\.isClock).map(\.name)
        #expect(clock == ["age_s", "trending_score"])
    }

    private static func document(_ features: String) -> [UInt8] {
        Array(#"{"name":"custom","version":2,"features":[\#(features)]}"#.utf8)
    }

    private static let views =
        #"{"name":"views","kind":"window","aggregator":"count","event_type":"view","size_ms":60000,"hop_ms":10000}"#

    @Test(arguments: [
        (
            #"{"name":"a","kind":"window","aggregator":"count","size_ms":60000,"hop_ms":15000}"#, "a",
            "not a multiple of the tick"
        ),
        (
            #"{"name":"a","kind":"window","aggregator":"count","size_ms":50000,"hop_ms":20000}"#, "a",
            "not a multiple of hop_ms"
        ),
        (#"{"name":"a","kind":"window","aggregator":"count","hop_ms":10000}"#, "a", "needs size_ms and hop_ms"),
        (
            #"{"name":"a","kind":"window","aggregator":"median","size_ms":60000,"hop_ms":10000}"#, "a",
            "unknown aggregator"
        ),
        (
            #"{"name":"a","kind":"window","aggregator":"count","event_type":"View!","size_ms":60000,"hop_ms":10000}"#,
            "a",
            "event_type"
        ),
        (views + "," + views, "views", "appears twice"),
        (#"{"name":"a","kind":"derived","expression":"missing + 1"}"#, "a", "not a feature listed before"),
        (
            #"{"name":"a","kind":"derived","expression":"later + 1"},"#
                + views.replacingOccurrences(of: "views", with: "later"), "a", "not a feature listed before"
        ),
        (#"{"name":"a","kind":"derived","expression":"tick / 1000"}"#, "a", "declare the feature"),
        (#"{"name":"a","kind":"gauge","aggregator":"count"}"#, "a", "unknown kind"),
        (#"{"name":"a","kind":"key","aggregator":"mean","parameters":{"field":"likes"}}"#, "a", "parameter \"field\""),
        (#"{"name":"a","kind":"clock","aggregator":"decayed_sum"}"#, "a", "half_life_ms"),
        (#"{"name":"a","kind":"key","aggregator":"count","expression":"1"}"#, "a", "exactly one"),
        (#"{"name":"a","kind":"derived","expression":"(1 + 2"}"#, "a", "missing )"),
    ])
    func invalidDefinitionIsRejected(feature: String, name: String, message: String) {
        do {
            _ = try FeatureSet.load(jsonBytes: Self.document(feature))
            Issue.record("accepted an invalid definition: \(feature)")
        } catch {
            #expect(error.feature == name)
            #expect(error.message.contains(message), "message: \(error.message)")
        }
    }

    @Test func setWithoutEmittedFeatureIsRejected() {
        let feature = Self.views.replacingOccurrences(of: "}", with: #","emit":false}"#)
        #expect(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Self.document(feature)) }
    }

    @Test func malformedDocumentIsRejected() {
        #expect(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Array("{\"name\":".utf8)) }
    }

    @Test func loadsDefinitionFromFileAndReportsMissingFile() throws {
        #expect(throws: FeatureSetError.self) { try FeatureSet.load(path: "/nonexistent/feature-set.json") }
    }

    @Test(arguments: [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("-4 / 8", -0.5),
        ("max(1, 5, 3) - min(4, 2)", 3.0),
        ("coalesce(x, 7)", 7.0),
        ("tick / 1000", 1_700_000_000.0),
    ])
    func expressionEvaluates(text: String, expected: Double) throws {
        let expression = try DerivedExpression.parse(text, featureName: "e", earlierFeatures: ["x"])
        #expect(expression.evaluate([.null], tick: 1_700_000_000_000) == expected)
    }

    /// A step that is not finite used to stay a float until the record was written. So
    /// `coalesce` and `min` passed infinities on while the record showed null, and `-0.0` and
    /// `0.0` compared as different vectors. The tree and the compiled program must agree.
    @Test(
        arguments: [
            ("coalesce(v / l, -1)", -1.0),
            ("min(v / l, 5)", nil),
            ("max(0 / 0, 1)", nil),
            ("max(1, 0 / 0)", nil),
            ("coalesce(v / l * 2, 2)", 2.0),
            ("0 * (v - 2)", 0.0),
            ("-l", 0.0),
            ("v / (l - 0)", nil),
        ] as [(String, Double?)]
    )
    func nonFiniteStepIsNull(text: String, expected: Double?) throws {
        let expression = try DerivedExpression.parse(text, featureName: "e", earlierFeatures: ["v", "l"])
        let values: [FeatureValue] = [.integer(1), .integer(0)]
        let tree = expression.evaluate(values, tick: 0)
        #expect(tree == expected)
        #expect(tree.map { $0.sign == .plus || $0 != 0 } ?? true, "\(text) gave -0.0")
        let program = ExpressionProgram(expression)
        defer { program.deallocate() }
        var storage = values
        let compiled = storage.withUnsafeMutableBufferPointer { program.evaluate($0.baseAddress!, tick: 0) }
        switch (compiled, expected) {
        case (.null, nil): break
        case (.float(let value), let expected?):
            #expect(value == expected && (value != 0 || value.sign == .plus), "\(text) gave \(value)")
        default: Issue.record("\(text): the program gave \(compiled), expected \(String(describing: expected))")
        }
    }

    @Test func expressionWithNullOperandIsNull() throws {
        let expression = try DerivedExpression.parse("x + 1", featureName: "e", earlierFeatures: ["x"])
        #expect(expression.evaluate([.null], tick: 0) == nil)
    }
}
