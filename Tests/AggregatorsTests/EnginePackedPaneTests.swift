import StreamCore
import Testing

@testable import Aggregators

/// Packed panes (varints, newest first) against the wide layout: switching layouts at any point,
/// restoring, large values and distant pane starts never change the output or the encoded state.
@Suite struct EnginePackedPaneTests {
    private struct Run {
        var lines: [String]
        var state: [UInt8]
        var packedColumns: [Bool]
    }

    /// Feeds `values` to a new engine, optionally with every column wide from the start, switched
    /// to the other layout before offset `switchAt`, or restored from its own state before offset
    /// `restoreAt`.
    private func run(
        _ values: [String],
        featureSet: FeatureSet = .memeV1,
        configuration: EngineConfiguration = EngineConfiguration(),
        allWide: Bool = false,
        switchAt: Int? = nil,
        restoreAt: Int? = nil,
        finalWatermark: Int64
    ) throws -> Run {
        var engine = PartitionEngine(partition: 0, featureSet: featureSet, configuration: configuration)
        if allWide {
            for column in 0..<engine.columnCount { engine.widenPanes(ofColumn: column) }
        }
        var sink = LineCollectingSink()
        for (offset, value) in values.enumerated() {
            if offset == switchAt {
                for column in 0..<engine.columnCount {
                    if engine.plan.columns[column].isPacked {
                        engine.widenPanes(ofColumn: column)
                    } else {
                        engine.packPanes(ofColumn: column)
                    }
                }
            }
            if offset == restoreAt {
                engine = try PartitionEngine(
                    restoring: engine.encodeState(),
                    featureSet: featureSet,
                    configuration: configuration
                )
            }
            engine.process(json: value, offset: offset, into: &sink)
        }
        let state = engine.encodeState()
        engine.advanceWatermark(to: EventTime(rawValue: finalWatermark), into: &sink)
        return Run(
            lines: sink.lines,
            state: state,
            packedColumns: engine.plan.columns.map(\.isPacked)
        )
    }

