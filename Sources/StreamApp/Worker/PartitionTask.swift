import StreamCore
import Synchronization

/// The worker's state for one assigned input partition: its engine plus the bookkeeping for
/// duplicate suppression, the idle rule and checkpoints.
///
/// The worker thread owns the bookkeeping. The engine, ``reportedKeyMismatches`` and
/// ``isIdleAdvancing`` belong to the
/// thread that runs the engine: the worker thread, or the partition's engine lane. With lanes, the
/// worker thread reads the engine only after draining them.
final class PartitionTask {
    let partition: Int32
    let engine: any WorkerPartitionEngine
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
        /// The seek is in effect; the next record is the first from the new position.
        case afterSeek
        /// Records flow from the start position.
        case positioned
    }

    /// Wall time (ms) the last record arrived, or the assignment time before any record.
    var lastRecordWallMilliseconds: Int64
    /// The offset and watermark of the last durable checkpoint, to skip unchanged partitions.
    var checkpointedOffset: Int64?
    var checkpointedWatermark: EventTime?
    var checkpointedTick: EventTime?
    /// Key mismatches already logged, to log only growth. Touched only where the engine runs.
    var reportedKeyMismatches = 0
    /// `true` while the idle rule moves the watermark and no record has arrived since, so the
    /// start of each idle stretch is logged once. Touched only where the engine runs.
    var isIdleAdvancing = false
    /// The engine lane that runs this partition's engine, when the worker uses lanes.
    var laneIndex = 0
    /// The engine's watermark in ms as of the last batch the engine processed, or
    /// ``noWatermark``. Written where the engine runs, read by the worker thread for the gauges.
    let publishedWatermark = Atomic<Int64>(PartitionTask.noWatermark)
    static let noWatermark = Int64.min

    init(
        partition: Int32,
        engine: any WorkerPartitionEngine,
        metrics: PartitionMetrics,
        start: SeekTarget,
        now: Int64
    ) {
        self.partition = partition
        self.engine = engine
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
