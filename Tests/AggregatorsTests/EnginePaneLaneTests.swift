import StreamCore
import Testing

@testable import Aggregators

/// Narrow panes (32-bit lanes): widening on demand, restoring and narrowing never change the
/// output or the encoded state.
@Suite struct EnginePaneLaneTests {
    private struct Run {
        var lines: [String]
        var state: [UInt8]
        var narrowColumns: [Bool]
    }

    /// Feeds `values` to a new engine, optionally with every column wide from the start and
    /// restored from its own state before offset `restoreAt`.
    private func run(
        _ values: [String],
        featureSet: FeatureSet = .memeV1,
        configuration: EngineConfiguration = EngineConfiguration(),
        allWide: Bool = false,
        widenAt: Int? = nil,
        restoreAt: Int? = nil,
        finalWatermark: Int64
    ) throws -> Run {
        var engine = PartitionEngine(partition: 0, featureSet: featureSet, configuration: configuration)
        if allWide {
            for column in 0..<engine.columnCount { engine.widenPanes(ofColumn: column) }
        }
        var sink = LineCollectingSink()
        for (offset, value) in values.enumerated() {
            if offset == widenAt {
                for column in 0..<engine.columnCount { engine.widenPanes(ofColumn: column) }
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
            narrowColumns: engine.plan.columns.map(\.isNarrow)
        )
    }

    private func meanColumn(_ featureSet: FeatureSet = .memeV1) -> Int {
        let engine = PartitionEngine(partition: 0, featureSet: featureSet, configuration: EngineConfiguration())
        return engine.plan.columns.firstIndex { $0 is WindowColumn<MeanAggregator> }!
    }

    @Test func narrowPanesMatchWidePanes() throws {
        let events = syntheticEvents(seed: 51, count: 600, keys: 12).map(\.json)
        let finalWatermark: Int64 = 1_700_000_000_000 + 40 * 86_400_000
        let narrow = try run(events, finalWatermark: finalWatermark)
        let wide = try run(events, allWide: true, finalWatermark: finalWatermark)
        #expect(narrow.lines == wide.lines)
        #expect(narrow.state == wide.state)
        #expect(narrow.lines.count > 100)
        #expect(narrow.narrowColumns.filter { $0 }.count == 7, "meme_v1 has seven window columns")
        #expect(!wide.narrowColumns.contains(true))
    }

    /// Returns a random stream whose view at offset 300 has a dwell above 2^31 ms, which no lane holds,
    /// and a watermark two days after its last event.
    private func streamWithLargeDwell(seed: UInt64) -> (values: [String], finalWatermark: Int64) {
        var events = syntheticEvents(seed: seed, count: 600, keys: 12)
        events[300].type = "view"
        events[300].dwell = 5_000_000_000
        return (events.map(\.json), events.last!.ts + 2 * 86_400_000)
    }

    @Test(arguments: [100, 300, 500])
    func widenMidStreamKeepsOutput(widenAt: Int) throws {
        let events = syntheticEvents(seed: 54, count: 600, keys: 12).map(\.json)
        let finalWatermark: Int64 = 1_700_000_000_000 + 40 * 86_400_000
        let narrow = try run(events, finalWatermark: finalWatermark)
        let widened = try run(events, widenAt: widenAt, finalWatermark: finalWatermark)
        #expect(widened.lines == narrow.lines)
        #expect(widened.state == narrow.state)
        #expect(!widened.narrowColumns.contains(true))
    }

    @Test func largeDwellWidensMeanColumn() throws {
        let (values, finalWatermark) = streamWithLargeDwell(seed: 52)
        let narrow = try run(values, finalWatermark: finalWatermark)
        let wide = try run(values, allWide: true, finalWatermark: finalWatermark)
        #expect(narrow.lines == wide.lines)
        #expect(narrow.state == wide.state)
        #expect(narrow.narrowColumns[meanColumn()] == false)
        #expect(narrow.narrowColumns.filter { $0 }.count == 6, "the count columns stay narrow")
    }

    @Test(arguments: [150, 301, 450])
    func restoreKeepsOutput(restoreAt: Int) throws {
        let (values, finalWatermark) = streamWithLargeDwell(seed: 53)
        let straight = try run(values, finalWatermark: finalWatermark)
        let restored = try run(values, restoreAt: restoreAt, finalWatermark: finalWatermark)
        #expect(restored.lines == straight.lines)
        #expect(restored.state == straight.state)
        // The count columns are narrow again after the restore. Restored before the large dwell,
        // the mean column widens later. Restored while the large pane is in state, it stays wide,
        // because only a restore narrows a column. Restored after that pane left, it is narrow.
        #expect(restored.narrowColumns.filter { $0 }.count >= 6)
        if restoreAt <= 301 { #expect(restored.narrowColumns[meanColumn()] == false) }
    }

    @Test func distantPaneStartWidensColumn() throws {
        let definition = #"""
            {"name": "seconds", "version": 1, "features": [
              {"name": "views_10s", "kind": "window", "aggregator": "count", "event_type": "view",
               "size_ms": 10000, "hop_ms": 1000}
            ]}
            """#
        let featureSet = try FeatureSet.load(jsonBytes: Array(definition.utf8), tickMilliseconds: 1_000)
        var configuration = EngineConfiguration()
        configuration.tickMilliseconds = 1_000
        // With a 1 s hop, a lane fits pane starts up to about 10^12 + 4.29 × 10^12 ms.
        // Panes of different counts before the widening, so that each must keep its own count.
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
        let narrow = try run(
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
        #expect(narrow.lines == wide.lines)
        #expect(narrow.state == wide.state)
        #expect(narrow.narrowColumns == [false])
        #expect(narrow.lines.contains { $0.contains(#""views_10s":2"#) })
    }
}
