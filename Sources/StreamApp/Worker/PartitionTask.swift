import StreamCore

/// The worker's state for one assigned input partition: its engine plus the bookkeeping for
/// duplicate suppression, the idle rule and checkpoints. Owned by the worker thread.
final class PartitionTask {
    let partition: Int32
    let engine: any WorkerPartitionEngine
    let metrics: PartitionMetrics
    /// The next offset the engine expects. Records below it are redeliveries and are skipped.
    var expectedOffset: Int64
    /// `true` until the first record at ``expectedOffset`` arrives after assignment or a seek.
    /// librdkafka starts a new partition at the group's committed offset (a seek inside the
    /// assignment callback fails with an erroneous-state error), so the worker seeks once the
    /// partition delivers its first record, if that record is not the expected one.
    var isPositioning = true
    /// Seeks issued while positioning, to give up after one when the log start moved past the
    /// expected offset.
    var positioningSeeks = 0
    /// Wall time (ms) the last record arrived, or the assignment time before any record.
    var lastRecordWallMilliseconds: Int64
    /// The offset and watermark of the last durable checkpoint, to skip unchanged partitions.
    var checkpointedOffset: Int64?
    var checkpointedWatermark: EventTime?
    var checkpointedTick: EventTime?
    /// Key mismatches already logged, to log only growth.
    var reportedKeyMismatches = 0

    init(
        partition: Int32,
        engine: any WorkerPartitionEngine,
        metrics: PartitionMetrics,
        expectedOffset: Int64,
        now: Int64
    ) {
        self.partition = partition
        self.engine = engine
        self.metrics = metrics
        self.expectedOffset = expectedOffset
        self.lastRecordWallMilliseconds = now
        self.checkpointedOffset = engine.nextOffset
        self.checkpointedWatermark = engine.watermark
        self.checkpointedTick = engine.lastProcessedTick
    }

    /// `true` when the engine's state differs from the last checkpoint.
    var hasUncheckpointedChanges: Bool {
        engine.nextOffset != checkpointedOffset || engine.watermark != checkpointedWatermark
            || engine.lastProcessedTick != checkpointedTick
    }
}
