import KafkaBridge
import StreamCore
import Synchronization

/// ``CheckpointLog`` over a Kafka topic, for ``ChunkedCheckpointStore`` (`--checkpoint-store
/// kafka:TOPIC`).
///
/// All records of one checkpoint key (its chunks and manifests) go to one partition of the topic:
/// the murmur2 hash of the manifest key `group/topic/partition` modulo the topic's partition
/// count, as Kafka's Java client partitions that key. So each key's records form one ordered
/// stream, the keys spread over the partitions, and a restore reads one partition. Appends wait
/// for the broker's acknowledgement (idempotent producer, `acks=all`). A read assigns the
/// partition to a consumer outside any group and reads from the log start to the end.
///
/// Earlier versions wrote every record to partition 0. A restore that finds no record of its key
/// in the key's partition therefore also reads partition 0.
///
/// NOTE: Adding partitions to the checkpoint topic moves keys to other partitions, and a restore
/// then misses checkpoints written before the change (unless they are in partition 0).
final class KafkaCheckpointLog: CheckpointLog {
    let topic: String
    let configuration: KafkaConfiguration
    let maxRecordBytes: Int
    private let producer: KafkaProducer
    private let failures = CheckpointDeliveryFailures()
    /// The topic's partition count once a metadata request returned it.
    private var knownPartitionCount: Int?
    /// The partition of every record before keys were spread, and the one read as a fallback.
    static let legacyPartition: Int32 = 0
    /// Bytes kept free below `message.max.bytes` for the key, headers and batch framing.
    static let recordOverheadBytes = 1_024
    static let requestTimeout: Duration = .seconds(30)
    /// Upper bound for reading the checkpoint topic to its end.
    static let readTimeout: Duration = .seconds(120)

    init(topic: String, configuration: KafkaConfiguration) throws {
        self.topic = topic
        self.configuration = configuration
        maxRecordBytes = max(1_024, configuration.producer.messageMaxBytes - Self.recordOverheadBytes)
        let failures = self.failures
        var producerConfiguration = configuration
        producerConfiguration.clientID = configuration.clientID + "-checkpoints"
        producer = try KafkaProducer(
            configuration: producerConfiguration,
            deliveryHandler: { report in
                guard let error = report.error else { return }
                failures.record(errorText(error))
            }
        )
    }

    var location: String { "kafka:\(topic)" }

    func append(_ records: [(key: String, value: [UInt8])], for checkpoint: CheckpointKey) throws {
        func failure(_ detail: String) -> CheckpointError {
            CheckpointError(code: .storeFailure, key: checkpoint, nextOffset: nil, source: location, detail: detail)
        }
        do {
            // A topic that does not exist yet is created by the broker (when allowed) with the
            // first record; partition 0 always exists then.
            let partition = try self.partition(for: checkpoint) ?? Self.legacyPartition
            for record in records {
                try producer.send(
                    topic: topic,
                    partition: KafkaPartition(rawValue: partition),
                    key: Array(record.key.utf8),
                    value: record.value,
                    context: 1
                )
            }
            try producer.flush(timeout: Self.requestTimeout)
        } catch {
            throw failure("producing checkpoint records failed: \(errorText(error))")
        }
        if let first = failures.takeFirst() {
            throw failure("the broker did not store a checkpoint record: \(first)")
        }
    }

    /// Returns the partition that contains `checkpoint`'s records, or `nil` when the topic does not
    /// exist yet.
    func partition(for checkpoint: CheckpointKey) throws -> Int32? {
        if knownPartitionCount == nil {
            knownPartitionCount = try producer.partitionCount(topic: topic, timeout: Self.requestTimeout)
        }
        guard let count = knownPartitionCount else { return nil }
        return Self.partition(for: checkpoint, partitionCount: count)
    }

    /// Computes the partition of `checkpoint`'s records in a topic of `partitionCount` partitions.
    static func partition(for checkpoint: CheckpointKey, partitionCount: Int) -> Int32 {
        Murmur2Partitioner.partition(forKey: Array(checkpoint.description.utf8), partitionCount: Int32(partitionCount))
    }

