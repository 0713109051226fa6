import Dispatch
import Foundation
import KafkaBridge
import StreamCore
import Synchronization

/// The streaming worker of `memestream run`, run on a dedicated thread of this process.
///
/// It is built from the same parts as `run` (group consumer, producer, partition engines with
/// the built-in `meme_v1` feature set). The demo and the real-data round trip read its metrics
/// directly.
///
/// Checkpoints go to a directory store, because the embedded cluster keeps only about 5 MiB per
/// partition and has no compaction. Output is zstd-compressed.
///
/// Thread-safety: ``start(shouldStop:)`` and ``wait(timeout:)`` may be called from any one
/// thread; ``metrics`` may be read from any thread while the worker runs.
final class EmbeddedWorker: Sendable {
    /// The worker's metric handles, readable from any thread.
    let metrics: WorkerMetrics
    let settings: WorkerSettings
    private let kafka: KafkaConfiguration
    private let checkpointDirectory: String
    private let logger: Logger
    private let outcome = Mutex<Outcome>(.notStarted)
    private let finished = DispatchSemaphore(value: 0)

    private enum Outcome {
        case notStarted
        case running
        case stopped
        case failed(String)
    }

    /// Creates the worker without starting it.
    ///
    /// - Parameters:
    ///   - bootstrapServers: The `host:port` list of the cluster; the worker contacts nothing else.
    ///   - settings: The loop settings, as `memestream run` builds them from its flags.
    ///   - checkpointDirectory: An existing directory for the checkpoint files.
    ///   - logger: Receives the worker's log entries; the caller chooses where they go.
    init(bootstrapServers: String, settings: WorkerSettings, checkpointDirectory: String, logger: Logger) {
        var kafka = KafkaConfiguration(bootstrapServers: bootstrapServers)
        kafka.clientID = "memestream-embedded-worker"
        kafka.consumer.groupID = settings.group
        kafka.consumer.enableAutoCommit = false
        kafka.consumer.autoOffsetReset = .earliest
        kafka.producer.partitioner = "murmur2_random"
        // The worker's delivery handlers only look at failures (see KafkaWorkerProducer).
        kafka.producer.deliveryReportOnlyErrors = true
        // zstd keeps the feature and dead-letter topics within the embedded cluster's retention
        // for longer. A short fetch wait keeps a catch-up fast on the mock cluster: with the
        // default 500 ms, 16 partitions were read at about 1,100 records/s.
        kafka.producer.compression = .zstd
        kafka.consumer.fetchWaitMaxMilliseconds = 20
        let kafkaLogger = logger
        kafka.logHandler = { level, facility, message in
            kafkaLogger.log(
                level: LogLevel(level),
                "librdkafka: \(message)",
                metadata: [LogKey.kafkaFacility: .string(facility), "kafka.level": .string("\(level)")]
            )
        }
        self.kafka = kafka
        self.settings = settings
        self.checkpointDirectory = checkpointDirectory
        self.logger = logger
        self.metrics = WorkerMetrics(registry: MetricsRegistry())
    }

    /// Starts the worker loop on a new thread. The loop polls `shouldStop` between batches and,
    /// once it returns `true`, shuts down gracefully: flush, checkpoint, commit, leave the group.
    ///
    /// - Throws: a ``KafkaBridgeError`` or checkpoint store error when a client cannot be created.
    func start(shouldStop: @escaping @Sendable () -> Bool) throws {
        let store = try DirectoryCheckpointStore(root: checkpointDirectory)
        let featureSet = try WorkerEngineBinding.featureSet(
            path: nil,
            tickMilliseconds: EngineConfiguration().tickMilliseconds
        )
        let producer = try KafkaWorkerProducer(configuration: kafka)
        let consumer = try KafkaWorkerConsumer(configuration: kafka, topic: settings.inputTopic, logger: logger)
        let worker = StreamWorker(
            settings: settings,
            consumer: consumer,
            producer: producer,
            store: store,
            engines: WorkerEngineBinding.factory(featureSet: featureSet, configuration: EngineConfiguration()),
            logger: logger,
            metrics: metrics,
            health: HealthMonitor(livenessTimeoutMilliseconds: 30_000)
        )
        outcome.withLock { $0 = .running }
        // The worker is not Sendable: only the new thread touches it from here on.
        nonisolated(unsafe) let ownedWorker = worker
        let thread = Thread { [self] in
            let result: Outcome
            do {
                try ownedWorker.run(shouldStop: shouldStop)
                result = .stopped
            } catch {
                result = .failed(errorText(error))
            }
            outcome.withLock { $0 = result }
            finished.signal()
        }
        thread.name = "memestream-embedded-worker"
        thread.start()
    }

    /// Waits up to `timeout` for the loop to end after `shouldStop` returned `true`.
    ///
    /// - Returns: `nil` when the worker stopped cleanly, else a sentence naming the failure or
    ///   the timeout.
    func wait(timeout: Duration) -> String? {
        let started = outcome.withLock { state -> Bool in
            if case .notStarted = state { return false }
            return true
        }
        guard started else { return nil }
        let seconds = Double(timeout.components.seconds)
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            return "the worker did not stop within \(timeout.components.seconds) s"
        }
        finished.signal()  // Later calls return at once.
        return outcome.withLock { state in
            if case .failed(let reason) = state { return "the worker stopped on an error: \(reason)" }
            return nil
        }
    }

    /// A sentence naming the error the loop stopped on, or `nil` while it runs or after a
    /// clean stop.
    var failure: String? {
        outcome.withLock { state in
            if case .failed(let reason) = state { return "the worker stopped on an error: \(reason)" }
            return nil
        }
    }

    /// Returns the total of records consumed over every partition, rejected ones included.
    func eventsConsumed(partitions: Int32) -> UInt64 {
        (0..<partitions).reduce(0) { total, partition in
            total + metrics.registry.counter(.eventsConsumed, labels: [("partition", String(partition))]).value
        }
    }

    /// Records consumed by partition, as `partition=count` pairs, for messages.
    func consumedByPartition(partitions: Int32) -> String {
        (0..<partitions).map { partition in
            let counter = metrics.registry.counter(.eventsConsumed, labels: [("partition", String(partition))])
            return "\(partition)=\(counter.value)"
        }.joined(separator: " ")
    }

    /// Rejected records by reason code, for reasons with at least one.
    func rejectionCounts() -> [(reason: String, count: UInt64)] {
        RejectionReason.allCases.compactMap { reason in
            let count = metrics.registry.counter(.eventsRejected, labels: [("reason", reason.rawValue)]).value
            return count > 0 ? (reason.rawValue, count) : nil
        }
    }
}
