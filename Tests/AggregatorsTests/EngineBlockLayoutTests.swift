import StreamCore
import Testing

@testable import Aggregators

/// The packed key blocks: widening the pane counts and moving blocks never change the output.
@Suite struct EngineBlockLayoutTests {
    /// Runs a stream with many keys and returns the output, the state before the final watermark
    /// jump and the engine's pane-count width.
    private func run(
        narrowLimit: Int? = nil,
        widenAtOffsets: Set<Int> = [],
        compactAlways: Bool = false,
        restoreAtOffsets: Set<Int> = []
    ) throws -> (lines: [String], state: [UInt8], level: Int, compactions: Int) {
        var engine = PartitionEngine(partition: 0, featureSet: .memeV1, configuration: EngineConfiguration())
        if let narrowLimit { engine.narrowCountLimit = narrowLimit }
        func compactAfterEveryTick() {
            // Compact after every record that closes a tick and left any block on a free list.
            engine.compactionMinimumFreeWords = 1
            engine.compactionFreeShift = 63
        }
        if compactAlways { compactAfterEveryTick() }
        var compactions = 0
        var sink = LineCollectingSink()
        let events = syntheticEvents(seed: 41, count: 600, keys: 12, longestGapMilliseconds: 5 * 60_000)
        for (offset, event) in events.enumerated() {
            if widenAtOffsets.contains(offset) { engine.widenPaneCounts() }
            if restoreAtOffsets.contains(offset) {
                compactions += engine.compactionCount
                engine = try PartitionEngine(
                    restoring: engine.encodeState(),
                    featureSet: .memeV1,
                    configuration: EngineConfiguration()
                )
                if compactAlways { compactAfterEveryTick() }
            }
            engine.process(json: event.json, offset: offset, into: &sink)
        }
        let state = engine.encodeState()
        engine.advanceWatermark(to: EventTime(rawValue: events.last!.ts + 3 * 86_400_000), into: &sink)
        return (sink.lines, state, engine.countLevel, compactions + engine.compactionCount)
    }

    @Test func widenedPaneCountsKeepOutputAndState() throws {
        let narrow = try run()
        #expect(narrow.level == 0)
        let widenedAtStart = try run(widenAtOffsets: [0])
        let widenedMidway = try run(widenAtOffsets: [300])
        let widenedTwice = try run(widenAtOffsets: [100, 400])
        let widenedThrice = try run(widenAtOffsets: [50, 250, 450])
        // A limit of 3 units per count is reached at every level below the widest.
        let widenedOnDemand = try run(narrowLimit: 3)
        for (other, level) in [
            (widenedAtStart, 1), (widenedMidway, 1), (widenedTwice, 2), (widenedThrice, 3), (widenedOnDemand, 3),
        ] {
            #expect(other.level == level)
            #expect(other.lines == narrow.lines)
            #expect(other.state == narrow.state, "the checkpoint format does not depend on the block layout")
        }
        #expect(narrow.lines.count > 100)
    }

    @Test func compactionKeepsOutputAndState() throws {
        let plain = try run()
        #expect(plain.compactions == 0, "a small stream stays below the default threshold")
        let compacted = try run(compactAlways: true)
        #expect(compacted.compactions > 50)
        #expect(compacted.lines == plain.lines)
        #expect(compacted.state == plain.state)
        let both = try run(widenAtOffsets: [300], compactAlways: true)
        #expect(both.lines == plain.lines)
        // Restored engines decode wide panes and narrow them again, then keep compacting.
        let restored = try run(compactAlways: true, restoreAtOffsets: [150, 301, 450])
        #expect(restored.lines == plain.lines)
        #expect(restored.state == plain.state)
        #expect(restored.compactions > 50)
    }

    @Test func offsetSortMatchesComparisonSort() {
        var generator = SplitMix64(seed: 9)
        for count in [0, 1, 2, 33, 100, 5_000, 100_000] {
            // Offsets from the whole range, and from a narrow one with repeats.
            for largest in [UInt64(UInt32.max), 3_000] {
                let entries = (0..<count).map { slot in
                    UInt64.random(in: 0...largest, using: &generator) << 32 | UInt64(slot)
                }.shuffled(using: &generator)
                var sorted = entries
                PartitionEngine.sortByOffset(&sorted)
                #expect(sorted == entries.sorted(), "\(count) entries, offsets up to \(largest)")
            }
        }
    }

