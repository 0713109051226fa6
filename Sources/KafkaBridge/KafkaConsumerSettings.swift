/// The partition assignment strategy of a consumer group (`partition.assignment.strategy`).
///
/// Every member of one group must use the same strategy.
public enum KafkaAssignmentStrategy: String, Sendable {
    /// Eager range assignment: every rebalance revokes the whole assignment first.
    case range
    /// Eager round-robin assignment.
    case roundRobin = "roundrobin"
    /// Incremental cooperative rebalancing: only the partitions that move are revoked.
    case cooperativeSticky = "cooperative-sticky"
}

/// The start position of a consumer whose group has no committed offset (`auto.offset.reset`).
public enum KafkaAutoOffsetReset: String, Sendable {
    /// Start at the first offset still in the log.
    case earliest
    /// Start at the end and read only records produced from now on.
    case latest
    /// Report an error instead of choosing.
    case error
}

/// Typed consumer settings. Each renders to one librdkafka property, named on the field.
public struct KafkaConsumerSettings: Sendable, Equatable {
    /// The consumer group (`group.id`). Default: `"memestream"`.
    public var groupID: String = "memestream"
    /// The start position without a committed offset (`auto.offset.reset`). Default: `.earliest`.
    public var autoOffsetReset: KafkaAutoOffsetReset = .earliest
    /// Whether librdkafka commits stored offsets periodically (`enable.auto.commit`).
    /// Default: `false`, because a stream processor commits only after its checkpoint.
    public var enableAutoCommit: Bool = false
    /// The automatic commit period in milliseconds (`auto.commit.interval.ms`). Default: 5000.
    public var autoCommitIntervalMilliseconds: Int = 5_000
    /// Whether librdkafka stores each consumed offset itself (`enable.auto.offset.store`).
    /// Default: `false`, so only offsets the owner stores or commits are committed.
    public var enableAutoOffsetStore: Bool = false
    /// The group session timeout in milliseconds (`session.timeout.ms`). Default: 45000.
    public var sessionTimeoutMilliseconds: Int = 45_000
    /// The heartbeat period in milliseconds (`heartbeat.interval.ms`). Default: 3000.
    public var heartbeatIntervalMilliseconds: Int = 3_000
    /// The maximum gap between two polls before the member leaves the group, in milliseconds
    /// (`max.poll.interval.ms`). Default: 300000.
    public var maxPollIntervalMilliseconds: Int = 300_000
    /// The assignment strategy (`partition.assignment.strategy`). Default: `.cooperativeSticky`.
    public var assignmentStrategy: KafkaAssignmentStrategy = .cooperativeSticky
    /// The maximum time a broker holds back the response to a fetch that has no data, in milliseconds (`fetch.wait.max.ms`).
    /// Default: 500.
    public var fetchWaitMaxMilliseconds: Int = 500
    /// The prefetch queue size per partition, in messages (`queued.min.messages`). Default: 100000.
    public var queuedMinMessages: Int = 100_000
    /// Whether reaching the end of a partition is reported in the batch (`enable.partition.eof`).
    /// Default: `false`.
    public var enablePartitionEOF: Bool = false
    /// Whether records of aborted transactions are skipped (`isolation.level`). Default: `true`
    /// (`read_committed`).
    public var readCommitted: Bool = true

    /// Creates the default settings.
    public init() {}

    /// The librdkafka properties these settings set, in a fixed order.
    var properties: [(key: String, value: String)] {
        [
            ("group.id", groupID),
            ("auto.offset.reset", autoOffsetReset.rawValue),
            ("enable.auto.commit", String(enableAutoCommit)),
            ("auto.commit.interval.ms", String(autoCommitIntervalMilliseconds)),
            ("enable.auto.offset.store", String(enableAutoOffsetStore)),
            ("session.timeout.ms", String(sessionTimeoutMilliseconds)),
            ("heartbeat.interval.ms", String(heartbeatIntervalMilliseconds)),
            ("max.poll.interval.ms", String(maxPollIntervalMilliseconds)),
            ("partition.assignment.strategy", assignmentStrategy.rawValue),
            ("fetch.wait.max.ms", String(fetchWaitMaxMilliseconds)),
            ("queued.min.messages", String(queuedMinMessages)),
            ("enable.partition.eof", String(enablePartitionEOF)),
            ("isolation.level", readCommitted ? "read_committed" : "read_uncommitted"),
        ]
    }
}
