/// A change of a group consumer's assignment, delivered synchronously from
/// ``KafkaConsumer/poll(maxMessages:timeout:_:)`` or ``KafkaConsumer/close()``.
///
/// The order guarantees what a checkpointing owner needs:
/// - ``Kind-swift.enum/assigned``: delivered after librdkafka applied the assignment, so the
///   handler may call ``KafkaConsumer/seek(_:timeout:)`` on the new partitions.
/// - ``Kind-swift.enum/revoked`` and ``Kind-swift.enum/lost``: delivered before the partitions
///   are unassigned, so the handler may checkpoint and call ``KafkaConsumer/commit(_:)``; the
///   revocation completes when the handler returns. After ``Kind-swift.enum/lost`` another
///   member may already own the partitions, so a commit may fail.
public struct KafkaRebalanceEvent: Sendable, Equatable {
    /// The change applied to ``partitions``.
    public enum Kind: Sendable, Equatable {
        case assigned
        case revoked
        case lost
    }

    /// The change.
    public var kind: Kind
    /// The partitions concerned. With the cooperative protocol these are only the partitions
    /// that moved; with the eager protocol it is the whole old or new assignment.
    public var partitions: [KafkaTopicPartition]
    /// `true` when the group uses the incremental cooperative protocol.
    public var isCooperative: Bool
}

/// Receives rebalance events together with the consumer, so it can commit or seek.
///
/// Runs synchronously on the thread that polls or closes the consumer. It may commit, seek,
/// pause or read positions, but must not call ``KafkaConsumer/poll(maxMessages:timeout:_:)``,
/// which traps on a nested poll.
public typealias KafkaRebalanceHandler = @Sendable (_ event: KafkaRebalanceEvent, _ consumer: KafkaConsumer) -> Void

/// Receives the result of ``KafkaConsumer/commitAsync(_:)``: the committed partitions with
/// their offsets, or the error. Runs on the thread that polls the consumer.
public typealias KafkaCommitHandler = @Sendable (_ result: Result<[KafkaTopicPartition], KafkaBridgeError>) -> Void

/// The offsets of one partition and how far a consumer is behind its end.
public struct KafkaPartitionLag: Sendable, Equatable {
    /// The topic and partition.
    public var topic: String
    /// The partition.
    public var partition: KafkaPartition
    /// The first offset still in the log.
    public var low: KafkaOffset
    /// The high watermark: the offset the next record will get.
    public var high: KafkaOffset
    /// The consumer's position (the next offset it will read), or ``KafkaOffset/invalid``.
    public var position: KafkaOffset
    /// Records between the position (or the committed offset, or the log start, in that order
    /// of preference) and the high watermark; never negative.
    public var lag: Int64
}
