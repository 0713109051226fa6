import Foundation
import StreamCore
import Testing

@testable import StreamApp

/// Tests of the worker loop with engine lanes (`engineThreads` > 0) against fakes, compared with the
/// inline path (`engineThreads` = 0) where the polling thread runs the engines.
@Suite struct WorkerLaneTests {
    /// Feeds `recordsPerPartition` records to each of `partitions` partitions, with meme ids that
    /// name their partition, and one malformed record per partition.
    private static func feed(_ harness: WorkerLoopHarness, partitions: Int32, recordsPerPartition: Int) {
        for partition in 0..<partitions {
            var values: [String] = []
            for index in 0..<recordsPerPartition {
                values.append("p\(partition)m\(index % 7) \(1_700_000_000_000 + Int64(index) * 50)")
                if index == recordsPerPartition / 2 {
                    values.append("garbage-p\(partition)")
                }
            }
            harness.feed(partition, values)
        }
    }

    /// Runs polls until every partition is consumed, then a checkpoint round, and returns the
    /// produced values grouped by the partition named in them.
    private static func run(
        engineThreads: Int,
        partitions: Int32,
        recordsPerPartition: Int
    ) throws -> (byPartition: [String: [String]], effects: [String], harness: WorkerLoopHarness) {
        let harness = try WorkerLoopHarness()
        harness.settings.engineThreads = engineThreads
        harness.settings.maxPollRecords = 700
        harness.settings.checkpointIntervalMilliseconds = 3_600_000
        feed(harness, partitions: partitions, recordsPerPartition: recordsPerPartition)
        harness.consumer.pendingAssign = Array(0..<partitions)
        let worker = harness.makeWorker()
        let total = Int(partitions) * (recordsPerPartition + 1)
        var polls = 0
        while worker.positions.values.reduce(0, { $0 + Int($1) }) < total, polls < 10_000 {
            try worker.pollOnce()
            polls += 1
        }
        try worker.checkpoint(worker.assignedPartitions, reason: "test")

        var byPartition: [String: [String]] = [:]
        for record in harness.producer.produced {
            let value = record.value ?? ""
            let source =
                record.topic == "memes.events.dlq"
                ? "dlq " + value.replacingOccurrences(of: "garbage-", with: "")
                : String(value.prefix { $0 != "m" })
            byPartition[source, default: []].append(record.topic + " " + (record.key ?? "-") + " " + value)
        }
        return (byPartition, harness.effects.entries, harness)
    }

    @Test(arguments: [1, 2, 3])
    func lanesMatchInlineOutput(engineThreads: Int) throws {
        let inline = try Self.run(engineThreads: 0, partitions: 5, recordsPerPartition: 3_000)
        let lanes = try Self.run(engineThreads: engineThreads, partitions: 5, recordsPerPartition: 3_000)

        #expect(inline.byPartition.keys.sorted() == lanes.byPartition.keys.sorted())
        for (partition, expected) in inline.byPartition {
            // Per-partition order is what the worker guarantees; partitions interleave freely.
            #expect(lanes.byPartition[partition] == expected, "partition \(partition)")
        }
        #expect(inline.effects == lanes.effects)
        #expect(lanes.effects.last == "commit 0=3001,1=3001,2=3001,3=3001,4=3001")
    }

    @Test func shutdownMidBatchCheckpointsEveryRecord() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.engineThreads = 2
        harness.settings.checkpointIntervalMilliseconds = 3_600_000
        Self.feed(harness, partitions: 3, recordsPerPartition: 4_000)
        harness.consumer.pendingAssign = [0, 1, 2]
        let worker = harness.makeWorker()
        // One poll hands about 10 000 records to the lanes; the stop comes right after it, while
        // the lanes still hold most of them.
        var polls = 0
        try worker.run {
            polls += 1
            return polls > 1
        }

