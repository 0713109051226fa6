import Foundation
import StreamCore
import Synchronization
import Testing

@testable import StreamApp

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    let wall = Atomic<Int64>(1_700_000_000_000)
    let monotonic = Atomic<UInt64>(1_000_000_000)

    var workerClock: WorkerClock {
        WorkerClock(
            wallMilliseconds: { self.wall.load(ordering: .relaxed) },
            monotonicNanoseconds: { self.monotonic.load(ordering: .relaxed) }
        )
    }

    func advance(milliseconds: Int64) {
        wall.wrappingAdd(milliseconds, ordering: .relaxed)
        monotonic.wrappingAdd(UInt64(milliseconds) * 1_000_000, ordering: .relaxed)
    }
}

/// The worker loop against fakes: one consumer, producer, engine and a directory store.
final class WorkerLoopHarness {
    let effects = EffectLog()
    let consumer: FakeConsumer
    let producer: FakeProducer
    let store: RecordingStore
    let clock = ManualClock()
    let root: String
    var settings = WorkerSettings()
    let logs = InMemoryLogHandler()
    let registry = MetricsRegistry()

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("worker-loop-\(UUID())").path
        consumer = FakeConsumer(effects: effects)
        producer = FakeProducer(effects: effects)
        store = try RecordingStore(root: root, effects: effects)
        settings.idleTimeoutMilliseconds = 0
        settings.checkpointIntervalMilliseconds = 1_000
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func makeWorker() -> StreamWorker {
        let engines = WorkerEngineFactory(
            featureSetName: "fake_v1",
            featureSetVersion: 3,
            outOfOrdernessMilliseconds: 5_000,
            allowedLatenessMilliseconds: 600_000,
            largestWindowMilliseconds: 86_400_000,
            makeEngine: { _ in FakeEngine() },
            restoreEngine: { try FakeEngine(state: $0) }
        )
        return StreamWorker(
            settings: settings,
            consumer: consumer,
            producer: producer,
            store: store,
            engines: engines,
            logger: Logger(label: "test", level: .debug, handler: logs),
            metrics: WorkerMetrics(registry: registry),
            health: HealthMonitor(livenessTimeoutMilliseconds: 10_000),
            clock: clock.workerClock
        )
    }

    /// Saves a checkpoint of partition 0 whose header gives `nextOffset` and whose fake engine
    /// state gives `stateOffset` (the same by default) and the max ts `maxTs`.
    func saveCheckpoint(nextOffset: Int64, stateOffset: Int64? = nil, maxTs: Int64, clusterID: String? = nil) throws {
        try store.save(
            Checkpoint(
                key: CheckpointKey(group: "memestream", topic: "memes.events", partition: 0),
                nextOffset: nextOffset,
                maxEventTime: EventTime(rawValue: maxTs),
                lastTick: nil,
                createdAtMilliseconds: 0,
                state: Array("\(stateOffset ?? nextOffset) \(maxTs)".utf8),
                clusterID: clusterID
            )
        )
    }

    func feed(_ partition: Int32, _ values: [String]) {
        for value in values {
            let offset = Int64(consumer.partitions[partition, default: []].count)
            consumer.partitions[partition, default: []].append((offset, value))
        }
    }
}

@Suite struct WorkerLoopTests {
    @Test func lateFirstAssignmentIsLoggedTwice() throws {
        let harness = try WorkerLoopHarness()
        let worker = harness.makeWorker()
        let isFirstLog = { (entry: LogEntry) in entry.message.hasPrefix("no partition assigned after 10 s") }
        let isSecondLog = { (entry: LogEntry) in entry.message.hasPrefix("no partition assigned after 60 s") }
        try worker.pollOnce()
        harness.clock.advance(milliseconds: 9_000)
        try worker.pollOnce()
        #expect(harness.logs.entries.filter(isFirstLog).isEmpty)
        harness.clock.advance(milliseconds: 2_000)
        try worker.pollOnce()
        harness.clock.advance(milliseconds: 20_000)
        try worker.pollOnce()
        #expect(harness.logs.entries.filter(isFirstLog).count == 1)
        #expect(harness.logs.entries.filter(isFirstLog).first?.level == .notice)
        #expect(harness.logs.entries.filter(isSecondLog).isEmpty)
        harness.clock.advance(milliseconds: 30_000)
        try worker.pollOnce()
        harness.clock.advance(milliseconds: 300_000)
        try worker.pollOnce()
        #expect(harness.logs.entries.filter(isFirstLog).count == 1)
        #expect(harness.logs.entries.filter(isSecondLog).count == 1)
        #expect(harness.logs.entries.filter(isSecondLog).first?.message.contains("session.timeout.ms") == true)
    }

