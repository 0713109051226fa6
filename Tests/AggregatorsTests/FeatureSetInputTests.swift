import Aggregators
import Foundation
import StreamCore
import Testing

/// Feature set documents with misspelled keys, wrong types and broken JSON: each is rejected
/// with a message that names the key or the position, and the fix.
@Suite struct FeatureSetInputTests {
    static let views =
        #"{"name":"views","kind":"window","aggregator":"count","event_type":"view","size_ms":60000,"hop_ms":10000}"#

    static func document(_ features: String) -> [UInt8] {
        Array(#"{"name":"t","version":1,"features":[\#(features)]}"#.utf8)
    }

    static func loadError(_ bytes: [UInt8]) -> FeatureSetError? {
        do {
            _ = try FeatureSet.load(jsonBytes: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("null", "is null"),
        ("[10000]", "is an array or an object"),
        (#"{"ms": 10000}"#, "is an array or an object"),
    ])
    func nonScalarParameterIsNamed(value: String, message: String) throws {
        let feature =
            #"{"name":"long","kind":"window","aggregator":"long_dwell_count","parameters":{"min_dwell_ms":\#(value)},"#
            + #""event_type":"view","size_ms":60000,"hop_ms":10000}"#
        let error = try #require(Self.loadError(Self.document(feature)))
        #expect(error.feature == "long")
        #expect(error.message.contains(#"parameter "min_dwell_ms" \#(message)"#), "message: \(error.message)")
    }

    @Test func integerBeyondInt64IsNamed() throws {
        let feature =
            #"{"name":"long","kind":"window","aggregator":"long_dwell_count","parameters":{"min_dwell_ms":9223372036854775808},"#
            + #""event_type":"view","size_ms":60000,"hop_ms":10000}"#
        let error = try #require(Self.loadError(Self.document(feature)))
        #expect(error.message.contains("outside the 64-bit integer range"), "message: \(error.message)")
    }

    @Test func setWithoutWindowFeatureIsRejected() throws {
        let feature = #"{"name":"first","kind":"key","aggregator":"first_event_time"}"#
        let error = try #require(Self.loadError(Self.document(feature)))
        #expect(error.feature == nil)
        #expect(error.message.contains("has no window feature"), "message: \(error.message)")
    }

    @Test func misspelledEventTypeIsRejected() throws {
        let feature = Self.views.replacingOccurrences(of: "event_type", with: "event_typ")
        let error = try #require(Self.loadError(Self.document(feature)))
        #expect(error.feature == "views")
        #expect(error.message.contains(#"unknown key "event_typ""#), "message: \(error.message)")
        #expect(error.message.contains(#"did you mean "event_type"?"#), "message: \(error.message)")
        #expect(error.message.contains(#""size_ms", "hop_ms", "expression", "emit""#), "message: \(error.message)")
    }

    @Test(arguments: [
        (#""description":"views per minute""#, "description"),
        (#""window":{"size_ms":60000}"#, "window"),
        (#""Emit":false"#, "Emit"),
    ])
    func unknownFeatureKeyIsRejected(member: String, key: String) throws {
        let feature = Self.views.replacingOccurrences(of: "}", with: ",\(member)}")
        let error = try #require(Self.loadError(Self.document(feature)))
        #expect(error.feature == "views")
        #expect(error.message.contains("unknown key \"\(key)\""), "message: \(error.message)")
        #expect(error.message.contains("the valid keys of a feature are"), "message: \(error.message)")
    }

    @Test func unknownKeyOfUnnamedFeatureNamesItsIndex() throws {
        let unnamed = #"{"nmae":"likes","kind":"window","aggregator":"count","size_ms":60000,"hop_ms":10000}"#
        let error = try #require(Self.loadError(Self.document(Self.views + "," + unnamed)))
        #expect(error.feature == nil)
        #expect(error.message.contains("features[1]"), "message: \(error.message)")
        #expect(error.message.contains(#"unknown key "nmae" (did you mean "name"?)"#), "message: \(error.message)")
    }

    @Test func unknownSetKeyIsRejected() throws {
        let text = #"{"name":"t","version":1,"featurs":[\#(Self.views)],"features":[\#(Self.views)]}"#
        let error = try #require(Self.loadError(Array(text.utf8)))
        #expect(error.feature == nil)
        #expect(
            error.message.contains(#"unknown key "featurs" (did you mean "features"?)"#),
            "message: \(error.message)"
        )
        #expect(error.message.contains(#""name", "version", "features""#), "message: \(error.message)")
    }

    @Test(arguments: [
        (#""aggregator":"decayed_sum","parameters":{"half_life":1800000}"#, "half_life", "half_life_ms"),
        (
            #""aggregator":"decayed_sum","parameters":{"half_life_ms":1800000,"halflife_ms":5}"#, "halflife_ms",
            "half_life_ms"
        ),
        (#""aggregator":"mean","parameters":{"field":"dwell_ms","feild":"ts"}"#, "feild", "field"),
    ])
    func unknownParameterIsRejected(computation: String, key: String, suggestion: String) throws {
        let feature = #"{"name":"p","kind":"key",\#(computation)}"#
        let error = try #require(Self.loadError(Self.document(Self.views + "," + feature)))
        #expect(error.feature == "p")
        #expect(error.message.contains("unknown parameter \"\(key)\""), "message: \(error.message)")
        #expect(error.message.contains("did you mean \"\(suggestion)\"?"), "message: \(error.message)")
    }

    @Test func parameterOfParameterlessAggregatorIsRejected() throws {
        let feature = #"{"name":"c","kind":"key","aggregator":"count","parameters":{"field":"ts"}}"#
        let error = try #require(Self.loadError(Self.document(feature)))
        #expect(error.feature == "c")
        #expect(error.message.contains(#"aggregator "count" takes no parameters; remove "field""#))
    }

    @Test func registrationWithoutParameterListAcceptsAnyParameter() throws {
        var registry = AggregatorRegistry.builtIn
        registry.register("counter") { _ throws(FeatureSetError) in CountAggregator() }
        let feature = #"{"name":"c","kind":"key","aggregator":"counter","parameters":{"anything":1}}"#
        let set = try FeatureSet.load(jsonBytes: Self.document(Self.views + "," + feature), registry: registry)
        #expect(set.features.map(\.name) == ["views", "c"])
        #expect(registry.parameterNames(of: "counter") == nil)
        #expect(registry.parameterNames(of: "decayed_sum") == ["half_life_ms"])
    }

    @Test(arguments: [
        (#""event_type":"view","size_ms":"60s","hop_ms":10000"#, "\"size_ms\" must be an integer"),
        (#""size_ms":60000,"hop_ms":10000,"emit":"false""#, "\"emit\" must be true or false"),
        (#""event_type":["view"],"size_ms":60000,"hop_ms":10000"#, "\"event_type\" must be a string"),
        (#""parameters":[1],"size_ms":60000,"hop_ms":10000"#, "\"parameters\" must be an object"),
    ])
    func wrongMemberTypeNamesTheKey(members: String, message: String) throws {
        let feature = #"{"name":"views","kind":"window","aggregator":"count",\#(members)}"#
        let error = try #require(Self.loadError(Self.document(feature)))
        #expect(error.feature == "views")
        #expect(error.message.contains(message), "message: \(error.message)")
    }

    @Test func missingMemberIsNamed() throws {
        let error = try #require(Self.loadError(Array(#"{"name":"t","features":[]}"#.utf8)))
        #expect(error.feature == nil)
        #expect(error.message.contains(#"missing "version""#), "message: \(error.message)")
    }

    @Test func syntaxErrorNamesLineAndColumn() throws {
        let text = """
            {"name": "t", "version": 1,
             "features": [
              {"name": "views", "kind": "window",, "aggregator": "count"}
            ]}
            """
        let error = try #require(Self.loadError(Array(text.utf8)))
        #expect(error.feature == nil)
        #expect(error.message.contains("not valid JSON"), "message: \(error.message)")
        #expect(error.message.contains("found ','"), "message: \(error.message)")
        #expect(error.message.contains("line 3, column 38"), "message: \(error.message)")
        #expect(!error.message.contains("dataCorrupted"), "message: \(error.message)")
    }

    @Test(arguments: [
        (#"{"name":"t","version":1,"features":[]"#, "the end of the input"),
        (#"{"name":"t","version":1,"features":[]} trailing"#, "the end of the document"),
        (#"{'name':'t'}"#, "a member name in double quotes"),
    ])
    func malformedDocumentIsExplained(text: String, expected: String) throws {
        let error = try #require(Self.loadError(Array(text.utf8)))
        #expect(error.message.contains("not valid JSON"), "message: \(error.message)")
        #expect(error.message.contains(expected), "message: \(error.message)")
        #expect(error.message.contains("line 1, column"), "message: \(error.message)")
    }

    @Test(arguments: ["", "  \n"])
    func emptyDocumentIsExplained(text: String) throws {
        let error = try #require(Self.loadError(Array(text.utf8)))
        #expect(error.message.contains("the document is empty"), "message: \(error.message)")
    }

    @Test func arrayDocumentIsExplained() throws {
        let error = try #require(Self.loadError(Array("[\(Self.views)]".utf8)))
        #expect(error.message.contains("not a JSON object"), "message: \(error.message)")
    }

    @Test func byteOrderMarkIsIgnored() throws {
        let set = try FeatureSet.load(jsonBytes: [0xEF, 0xBB, 0xBF] + Self.document(Self.views))
        #expect(set.features.map(\.name) == ["views"])
    }

    @Test func documentedExampleStillLoads() throws {
        let text = """
            {"name": "meme_reach", "version": 1, "features": [
              {"name": "views_5m", "kind": "window", "aggregator": "count", "event_type": "view",
               "size_ms": 300000, "hop_ms": 10000, "emit": true},
              {"name": "mean_dwell", "kind": "key", "aggregator": "mean", "parameters": {"field": "dwell_ms"}},
              {"name": "hot_score", "kind": "clock", "aggregator": "decayed_sum",
               "parameters": {"half_life_ms": 1800000}, "event_type": "share"}
            ]}
            """
        let set = try FeatureSet.load(jsonBytes: Array(text.utf8))
        #expect(set.features.map(\.name) == ["views_5m", "mean_dwell", "hot_score"])
    }

    @Test(arguments: [
        (#""parameters":{"half_life_ms":1000}"#, "parameters"),
        (#""event_type":"view""#, "event_type"),
        (#""size_ms":60000,"hop_ms":10000"#, "size_ms"),
        (#""hop_ms":10000"#, "hop_ms"),
    ])
    func aggregatorKeyOnExpressionIsRejected(member: String, key: String) throws {
        let feature = #"{"name":"rate","kind":"derived","expression":"views / 2",\#(member)}"#
        let error = try #require(Self.loadError(Self.document(Self.views + "," + feature)))
        #expect(error.feature == "rate")
        #expect(error.message.contains("\"\(key)\" applies only to a feature with an aggregator"))
    }

    @Test func nonObjectFeatureNamesItsIndex() throws {
        let error = try #require(Self.loadError(Self.document(Self.views + #","views_1m""#)))
        #expect(error.feature == nil)
        #expect(error.message.contains("features[1] is not a JSON object"), "message: \(error.message)")
    }

    @Test func repeatedKeyIsRejected() throws {
        let feature = Self.views.replacingOccurrences(of: "}", with: #","event_type":"like"}"#)
        let error = try #require(Self.loadError(Self.document(feature)))
        #expect(error.feature == nil)
        #expect(error.message.contains(#"member "event_type" appears twice in one object"#), "\(error.message)")
        #expect(error.message.contains("at line 1, column"), "message: \(error.message)")
    }
}
