import StreamCore

/// The worker's metric handles, looked up once in the shared registry so the hot path only
/// touches atomics. Per-partition series are created on assignment and removed on release.
final class WorkerMetrics: Sendable {
    let registry: MetricsRegistry
    let recordsEmitted: Counter
    let tombstonesEmitted: Counter
    let keyMismatches: Counter
    let tickProcessingLatency: Histogram
    let checkpointDuration: Histogram
    let assignedPartitions: Gauge
    let consumeErrors: Counter
    private let rejected: [RejectionReason: Counter]

    init(registry: MetricsRegistry) {
        self.registry = registry
        for descriptor in MetricDescriptor.all {
            registry.register(descriptor)
        }
        recordsEmitted = registry.counter(.recordsEmitted)
        tombstonesEmitted = registry.counter(.tombstonesEmitted)
        keyMismatches = registry.counter(.keyMismatches)
        tickProcessingLatency = registry.histogram(.tickProcessingLatency)
        checkpointDuration = registry.histogram(.checkpointDuration)
        assignedPartitions = registry.gauge(.assignedPartitions)
        consumeErrors = registry.counter(.consumeErrors)
        var rejected: [RejectionReason: Counter] = [:]
        for reason in RejectionReason.allCases {
            rejected[reason] = registry.counter(.eventsRejected, labels: [("reason", reason.rawValue)])
        }
        self.rejected = rejected
    }

    func countRejection(_ reason: RejectionReason) {
        rejected[reason]?.increment()
    }

    /// Counts input offsets of `partition` that retention removed before the worker read them.
    func countSkippedOffsets(_ count: Int64, partition: Int32) {
        registry.counter(.inputOffsetsSkipped, labels: [("partition", String(partition))]).increment(by: count)
    }

    func countRebalance(_ kind: String) {
        registry.counter(.rebalances, labels: [("kind", kind)]).increment()
    }

    /// Returns the handles of one input partition, creating its series when missing.
    func partition(_ partition: Int32) -> PartitionMetrics {
        let labels = [("partition", String(partition))]
        // Created at 0 on assignment, so that an alert on its increase detects the first skip.
        _ = registry.counter(.inputOffsetsSkipped, labels: labels)
        return PartitionMetrics(
            eventsConsumed: registry.counter(.eventsConsumed, labels: labels),
            watermarkLag: registry.gauge(.watermarkLag, labels: labels),
            consumerLag: registry.gauge(.consumerLag, labels: labels),
            checkpointSize: registry.gauge(.checkpointSize, labels: labels),
            keysInState: registry.gauge(.keysInState, labels: labels)
        )
    }

    /// Removes the gauges of a released partition so `/metrics` shows only owned partitions.
    /// The consumed counter stays, because counters must not go backwards.
    func removePartition(_ partition: Int32) {
        let labels = [("partition", String(partition))]
        for descriptor in [MetricDescriptor.watermarkLag, .consumerLag, .checkpointSize, .keysInState] {
            registry.removeSeries(descriptor, labels: labels)
        }
    }
}

/// Metric handles of one input partition.
struct PartitionMetrics: Sendable {
    let eventsConsumed: Counter
    let watermarkLag: Gauge
    let consumerLag: Gauge
    let checkpointSize: Gauge
    let keysInState: Gauge
}
