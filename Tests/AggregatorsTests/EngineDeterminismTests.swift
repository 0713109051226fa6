import Aggregators
import StreamCore
import Testing

/// Restores, partition interleaving and redundant watermark calls never change the output.
@Suite struct EngineDeterminismTests {
    private func uninterrupted(_ events: [SyntheticEvent]) -> [EmittedRecord] {
        let driver = TestDriver()
        for event in events { driver.send(event.json) }
        return driver.readRecords()
    }

    @Test(arguments: [11, 12, 13])
    func restoreAfterEveryRecordKeepsOutput(seed: Int) throws {
        let events = syntheticEvents(seed: UInt64(seed), count: 300)
        let driver = TestDriver()
        for event in events {
            driver.send(event.json)
            try driver.restart()
        }
        #expect(driver.readRecords() == uninterrupted(events))
    }

    @Test func restoredStateEncodesToSameBytes() throws {
        let events = syntheticEvents(seed: 21, count: 300)
        let driver = TestDriver()
        for event in events { driver.send(event.json) }
        let engine = driver.engine(for: 0)
        let state = engine.encodeState()
        let restored = try PartitionEngine(restoring: state, featureSet: .memeV1, configuration: EngineConfiguration())
        #expect(restored.encodeState() == state)
        #expect(restored.keyCount == engine.keyCount)
        #expect(restored.watermark == engine.watermark)
        #expect(restored.nextOffset == engine.nextOffset)
    }

    @Test func interleavedPartitionsKeepOutput() {
        let streams = (0..<3).map { syntheticEvents(seed: UInt64(30 + $0), count: 200) }
        let sequential = TestDriver()
        for (partition, events) in streams.enumerated() {
            for event in events { sequential.send(event.json, partition: Int32(partition)) }
        }
        let interleaved = TestDriver()
        var positions = [0, 0, 0]
        var generator = SplitMix64(seed: 99)
        for _ in 0..<600 {
            let open = (0..<3).filter { positions[$0] < streams[$0].count }
            guard let partition = open.randomElement(using: &generator) else { break }
            interleaved.send(streams[partition][positions[partition]].json, partition: Int32(partition))
            positions[partition] += 1
        }
        let byPartition = { (records: [EmittedRecord], partition: Int32) in records.filter { $0.partition == partition }
        }
        let expected = sequential.readRecords()
        let actual = interleaved.readRecords()
        for partition in Int32(0)..<3 {
            #expect(byPartition(actual, partition) == byPartition(expected, partition), "partition \(partition)")
        }
    }

    @Test func redundantWatermarkAdvancesKeepOutput() {
        let events = syntheticEvents(seed: 41, count: 300)
        let driver = TestDriver()
        for event in events {
            driver.send(event.json)
            if let watermark = driver.engine(for: 0).watermark {
                driver.advanceWatermark(to: watermark)
                driver.advanceWatermark(to: EventTime(rawValue: watermark.rawValue - 60_000))
            }
        }
        #expect(driver.readRecords() == uninterrupted(events))
    }

    @Test func lookAheadHintsNeverChangeOutput() {
        let events = syntheticEvents(seed: 51, count: 400)
        let driver = TestDriver()
        let engine = driver.engine(for: 0)
        // Hints for every state size, so these few keys run the whole pipeline.
        engine.lookAheadMinimumKeys = 0
        var generator = SplitMix64(seed: 5)
        let junk = [
            "", "{", #"{"meme_id":"never-seen"}"#, #"{"meme_id":"a\"b"}"#, String(repeating: "\"", count: 64),
        ]
        for (position, event) in events.enumerated() {
            // Hints for the right record, for other records, for keys that never come, and junk.
            let hinted: String
            switch generator.next() % 4 {
            case 0: hinted = events[min(position + 3, events.count - 1)].json
            case 1: hinted = events[Int(generator.next() % UInt64(events.count))].json
            case 2: hinted = junk[Int(generator.next() % UInt64(junk.count))]
            default: hinted = event.json
            }
            Array(hinted.utf8).withUnsafeBytes { engine.prefetchState(forValue: $0) }
            driver.send(event.json)
        }
        #expect(driver.readRecords() == uninterrupted(events))
    }

    @Test func watermarkNeverMovesBackwards() {
        let driver = TestDriver()
        driver.send(#"{"meme_id":"m1","type":"view","ts":1700000100000}"#)
        driver.advanceWatermark(to: EventTime(rawValue: 1_700_000_000_000))
        #expect(driver.engine(for: 0).watermark == EventTime(rawValue: 1_700_000_095_000))
        #expect(driver.engine(for: 0).lastProcessedTick == EventTime(rawValue: 1_700_000_090_000))
    }
}
