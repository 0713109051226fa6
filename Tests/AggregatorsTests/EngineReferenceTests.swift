import StreamCore
import Testing

@testable import Aggregators

/// Compares the scheduled engine with the naive per-tick reference on random streams.
@Suite struct EngineReferenceTests {
    private func runEngine(
        _ events: [SyntheticEvent],
        finalWatermark: Int64? = nil,
        compactAlways: Bool = false
    ) -> [String] {
        let driver = TestDriver()
        if compactAlways {
            // Compact whenever a record closed a tick and some block was released.
            driver.engine(for: 0).compactionMinimumFreeWords = 1
            driver.engine(for: 0).compactionFreeShift = 63
        }
        for event in events { driver.send(event.json) }
        if let finalWatermark { driver.advanceWatermark(to: EventTime(rawValue: finalWatermark)) }
        if compactAlways { #expect(driver.engine(for: 0).compactionCount > 0) }
        return driver.readRecords().map(\.value)
    }

    private func runReference(_ events: [SyntheticEvent], finalWatermark: Int64? = nil) -> [String] {
        var reference = ReferenceMemeV1()
        for event in events { reference.process(event) }
        if let finalWatermark { reference.advanceWatermark(to: finalWatermark) }
        return reference.output
    }

    private func expectSameRecords(_ actual: [String], _ expected: [String], _ label: String) {
        #expect(actual.count == expected.count, "\(label): record count")
        for (index, (line, reference)) in zip(actual, expected).enumerated() {
            let difference = differenceBetween(actual: line, expected: reference)
            #expect(
                difference == nil,
                "\(label) record \(index): \(difference ?? "")\n  got      \(line)\n  expected \(reference)"
            )
            if difference != nil { return }
        }
    }

    @Test(arguments: 1...8)
    func randomStreamMatchesReference(seed: Int) {
        let events = syntheticEvents(seed: UInt64(seed), count: 400)
        expectSameRecords(runEngine(events), runReference(events), "seed \(seed)")
    }

    @Test(arguments: 1...3)
    func compactedStreamMatchesReference(seed: Int) {
        let events = syntheticEvents(seed: UInt64(seed), count: 400, keys: 20)
        let finalWatermark = events.last!.ts + 3_600_000
        expectSameRecords(
            runEngine(events, finalWatermark: finalWatermark, compactAlways: true),
            runReference(events, finalWatermark: finalWatermark),
            "seed \(seed), compacting"
        )
    }

    @Test func silentPartitionForThreeDays() {
        let events = syntheticEvents(seed: 42, count: 200, longestGapMilliseconds: 600_000)
        let last = events.map(\.ts).max()!
        let later = last + 3 * 86_400_000
        let actual = runEngine(events, finalWatermark: later)
        expectSameRecords(actual, runReference(events, finalWatermark: later), "three days")
        let tombstones = actual.filter { $0.hasSuffix("\"features\":null}") }
        #expect(tombstones.count == Set(events.map(\.memeID)).count)
    }

    @Test func stateDropsAndKeyReturns() {
        var events = syntheticEvents(seed: 7, count: 100, keys: 2, longestGapMilliseconds: 600_000)
        let restart = events.map(\.ts).max()! + 2 * 86_400_000
        events += syntheticEvents(seed: 8, count: 100, keys: 2, start: restart, longestGapMilliseconds: 600_000)
        let actual = runEngine(events)
        expectSameRecords(actual, runReference(events), "drop and return")
        #expect(actual.contains { $0.hasSuffix("\"features\":null}") }, "the first keys are dropped")
    }
}

extension EngineReferenceTests {
    @Test func randomStreamsExerciseEveryPath() {
        let events = syntheticEvents(seed: 3, count: 400)
        var reference = ReferenceMemeV1()
        for event in events { reference.process(event) }
        #expect(reference.lateCount > 0, "some events are rejected as late")
        #expect(reference.output.count > 100)
    }
}
