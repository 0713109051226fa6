import KafkaBridge
import StreamCore

/// Where ``WorkerConsumer/seek(partition:to:)`` moves a partition.
enum SeekTarget: Sendable, Equatable {
    case offset(Int64)
    /// The log start offset.
    case beginning
    /// The log end offset.
    case end
}

/// Receives partition ownership changes synchronously, during the consumer's poll call, before
/// the consumer completes the change with the group.
protocol WorkerRebalanceHandler: AnyObject {
    /// Prepares newly assigned partitions: restores their checkpoints or picks their start offsets.
    func partitionsAssigned(_ partitions: [Int32]) throws
    /// Finishes work for partitions the group takes away; returns when their state is checkpointed.
    func partitionsRevoked(_ partitions: [Int32]) throws
    /// Drops partitions that were lost (another member may already own them); nothing is committed.
    func partitionsLost(_ partitions: [Int32])
}

/// The consumer side the worker needs; implemented over librdkafka's high-level consumer.
protocol WorkerConsumer: AnyObject {
    /// Polls up to `maxRecords` records for at most `timeoutMilliseconds`, calling `body` for each.
    /// Rebalance events reach `handler` inside this call.
    func poll(
        maxRecords: Int,
        timeoutMilliseconds: Int,
        handler: any WorkerRebalanceHandler,
        _ body: (InputRecord) throws -> Void
    ) throws
    /// Returns the high watermark (log end offset) of `partition` as last reported by the
    /// client, or `nil` while unknown. Never blocks.
    func highWatermark(partition: Int32) -> Int64?
    /// Returns the offset after the last offset of `partition` the client has passed, records
    /// and offsets without a record for a consumer (a transaction marker) alike, or `nil` while
    /// unknown. Implementations must not block: the worker calls it in its poll loop.
    func position(partition: Int32) -> Int64?
    /// Returns the log start offset (low watermark) of `partition` as last reported by the
    /// client, or `nil` while unknown. Implementations must not block, as for ``position(partition:)``.
    func logStartOffset(partition: Int32) -> Int64?
    /// The number of consume errors the client reported so far, such as failed fetches or
    /// unreachable brokers. While they occur, the cached high watermarks may be stale.
    var consumeErrorCount: Int { get }
    /// Sets where `partition` starts instead of its committed offset. Valid only inside
    /// ``WorkerRebalanceHandler/partitionsAssigned(_:)`` for a partition of that assignment,
    /// which is applied after the handler returns.
    func setStart(partition: Int32, to target: SeekTarget) throws
    /// Moves the consumer's position in an assigned, fetching partition. Records of the batch
    /// being handed out may still come from the old position; later polls return only records
    /// from the new one.
    func seek(partition: Int32, to target: SeekTarget) throws
    /// Commits `offsets` (partition → next offset to read) for the group and waits for the result.
    func commit(_ offsets: [Int32: Int64]) throws
    /// Resolves the offset of the first record at or after `timestamp` (ms), or `nil` when the
    /// broker cannot resolve timestamps.
    func offset(forTimestamp timestamp: Int64, partition: Int32) throws -> Int64?
    /// Returns the id of the Kafka cluster the consumer reads from, or `nil` when it is not known
    /// within `timeoutMilliseconds`. Checkpoints record it, so that a restore can tell a new
    /// cluster from the one the checkpoint was written against.
    func clusterID(timeoutMilliseconds: Int) -> String?
    /// Leaves the group (running the final revocation through `handler`) and closes the consumer.
    func close(handler: any WorkerRebalanceHandler) throws
}

/// A produced record's destination and content; bytes are borrowed for the call.
struct OutgoingRecord {
    var topic: String
    var key: UnsafeRawBufferPointer?
    var value: UnsafeRawBufferPointer?
    var timestamp: Int64?
    /// The headers, in KafkaBridge's type so a list built once (the feature records' headers)
    /// reaches the producer without a conversion per record.
    var headers: [KafkaHeader]
}

/// An output record the broker did not accept: rejected by the client at once (for example,
/// larger than `message.max.bytes`) or failed after all of the producer's retries.
struct DeliveryFailure: Error, CustomStringConvertible {
    var description: String
    /// Whether the client rejected the record as larger than `message.max.bytes`.
    var isRecordTooLarge = false

    /// Returns the failure for a record the client rejected when it was produced.
    static func rejected(
        topic: String,
        key: [UInt8]?,
        valueBytes: Int,
        reason: String,
        isRecordTooLarge: Bool = false
    ) -> DeliveryFailure {
        let keyText = key.map { String(decoding: $0, as: UTF8.self) } ?? "null"
        return DeliveryFailure(
            description: "producing to topic \(topic) failed for key \(keyText) (\(valueBytes)-byte value): \(reason). "
                + "Nothing was committed past this record; raise message.max.bytes (-X) and the topic's "
                + "max.message.bytes, then restart",
            isRecordTooLarge: isRecordTooLarge
        )
    }
}

/// The producer side the worker needs; implemented over librdkafka's producer.
protocol WorkerProducer: AnyObject {
    /// Enqueues one record. Throws when the client rejects it at once (for example, too large).
    func produce(_ record: OutgoingRecord) throws
    /// Serves delivery reports without blocking.
    func poll()
    /// Waits until every enqueued record is acknowledged or failed, for at most `timeoutMilliseconds`.
    /// Throws the first delivery failure since the last call, or a timeout.
    func flush(timeoutMilliseconds: Int) throws
    /// Loads what the client needs to send to `topics` (partition counts, leaders), so the first
    /// output records are not delayed. Throws when the brokers do not respond in time.
    func prepare(topics: [String], timeoutMilliseconds: Int) throws
}

extension WorkerProducer {
    func prepare(topics: [String], timeoutMilliseconds: Int) throws {}
}
