import KafkaBridge
import StreamCore
import Synchronization

/// Produces generated records to a Kafka topic: keyed by the record key (the `meme_id`, except
/// for mismatched keys), record timestamp (CreateTime) = arrival time, with zstd-compressed
/// batches and the `murmur2_random` partitioner unless `-X` overrides them. A record keyed by
/// another id goes to the partition its `meme_id` hashes to, as the input contract requires.
///
/// ``prepareTopic(configuration:topic:requestedPartitions:)`` creates a missing topic when a
/// partition count is requested; otherwise the broker's partition count applies.
///
/// Thread-safety: ``write(_:)`` and ``finish()`` are called from one task; delivery reports
/// arrive on the producer's poll thread and only touch the synchronized counters.
struct KafkaTopicOutput: GeneratedRecordSink {
    private let producer: KafkaProducer
    private let topic: String
    private let deliveries: DeliveryTally
    /// The topic's partition count, for placing records keyed by another id. It is `nil` when it
    /// could not be read at creation, and those records then follow their key.
    private let partitionCount: Int32?
    /// How long ``finish()`` waits for the last delivery reports.
    static let flushTimeout: Duration = .seconds(60)
    /// Receives lines for a person: broker errors while producing, and the wait in ``finish()``.
    private let notify: (@Sendable (String) -> Void)?
    private let notices: NoticeThrottle

    /// Creates the producer.
    ///
    /// - Parameters:
    ///   - notify: Receives broker errors (at most one line per 10 s) and a line when
    ///     ``finish()`` waits for queued records; `nil` prints nothing.
    /// - Throws: a ``KafkaBridgeError`` naming an invalid property.
    init(configuration: KafkaConfiguration, topic: String, notify: (@Sendable (String) -> Void)? = nil) throws {
        let deliveries = DeliveryTally()
        self.deliveries = deliveries
        self.topic = topic
        self.notify = notify
        let notices = NoticeThrottle(intervalNanoseconds: 10_000_000_000)
        self.notices = notices
        // Without the count (no broker reachable yet, or no topic), records keyed by another id
        // follow their key; delivery problems surface in finish().
        let admin = try? KafkaAdmin(configuration: configuration)
        partitionCount = (try? admin?.partitionCount(topic: topic, timeout: .seconds(5)))?.flatMap { $0 }.map {
            Int32($0)
        }
        // librdkafka reports unreachable brokers through the error callback and goes on retrying,
        // so without a line here a run whose brokers went away looks busy.
        var errorHandler: KafkaErrorHandler?
        if let notify {
            errorHandler = { @Sendable error in
                guard notices.allows(MonotonicClock.nanoseconds()) else { return }
                notify(
                    "memestream generate: warning: \(errorText(error)); records wait in the producer queue "
                        + "until a broker answers (message.timeout.ms)"
                )
            }
        }
        producer = try KafkaProducer(
            configuration: configuration,
            deliveryHandler: { report in deliveries.record(report) },
            errorHandler: errorHandler
        )
    }

    /// Builds the producer settings of topic output; `properties` (from `-F` and `-X`) override them.
    static func configuration(bootstrapServers: String, properties: [String: String]) -> KafkaConfiguration {
        var configuration = KafkaConfiguration(bootstrapServers: bootstrapServers)
        configuration.clientID = "memestream-generate"
        configuration.producer.compression = .zstd
        configuration.producer.partitioner = "murmur2_random"
        configuration.producer.lingerMilliseconds = 20
        configuration.properties = properties
        return configuration
    }

    /// Looks the topic up and, when it is missing and `requestedPartitions` is set, creates it
    /// with that many partitions (replication factor 1).
    ///
    /// A cluster without a controller (the librdkafka mock) cannot create topics: creation
    /// then fails after 5 s, and producing goes ahead so that broker auto-creation applies.
    ///
    /// - Returns: lines to print as notes (a mismatch or a failed creation), possibly empty.
    /// - Throws: a ``KafkaBridgeError`` when the metadata request fails, for example because no
    ///   broker is reachable within 10 s.
    static func prepareTopic(
        configuration: KafkaConfiguration,
        topic: String,
        requestedPartitions: Int32?
    ) throws -> [String] {
        let admin = try KafkaAdmin(configuration: configuration)
        let existing = try admin.partitionCount(topic: topic, timeout: .seconds(10))
        guard let requestedPartitions else { return [] }

        if let existing {
            guard existing != Int(requestedPartitions) else { return [] }
            return [
                "note: topic '\(topic)' already has \(existing) partitions; --partitions \(requestedPartitions) is ignored and records are partitioned over \(existing)"
            ]
        }
        do {
            let newTopic = KafkaNewTopic(name: topic, partitions: Int(requestedPartitions), replicationFactor: 1)
            try admin.createTopics([newTopic], timeout: .seconds(5))
            return []
        } catch {
            return [
                "note: creating topic '\(topic)' with \(requestedPartitions) partitions failed (\(errorText(error))); producing anyway, so a broker with topic auto-creation uses its default partition count"
            ]
        }
    }