    func readAll(for checkpoint: CheckpointKey, _ body: (String, [UInt8]?) throws -> Void) throws {
        let partition: Int32?
        do {
            partition = try self.partition(for: checkpoint)
        } catch {
            throw CheckpointError(
                code: .storeFailure,
                key: checkpoint,
                nextOffset: nil,
                source: location,
                detail: "reading the partition count of \(topic) failed: \(errorText(error))"
            )
        }
        // No topic yet: no checkpoint was ever written.
        guard let partition else { return }
        let found = try read(partition: partition, for: checkpoint, body)
        if !found, partition != Self.legacyPartition {
            _ = try read(partition: Self.legacyPartition, for: checkpoint, body)
        }
    }

    /// Reads one partition of the topic from its start to its end and calls `body` with the
    /// records of `checkpoint`. Returns `true` when the partition contains at least one of them.
    private func read(
        partition partitionNumber: Int32,
        for checkpoint: CheckpointKey,
        _ body: (String, [UInt8]?) throws -> Void
    ) throws -> Bool {
        func failure(_ detail: String) -> CheckpointError {
            CheckpointError(code: .storeFailure, key: checkpoint, nextOffset: nil, source: location, detail: detail)
        }
        var readerConfiguration = configuration
        readerConfiguration.clientID = configuration.clientID + "-checkpoint-reader"
        readerConfiguration.consumer.groupID = configuration.consumer.groupID + ".checkpoint-reader"
        readerConfiguration.consumer.enableAutoCommit = false
        readerConfiguration.consumer.readCommitted = false
        readerConfiguration.consumer.enablePartitionEOF = true
        let reader = try KafkaConsumer(configuration: readerConfiguration)
        defer { try? reader.close() }

        // Read until the partition-EOF event instead of asking for the high watermark first:
        // rd_kafka_query_watermark_offsets was seen to block far past its timeout on
        // librdkafka 2.0.2's mock cluster, and this runs inside the assignment callback.
        let partition = KafkaPartition(rawValue: partitionNumber)
        try reader.assign([KafkaTopicPartition(topic: topic, partition: partition, offset: .beginning)])
        let base = checkpoint.description
        let deadline = ContinuousClock.now + Self.readTimeout
        var next: Int64 = 0
        var found = false
        var reachedEnd = false
        while !reachedEnd {
            guard ContinuousClock.now < deadline else {
                throw failure(
                    "reading \(topic)[\(partitionNumber)] to its end timed out at offset \(next) after \(Self.readTimeout)"
                )
            }
            try reader.poll(maxMessages: 10_000, timeout: .milliseconds(200)) { batch in
                for message in batch {
                    next = message.offset.rawValue + 1
                    guard let key = message.key else { continue }
                    let keyText = String(decoding: key, as: UTF8.self)
                    // Tombstones on chunk keys are left out: only the manifest key's deletes.
                    let isOwn = message.isTombstone ? keyText == base : keyText == base || keyText.hasPrefix(base + "#")
                    if isOwn {
                        found = true
                        let position = "\(topic)[\(partitionNumber)]@\(message.offset.rawValue)"
                        try body(position, message.isTombstone ? nil : Array(message.value))
                    }
                }
                if batch.partitionEOFs.contains(where: { $0.topic == topic && $0.partition == partition }) {
                    reachedEnd = true
                }
                // UNKNOWN_TOPIC_OR_PARTITION (3) or the client's unknown-topic error (-188): no
                // checkpoint was ever written.
                if batch.errors.contains(where: { $0.rdKafkaCode == 3 || $0.rdKafkaCode == -188 }) {
                    reachedEnd = true
                }
            }
        }
        return found
    }
}

/// Failed checkpoint deliveries, written by the producer's poll thread.
private final class CheckpointDeliveryFailures: Sendable {
    private let first = Mutex<String?>(nil)

    func record(_ description: String) {
        first.withLock { if $0 == nil { $0 = description } }
    }

    func takeFirst() -> String? {
        first.withLock { value in
            defer { value = nil }
            return value
        }
    }
}
