/// memestream's metric families. Every name starts with `memestream_`.
///
/// Label `partition` is the input partition number; `reason` is a rejection reason code such as
/// `malformed_json`; `kind` is `assign` or `revoke`.
extension MetricDescriptor {
    /// Bucket bounds in seconds for tick latency and checkpoint duration: 1 ms to 30 s.
    public static let latencyBucketsSeconds: [Double] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    ]

    /// Input records read from Kafka, accepted or rejected, per input partition.
    public static let eventsConsumed = MetricDescriptor(
        name: "memestream_events_consumed_total",
        help: "Input records read, accepted or rejected, per input partition.",
        kind: .counter,
        labelNames: ["partition"]
    )

    /// Input records rejected, per rejection reason code.
    public static let eventsRejected = MetricDescriptor(
        name: "memestream_events_rejected_total",
        help: "Input records rejected and sent to the dead-letter topic, per reason code.",
        kind: .counter,
        labelNames: ["reason"]
    )

    /// Accepted input records whose Kafka key differs from their `meme_id`.
    public static let keyMismatches = MetricDescriptor(
        name: "memestream_key_mismatches_total",
        help: "Accepted input records whose record key differs from the meme_id field.",
        kind: .counter
    )

    /// Feature records produced (not counting tombstones).
    public static let recordsEmitted = MetricDescriptor(
        name: "memestream_records_emitted_total",
        help: "Feature records produced to the feature topic, tombstones excluded.",
        kind: .counter
    )

    /// Tombstones produced.
    public static let tombstonesEmitted = MetricDescriptor(
        name: "memestream_tombstones_emitted_total",
        help: "Tombstones (null values) produced to the feature topic.",
        kind: .counter
    )

    /// Wall-clock time minus the partition watermark, in seconds.
    public static let watermarkLag = MetricDescriptor(
        name: "memestream_watermark_lag_seconds",
        help: "Wall-clock time minus the watermark of the input partition, in seconds.",
        kind: .gauge,
        labelNames: ["partition"]
    )

    /// Log end offset minus the consumer position, in records.
    public static let consumerLag = MetricDescriptor(
        name: "memestream_consumer_lag_records",
        help: "Log end offset minus the consumer position of the input partition, in records.",
        kind: .gauge,
        labelNames: ["partition"]
    )

    /// Wall time from a tick closing to its records being handed to the producer, in seconds.
    public static let tickProcessingLatency = MetricDescriptor(
        name: "memestream_tick_processing_seconds",
        help: "Wall time to process one closed tick of one partition, in seconds.",
        kind: .histogram,
        buckets: latencyBucketsSeconds
    )

    /// Wall time to write one checkpoint durably, in seconds.
    public static let checkpointDuration = MetricDescriptor(
        name: "memestream_checkpoint_duration_seconds",
        help: "Wall time to encode, compress and durably write one partition checkpoint, in seconds.",
        kind: .histogram,
        buckets: latencyBucketsSeconds
    )

    /// Size of the engine state in the latest checkpoint, before compression, in bytes.
    public static let checkpointSize = MetricDescriptor(
        name: "memestream_checkpoint_size_bytes",
        help: "Size of the engine state in the latest checkpoint of the input partition, before compression, in bytes.",
        kind: .gauge,
        labelNames: ["partition"]
    )

    /// Keys (memes) held in state.
    public static let keysInState = MetricDescriptor(
        name: "memestream_keys_in_state",
        help: "Keys (memes) held in the state of the input partition.",
        kind: .gauge,
        labelNames: ["partition"]
    )

    /// Consumer-group rebalance callbacks, per kind.
    public static let rebalances = MetricDescriptor(
        name: "memestream_rebalances_total",
        help: "Consumer-group rebalance callbacks, per kind (assign, revoke or lost).",
        kind: .counter,
        labelNames: ["kind"]
    )

    /// Input partitions the worker owns. The per-partition gauges vanish with their owner, so
    /// an alert on the sum of this over every worker sees partitions without an owner.
    public static let assignedPartitions = MetricDescriptor(
        name: "memestream_assigned_partitions",
        help: "Input partitions this worker owns (assigned and not yet revoked or lost).",
        kind: .gauge,
        labelNames: []
    )

    /// Errors the Kafka consumer reported while polling.
    public static let consumeErrors = MetricDescriptor(
        name: "memestream_consume_errors_total",
        help: "Errors the Kafka consumer reported while polling: failed fetches, unreachable brokers.",
        kind: .counter,
        labelNames: []
    )

    /// Input offsets that retention removed before the worker read them, behind a restored
    /// checkpoint or ahead of a running worker, so the state misses their events.
    public static let inputOffsetsSkipped = MetricDescriptor(
        name: "memestream_input_offsets_skipped_total",
        help: "Input offsets removed by retention before the worker read them; the features miss their events.",
        kind: .counter,
        labelNames: ["partition"]
    )

    /// Every memestream family, in the order docs list them.
    public static let all: [MetricDescriptor] = [
        eventsConsumed, eventsRejected, keyMismatches, recordsEmitted, tombstonesEmitted, watermarkLag,
        consumerLag, tickProcessingLatency, checkpointDuration, checkpointSize, keysInState, rebalances,
        assignedPartitions, consumeErrors, inputOffsetsSkipped,
    ]
}
