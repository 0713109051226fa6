/// The metadata keys memestream logs use, in one place so that every module spells them alike.
///
/// Keys are lowercase and dot-separated by subject (`kafka.*`, `meme.*`, `checkpoint.*`). The
/// message of an entry stays constant text; the values that vary go under these keys.
public enum LogKey {
    /// A Kafka topic name.
    public static let kafkaTopic = "kafka.topic"
    /// A Kafka partition number.
    public static let kafkaPartition = "kafka.partition"
    /// A Kafka record offset.
    public static let kafkaOffset = "kafka.offset"
    /// The consumer group id.
    public static let kafkaGroup = "kafka.group"
    /// A list of partitions in a rebalance, for example `0,1,5`.
    public static let kafkaPartitions = "kafka.partitions"
    /// The kind of a rebalance: `assign` or `revoke`.
    public static let kafkaRebalanceKind = "kafka.rebalance.kind"
    /// The facility of a log line forwarded from librdkafka.
    public static let kafkaFacility = "kafka.facility"
    /// A meme id.
    public static let memeID = "meme.id"
    /// A Kafka record's key as text (invalid UTF-8 replaced), at most its first 64 bytes.
    public static let kafkaKey = "kafka.key"
    /// An event time in ms since the epoch.
    public static let eventTime = "event.ts"
    /// A rejection reason code, such as `malformed_json`.
    public static let rejectionReason = "reject.reason"
    /// The human-readable detail of a rejection.
    public static let rejectionDetail = "reject.detail"
    /// A partition watermark in ms since the epoch.
    public static let watermark = "watermark"
    /// A tick in ms since the epoch.
    public static let tick = "tick"
    /// A checkpoint store description, such as `dir:/var/lib/memestream`.
    public static let checkpointStore = "checkpoint.store"
    /// The size of a checkpoint in bytes.
    public static let checkpointBytes = "checkpoint.bytes"
    /// A duration in milliseconds.
    public static let durationMilliseconds = "duration.ms"
    /// The description of a caught error.
    public static let error = "error"
    /// An HTTP request path.
    public static let httpPath = "http.path"
    /// An HTTP response status code.
    public static let httpStatus = "http.status"
    /// A socket address, such as `127.0.0.1:9464`.
    public static let address = "address"
    /// A signal name, such as `SIGTERM`.
    public static let signal = "signal"
    /// The number of similar entries a rate limiter dropped.
    public static let suppressed = "suppressed"
}
