import Aggregators
import Foundation
import StreamCore
import Testing

/// Feature set documents with extreme but well-formed window sizes and expressions.
@Suite struct FeatureSetHardeningTests {
    private static func countWindow(sizeMilliseconds: Int64) -> [UInt8] {
        let text = """
            {"name":"x","version":1,"features":[{"name":"a","kind":"window","aggregator":"count",\
            "size_ms":\(sizeMilliseconds),"hop_ms":10000}]}
            """
        return Array(text.utf8)
    }

    @Test(arguments: [Int64(9_223_372_036_854_770_000), 10_000_000_010_000, 31_622_410_000])
    func hugeWindowIsRejected(sizeMilliseconds: Int64) throws {
        let error = try #require(throws: FeatureSetError.self) {
            try FeatureSet.load(jsonBytes: Self.countWindow(sizeMilliseconds: sizeMilliseconds))
        }
        #expect(error.description.contains("size_ms \(sizeMilliseconds) is longer than 31622400000 ms (366 days)"))
    }

    /// A hop of 10^13 ms put every window before the valid event-time range, so the feature never
    /// emitted; the window size limit now rejects it.
    /// Foundation's decoder read these through a double, as 1 and 60000, and loaded them.
    @Test(arguments: [
        (#""version":0.99999999999999999999"#, #""size_ms":60000"#, "0.99999999999999999999"),
        (#""version":1"#, #""size_ms":60000.00000000000001"#, "60000.00000000000001"),
    ])
    func numberWithMoreDigitsThanADoubleIsRejected(version: String, size: String, number: String) throws {
        let text =
            #"{"name":"x",\#(version),"features":[{"name":"a","kind":"window","aggregator":"count","#
            + #"\#(size),"hop_ms":10000}]}"#
        let error = try #require(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Array(text.utf8)) }
        #expect(error.description.contains("the number \(number) is not whole"), "\(error)")
        #expect(error.description.contains("15 significant digits"), "\(error)")
    }

    /// A parameter of 1e400 was reported as "is an array or an object".
    @Test func numberBeyondDoubleRangeIsNamed() throws {
        let text =
            #"{"name":"x","version":1,"features":[{"name":"a","kind":"window","aggregator":"count","#
            + #""parameters":{"min_dwell_ms":1e400},"size_ms":60000,"hop_ms":10000}]}"#
        let error = try #require(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Array(text.utf8)) }
        #expect(error.description.contains("the number 1e400 is outside the range of a double"), "\(error)")
    }

    @Test func hopBeyondTheLimitIsRejected() throws {
        let text =
            #"{"name":"x","version":1,"features":[{"name":"a","kind":"window","aggregator":"count","#
            + #""size_ms":10000000000000,"hop_ms":10000000000000}]}"#
        let error = try #require(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Array(text.utf8)) }
        #expect(error.description.contains("\"a\""), "\(error)")
    }

    private static func chain(terms: Int, separator: String) -> [UInt8] {
        let expression = Array(repeating: "v", count: terms).joined(separator: separator)
        let text = """
            {"name":"x","version":1,"features":[{"name":"v","kind":"window","aggregator":"count",\
            "size_ms":60000,"hop_ms":10000},{"name":"e","kind":"derived","expression":"\(expression)"}]}
            """
        return Array(text.utf8)
    }

    /// A chain of 100,000 terms overflowed the stack in the recursive passes over the tree.
    @Test(arguments: ["+", "*", " - "])
    func longExpressionChainIsRejected(separator: String) throws {
        let error = try #require(throws: FeatureSetError.self) {
            try FeatureSet.load(jsonBytes: Self.chain(terms: 100_000, separator: separator))
        }
        #expect(error.description.contains("more than 1024 terms"), "\(error)")
        #expect(error.description.contains("\"e\""), "\(error)")
    }

    @Test func numberTooLargeForADoubleIsRejected() throws {
        let text =
            #"{"name":"x","version":1,"features":[{"name":"v","kind":"window","aggregator":"count","#
            + #""size_ms":60000,"hop_ms":10000},{"name":"e","kind":"derived","expression":"v+"#
            + String(repeating: "9", count: 400) + #""}]}"#
        let error = try #require(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Array(text.utf8)) }
        #expect(error.description.contains("is too large for a double"), "\(error)")
    }

    /// Every record repeats the names, so a name over 255 bytes is rejected, and one of 255 loads.
    @Test(arguments: [(255, true), (256, false), (1_000_000, false)])
    func longFeatureNameLimit(bytes: Int, accepted: Bool) throws {
        let name = String(repeating: "n", count: bytes)
        let text =
            #"{"name":"x","version":1,"features":[{"name":"\#(name)","kind":"window","#
            + #""aggregator":"count","size_ms":60000,"hop_ms":10000}]}"#
        if accepted {
            #expect(try FeatureSet.load(jsonBytes: Array(text.utf8)).features[0].name == name)
        } else {
            let error = try #require(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Array(text.utf8)) }
            #expect(error.description.contains("the name has \(bytes) bytes, more than 255"), "\(error)")
            #expect(error.description.count < 400, "the message repeats the whole name")
        }
    }

    /// A name with an escape sequence would reach the terminal in every message that names it.
    @Test func controlCharacterInNameIsRejected() throws {
        let text =
            #"{"name":"x","version":1,"features":[{"name":"\u001b[2Jv","kind":"window","#
            + #""aggregator":"count","size_ms":60000,"hop_ms":10000}]}"#
        let error = try #require(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Array(text.utf8)) }
        #expect(error.description.contains("control character U+001B"), "\(error)")
        #expect(!error.description.contains("\u{1B}"), "the message carries the raw escape")
    }

    /// Many long names together make a record larger than Kafka's default limit, which every
    /// delivery would then fail: the set is rejected when it is loaded.
    @Test func recordOverKafkaLimitIsRejected() throws {
        let derived = (0..<3_999).map { index in
            let name = String(format: "d%04d", index) + String(repeating: "n", count: 250)
            return #"{"name":"\#(name)","kind":"derived","expression":"v"}"#
        }
        let text =
            #"{"name":"x","version":1,"features":[{"name":"v","kind":"window","aggregator":"count","#
            + #""size_ms":60000,"hop_ms":10000},"# + derived.joined(separator: ",") + "]}"
        let error = try #require(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Array(text.utf8)) }
        #expect(error.description.contains("more than 1000000, Kafka's default largest record"), "\(error)")
        // meme_v1's records are far below it.
        #expect(FeatureSet.memeV1.maximumRecordBytes < 10_000)
    }

    @Test func longSetNameIsRejected() throws {
        let text =
            #"{"name":"\#(String(repeating: "s", count: 300))","version":1,"features":[{"name":"v","#
            + #""kind":"window","aggregator":"count","size_ms":60000,"hop_ms":10000}]}"#
        let error = try #require(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Array(text.utf8)) }
        #expect(error.description.contains("the set name has 300 bytes, more than 255"), "\(error)")
    }

    @Test func expressionOf1024TermsIsAccepted() throws {
        let set = try FeatureSet.load(jsonBytes: Self.chain(terms: 1_024, separator: "+"))
        #expect(set.features.count == 2)
    }

    /// Foundation's decoder failed on this without a position ("not valid JSON").
    @Test func deepNestingNamesItsPosition() throws {
        let nested = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let text = #"{"name":"x","version":1,"features":[],"extra":"# + nested + "}"
        let error = try #require(throws: FeatureSetError.self) { try FeatureSet.load(jsonBytes: Array(text.utf8)) }
        #expect(error.description.contains("nested deeper than 64 levels at line 1, column "), "\(error)")
    }

    /// Brackets inside strings, escaped quotes included, do not count as nesting.
    @Test func bracketsInStringsAreNotNesting() {
        let text = #"{"a":"[[[[\"{{{{","b":[{"c":"]]]]"}]}"#
        let error = Array(text.utf8).withUnsafeBytes { JSONDocumentCheck.nestingError(in: $0, maximumDepth: 3) }
        #expect(error == nil)
        let deeper = Array(text.utf8).withUnsafeBytes { JSONDocumentCheck.nestingError(in: $0, maximumDepth: 2) }
        #expect(deeper?.column == 24)
    }

    @Test func largestWindowIsAccepted() throws {
        let set = try FeatureSet.load(jsonBytes: Self.countWindow(sizeMilliseconds: 31_622_400_000))
        #expect(set.largestWindowMilliseconds == 31_622_400_000)
    }
}

/// Windows whose panes the engine cannot pack are named at load, with a hop that packs them.
@Suite struct FeatureSetWindowCostTests {
    @Test func memeV1HasNoCostlyWindow() {
        #expect(FeatureSet.memeV1.windowCosts(tickMilliseconds: 10_000, delayMilliseconds: 605_000).isEmpty)
    }

    @Test func sevenDaysAtTenSecondsIsNamed() throws {
        let text =
            #"{"name":"x","version":1,"features":[{"name":"views_7d","kind":"window","aggregator":"count","#
            + #""size_ms":604800000,"hop_ms":10000}]}"#
        let set = try FeatureSet.load(jsonBytes: Array(text.utf8))
        let costs = set.windowCosts(tickMilliseconds: 10_000, delayMilliseconds: 605_000)
        let cost = try #require(costs.first)
        #expect(costs.count == 1)
        #expect(cost.feature == "views_7d")
        #expect(cost.panes == 60_542)
        #expect(cost.packedHopMilliseconds == 2_400_000)
        #expect(cost.description.contains("a hop of 2400000 ms keeps it to 256"), "\(cost)")
    }
}