    @Test func restoreWidensWhenAColumnHoldsManyPanes() throws {
        let events = syntheticEvents(seed: 43, count: 300, keys: 3)
        let driver = TestDriver()
        for event in events { driver.send(event.json) }
        let state = driver.engine(for: 0).encodeState()
        let restored = try PartitionEngine(restoring: state, featureSet: .memeV1, configuration: EngineConfiguration())
        #expect(restored.countLevel == 0)
        for level in 1...PartitionEngine.widestCountLevel {
            restored.widenPaneCounts()
            #expect(restored.countLevel == level)
            #expect(restored.encodeState() == state)
        }
    }

    @Test func manyWaitingPanesWidenCountsOnDemandAndOnRestore() throws {
        // Three hours of out-of-orderness keep about 1,080 ticks of panes waiting per key.
        var configuration = EngineConfiguration()
        configuration.outOfOrdernessMilliseconds = 3 * 3_600_000
        let events = (0..<1_800).map { index in
            #"{"meme_id":"m\#(index % 2)","type":"view","ts":\#(1_700_000_000_000 + Int64(index) * 10_000),"dwell_ms":5}"#
        }
        func run(widenFirst: Bool, restoreAt: Int?) throws -> (lines: [String], level: Int) {
            var engine = PartitionEngine(partition: 0, featureSet: .memeV1, configuration: configuration)
            if widenFirst {
                for _ in 0..<PartitionEngine.widestCountLevel { engine.widenPaneCounts() }
            }
            var sink = LineCollectingSink()
            for (offset, event) in events.enumerated() {
                if offset == restoreAt {
                    engine = try PartitionEngine(
                        restoring: engine.encodeState(),
                        featureSet: .memeV1,
                        configuration: configuration
                    )
                    #expect(engine.countLevel == 2, "restoring more than 255 panes widens the counts to 16 bits")
                }
                engine.process(json: event, offset: offset, into: &sink)
            }
            engine.advanceWatermark(to: EventTime(rawValue: 1_700_000_000_000 + 3 * 86_400_000), into: &sink)
            return (sink.lines, engine.countLevel)
        }
        let onDemand = try run(widenFirst: false, restoreAt: nil)
        #expect(onDemand.level == 2)
        let wide = try run(widenFirst: true, restoreAt: nil)
        #expect(wide.level == PartitionEngine.widestCountLevel)
        let restored = try run(widenFirst: false, restoreAt: 1_500)
        #expect(onDemand.lines.count > 100)
        #expect(onDemand.lines == wide.lines)
        #expect(restored.lines == wide.lines)
    }

    @Test func corruptedStateThrowsOrRestoresWithoutCrash() {
        let events = syntheticEvents(seed: 47, count: 200, keys: 4)
        let driver = TestDriver()
        for event in events { driver.send(event.json) }
        let state = driver.engine(for: 0).encodeState()
        var generator = SplitMix64(seed: 5)
        var thrown = 0
        for round in 0..<600 {
            var corrupted = state
            if round % 3 == 0 {
                corrupted.removeLast(Int.random(in: 1...corrupted.count, using: &generator))
            } else {
                let position = Int.random(in: 8..<corrupted.count, using: &generator)
                corrupted[position] = UInt8.random(in: 0...255, using: &generator)
            }
            do {
                let engine = try PartitionEngine(
                    restoring: corrupted,
                    featureSet: .memeV1,
                    configuration: EngineConfiguration()
                )
                // Whatever was restored must keep working.
                var sink = CollectingSink()
                Array(events[0].json.utf8).withUnsafeBytes { value in
                    engine.process(
                        InputRecord(partition: 0, offset: 1_000, recordTimestamp: nil, key: nil, value: value),
                        into: &sink
                    )
                }
                engine.advanceWatermark(to: EventTime(rawValue: events.last!.ts + 3 * 86_400_000), into: &sink)
                _ = engine.encodeState()
            } catch {
                thrown += 1
            }
        }
        #expect(thrown > 200, "most truncations and many byte changes are detected")
    }
}
