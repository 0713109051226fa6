import Aggregators
import StreamCore
import Testing

@Suite struct DocumentedExampleTests {
    /// The example of docs/features.md, "Adding an aggregator", checked the way the page describes.
    @Test func registeredAggregatorRunsInFeatureSet() throws {
        let definition = #"""
            {"name": "dwell", "version": 1, "features": [
              {"name": "long_views_1m", "kind": "window", "aggregator": "long_dwell_count",
               "parameters": {"min_dwell_ms": 10000}, "event_type": "view", "size_ms": 60000, "hop_ms": 10000}
            ]}
            """#
        let featureSet = try FeatureSet.load(jsonBytes: Array(definition.utf8))
        let events = [12_000, 4_000, 10_000].enumerated().map { index, dwell in
            Event(
                memeID: "m1",
                type: "view",
                eventTime: EventTime(rawValue: 1_700_000_001_000 + Int64(index)),
                dwellMilliseconds: Int64(dwell)
            )
        }
        try verifyAggregator(
            LongDwellCountAggregator(minimumDwellMilliseconds: 10_000),
            cases: [AggregatorVerificationCase(name: "three views", events: events, tick: 1_700_000_060_000)]
        )

        let driver = TestDriver(featureSet: featureSet)
        driver.send(#"{"meme_id":"m1","type":"view","ts":1700000001000,"dwell_ms":12000}"#)
        driver.send(#"{"meme_id":"m1","type":"view","ts":1700000002000,"dwell_ms":900}"#)
        driver.advanceWatermark(to: EventTime(rawValue: 1_700_000_010_000))
        #expect(
            driver.readRecords().map(\.value) == [
                #"{"meme_id":"m1","tick":1700000010000,"feature_set":"dwell","version":1,"features":{"long_views_1m":1}}"#
            ]
        )
        #expect(driver.readRejections().isEmpty)
        #expect(!driver.hasUnreadOutput)
    }

    @Test(arguments: [
        (#"{}"#, #"parameter "min_dwell_ms" is missing"#),
        (#"{"min_dwell_ms": -1}"#, #"parameter "min_dwell_ms" is -1"#),
        (#"{"min_dwell_ms": 10, "min_dwell": 5}"#, #"unknown parameter "min_dwell""#),
    ])
    func registeredAggregatorRejectsBadParameters(parameters: String, message: String) {
        let definition =
            #"{"name": "dwell", "version": 1, "features": [{"name": "long_views_1m", "kind": "window", "#
            + #""aggregator": "long_dwell_count", "parameters": \#(parameters), "event_type": "view", "#
            + #""size_ms": 60000, "hop_ms": 10000}]}"#
        #expect {
            _ = try FeatureSet.load(jsonBytes: Array(definition.utf8))
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func builtInRegistryLacksRegisteredAggregator() {
        #expect(AggregatorRegistry.builtIn.parameterNames(of: "long_dwell_count") == nil)
        #expect(AggregatorRegistry.memestream.parameterNames(of: "long_dwell_count") == ["min_dwell_ms"])
    }

    @Test func documentedFeatureSetLoads() throws {
        let definition = #"""
            {"name": "meme_reach", "version": 1, "features": [
              {"name": "views_5m", "kind": "window", "aggregator": "count", "event_type": "view",
               "size_ms": 300000, "hop_ms": 10000},
              {"name": "users_1h", "kind": "window", "aggregator": "distinct_users",
               "size_ms": 3600000, "hop_ms": 60000},
              {"name": "shares_1h", "kind": "window", "aggregator": "count", "event_type": "share",
               "size_ms": 3600000, "hop_ms": 60000},
              {"name": "share_rate_1h", "kind": "derived",
               "expression": "shares_1h / max(1, users_1h)"},
              {"name": "first_seen_ms", "kind": "key", "aggregator": "first_event_time"},
              {"name": "hot_score", "kind": "clock", "aggregator": "decayed_sum",
               "parameters": {"half_life_ms": 1800000}, "event_type": "share"}
            ]}
            """#
        let featureSet = try FeatureSet.load(jsonBytes: Array(definition.utf8))
        #expect(featureSet.emittedFeatures.count == 6)
    }
}
