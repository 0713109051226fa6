import Aggregators
import Foundation
import StreamCore
import Testing

/// The definition digest in engine state distinguishes a changed feature set from the one the
/// state was written for, even when name and version stayed the same.
@Suite struct FeatureSetDigestTests {
    private static func load(_ features: String, version: Int = 1) throws -> FeatureSet {
        try FeatureSet.load(
            jsonBytes: Array(#"{"name": "s", "version": \#(version), "features": [\#(features)]}"#.utf8)
        )
    }

    private static let base =
        #"{"name": "views", "kind": "window", "aggregator": "count", "event_type": "view", "#
        + #""size_ms": 60000, "hop_ms": 10000}, {"name": "dwell", "kind": "window", "aggregator": "mean", "#
        + #""parameters": {"field": "dwell_ms"}, "size_ms": 60000, "hop_ms": 10000}, "#
        + #"{"name": "rate", "kind": "derived", "expression": "views / 6"}"#

    /// Checkpoints of every deployed worker hold meme_v1's digest: a change to how it is computed
    /// would make all of them unusable, so it is pinned.
    @Test func memeV1DigestIsPinned() {
        #expect(FeatureSet.memeV1.definitionDigest == 0x81a7a96eff7a5294)
    }

    @Test func sameDefinitionGivesSameDigest() throws {
        let digest = try Self.load(Self.base).definitionDigest
        #expect(try Self.load(Self.base).definitionDigest == digest)
        // White space inside an expression does not change what it computes.
        let spaced = Self.base.replacingOccurrences(of: "views / 6", with: " views/6 ")
        #expect(try Self.load(spaced).definitionDigest == digest)
    }

    @Test(arguments: [
        ("hop", "\"hop_ms\": 10000}, {\"name\": \"dwell\"", "\"hop_ms\": 20000}, {\"name\": \"dwell\""),
        (
            "size", "\"size_ms\": 60000, \"hop_ms\": 10000}, {\"name\": \"dwell\"",
            "\"size_ms\": 120000, \"hop_ms\": 10000}, {\"name\": \"dwell\""
        ),
        ("filter", "\"event_type\": \"view\"", "\"event_type\": \"like\""),
        ("aggregator", "\"aggregator\": \"mean\"", "\"aggregator\": \"sum\""),
        ("parameter", "\"field\": \"dwell_ms\"", "\"field\": \"published_at\""),
        ("expression", "views / 6", "views / 5"),
        ("emit", "\"expression\": \"views / 6\"}", "\"expression\": \"views / 6\", \"emit\": true}"),
        ("name", "{\"name\": \"rate\"", "{\"name\": \"view_rate\""),
    ])
    func changedDefinitionGivesOtherDigest(change: String, from: String, to: String) throws {
        let changed = Self.base.replacingOccurrences(of: from, with: to)
        #expect(changed != Self.base, "the \(change) replacement matched nothing")
        if change == "emit" {
            // "emit": true is the default, so this definition is the same one.
            #expect(try Self.load(changed).definitionDigest == Self.load(Self.base).definitionDigest)
        } else {
            #expect(try Self.load(changed).definitionDigest != Self.load(Self.base).definitionDigest, "\(change)")
        }
    }

    @Test func changedDefinitionStateRejected() throws {
        let original = try Self.load(Self.base)
        let changed = try Self.load(
            Self.base.replacingOccurrences(
                of: "\"hop_ms\": 10000}, {\"name\": \"dwell\"",
                with: "\"hop_ms\": 20000}, {\"name\": \"dwell\""
            )
        )
        let driver = TestDriver(featureSet: original)
        for second in 0..<30 {
            driver.send(#"{"meme_id":"m1","type":"view","ts":\#(1_700_000_000_000 + second * 1_000),"dwell_ms":5}"#)
        }
        let state = driver.engine(for: 0).encodeState()
        let restored = try PartitionEngine(restoring: state, featureSet: original, configuration: EngineConfiguration())
        #expect(restored.encodeState() == state)

        let error = try #require(throws: StateDecodingError.self) {
            try PartitionEngine(restoring: state, featureSet: changed, configuration: EngineConfiguration())
        }
        #expect(error.isOtherFeatureSet)
        #expect(!error.isNewerFormat)
        #expect("\(error)".contains("another definition of feature set s version 1"), "\(error)")
        #expect("\(error)".contains("hop"), "\(error)")

        let otherVersion = try Self.load(Self.base, version: 2)
        let versionError = try #require(throws: StateDecodingError.self) {
            try PartitionEngine(restoring: state, featureSet: otherVersion, configuration: EngineConfiguration())
        }
        #expect(versionError.isOtherFeatureSet)
    }
}
