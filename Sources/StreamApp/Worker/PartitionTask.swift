import StreamCore

/// The worker's state for one assigned input partition: its engine plus the bookkeeping for
/// duplicate suppression, the idle rule and checkpoints.
///
/// The worker thread owns this object. What the thread running the engine touches lives in
/// ``handle``, a separate object, so an engine lane never writes the memory (fields or reference
/// count) that the worker thread writes per record. With lanes, the worker thread reads the engine
/// only after draining them.
final class PartitionTask {
    let partition: Int32
    /// The engine and the fields that belong to the thread that runs it.
    let handle: EngineHandle
    var engine: any WorkerPartitionEngine { handle.engine }
    let metrics: PartitionMetrics
    /// The next offset the engine expects, once known. Records below it are redeliveries and
    /// are skipped.
    var expectedOffset: Int64?
    /// The start position: a checkpoint's offset, or a logical position for a
    /// partition without checkpoint.
    let start: SeekTarget
    /// Progress towards ``start``. librdkafka starts a new partition at the group's committed
    /// offset, and a seek inside the assignment callback fails with an erroneous-state error in
    /// librdkafka 2.0.2, so the worker seeks when the partition delivers its first record.
    var positioning = Positioning.awaitingFirstRecord

    /// The states of positioning a newly assigned partition.
    enum Positioning {
        /// No record yet; the first one decides whether a seek is needed.
        case awaitingFirstRecord
        /// A seek was issued during the current batch, whose remaining records come from the old
        /// position and are skipped.
        case seekIssued
        /// The start set at assignment, or a seek, is in effect; the next record is the first from
        /// the new position.
        case afterSeek
        /// Records flow from the start position.
        case positioned
    }

    /// Wall time (ms) the last record arrived, or the assignment time before any record.
    var lastRecordWallMilliseconds: Int64
    /// The fingerprint and offset of the last record handed to the engine (or of the record
    /// before a restored checkpoint's offset), which the next checkpoint stores.
    var lastRecord: RecordFingerprint?
    var lastRecordOffset: Int64?
    /// The fingerprint the record before ``start`` must have, while it is still to be read: a
    /// restored checkpoint's last record. The partition then starts one offset earlier.
    var verification: RecordFingerprint?

    /// The consumer's start position: ``start``, or the offset before it while ``verification``
    /// is pending.
    var seekTarget: SeekTarget {
        if verification != nil, case .offset(let offset) = start, offset > 0 { return .offset(offset - 1) }
        return start
    }
    /// The offset and watermark of the last durable checkpoint, to skip unchanged partitions.
    var checkpointedOffset: Int64?
    var checkpointedWatermark: EventTime?
    var checkpointedTick: EventTime?
    /// The engine lane that runs this partition's engine, when the worker uses lanes.
    var laneIndex = 0
    /// The same lane, unretained: the worker's ``EngineLanes`` keeps its lanes for its whole life.
    /// Handing a record over through it counts no reference per record.
    var lane: Unmanaged<EngineLane>?
    /// Records consumed since the last ``publishConsumedCount()``.
    private var unpublishedConsumed: Int64 = 0

    /// Counts one consumed record. ``publishConsumedCount()`` adds the count to the metric.
    @inline(__always)
    func countConsumed() {
        unpublishedConsumed += 1
    }

    /// Adds the records counted since the last call to the partition's consumed-events counter.
    /// The worker calls it once per poll, so the counter is not written per record.
    func publishConsumedCount() {
        guard unpublishedConsumed > 0 else { return }
        metrics.eventsConsumed.increment(by: unpublishedConsumed)
        unpublishedConsumed = 0
    }

    init(
        partition: Int32,
        engine: any WorkerPartitionEngine,
        metrics: PartitionMetrics,
        start: SeekTarget,
        now: Int64
    ) {
        self.partition = partition
        self.handle = EngineHandle(partition: partition, engine: engine, metrics: metrics)
        self.metrics = metrics
        self.start = start
        if case .offset(let offset) = start {
            self.expectedOffset = offset
        }
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