    /// Returns a feature set with a window column of every built-in aggregator that a window
    /// feature may use (`decayed_sum` reads the tick, so only clock features use it).
    private func everyAggregator() throws -> FeatureSet {
        let definition = #"""
            {"name": "every_aggregator", "version": 1, "features": [
              {"name": "views_10m", "kind": "window", "aggregator": "count", "event_type": "view", "size_ms": 600000, "hop_ms": 60000},
              {"name": "dwell_sum_10m", "kind": "window", "aggregator": "sum", "parameters": {"field": "dwell_ms"}, "event_type": "view", "size_ms": 600000, "hop_ms": 60000},
              {"name": "dwell_mean_10m", "kind": "window", "aggregator": "mean", "parameters": {"field": "dwell_ms"}, "size_ms": 600000, "hop_ms": 60000},
              {"name": "dwell_min_10m", "kind": "window", "aggregator": "min", "parameters": {"field": "dwell_ms"}, "size_ms": 600000, "hop_ms": 60000},
              {"name": "dwell_max_10m", "kind": "window", "aggregator": "max", "parameters": {"field": "dwell_ms"}, "size_ms": 600000, "hop_ms": 120000},
              {"name": "first_10m", "kind": "window", "aggregator": "first_event_time", "size_ms": 600000, "hop_ms": 60000},
              {"name": "last_10m", "kind": "window", "aggregator": "last_event_time", "size_ms": 600000, "hop_ms": 60000},
              {"name": "users_10m", "kind": "window", "aggregator": "distinct_users", "size_ms": 600000, "hop_ms": 60000}
            ]}
            """#
        return try FeatureSet.load(jsonBytes: Array(definition.utf8))
    }

    @Test func packedPanesMatchWidePanes() throws {
        let events = syntheticEvents(seed: 51, count: 600, keys: 12).map(\.json)
        let finalWatermark: Int64 = 1_700_000_000_000 + 40 * 86_400_000
        let packed = try run(events, finalWatermark: finalWatermark)
        let wide = try run(events, allWide: true, finalWatermark: finalWatermark)
        #expect(packed.lines == wide.lines)
        #expect(packed.state == wide.state)
        #expect(packed.lines.count > 100)
        #expect(packed.packedColumns.filter { $0 }.count == 7, "meme_v1 has seven window columns")
        #expect(!wide.packedColumns.contains(true))
    }

    @Test func everyBuiltInAggregatorPacksLikeWide() throws {
        let featureSet = try everyAggregator()
        let events = syntheticEvents(seed: 57, count: 900, keys: 9).map(\.json)
        let finalWatermark: Int64 = 1_700_000_000_000 + 40 * 86_400_000
        let packed = try run(events, featureSet: featureSet, finalWatermark: finalWatermark)
        let wide = try run(events, featureSet: featureSet, allWide: true, finalWatermark: finalWatermark)
        #expect(packed.lines == wide.lines)
        #expect(packed.state == wide.state)
        #expect(packed.lines.count > 100)
        // distinct_users keeps a sketch outside the block, which has no packed layout.
        #expect(packed.packedColumns.filter { $0 }.count == packed.packedColumns.count - 1)
    }

    @Test(arguments: [100, 300, 500])
    func switchingLayoutMidStreamKeepsOutput(switchAt: Int) throws {
        let events = syntheticEvents(seed: 54, count: 600, keys: 12).map(\.json)
        let finalWatermark: Int64 = 1_700_000_000_000 + 40 * 86_400_000
        let packed = try run(events, finalWatermark: finalWatermark)
        let widened = try run(events, switchAt: switchAt, finalWatermark: finalWatermark)
        let repacked = try run(events, allWide: true, switchAt: switchAt, finalWatermark: finalWatermark)
        #expect(widened.lines == packed.lines)
        #expect(widened.state == packed.state)
        #expect(!widened.packedColumns.contains(true))
        #expect(repacked.lines == packed.lines)
        #expect(repacked.state == packed.state)
        #expect(repacked.packedColumns == packed.packedColumns)
    }

    /// Returns a random stream whose view at offset 300 has a dwell above 2^32 ms, and a
    /// watermark two days after its last event.
    private func streamWithLargeDwell(seed: UInt64) -> (values: [String], finalWatermark: Int64) {
        var events = syntheticEvents(seed: seed, count: 600, keys: 12)
        events[300].type = "view"
        events[300].dwell = 5_000_000_000
        return (events.map(\.json), events.last!.ts + 2 * 86_400_000)
    }

    @Test func largeDwellStaysPacked() throws {
        let (values, finalWatermark) = streamWithLargeDwell(seed: 52)
        let packed = try run(values, finalWatermark: finalWatermark)
        let wide = try run(values, allWide: true, finalWatermark: finalWatermark)
        #expect(packed.lines == wide.lines)
        #expect(packed.state == wide.state)
        #expect(packed.packedColumns.filter { $0 }.count == 7)
    }

    @Test(arguments: [150, 301, 450])
    func restoreKeepsOutput(restoreAt: Int) throws {
        let (values, finalWatermark) = streamWithLargeDwell(seed: 53)
        let straight = try run(values, finalWatermark: finalWatermark)
        let restored = try run(values, restoreAt: restoreAt, finalWatermark: finalWatermark)
        #expect(restored.lines == straight.lines)
        #expect(restored.state == straight.state)
        #expect(restored.packedColumns.filter { $0 }.count == 7)
    }

    @Test(arguments: [200, 450, 700])
    func restoreKeepsOutputForEveryAggregator(restoreAt: Int) throws {
        let featureSet = try everyAggregator()
        let events = syntheticEvents(seed: 58, count: 900, keys: 9).map(\.json)
        let finalWatermark: Int64 = 1_700_000_000_000 + 40 * 86_400_000
        let straight = try run(events, featureSet: featureSet, finalWatermark: finalWatermark)
        let restored = try run(events, featureSet: featureSet, restoreAt: restoreAt, finalWatermark: finalWatermark)
        #expect(restored.lines == straight.lines)
        #expect(restored.state == straight.state)
    }

    @Test func distantPaneStartsStayPacked() throws {
        let definition = #"""
            {"name": "seconds", "version": 1, "features": [
              {"name": "views_10s", "kind": "window", "aggregator": "count", "event_type": "view",
               "size_ms": 10000, "hop_ms": 1000}
            ]}
            """#
        let featureSet = try FeatureSet.load(jsonBytes: Array(definition.utf8), tickMilliseconds: 1_000)
        var configuration = EngineConfiguration()
        configuration.tickMilliseconds = 1_000
        // A lateness of a minute keeps the column under the packing limit (about 77 panes).
        configuration.allowedLatenessMilliseconds = 60_000
        // Panes of different counts before a jump of 4.3 × 10^12 ms, so that each must keep its own count.
        let values = [
            #"{"meme_id":"m1","type":"view","ts":1700000000100}"#,
            #"{"meme_id":"m1","type":"view","ts":1700000000200}"#,
            #"{"meme_id":"m1","type":"view","ts":1700000000300}"#,
            #"{"meme_id":"m2","type":"view","ts":1700000000400}"#,
            #"{"meme_id":"m2","type":"view","ts":1700000000500}"#,
            #"{"meme_id":"m3","type":"view","ts":1700000000600}"#,
            #"{"meme_id":"m1","type":"view","ts":1700000001600}"#,
            #"{"meme_id":"m1","type":"view","ts":6000000000500}"#,
            #"{"meme_id":"m1","type":"view","ts":6000000001500}"#,
        ]
        let packed = try run(
            values,
            featureSet: featureSet,
            configuration: configuration,
            finalWatermark: 6_000_000_100_000
        )
        let wide = try run(
            values,
            featureSet: featureSet,
            configuration: configuration,
            allWide: true,
            finalWatermark: 6_000_000_100_000
        )
        #expect(packed.lines == wide.lines)
        #expect(packed.state == wide.state)
        #expect(packed.packedColumns == [true])
        #expect(packed.lines.contains { $0.contains(#""views_10s":2"#) })
    }

    @Test func columnsWithManyPanesPerKeyStayWide() throws {
        let definition = #"""
            {"name": "seconds", "version": 1, "features": [
              {"name": "views_1m", "kind": "window", "aggregator": "count", "event_type": "view",
               "size_ms": 60000, "hop_ms": 1000},
              {"name": "views_1h", "kind": "window", "aggregator": "count", "event_type": "view",
               "size_ms": 3600000, "hop_ms": 60000}
            ]}
            """#
        let featureSet = try FeatureSet.load(jsonBytes: Array(definition.utf8), tickMilliseconds: 1_000)
        var configuration = EngineConfiguration()
        configuration.tickMilliseconds = 1_000
        // The 1 s hop column may have (60 s + 10 min + 5 s) / 1 s + 2 = 667 panes, so it is wide.
        // The 1 min hop column has at most about 72, so it is packed.
        let engine = PartitionEngine(partition: 0, featureSet: featureSet, configuration: configuration)
        #expect(engine.plan.columns.map(\.isPacked) == [false, true])
        let memeV1 = PartitionEngine(partition: 0, featureSet: .memeV1, configuration: EngineConfiguration())
        let memeV1Packed = memeV1.plan.columns.filter { $0.isWindow }.map { $0.isPacked }
        #expect(memeV1Packed == Array(repeating: true, count: 7))
        // Both layouts in one engine give what the wide layout alone gives.
        let events = syntheticEvents(seed: 59, count: 700, keys: 6).map(\.json)
        let finalWatermark: Int64 = 1_700_000_000_000 + 40 * 86_400_000
        let mixed = try run(
            events,
            featureSet: featureSet,
            configuration: configuration,
            finalWatermark: finalWatermark
        )
        let wide = try run(
            events,
            featureSet: featureSet,
            configuration: configuration,
            allWide: true,
            finalWatermark: finalWatermark
        )
        #expect(mixed.lines == wide.lines)
        #expect(mixed.state == wide.state)
        #expect(mixed.lines.count > 100)
    }

    /// A state of 32 words, each growing with its own factor, so that a pane takes up to 320 bytes.
    private struct LargeState: Equatable, Sendable {
        var w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15, w16, w17, w18, w19, w20, w21, w22,
            w23, w24, w25, w26, w27, w28, w29, w30, w31: Int64

        static let empty = LargeState(
            w0: 0,
            w1: 0,
            w2: 0,
            w3: 0,
            w4: 0,
            w5: 0,
            w6: 0,
            w7: 0,
            w8: 0,
            w9: 0,
            w10: 0,
            w11: 0,
            w12: 0,
            w13: 0,
            w14: 0,
            w15: 0,
            w16: 0,
            w17: 0,
            w18: 0,
            w19: 0,
            w20: 0,
            w21: 0,
            w22: 0,
            w23: 0,
            w24: 0,
            w25: 0,
            w26: 0,
            w27: 0,
            w28: 0,
            w29: 0,
            w30: 0,
            w31: 0
        )
    }

    private struct LargeStateCount: Aggregator {
        var emptyState: LargeState { .empty }
        func update(_ state: inout LargeState, with event: Event) {
            withUnsafeMutableBytes(of: &state) { words in
                for index in 0..<32 {
                    let word = words.load(fromByteOffset: index * 8, as: Int64.self)
                    words.storeBytes(of: word &+ (Int64(1) << (index % 62)), toByteOffset: index * 8, as: Int64.self)
                }
            }
        }
        func merge(_ state: inout LargeState, with other: LargeState) {
            withUnsafeMutableBytes(of: &state) { words in
                withUnsafeBytes(of: other) { others in
                    for index in 0..<32 {
                        let sum =
                            words.load(fromByteOffset: index * 8, as: Int64.self)
                            &+ others.load(fromByteOffset: index * 8, as: Int64.self)
                        words.storeBytes(of: sum, toByteOffset: index * 8, as: Int64.self)
                    }
                }
            }
        }
        func isEmpty(_ state: LargeState) -> Bool { state == .empty }
        func evaluate(_ state: LargeState, at tick: Int64) -> FeatureValue { .integer(state.w31 &+ state.w0) }
        func encode(_ state: LargeState, into writer: inout StateWriter) {
            withUnsafeBytes(of: state) { words in
                for index in 0..<32 { writer.writeInt64(words.load(fromByteOffset: index * 8, as: Int64.self)) }
            }
        }
        func decode(from reader: inout StateReader) throws(StateDecodingError) -> LargeState {
            var state = LargeState.empty
            for index in 0..<32 {
                let word = try reader.readInt64("large state word")
                withUnsafeMutableBytes(of: &state) { $0.storeBytes(of: word, toByteOffset: index * 8, as: Int64.self) }
            }
            return state
        }
    }

    @Test func largeInlineStatesPackLikeWide() throws {
        var registry = AggregatorRegistry.memestream
        registry.register("large_state_count") { _ in LargeStateCount() }
        let definition = #"""
            {"name": "large", "version": 1, "features": [
              {"name": "large_10m", "kind": "window", "aggregator": "large_state_count", "size_ms": 600000, "hop_ms": 60000}
            ]}
            """#
        let featureSet = try FeatureSet.load(jsonBytes: Array(definition.utf8), registry: registry)
        let events = syntheticEvents(seed: 60, count: 500, keys: 5).map(\.json)
        let finalWatermark: Int64 = 1_700_000_000_000 + 40 * 86_400_000
        let packed = try run(events, featureSet: featureSet, finalWatermark: finalWatermark)
        let wide = try run(events, featureSet: featureSet, allWide: true, finalWatermark: finalWatermark)
        #expect(packed.packedColumns == [true])
        #expect(packed.lines == wide.lines)
        #expect(packed.state == wide.state)
        #expect(packed.lines.count > 50)
    }

    @Test func varintsRoundTripAtTheLimits() {
        let values: [Int64] = [0, 1, -1, 63, -64, 64, 127, 128, 16_383, 16_384, .max, .min, .max - 1, .min + 1]
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 8)
        defer { bytes.deallocate() }
        for value in values {
            let code = PackedPanes.zigzag(value)
            #expect(PackedPanes.unzigzag(code) == value)
            let length = PackedPanes.writeVarint(code, to: bytes, at: 0)
            #expect(length >= 1)
            #expect(length <= 10)
            var offset = 0
            #expect(PackedPanes.readVarint(bytes, &offset) == code)
            #expect(offset == length)
            offset = 0
            PackedPanes.skipVarint(bytes, &offset)
            #expect(offset == length)
        }
        #expect(PackedPanes.zigzag(0) == 0)
        #expect(PackedPanes.zigzag(-1) == 1)
        #expect(PackedPanes.zigzag(1) == 2)
    }
}
