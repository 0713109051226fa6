import KafkaBridge
import StreamCore
import Synchronization

/// ``WorkerConsumer`` over KafkaBridge's group consumer, subscribed to the input topic.
///
/// Rebalance events arrive on the polling thread inside `poll` and `close`; this type forwards
/// them to the worker's handler.
final class KafkaWorkerConsumer: WorkerConsumer {
    let consumer: KafkaConsumer
    let topic: String
    private let relay: RebalanceForwarder
    private let logger: Logger
    static let requestTimeout: Duration = .seconds(10)
    /// Errors of fetched batches, plus the client errors librdkafka raises outside any fetch,
    /// such as unreachable brokers (`_TRANSPORT`, `_ALL_BROKERS_DOWN`).
    var consumeErrorCount: Int { batchErrorCount + clientErrors.count.load(ordering: .relaxed) }
    private var batchErrorCount = 0
    private let clientErrors = ClientErrorCounter()

    init(configuration: KafkaConfiguration, topic: String, logger: Logger) throws {
        let relay = RebalanceForwarder(topic: topic, logger: logger)
        self.relay = relay
        self.topic = topic
        self.logger = logger
        let clientErrors = clientErrors
        consumer = try KafkaConsumer(
            configuration: configuration,
            rebalanceHandler: { event, consumer in relay.forward(event, consumer) },
            errorHandler: { _ in clientErrors.count.add(1, ordering: .relaxed) }
        )
        try consumer.subscribe(topics: [topic])
    }

    func poll(
        maxRecords: Int,
        timeoutMilliseconds: Int,
        handler: any WorkerRebalanceHandler,
        _ body: (InputRecord) throws -> Void
    ) throws {
        relay.handler = handler
        defer { relay.handler = nil }
        try consumer.poll(maxMessages: maxRecords, timeout: .milliseconds(timeoutMilliseconds)) { batch in
            batchErrorCount += batch.errors.count
            for error in batch.errors {
                logger.warning(
                    "consume failed; librdkafka retries the fetch",
                    metadata: [LogKey.error: .string(errorText(error))]
                )
            }
            for message in batch {
                let record = InputRecord(
                    partition: message.partition.rawValue,
                    offset: message.offset.rawValue,
                    recordTimestamp: message.timestamp?.milliseconds,
                    key: message.key,
                    value: message.value
                )
                try body(record)
            }
        }
        try relay.takeFailure()
    }

    /// Reads librdkafka's cached high watermark, updated by every fetch response, without a
    /// request. `rd_kafka_query_watermark_offsets` would ask the broker, and on librdkafka
    /// 2.0.2's mock cluster it was seen to block far past its timeout.
    func highWatermark(partition: Int32) -> Int64? {
        consumer.cachedHighWatermark(topic: topic, partition: KafkaPartition(rawValue: partition))?.rawValue
    }

    /// librdkafka's position moves past a transaction marker that it does not hand out.
    func position(partition: Int32) -> Int64? {
        let request = KafkaTopicPartition(
            topic: topic,
            partition: KafkaPartition(rawValue: partition),
            offset: .invalid
        )
        guard let found = try? consumer.position([request]).first?.offset, found.isConcrete else { return nil }
        return found.rawValue
    }

    func logStartOffset(partition: Int32) -> Int64? {
        consumer.cachedLowWatermark(topic: topic, partition: KafkaPartition(rawValue: partition))?.rawValue
    }

    func setStart(partition: Int32, to target: SeekTarget) throws {
        try consumer.setStartOffsets([request(partition, target)])
    }

    func clusterID(timeoutMilliseconds: Int) -> String? {
        consumer.clusterID(timeout: .milliseconds(timeoutMilliseconds))
    }

    func seek(partition: Int32, to target: SeekTarget) throws {
        try consumer.seek([request(partition, target)], timeout: Self.requestTimeout)
    }

    private func request(_ partition: Int32, _ target: SeekTarget) -> KafkaTopicPartition {
        let offset: KafkaOffset
        switch target {
        case .offset(let value): offset = KafkaOffset(rawValue: value)
        case .beginning: offset = .beginning
        case .end: offset = .end
        }
        return KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: partition), offset: offset)
    }

    func commit(_ offsets: [Int32: Int64]) throws {
        guard !offsets.isEmpty else { return }
        let list = offsets.keys.sorted().map {
            KafkaTopicPartition(
                topic: topic,
                partition: KafkaPartition(rawValue: $0),
                offset: KafkaOffset(rawValue: offsets[$0]!)
            )
        }
        try consumer.commit(list)
    }

    func offset(forTimestamp timestamp: Int64, partition: Int32) throws -> Int64? {
        let request = KafkaTopicPartition(
            topic: topic,
            partition: KafkaPartition(rawValue: partition),
            offset: KafkaOffset(rawValue: timestamp)
        )
        let result = try consumer.offsets(forTimes: [request], timeout: Self.requestTimeout)
        guard let offset = result.first?.offset, offset.isConcrete else { return nil }
        return offset.rawValue
    }

    func close(handler: any WorkerRebalanceHandler) throws {
        relay.handler = handler
        defer { relay.handler = nil }
        try consumer.close()
        try relay.takeFailure()
    }
}

/// Carries rebalance events from KafkaBridge's `@Sendable` callback to the worker's handler.
///
/// `@unchecked Sendable`: every member is touched only on the thread that polls or closes the
/// consumer, which is also the thread librdkafka runs the callback on.
private final class RebalanceForwarder: @unchecked Sendable {
    let topic: String
    let logger: Logger
    var handler: (any WorkerRebalanceHandler)?
    private var failure: (any Error)?

    init(topic: String, logger: Logger) {
        self.topic = topic
        self.logger = logger
    }

    func forward(_ event: KafkaRebalanceEvent, _ consumer: KafkaConsumer) {
        guard let handler else {
            logger.error(
                "rebalance event arrived outside poll or close and was ignored",
                metadata: ["kind": .string("\(event.kind)")]
            )
            return
        }
        let partitions = event.partitions.filter { $0.topic == topic }.map { $0.partition.rawValue }
        do {
            switch event.kind {
            case .assigned:
                try handler.partitionsAssigned(partitions)
            case .revoked:
                try handler.partitionsRevoked(partitions)
            case .lost:
                handler.partitionsLost(partitions)
            }
        } catch {
            failure = failure ?? error
        }
    }

    func takeFailure() throws {
        if let failure {
            self.failure = nil
            throw failure
        }
    }
}

/// Counts the client errors librdkafka reports through its error callback. librdkafka runs the
/// callback inside the consumer's poll, and the counter is atomic, so any thread may read it.
private final class ClientErrorCounter: Sendable {
    let count = Atomic<Int>(0)
}