    mutating func write(_ record: GeneratedRecord) throws {
        var partition = KafkaPartition.unassigned
        if record.hasMismatchedKey, let partitionCount, partitionCount > 0 {
            partition = KafkaPartition(
                rawValue: Murmur2Partitioner.partition(forKey: record.partitionKey, partitionCount: partitionCount)
            )
        }
        try producer.send(
            topic: topic,
            partition: partition,
            key: record.key,
            value: record.value,
            timestamp: record.timestampMilliseconds,
            context: 1
        )
    }

    /// Waits for every delivery report and closes the producer.
    ///
    /// - Throws: ``TopicDeliveryError`` when any record was not delivered, with the count and the first
    ///   broker error; a ``KafkaBridgeError`` when the flush times out.
    mutating func finish() throws {
        let queued = producer.queuedCount
        if queued > 0, let notify {
            let wasInterrupted = InterruptFlag().isRaised
            notify(
                "memestream generate: delivering \(queued) queued records to topic '\(topic)', for up to "
                    + "\(KafkaTopicOutput.flushTimeout); "
                    + (wasInterrupted ? "a second Ctrl-C exits at once" : "Ctrl-C stops waiting")
            )
            if !wasInterrupted { try waitForDeliveries() }
        }
        try producer.close(timeout: KafkaTopicOutput.flushTimeout)
        let (failed, firstError) = deliveries.failures
        if failed > 0 {
            throw TopicDeliveryError(
                description:
                    "\(failed) records were not delivered to topic '\(topic)'; first error: \(firstError ?? "unknown"); check that the brokers are reachable and the topic exists"
            )
        }
    }
}

extension KafkaTopicOutput {
    /// Waits for the queued records in slices of 200 ms, up to ``flushTimeout``, so that a first
    /// signal (``InterruptFlag``) during the wait ends it.
    ///
    /// - Throws: ``TopicDeliveryError`` when a signal arrives while records are still queued, or
    ///   when records are still queued after ``flushTimeout``.
    fileprivate func waitForDeliveries() throws {
        let deadline =
            MonotonicClock.nanoseconds() + Int64(KafkaTopicOutput.flushTimeout.components.seconds) * 1_000_000_000
        while producer.queuedCount > 0, MonotonicClock.nanoseconds() < deadline {
            if InterruptFlag().isRaised {
                let queued = producer.queuedCount
                try? producer.close(timeout: .zero)
                throw TopicDeliveryError(
                    description: "stopped waiting at a signal: \(queued) records queued for topic '\(topic)' were "
                        + "not delivered"
                )
            }
            try? producer.flush(timeout: .milliseconds(200))
        }
        // Without this, the close in finish() would wait a second flushTimeout.
        let queued = producer.queuedCount
        guard queued == 0 else {
            try? producer.close(timeout: .zero)
            throw TopicDeliveryError(
                description: "\(queued) records queued for topic '\(topic)' were not delivered within "
                    + "\(KafkaTopicOutput.flushTimeout); check that the brokers are reachable"
            )
        }
    }
}

/// Delivery outcomes counted from the producer's poll thread.
final class DeliveryTally: Sendable {
    private let state = Mutex<(failed: Int, firstError: String?)>((0, nil))

    func record(_ report: KafkaDeliveryReport) {
        guard let error = report.error else { return }
        state.withLock { state in
            state.failed += 1
            if state.firstError == nil { state.firstError = errorText(error) }
        }
    }

    /// The number of failed deliveries and the first failure's text.
    var failures: (Int, String?) {
        state.withLock { ($0.failed, $0.firstError) }
    }
}

/// Some generated records were not delivered to the topic; the description gives the count and
/// the first broker error.
struct TopicDeliveryError: Error, CustomStringConvertible {
    var description: String
}