        // The consumer hands out partitions in order: 4 001 records of 0 and 1, 1 998 of 2.
        let expected: [Int32: Int64] = [0: 4_001, 1: 4_001, 2: 1_998]
        #expect(harness.consumer.committed == expected)
        #expect(
            harness.effects.entries == [
                "flush 10000", "save 0@4001", "save 1@4001", "save 2@1998", "commit 0=4001,1=4001,2=1998", "close",
            ]
        )
        let values = harness.producer.produced.compactMap { $0.value }
        #expect(values.filter { $0.hasPrefix("p0m") }.count == 4_000)
        #expect(values.filter { $0.hasPrefix("p1m") }.count == 4_000)
        #expect(values.filter { $0.hasPrefix("p2m") }.count == 1_998)
    }

    @Test func laneProduceFailureStopsWithoutCommit() throws {
        struct Rejected: Error {}
        let harness = try WorkerLoopHarness()
        harness.settings.engineThreads = 2
        harness.settings.maxPollRecords = 500
        Self.feed(harness, partitions: 2, recordsPerPartition: 2_000)
        // Partition 1's record at offset 1000 is its 1001st event; offset 1001 is the malformed one.
        harness.producer.failProduceOfValue = ("p1m6@1000", Rejected())
        harness.consumer.pendingAssign = [0, 1]
        let worker = harness.makeWorker()

        var thrown: (any Error)?
        for _ in 0..<100 where thrown == nil {
            do {
                try worker.pollOnce()
                try worker.checkpoint(worker.assignedPartitions, reason: "test")
            } catch {
                thrown = error
            }
        }

        #expect(thrown is Rejected)
        #expect((harness.consumer.committed[1] ?? 0) <= 1_000)
        let savedOffsets = harness.effects.entries.filter { $0.hasPrefix("save 1@") }.compactMap {
            Int($0.dropFirst(7))
        }
        #expect(savedOffsets.allSatisfy { $0 <= 1_000 }, "\(savedOffsets)")
        let produced = Set(harness.producer.produced.compactMap { $0.value })
        // The failed lane skips every later record.
        let producedBeforeFailure = produced.contains("p1m5@999")
        let producedAfterFailure = produced.contains("p1m0@1002")
        #expect(producedBeforeFailure)
        #expect(!producedAfterFailure)
    }

    @Test func revocationDrainsLanesBeforeCheckpoint() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.engineThreads = 2
        harness.settings.checkpointIntervalMilliseconds = 3_600_000
        Self.feed(harness, partitions: 2, recordsPerPartition: 3_000)
        harness.consumer.pendingAssign = [0, 1]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        let position = try #require(worker.positions[1])
        harness.consumer.pendingRevoke = [1]
        try worker.pollOnce()

        #expect(worker.assignedPartitions == [0])
        #expect(harness.consumer.committed[1] == position)
        let saved = try #require(
            try harness.store.load(CheckpointKey(group: "memestream", topic: "memes.events", partition: 1))
        )
        #expect(saved.nextOffset == position)
        let produced = harness.producer.produced.compactMap { $0.value }.filter { $0.hasPrefix("p1m") }
        #expect(produced.count == Int(position) - (position > 1_500 ? 1 : 0))
    }

    @Test func lostPartitionWithLanesIsNotCommitted() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.engineThreads = 2
        Self.feed(harness, partitions: 2, recordsPerPartition: 3_000)
        harness.consumer.pendingAssign = [0, 1]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        harness.consumer.pendingLost = [0, 1]
        try worker.pollOnce()

        #expect(worker.assignedPartitions.isEmpty)
        #expect(harness.consumer.committed.isEmpty)
        #expect(!harness.effects.entries.contains { $0.hasPrefix("save") })
    }
    /// A worker dropped after a failed poll (no shutdown) stops its lanes without processing their
    /// queued batches and without a checkpoint.
    @Test func releasedWorkerStopsLanes() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.engineThreads = 2
        Self.feed(harness, partitions: 4, recordsPerPartition: 5_000)
        harness.consumer.pendingAssign = [0, 1, 2, 3]
        var worker: StreamWorker? = harness.makeWorker()
        try worker?.pollOnce()
        worker = nil

        let produced = harness.producer.produced.count
        #expect(produced <= 10_000)
        #expect(harness.effects.entries.isEmpty)
        // Nothing runs after the lanes stopped.
        Thread.sleep(forTimeInterval: 0.05)
        #expect(harness.producer.produced.count == produced)
    }
    /// Lanes publish the watermark after each batch, and the worker thread sets the watermark lag
    /// on every poll, so the lag of a partition without new records keeps growing.
    @Test(arguments: [0, 2])
    func watermarkLagGrowsWhileStalled(engineThreads: Int) throws {
        let harness = try WorkerLoopHarness()
        harness.settings.engineThreads = engineThreads
        harness.feed(0, ["m1 1699999990000", "m2 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        try worker.checkpoint(worker.assignedPartitions, reason: "test")
        try worker.pollOnce()
        let gauge = harness.registry.gauge(.watermarkLag, labels: [("partition", "0")])
        // The fake engine's watermark is max_ts − 5 s; the manual clock starts at 1 700 000 000 000.
        #expect(gauge.value == 5)

        harness.clock.advance(milliseconds: 30_000)
        try worker.pollOnce()
        #expect(gauge.value == 35)
    }
}
