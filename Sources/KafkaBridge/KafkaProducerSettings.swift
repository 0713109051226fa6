/// The compression codec of produced batches (`compression.type`).
public enum KafkaCompression: String, Sendable {
    case none
    case gzip
    case snappy
    case lz4
    case zstd
}

/// Typed producer settings. Each renders to one librdkafka property, named on the field.
public struct KafkaProducerSettings: Sendable, Equatable {
    /// Exactly-once, in-order delivery per partition without duplicates from retries
    /// (`enable.idempotence`). Default: `true`. It also forces `acks=all`.
    public var enableIdempotence: Bool = true
    /// How many replicas must acknowledge a batch (`acks`): -1 for all, 0 or 1. Default: -1.
    public var acks: Int = -1
    /// How long the producer waits to fill a batch, in milliseconds (`linger.ms`). Default: 5.
    public var lingerMilliseconds: Int = 5
    /// The batch compression (`compression.type`). Default: `.none`.
    public var compression: KafkaCompression = .none
    /// The partitioner for records without an explicit partition (`partitioner`). Default:
    /// `"murmur2_random"`, which places keyed records where the Java client does.
    public var partitioner: String = "murmur2_random"
    /// The producer queue limit in messages (`queue.buffering.max.messages`). When the queue
    /// is full, ``KafkaProducer`` polls and retries instead of dropping. Default: 100000.
    public var queueBufferingMaxMessages: Int = 100_000
    /// How long librdkafka tries to deliver one record before it reports a delivery failure,
    /// in milliseconds (`message.timeout.ms`). Default: 300000.
    public var messageTimeoutMilliseconds: Int = 300_000
    /// The largest record the producer accepts, in bytes (`message.max.bytes`). Default: 1000000.
    public var messageMaxBytes: Int = 1_000_000
    /// Whether librdkafka reports only failed deliveries (`delivery.report.only.error`). Default:
    /// `false`. Turning it on saves a report per record for producers whose delivery handler only
    /// looks at failures. The `async` send waits for its record's report, so with this on it never
    /// returns for a delivered record: use only the callback variant.
    public var deliveryReportOnlyErrors: Bool = false

    /// Creates the default settings.
    public init() {}

    /// The librdkafka properties these settings set, in a fixed order.
    var properties: [(key: String, value: String)] {
        [
            ("enable.idempotence", String(enableIdempotence)),
            ("acks", enableIdempotence ? "all" : String(acks)),
            ("linger.ms", String(lingerMilliseconds)),
            ("compression.type", compression.rawValue),
            ("partitioner", partitioner),
            ("queue.buffering.max.messages", String(queueBufferingMaxMessages)),
            ("message.timeout.ms", String(messageTimeoutMilliseconds)),
            ("message.max.bytes", String(messageMaxBytes)),
            ("delivery.report.only.error", String(deliveryReportOnlyErrors)),
        ]
    }
}
