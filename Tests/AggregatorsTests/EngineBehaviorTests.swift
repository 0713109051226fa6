import Aggregators
import StreamCore
import Testing

@Suite struct EngineBehaviorTests {
    private static let base: Int64 = 1_700_006_400_000

    private func event(_ memeID: String, _ type: String, _ offset: Int64, extra: String = "") -> String {
        #"{"meme_id":"\#(memeID)","type":"\#(type)","ts":\#(Self.base + offset)\#(extra)}"#
    }

    @Test func earlyArrivalDoesNotLeakIntoEarlierTick() throws {
        let driver = TestDriver()
        driver.send(event("m1", "view", 1_000))
        // Arrives before tick base+10 s is processed but belongs to base+12 s.
        driver.send(event("m1", "view", 12_000))
        driver.send(event("m1", "view", 16_000))
        let records = driver.readRecords()
        let first = try #require(records.first)
        #expect(first.tick == EventTime(rawValue: Self.base + 10_000))
        #expect(first.value.contains(#""views_1m":1,"#))
        #expect(first.value.contains(#""last_event_ms":\#(Self.base + 1_000),"#))
        #expect(records.count == 1)
    }

    @Test func lateButAcceptedEventCountsOnlyFromNextTick() throws {
        let driver = TestDriver()
        driver.send(event("m1", "view", 1_000))
        driver.send(event("m1", "view", 60_000))  // W = base+55 s: ticks up to base+50 s close.
        _ = driver.readRecords()
        driver.send(event("m1", "like", 2_000))  // Late but within the allowed lateness.
        #expect(driver.readRecords().isEmpty, "emitted values are not revised")
        driver.advanceWatermark(to: EventTime(rawValue: Self.base + 60_000))
        let record = try #require(driver.readRecords().first)
        #expect(record.tick == EventTime(rawValue: Self.base + 60_000))
        #expect(record.value.contains(#""likes_1m":1,"#))
        #expect(driver.readRejections().isEmpty)
    }

    @Test func keysWithinTickAreInByteOrder() {
        let driver = TestDriver()
        for memeID in ["b", "a", "B", "ä", "a0"] { driver.send(event(memeID, "view", 1_000)) }
        driver.advanceWatermark(to: EventTime(rawValue: Self.base + 10_000))
        #expect(driver.readRecords().map(\.memeID) == ["B", "a", "a0", "b", "ä"])
    }