    /// When the consumer reported errors, the wait points at the brokers, not at the group.
    @Test func lateAssignmentWithConsumeErrorsNamesBrokers() throws {
        let harness = try WorkerLoopHarness()
        let worker = harness.makeWorker()
        harness.consumer.consumeErrorCount = 3
        try worker.pollOnce()
        harness.clock.advance(milliseconds: 11_000)
        try worker.pollOnce()
        let waits = harness.logs.entries.filter { $0.message.hasPrefix("no partition assigned after 10 s") }
        #expect(waits.count == 1)
        #expect(waits.first?.level == .warning)
        #expect(waits.first?.message.contains("check --bootstrap-servers") == true)
        #expect(waits.first?.metadata["consume.errors"] == .integer(3))
    }

    @Test func timelyFirstAssignmentLogsNoWait() throws {
        let harness = try WorkerLoopHarness()
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        harness.clock.advance(milliseconds: 11_000)
        try worker.pollOnce()
        harness.clock.advance(milliseconds: 60_000)
        try worker.pollOnce()
        #expect(!harness.logs.entries.contains { $0.message.hasPrefix("no partition assigned after") })
    }

    @Test func keyMismatchLogNamesTheKey() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000"])
        harness.consumer.keys[0] = [0: "m1", 1: "user-7"]
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()

