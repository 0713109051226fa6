import Synchronization

/// The part of an assigned partition that the thread running its engine touches: the engine and
/// the bookkeeping done beside it.
///
/// With engine lanes, the partition's lane owns this object and the worker thread reads it only
/// after draining the lanes, except ``publishedWatermark``, which is atomic. It is a separate
/// object from ``PartitionTask`` so that the lane and the worker thread never write the same cache
/// lines per record.
final class EngineHandle {
    let partition: Int32
    let engine: any WorkerPartitionEngine
    /// The partition's gauges, set after each batch.
    let metrics: PartitionMetrics
    /// Key mismatches already logged, to log only growth.
    var reportedKeyMismatches = 0
    /// `true` while the idle rule moves the watermark and no record has arrived since, so the
    /// start of each idle stretch is logged once.
    var isIdleAdvancing = false
    /// The engine's watermark in ms as of the last batch the engine processed, or
    /// ``noWatermark``. Written where the engine runs, read by the worker thread for the gauges.
    let publishedWatermark = Atomic<Int64>(EngineHandle.noWatermark)
    static let noWatermark = Int64.min

    init(partition: Int32, engine: any WorkerPartitionEngine, metrics: PartitionMetrics) {
        self.partition = partition
        self.engine = engine
        self.metrics = metrics
    }
}
