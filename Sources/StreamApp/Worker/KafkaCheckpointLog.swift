import KafkaBridge
import StreamCore
import Synchronization

/// ``CheckpointLog`` over a Kafka topic, for ``ChunkedCheckpointStore`` (`--checkpoint-store
/// kafka:TOPIC`).
///
/// Every record goes to partition 0 of the topic, so one ordered stream holds all chunks and
/// manifests and a restore reads one partition. Appends wait for the broker's acknowledgement
/// (idempotent producer, `acks=all`). A read assigns partition 0 to a consumer outside any group
/// and reads from the log start to the high watermark it saw at the start of the read.
final class KafkaCheckpointLog: CheckpointLog {
    let topic: String
    let configuration: KafkaConfiguration
    let maxRecordBytes: Int
    private let producer: KafkaProducer
    private let failures = CheckpointDeliveryFailures()
    static let partition: Int32 = 0
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
                failures.record("\(error)")
            }
        )
    }

    var location: String { "kafka:\(topic)" }

    func append(_ records: [(key: String, value: [UInt8])], for checkpoint: CheckpointKey) throws {
        func failure(_ detail: String) -> CheckpointError {
            CheckpointError(code: .storeFailure, key: checkpoint, nextOffset: nil, source: location, detail: detail)
        }
        do {
            for record in records {
                try producer.send(
                    topic: topic,
                    partition: KafkaPartition(rawValue: Self.partition),
                    key: Array(record.key.utf8),
                    value: record.value,
                    context: 1
                )
            }
            try producer.flush(timeout: Self.requestTimeout)
        } catch {
            throw failure("producing checkpoint records failed: \(error)")
        }
        if let first = failures.takeFirst() {
            throw failure("the broker did not store a checkpoint record: \(first)")
        }
    }

    func readAll(for checkpoint: CheckpointKey, _ body: (String, [UInt8]) throws -> Void) throws {
        func failure(_ detail: String) -> CheckpointError {
            CheckpointError(code: .storeFailure, key: checkpoint, nextOffset: nil, source: location, detail: detail)
        }
        var readerConfiguration = configuration
        readerConfiguration.clientID = configuration.clientID + "-checkpoint-reader"
        readerConfiguration.consumer.groupID = configuration.consumer.groupID + ".checkpoint-reader"
        readerConfiguration.consumer.enableAutoCommit = false
        readerConfiguration.consumer.readCommitted = false
        let reader = try KafkaConsumer(configuration: readerConfiguration)
        defer { try? reader.close() }

        let partition = KafkaPartition(rawValue: Self.partition)
        let high: Int64
        do {
            let watermarks = try reader.queryWatermarkOffsets(
                topic: topic,
                partition: partition,
                timeout: Self.requestTimeout
            )
            guard watermarks.high.rawValue > watermarks.low.rawValue else { return }
            high = watermarks.high.rawValue
        } catch let error as KafkaBridgeError where error.rdKafkaCode == 3 {
            // UNKNOWN_TOPIC_OR_PARTITION: no checkpoint was ever written.
            return
        } catch {
            throw failure("reading the end offset of \(topic)[0] failed: \(error)")
        }

        try reader.assign([KafkaTopicPartition(topic: topic, partition: partition, offset: .beginning)])
        let base = checkpoint.description
        let deadline = ContinuousClock.now + Self.readTimeout
        var next: Int64 = 0
        while next < high {
            guard ContinuousClock.now < deadline else {
                throw failure(
                    "reading \(topic)[0] to offset \(high) timed out at offset \(next) after \(Self.readTimeout)"
                )
            }
            let messages = try reader.pollMessages(maxMessages: 10_000, timeout: .milliseconds(200))
            for message in messages where message.offset.rawValue < high {
                next = message.offset.rawValue + 1
                guard let key = message.key, let value = message.value else { continue }
                let keyText = String(decoding: key, as: UTF8.self)
                if keyText == base || keyText.hasPrefix(base + "#") {
                    try body("\(topic)[0]@\(message.offset.rawValue)", value)
                }
            }
            if let last = messages.last, last.offset.rawValue >= high - 1 { break }
        }
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