        let warnings = harness.logs.entries.filter { $0.message.hasPrefix("record key differs from meme_id") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.metadata[LogKey.kafkaKey] == .string("user-7"))
        #expect(warnings.first?.metadata[LogKey.kafkaOffset] == .integer(1))
    }

    @Test func outputCarriesKeyTimestampHeaders() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()

        let features = harness.producer.produced.filter { $0.topic == "memes.features" }
        #expect(features.count == 2)
        #expect(features.first?.key == "m1")
        #expect(features.first?.value == "m1@0")
        #expect(features.first?.timestamp == 1_700_000_000_000)
        #expect(features.first?.headers == ["feature_set": "fake_v1", "schema_version": "3"])
    }

    @Test func rejectionGoesToDeadLetterTopic() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(2, ["m1 1700000000000", "garbage"])
        harness.consumer.pendingAssign = [2]
        try harness.makeWorker().pollOnce()

        let dead = harness.producer.produced.filter { $0.topic == "memes.events.dlq" }
        #expect(dead.count == 1)
        #expect(dead.first?.value == "garbage")
        #expect(dead.first?.headers["error"] == "malformed_json")
        #expect(dead.first?.headers["error_detail"] == "not a fake event")
        #expect(dead.first?.headers["source_topic"] == "memes.events")
        #expect(dead.first?.headers["source_partition"] == "2")
        #expect(dead.first?.headers["source_offset"] == "1")
    }

    @Test func oversizedDeadLetterValueIsCut() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.messageMaxBytes = 1_000
        let value = "garbage" + String(repeating: "x", count: 2_000)
        harness.feed(0, [value])
        harness.consumer.pendingAssign = [0]
        try harness.makeWorker().pollOnce()

        let dead = harness.producer.produced.filter { $0.topic == "memes.events.dlq" }
        try #require(dead.count == 1)
        let sent = dead[0].value ?? ""
        #expect(!sent.isEmpty)
        #expect(value.hasPrefix(sent))
        #expect(dead[0].headers["value_truncated_from_length"] == String(value.utf8.count))
        #expect(dead[0].headers["key_truncated_from_length"] == nil)
        #expect(dead[0].headers["error"] == "malformed_json")
        let headerBytes = dead[0].headers.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        #expect(sent.utf8.count + headerBytes + (dead[0].key?.utf8.count ?? 0) < 1_000)
    }

    @Test func deadLetterRejectedAsTooLargeGoesWithoutValue() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["garbage"])
        harness.consumer.pendingAssign = [0]
        harness.producer.failProduceOfValue = (
            "garbage", DeliveryFailure(description: "MSG_SIZE_TOO_LARGE", isRecordTooLarge: true)
        )
        try harness.makeWorker().pollOnce()

        let dead = harness.producer.produced.filter { $0.topic == "memes.events.dlq" }
        try #require(dead.count == 1)
        #expect(dead[0].value == nil)
        #expect(dead[0].headers["value_truncated_from_length"] == "7")
        #expect(dead[0].headers["source_offset"] == "0")
    }

    @Test func checkpointOrderIsFlushSaveCommit() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000"])
        harness.feed(1, ["m3 1700000000000"])
        harness.consumer.pendingAssign = [0, 1]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        harness.clock.advance(milliseconds: 1_000)
        try worker.pollOnce()

        #expect(harness.effects.entries == ["flush 3", "save 0@2", "save 1@1", "commit 0=2,1=1"])
    }

    @Test func unchangedPartitionIsNotCheckpointed() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        harness.clock.advance(milliseconds: 1_000)
        try worker.pollOnce()
        harness.clock.advance(milliseconds: 1_000)
        try worker.pollOnce()

        #expect(harness.effects.entries == ["flush 1", "save 0@1", "commit 0=1"])
    }

    @Test func restoreSeeksAndSkipsDuplicates() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000", "m3 1700000002000"])
        harness.consumer.pendingAssign = [0]
        let first = harness.makeWorker()
        try first.pollOnce()
        try first.checkpoint([0], reason: "test")
        harness.producer.removeProduced()

        // A second worker takes over. Nothing was committed, so the consumer starts at offset 0 and
        // the worker must start at offset 2: it compares the record before the checkpointed offset
        // 3 with the checkpoint's fingerprint and skips it.
        harness.feed(0, ["m4 1700000003000"])
        harness.consumer.positions.removeAll()
        harness.consumer.committed.removeAll()
        harness.consumer.pendingAssign = [0]
        let second = harness.makeWorker()
        try second.pollOnce()
        try second.pollOnce()

        #expect(harness.consumer.starts[0] == .offset(2))
        #expect(harness.consumer.seeks.isEmpty, "the start is set with the assignment")
        #expect(harness.producer.produced.map { $0.value } == ["m4@3"])
    }

    /// A topic deleted and created again whose new log is longer than the checkpoint's offset:
    /// nothing distinguished the logs, and the new records were added to the old state.
    @Test func recreatedTopicIsRejected() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000", "m3 1700000002000"])
        harness.consumer.pendingAssign = [0]
        let first = harness.makeWorker()
        try first.pollOnce()
        try first.checkpoint([0], reason: "test")
        let saved = try #require(
            try harness.store.load(CheckpointKey(group: "memestream", topic: "memes.events", partition: 0))
        )
        #expect(saved.lastRecord == RecordFingerprint(timestampMilliseconds: nil, keyLength: -1, valueLength: 16))
        harness.producer.removeProduced()

        harness.consumer.partitions[0] = []
        harness.feed(0, ["m10 1700000000000", "m20 1700000001000", "m30 1700000002000", "m40 1700000003000"])
        harness.consumer.positions.removeAll()
        harness.consumer.committed.removeAll()
        harness.consumer.pendingAssign = [0]
        let second = harness.makeWorker()
        let error = try #require(throws: CheckpointError.self) {
            try second.pollOnce()
            try second.pollOnce()
        }
        #expect(error.code == .aheadOfLog)
        #expect(error.isConfigurationError)
        #expect(error.description.contains("created anew"), "\(error)")
        #expect(error.description.contains("a 17-byte value"), "\(error)")
        #expect(harness.producer.produced.isEmpty)
    }

    @Test func olderCheckpointReplaysWithoutNewTraffic() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let first = harness.makeWorker()
        try first.pollOnce()
        try first.checkpoint([0], reason: "test")
        harness.producer.removeProduced()

        // More records arrive and are committed past the checkpoint (say by a run whose
        // checkpoints were lost). A new worker restores the older checkpoint and must read from
        // offset 1 at once, though the committed offset is at the log end and nothing new arrives.
        harness.feed(0, ["m2 1700000001000", "m3 1700000002000"])
        harness.consumer.positions.removeAll()
        harness.consumer.committed[0] = 3
        harness.consumer.pendingAssign = [0]
        let second = harness.makeWorker()
        try second.pollOnce()

        #expect(harness.producer.produced.map { $0.value } == ["m2@1", "m3@2"])
    }

    /// Records that retention removed behind a stopped worker were reported by one log line only,
    /// and by no metric.
    @Test func offsetsLostToRetentionAreCounted() throws {
        let harness = try WorkerLoopHarness()
        try harness.saveCheckpoint(nextOffset: 50, maxTs: 1_700_000_000_000)
        // The log now starts at offset 60: retention removed 50 to 59.
        harness.consumer.logStartOffsets[0] = 60
        harness.feed(0, ["m1 1700000001000", "m2 1700000002000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        try worker.pollOnce()
        let skipped = harness.registry.counter(.inputOffsetsSkipped, labels: [("partition", "0")])
        #expect(skipped.value == 10)
        let line = harness.logs.entries.first { $0.message.hasPrefix("input records are missing") }
        #expect(line?.metadata["kafka.offsets.skipped"] == .integer(10), "\(harness.logs.entries.map(\.message))")
    }

    /// When retention removes records ahead of a running worker, librdkafka resets the position,
    /// and nothing counted the loss.
    @Test func offsetsLostWhileRunningAreCounted() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000001000", "m2 1700000002000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        // Offsets 2 to 9 were written and removed by retention; the log now starts at 10.
        harness.consumer.logStartOffsets[0] = 10
        harness.consumer.partitions[0] = []
        harness.feed(0, ["m3 1700000003000"])
        try worker.pollOnce()
        let skipped = harness.registry.counter(.inputOffsetsSkipped, labels: [("partition", "0")])
        #expect(skipped.value == 8)
    }

    /// The series exists at 0 from the assignment, so that an alert on its increase fires at the
    /// first skip (a series that appears at its full value shows no increase).
    @Test func skippedOffsetsSeriesStartsAtZero() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000001000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        let text = harness.registry.prometheusText()
        #expect(text.contains("memestream_input_offsets_skipped_total{partition=\"0\"} 0\n"), "\(text)")
    }

    @Test func checkpointPastLogEndStopsAtFirstRecord() throws {
        let harness = try WorkerLoopHarness()
        try harness.saveCheckpoint(nextOffset: 50, maxTs: 1_700_000_000_000)
        // A recreated topic: its log ends below the checkpoint, so the consumer resets to its start.
        harness.feed(0, ["m1 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        let error = try #require(throws: CheckpointError.self) { try worker.pollOnce() }
        #expect(error.description.contains("restarts below it"))
        #expect(harness.producer.produced.isEmpty)
    }

    @Test func otherClusterCheckpointIsRejected() throws {
        let harness = try WorkerLoopHarness()
        try harness.saveCheckpoint(nextOffset: 1, maxTs: 1_700_000_000_000, clusterID: "old-cluster")
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        let error = try #require(throws: CheckpointError.self) { try worker.pollOnce() }
        #expect(error.code == .otherCluster)
        #expect(error.description.contains("written against Kafka cluster old-cluster"), "\(error)")
        #expect(error.description.contains("reads from cluster fake-cluster"), "\(error)")
        #expect(error.description.contains("empty the checkpoint store"), "\(error)")
        #expect(harness.producer.produced.isEmpty)
    }

    @Test(arguments: [(String?.none, String?("fake-cluster")), ("fake-cluster", "fake-cluster"), ("old-cluster", nil)])
    func clusterCheckNeedsBothIDs(written: String?, current: String?) throws {
        let harness = try WorkerLoopHarness()
        try harness.saveCheckpoint(nextOffset: 1, maxTs: 1_700_000_000_000, clusterID: written)
        harness.consumer.clusterID = current
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        #expect(harness.producer.produced.map { $0.value } == ["m2@1"])
        try worker.checkpoint([0], reason: "test")
        let saved = try #require(
            try harness.store.load(CheckpointKey(group: "memestream", topic: "memes.events", partition: 0))
        )
        #expect(saved.clusterID == current)
    }

    /// A state the engine cannot read names both causes: damage, or a feature set changed under
    /// the same name and version.
    @Test func unreadableStateNamesChangedFeatureSet() throws {
        let harness = try WorkerLoopHarness()
        try harness.store.save(
            Checkpoint(
                key: CheckpointKey(group: "memestream", topic: "memes.events", partition: 0),
                nextOffset: 1,
                maxEventTime: nil,
                lastTick: nil,
                createdAtMilliseconds: 0,
                state: [0xFF]
            )
        )
        harness.feed(0, ["m1 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        let error = try #require(throws: CheckpointError.self) { try worker.pollOnce() }
        #expect(error.description.contains("the engine rejected the state"), "\(error)")
        #expect(error.description.contains("give a changed set a new version"), "\(error)")
    }

    @Test func restoreRejectsHeaderStateMismatch() throws {
        let harness = try WorkerLoopHarness()
        // A valid file whose header gives offset 5 while its state gives offset 3.
        try harness.saveCheckpoint(nextOffset: 5, stateOffset: 3, maxTs: 1_700_000_002_000)
        harness.feed(0, ["m1 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        let error = try #require(throws: CheckpointError.self) { try worker.pollOnce() }
        #expect(error.description.contains("the header and the state disagree"))
        #expect(error.description.contains("next offset 3"))
    }

    /// Returns a worker that owns partitions 0 and 1, one event each, after its first poll.
    private static func twoPartitionWorker(_ harness: WorkerLoopHarness) throws -> StreamWorker {
        harness.feed(0, ["m1 1700000000000"])
        harness.feed(1, ["m2 1700000000000"])
        harness.consumer.pendingAssign = [0, 1]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        return worker
    }

    @Test func revocationCheckpointsBeforeRelease() throws {
        let harness = try WorkerLoopHarness()
        let worker = try Self.twoPartitionWorker(harness)
        harness.consumer.pendingRevoke = [1]
        try worker.pollOnce()

        #expect(harness.effects.entries == ["flush 2", "save 1@1", "commit 1=1"])
        #expect(worker.assignedPartitions == [0])
    }

    @Test func lostPartitionIsNotCommitted() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        harness.consumer.pendingLost = [0]
        try worker.pollOnce()

        #expect(harness.effects.entries.isEmpty)
        #expect(worker.assignedPartitions.isEmpty)
        #expect(try harness.store.load(CheckpointKey(group: "memestream", topic: "memes.events", partition: 0)) == nil)
    }

    @Test func deliveryFailureStopsWithoutCommit() throws {
        struct Rejected: Error {}
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        harness.producer.failNextFlush = Rejected()
        harness.clock.advance(milliseconds: 1_000)

        #expect(throws: Rejected.self) { try worker.pollOnce() }
        #expect(harness.consumer.committed.isEmpty)
        #expect(!harness.effects.entries.contains { $0.hasPrefix("save") })
    }

    @Test func shutdownCheckpointsAndCloses() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000", "m2 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        var polls = 0
        try worker.run {
            polls += 1
            return polls > 2
        }

        #expect(harness.effects.entries == ["flush 2", "save 0@2", "commit 0=2", "close"])
        #expect(harness.consumer.committed[0] == 2)
    }

    @Test func idleRuleNeedsCaughtUpPartition() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.idleTimeoutMilliseconds = 60_000
        harness.settings.maxPollRecords = 1
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()

        // Behind: a record is unread and fetches stall, so the idle rule must not fire.
        harness.consumer.isStalled = true
        try Self.poll(worker, harness, forMilliseconds: 61_000)
        let isIdleLog = { (entry: LogEntry) in entry.message.hasPrefix("partition is caught up and idle") }
        #expect(harness.logs.entries.filter(isIdleLog).isEmpty)

        // Caught up and idle for longer than the timeout: the watermark moves to now − timeout − 5 s.
        harness.consumer.isStalled = false
        try worker.pollOnce()
        try Self.poll(worker, harness, forMilliseconds: 60_000)
        let now = harness.clock.wall.load(ordering: .relaxed)
        // The first advance of an idle stretch is logged at info.
        let logs = harness.logs.entries.filter(isIdleLog)
        #expect(logs.count == 1)
        #expect(logs.first?.level == .info)
        #expect(logs.first?.metadata[LogKey.watermark] == .integer(now - 60_000 - 5_000))
    }

    @Test func idleRuleRunsAfterRestoreAtLogEnd() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.idleTimeoutMilliseconds = 60_000
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000"])
        harness.consumer.pendingAssign = [0]
        let first = harness.makeWorker()
        try first.pollOnce()
        try first.checkpoint([0], reason: "test")

        // A new worker restores at the log end, and no record arrives after it.
        harness.consumer.positions.removeAll()
        harness.consumer.pendingAssign = [0]
        let second = harness.makeWorker()
        try second.pollOnce()
        // Past the idle timeout, and far enough that the idle watermark passes the events' times.
        try Self.poll(second, harness, forMilliseconds: 122_000)
        let idle = harness.logs.entries.filter { $0.message.hasPrefix("partition is caught up and idle") }
        #expect(idle.count == 1)
    }

    @Test func idleRuleSkipsCheckpointPastLogEnd() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.idleTimeoutMilliseconds = 60_000
        try harness.saveCheckpoint(nextOffset: 50, maxTs: 1_700_000_000_000)
        // An empty log of another cluster: the state must not emit through the idle rule.
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        try Self.poll(worker, harness, forMilliseconds: 122_000)
        #expect(!harness.logs.entries.contains { $0.message.hasPrefix("partition is caught up and idle") })
    }

    /// Polls every 10 s of wall time for `milliseconds`, as the loop polls when nothing pauses it.
    private static func poll(
        _ worker: StreamWorker,
        _ harness: WorkerLoopHarness,
        forMilliseconds milliseconds: Int64
    ) throws {
        var elapsed: Int64 = 0
        while elapsed < milliseconds {
            let step = min(10_000, milliseconds - elapsed)
            harness.clock.advance(milliseconds: step)
            try worker.pollOnce()
            elapsed += step
        }
    }

    /// After the process was stopped, the cached high watermark still shows the log end from
    /// before, so a partition that is behind looks caught up. The pause restarts the idle time,
    /// and the rule waits for fetches instead of moving the watermark past the unread records.
    @Test func idleRuleWaitsAfterLoopPause() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.idleTimeoutMilliseconds = 60_000
        harness.feed(0, ["m1 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        try Self.poll(worker, harness, forMilliseconds: 30_000)

        // Stopped for 100 s: records were written meanwhile, but no fetch has reported them yet.
        harness.feed(0, ["m2 1700000001000"])
        harness.consumer.staleHighWatermarks[0] = 1
        harness.consumer.isStalled = true
        harness.clock.advance(milliseconds: 100_000)
        try worker.pollOnce()
        let isIdleLog = { (entry: LogEntry) in entry.message.hasPrefix("partition is caught up and idle") }
        #expect(harness.logs.entries.filter(isIdleLog).isEmpty)
        let pauses = harness.logs.entries.filter { $0.message.hasPrefix("the worker loop paused") }
        #expect(pauses.count == 1)
        #expect(pauses.first?.metadata["pause.ms"] == .integer(100_000))

        // Fetches resume and report the record; after a full timeout without records the rule fires.
        harness.consumer.staleHighWatermarks.removeAll()
        harness.consumer.isStalled = false
        try worker.pollOnce()
        #expect(harness.logs.entries.filter(isIdleLog).isEmpty)
        try Self.poll(worker, harness, forMilliseconds: 61_000)
        #expect(harness.logs.entries.filter(isIdleLog).count == 1)
    }

    /// A consume error (a failed fetch, brokers down) may leave the cached high watermarks stale,
    /// so it restarts the idle time like a pause.
    @Test func idleRuleWaitsAfterConsumeError() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.idleTimeoutMilliseconds = 60_000
        harness.feed(0, ["m1 1700000000000"])
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        try Self.poll(worker, harness, forMilliseconds: 50_000)
        harness.consumer.consumeErrorCount += 1
        try Self.poll(worker, harness, forMilliseconds: 20_000)
        let isIdleLog = { (entry: LogEntry) in entry.message.hasPrefix("partition is caught up and idle") }
        #expect(harness.logs.entries.filter(isIdleLog).isEmpty)
        try Self.poll(worker, harness, forMilliseconds: 50_000)
        #expect(harness.logs.entries.filter(isIdleLog).count == 1)
    }

    /// The per-partition gauges vanish with their owner, so a worker that lost every partition
    /// (brokers gone) showed nothing. These two series report how many partitions it owns and how
    /// many consume errors the client reported.
    @Test func ownedPartitionsAndErrorsExported() throws {
        let harness = try WorkerLoopHarness()
        let worker = try Self.twoPartitionWorker(harness)
        try worker.pollOnce()
        #expect(harness.registry.prometheusText().contains("memestream_assigned_partitions 2\n"))
        #expect(harness.registry.prometheusText().contains("memestream_consume_errors_total 0\n"))
        harness.consumer.consumeErrorCount += 3
        try worker.pollOnce()
        #expect(harness.registry.prometheusText().contains("memestream_consume_errors_total 3\n"))
    }

    @Test func warmupStartSeeksToResolvedOffset() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.startFrom = .warmup
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000", "m3 1700000002000", "m4 1700000003000"])
        harness.consumer.offsetForTimestamp = { _, _ in 2 }
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        try worker.pollOnce()

        // The warm-up point is now minus the largest window minus the allowed lateness.
        let now = harness.clock.wall.load(ordering: .relaxed)
        #expect(harness.consumer.requestedTimestamps == [now - 86_400_000 - 600_000])
        #expect(harness.consumer.starts[0] == .offset(2))
        #expect(harness.consumer.seeks.isEmpty, "the start is set with the assignment")
        #expect(harness.producer.produced.map { $0.value } == ["m3@2", "m4@3"])
    }

    @Test func warmupStartFallsBackToLogStart() throws {
        let harness = try WorkerLoopHarness()
        harness.settings.startFrom = .warmup
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000"])
        harness.consumer.committed[0] = 1
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        try worker.pollOnce()

        // The look-up returns −1, as on the mock cluster, so the worker starts at the log start and
        // logs a warning.
        #expect(harness.consumer.starts[0] == .beginning)
        #expect(harness.producer.produced.map { $0.value } == ["m1@0", "m2@1"])
        let warnings = harness.logs.entries.filter { $0.message.hasPrefix("the broker cannot resolve the warm-up") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.level == .warning)
    }

    @Test func earliestStartIgnoresCommittedOffset() throws {
        let harness = try WorkerLoopHarness()
        harness.feed(0, ["m1 1700000000000", "m2 1700000001000", "m3 1700000002000"])
        // The group committed offset 2, but no checkpoint exists (a new checkpoint store).
        harness.consumer.committed[0] = 2
        harness.consumer.pendingAssign = [0]
        let worker = harness.makeWorker()
        try worker.pollOnce()
        try worker.pollOnce()

        #expect(harness.consumer.starts[0] == .beginning)
        #expect(harness.producer.produced.map { $0.value } == ["m1@0", "m2@1", "m3@2"])
    }
}
