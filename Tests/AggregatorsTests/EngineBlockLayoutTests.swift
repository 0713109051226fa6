import StreamCore
import Testing

@testable import Aggregators

/// The packed key blocks: widening the pane counts and moving blocks never change the output.
@Suite struct EngineBlockLayoutTests {
    /// Runs a stream with many keys and returns the output, the state before the final watermark
    /// jump and the engine's pane-count width.
    private func run(
        narrowLimit: Int? = nil,
        widenAtOffset: Int? = nil,
        compactAlways: Bool = false,
        restoreAtOffsets: Set<Int> = []
    ) throws -> (lines: [String], state: [UInt8], bytes: Int, compactions: Int) {
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
            if offset == widenAtOffset { engine.widenPaneCounts() }
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
        return (sink.lines, state, engine.countBytes, compactions + engine.compactionCount)
    }

    @Test func widenedPaneCountsKeepOutputAndState() throws {
        let narrow = try run()
        #expect(narrow.bytes == 2)
        let widenedAtStart = try run(widenAtOffset: 0)
        let widenedMidway = try run(widenAtOffset: 300)
        let widenedOnDemand = try run(narrowLimit: 3)
        for other in [widenedAtStart, widenedMidway, widenedOnDemand] {
            #expect(other.bytes == 4)
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
        let both = try run(widenAtOffset: 300, compactAlways: true)
        #expect(both.lines == plain.lines)
        // Restored engines decode wide panes and narrow them again, then keep compacting.
        let restored = try run(compactAlways: true, restoreAtOffsets: [150, 301, 450])
        #expect(restored.lines == plain.lines)
        #expect(restored.state == plain.state)
        #expect(restored.compactions > 50)
    }

    @Test func offsetSortMatchesComparisonSort() {
        var generator = SplitMix64(seed: 9)
        for count in [0, 1, 2, 100, 5_000] {
            let entries = (0..<count).map { slot in
                UInt64.random(in: 0...UInt64(UInt32.max), using: &generator) << 32 | UInt64(slot)
            }
            var sorted = entries
            PartitionEngine.sortByOffset(&sorted)
            #expect(sorted == entries.sorted(), "\(count) entries")
        }
    }

    @Test func restoreWidensWhenAColumnHoldsManyPanes() throws {
        let events = syntheticEvents(seed: 43, count: 300, keys: 3)
        let driver = TestDriver()
        for event in events { driver.send(event.json) }
        let state = driver.engine(for: 0).encodeState()
        let restored = try PartitionEngine(restoring: state, featureSet: .memeV1, configuration: EngineConfiguration())
        #expect(restored.countBytes == 2)
        restored.widenPaneCounts()
        #expect(restored.encodeState() == state)
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
