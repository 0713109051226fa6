import Aggregators
import StreamCore
import Testing

/// The aggregator shown in docs/features.md, checked the way the page describes.
struct LongestDwellAggregator: Aggregator {
    var emptyState: Int64 { -1 }
    func update(_ state: inout Int64, with event: Event) {
        if let dwell = event.dwellMilliseconds { state = max(state, dwell) }
    }
    func merge(_ state: inout Int64, with other: Int64) { state = max(state, other) }
    func isEmpty(_ state: Int64) -> Bool { state < 0 }
    func evaluate(_ state: Int64, at tick: Int64) -> FeatureValue { state < 0 ? .null : .integer(state) }
    func encode(_ state: Int64, into writer: inout StateWriter) { writer.writeInt64(state) }
    func decode(from reader: inout StateReader) throws(StateDecodingError) -> Int64 {
        try reader.readInt64("longest dwell")
    }
}

@Suite struct DocumentedExampleTests {
    @Test func registeredAggregatorRunsInFeatureSet() throws {
        var registry = AggregatorRegistry.builtIn
        registry.register("longest_dwell") { _ throws(FeatureSetError) in LongestDwellAggregator() }
        let definition = #"""
            {"name": "dwell", "version": 1, "features": [
              {"name": "longest_dwell_1m", "kind": "window", "aggregator": "longest_dwell", "event_type": "view",
               "size_ms": 60000, "hop_ms": 10000}
            ]}
            """#
        let featureSet = try FeatureSet.load(jsonBytes: Array(definition.utf8), registry: registry)
        let events = [400, 900, 200].enumerated().map { index, dwell in
            Event(
                memeID: "m1",
                type: "view",
                eventTime: EventTime(rawValue: 1_700_000_001_000 + Int64(index)),
                dwellMilliseconds: Int64(dwell)
            )
        }
        try verifyAggregator(
            LongestDwellAggregator(),
            cases: [AggregatorVerificationCase(name: "three views", events: events, tick: 1_700_000_060_000)]
        )

        let driver = TestDriver(featureSet: featureSet)
        driver.send(#"{"meme_id":"m1","type":"view","ts":1700000001000,"dwell_ms":900}"#)
        driver.advanceWatermark(to: EventTime(rawValue: 1_700_000_010_000))
        #expect(
            driver.readRecords().map(\.value) == [
                #"{"meme_id":"m1","tick":1700000010000,"feature_set":"dwell","version":1,"features":{"longest_dwell_1m":900}}"#
            ]
        )
        #expect(driver.readRejections().isEmpty)
        #expect(driver.readRecords().isEmpty)
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
