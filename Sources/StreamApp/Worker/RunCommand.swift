import Aggregators
import Dispatch
import KafkaBridge
import StreamCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `memestream run`: the streaming worker, one consumer-group member.
enum RunCommand: Subcommand {
    static let name = "run"
    static let summary = "Run the streaming worker: events from Kafka to the feature topic."
    static var options: [OptionSpec] { RunOptions.specs }
    static let usage = """
        usage: memestream run -b SERVERS [OPTIONS]

        Joins the consumer group, computes features per assigned input partition and produces
        them to the feature topic; rejected events go to the dead-letter topic. State is
        checkpointed, so a restart or rebalance resumes exactly where the state left off.
        SIGTERM or SIGINT shuts down gracefully; a second signal exits at once.
        Every option also reads MEMESTREAM_<NAME> (for example MEMESTREAM_GROUP); flags win.
        """

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let options = try RunOptions(arguments, environment: environmentVariables())
        let featureSet = try WorkerEngineBinding.featureSet(
            path: options.featureSetPath,
            tickMilliseconds: EngineConfiguration().tickMilliseconds
        )

        let (rootLogger, rateLimiter) = ProcessLogging.makeLogger(format: options.logFormat, level: options.logLevel)
        var logger = rootLogger
        logger.label = "memestream.worker"
        defer { rateLimiter.flush() }

        var kafka = options.kafkaConfiguration()
        let kafkaLogger = logger
        kafka.logHandler = { level, facility, message in
            kafkaLogger.info(
                "librdkafka: \(message)",
                metadata: [LogKey.kafkaFacility: .string(facility), "kafka.level": .string("\(level)")]
            )
        }

        let store: any CheckpointStore
        if options.checkpointStore.hasPrefix("dir:") {
            store = try DirectoryCheckpointStore(root: String(options.checkpointStore.dropFirst(4)))
        } else {
            let topic = String(options.checkpointStore.dropFirst(6))
            store = ChunkedCheckpointStore(log: try KafkaCheckpointLog(topic: topic, configuration: kafka))
        }

        let registry = MetricsRegistry()
        let metrics = WorkerMetrics(registry: registry)
        let health = HealthMonitor(livenessTimeoutMilliseconds: 30_000)
        let producer = try KafkaWorkerProducer(configuration: kafka)
        let consumer = try KafkaWorkerConsumer(configuration: kafka, topic: options.settings.inputTopic, logger: logger)
        let worker = StreamWorker(
            settings: options.settings,
            consumer: consumer,
            producer: producer,
            store: store,
            engines: WorkerEngineBinding.factory(featureSet: featureSet, configuration: EngineConfiguration()),
            logger: logger,
            metrics: metrics,
            health: health
        )
        var server: OperationsServer?
        if let port = options.httpPort {
            server = try OperationsServer.startEndpoints(
                host: "127.0.0.1",
                port: UInt16(port),
                metrics: registry,
                health: health,
                logger: logger
            )
        }
        defer { server?.stop() }

        let shutdown = ShutdownSignal.install(logger: logger)
        let deadline = ShutdownDeadline(milliseconds: options.settings.shutdownTimeoutMilliseconds, logger: logger)
        do {
            try worker.run {
                guard shutdown.receivedSignal != nil else { return false }
                deadline.arm()
                return true
            }
        } catch {
            logger.critical(
                "worker stopped on an error; nothing was committed past it",
                metadata: [LogKey.error: .string("\(error)")]
            )
            throw error
        }
        return 0
    }

    /// Reads the `MEMESTREAM_*` variables of the process environment.
    private static func environmentVariables() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        var count = 0
        while let entry = pointer.pointee, count < 100_000 {
            let text = String(cString: entry)
            if text.hasPrefix("MEMESTREAM_"), let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
            count += 1
        }
        return result
    }
}

/// Bounds a graceful shutdown: once armed, the process exits with status 1 when the shutdown has
/// not finished after the timeout, without committing anything further.
private final class ShutdownDeadline: Sendable {
    let milliseconds: Int
    let logger: Logger
    private let isArmed = Atomic<Bool>(false)

    init(milliseconds: Int, logger: Logger) {
        self.milliseconds = milliseconds
        self.logger = logger
    }

    func arm() {
        guard !isArmed.exchange(true, ordering: .relaxed) else { return }
        let logger = logger
        let milliseconds = milliseconds
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
            logger.critical(
                "graceful shutdown timed out; exiting without a final commit",
                metadata: ["timeout.ms": .integer(Int64(milliseconds))]
            )
            _exit(1)
        }
    }
}