    @Test func keysBeyondTheSortPrefixAreInByteOrder() {
        // Keys share long prefixes, differ after byte 16, contain NUL bytes or end where another
        // continues, so the 16-byte prefix the engine sorts by cannot order them alone.
        let plain = [
            "meme-0000000000000000b", "meme-0000000000000000a", "meme-000000000000000", "meme-0000000000",
            "meme-00000000000", "a", "meme-0000000000000000ä", "meme-0000000000000000",
        ]
        // (as written in JSON, as decoded)
        let keys =
            plain.map { ($0, $0) } + [(#"meme-00000000000\u0000"#, "meme-00000000000\u{0}"), (#"a\u0000"#, "a\u{0}")]
        let driver = TestDriver()
        for (round, key) in (keys + keys.reversed()).enumerated() { driver.send(event(key.0, "view", Int64(round))) }
        driver.advanceWatermark(to: EventTime(rawValue: Self.base + 10_000))
        let emitted = driver.readRecords().map(\.memeID)
        let expected = keys.map(\.1).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        #expect(emitted == expected)
    }

    @Test func manyKeysInOneTickAreInByteOrder() {
        // Enough keys for the radix passes of the due-key sort: random ids, ids that share their
        // first 12 bytes (more than the insertion-sort run), and ids that are prefixes of others.
        var generator = SplitMix64(seed: 71)
        var keys: Set<String> = []
        for attempt in 0..<2_000 where keys.count < 400 {
            let number = Int.random(in: 0..<1_000_000, using: &generator)
            switch attempt % 4 {
            case 0: keys.insert("m\(number)")
            case 1: keys.insert("meme-0000000-\(number)")
            case 2: keys.insert("\(number % 97)")
            default: keys.insert(String(repeating: "z", count: 1 + number % 20))
            }
        }
        #expect(keys.count == 400)
        let driver = TestDriver()
        for (round, key) in keys.enumerated() { driver.send(event(key, "view", Int64(round % 9_000))) }
        driver.advanceWatermark(to: EventTime(rawValue: Self.base + 10_000))
        let emitted = driver.readRecords().map(\.memeID)
        let expected = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        #expect(emitted == expected)
    }

    @Test func memeIDIsEscapedInValue() throws {
        let driver = TestDriver()
        driver.send(#"{"meme_id":"q\"b\\s\nx","type":"view","ts":\#(Self.base)}"#)
        driver.advanceWatermark(to: EventTime(rawValue: Self.base + 10_000))
        let record = try #require(driver.readRecords().first)
        #expect(record.memeID == "q\"b\\s\nx")
        #expect(record.value.hasPrefix(#"{"meme_id":"q\"b\\s\nx","tick":"#))
    }

    @Test func keyMismatchIsCountedAndProcessed() {
        let driver = TestDriver()
        driver.send(event("m1", "view", 0), key: "other")
        driver.send(event("m1", "view", 0), key: "m1")
        driver.send(event("m1", "view", 0))
        let statistics = driver.engine(for: 0).statistics
        #expect(statistics.keyMismatches == 1)
        #expect(statistics.accepted == 3)
    }

    @Test func lateRejectionNamesWatermark() throws {
        let driver = TestDriver()
        driver.send(event("m1", "view", 700_000))
        driver.send(event("m1", "view", 0))
        let rejection = try #require(driver.readRejections().first)
        #expect(rejection.rejection.reason == .late)
        #expect(rejection.offset == 1)
        #expect(rejection.rejection.detail.contains(String(Self.base + 695_000)))
        // Both times are also given in RFC 3339, so a reader need not convert milliseconds.
        #expect(rejection.rejection.detail.contains("(\(LogTimestamp.rfc3339(milliseconds: Self.base)))"))
        #expect(rejection.rejection.detail.contains("(\(LogTimestamp.rfc3339(milliseconds: Self.base + 695_000)))"))
        #expect(driver.engine(for: 0).statistics.rejected[.late] == 1)
    }

    @Test func customFeatureSetWithDistinctUsers() throws {
        let definition = #"""
            {"name": "reach", "version": 3, "features": [
              {"name": "users_1m", "kind": "window", "aggregator": "distinct_users", "size_ms": 60000, "hop_ms": 10000},
              {"name": "dwell_max_1m", "kind": "window", "aggregator": "max", "parameters": {"field": "dwell_ms"},
               "event_type": "view", "size_ms": 60000, "hop_ms": 10000},
              {"name": "users_per_view", "kind": "derived", "expression": "users_1m / max(1, dwell_max_1m)"}
            ]}
            """#
        let featureSet = try FeatureSet.load(jsonBytes: Array(definition.utf8))
        let driver = TestDriver(featureSet: featureSet)
        driver.send(event("m1", "view", 1_000, extra: #","user_id":"u1","dwell_ms":4"#))
        driver.send(event("m1", "like", 2_000, extra: #","user_id":"u2""#))
        driver.send(event("m1", "view", 3_000, extra: #","user_id":"u1","dwell_ms":2"#))
        driver.advanceWatermark(to: EventTime(rawValue: Self.base + 10_000))
        let records = driver.readRecords().map(\.value)
        #expect(
            records == [
                #"{"meme_id":"m1","tick":1700006410000,"feature_set":"reach","version":3,"#
                    + #""features":{"users_1m":2,"dwell_max_1m":4,"users_per_view":0.5}}"#
            ]
        )
        driver.advanceWatermark(to: EventTime(rawValue: Self.base + 70_000))
        let tombstone = try #require(driver.readRecords().last)
        #expect(tombstone.isTombstone)
        #expect(tombstone.tick == EventTime(rawValue: Self.base + 70_000))
        #expect(driver.engine(for: 0).keyCount == 0)
    }

    @Test func featureNamesOfEveryLengthAreWritten() throws {
        // Prefixes of 29 to 33 bytes straddle the writer's 32-byte slots, and one of 125 bytes has none.
        let names = [
            "a", String(repeating: "n", count: 25), String(repeating: "o", count: 26),
            String(repeating: "p", count: 27), String(repeating: "q", count: 28), String(repeating: "r", count: 29),
            String(repeating: "s", count: 120),
        ]
        let features = names.map {
            #"{"name": "\#($0)", "kind": "window", "aggregator": "count", "size_ms": 60000, "hop_ms": 10000}"#
        }
        let definition = #"{"name": "long", "version": 1, "features": ["# + features.joined(separator: ",") + "]}"
        let featureSet = try FeatureSet.load(jsonBytes: Array(definition.utf8))
        let driver = TestDriver(featureSet: featureSet)
        driver.send(event("m1", "view", 1_000))
        driver.advanceWatermark(to: EventTime(rawValue: Self.base + 10_000))
        driver.send(event("m1", "view", 11_000))
        driver.send(event("m1", "view", 12_000))
        driver.advanceWatermark(to: EventTime(rawValue: Self.base + 20_000))
        let values = names.map { name in
            [#""\#(name)":1"#, #""\#(name)":3"#]
        }
        let records = driver.readRecords().map(\.value)
        #expect(records.count == 2)
        for (index, record) in records.enumerated() {
            let tick = Self.base + Int64(index + 1) * 10_000
            let members = values.map { $0[index] }.joined(separator: ",")
            #expect(
                record
                    == #"{"meme_id":"m1","tick":\#(tick),"feature_set":"long","version":1,"features":{"#
                    + members + "}}"
            )
        }
    }

    @Test func restoreRejectsOtherFeatureSet() throws {
        let driver = TestDriver()
        driver.send(event("m1", "view", 0))
        let state = driver.engine(for: 0).encodeState()
        let other = try FeatureSet.load(
            jsonBytes: Array(
                #"{"name":"other","version":1,"features":[{"name":"c","kind":"window","aggregator":"count","size_ms":60000,"hop_ms":10000}]}"#
                    .utf8
            )
        )
        #expect(throws: StateDecodingError.self) {
            try PartitionEngine(restoring: state, featureSet: other, configuration: EngineConfiguration())
        }
        #expect(throws: StateDecodingError.self) {
            try PartitionEngine(
                restoring: Array(state.dropLast()),
                featureSet: .memeV1,
                configuration: EngineConfiguration()
            )
        }
    }

    @Test func heavyTailedStreamStateStaysSmall() {
        // 2,000 keys with Zipf-like popularity over 30 minutes.
        var generator = SplitMix64(seed: 77)
        let driver = TestDriver()
        var clock = Self.base
        for _ in 0..<20_000 {
            clock += Int64.random(in: 0...180, using: &generator)
            let rank = Int(pow(Double.random(in: 0..<1, using: &generator), 3) * 2_000)
            driver.send(event("meme-\(rank)", Bool.random(using: &generator) ? "view" : "like", clock - Self.base))
        }
        let engine = driver.engine(for: 0)
        let perKey = engine.estimatedStateBytes() / max(1, engine.keyCount)
        // NOTE: the target is 256 bytes per active meme; this bound records the current layout.
        #expect(perKey < 700, "\(perKey) bytes per key for \(engine.keyCount) keys")
    }
}

private func pow(_ base: Double, _ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<exponent { result *= base }
    return result
}
