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
    static var options: [OptionSpec] { WorkerConfiguration.options }
    static var usage: String { WorkerConfiguration.usage }

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        // A closed log pipe must not kill the worker: writes to it then fail with EPIPE and the
        // lines are dropped. Set before the first line is written.
        signal(SIGPIPE, SIG_IGN)
        let configuration = try WorkerConfiguration.load(arguments: arguments, environment: environmentVariables())
        let engineConfiguration = makeEngineConfiguration(configuration.engine)
        let featureSet = try WorkerEngineBinding.featureSet(
            path: configuration.featureSetPath,
            tickMilliseconds: engineConfiguration.tickMilliseconds,
            tickSource: configuration.tickSource
        )
        let settings = makeSettings(configuration)

        let (rootLogger, rateLimiter) = ProcessLogging.makeLogger(
            format: configuration.logFormat,
            level: configuration.logLevel
        )
        var logger = rootLogger
        logger.label = "memestream.worker"
        defer { rateLimiter.flush() }
        logger.notice("configuration loaded", metadata: configuration.logMetadata)
        let delay = engineConfiguration.allowedLatenessMilliseconds + engineConfiguration.outOfOrdernessMilliseconds
        for cost in featureSet.windowCosts(
            tickMilliseconds: engineConfiguration.tickMilliseconds,
            delayMilliseconds: delay
        ) {
            logger.notice(
                "a window feature keeps many panes per key, and each evaluation merges all of them",
                metadata: [
                    "feature": .string(cost.feature),
                    "panes": .integer(cost.panes),
                    "hop.ms": .integer(cost.hopMilliseconds),
                    "packed.hop.ms": cost.packedHopMilliseconds.map { .integer($0) } ?? .string("none"),
                ]
            )
        }

        var kafka = makeKafkaConfiguration(configuration)
        let kafkaLogger = logger
        kafka.logHandler = { level, facility, message in
            kafkaLogger.log(
                level: LogLevel(level),
                "librdkafka: \(message)",
                metadata: [LogKey.kafkaFacility: .string(facility), "kafka.level": .string("\(level)")]
            )
        }

        let store: any CheckpointStore
        switch configuration.checkpointStore {
        case .directory(let path):
            store = try DirectoryCheckpointStore(root: path)
        case .kafka(let topic):
            store = ChunkedCheckpointStore(log: try KafkaCheckpointLog(topic: topic, configuration: kafka))
        }

        let registry = MetricsRegistry()
        let metrics = WorkerMetrics(registry: registry)
        let health = HealthMonitor(livenessTimeoutMilliseconds: configuration.livenessTimeoutMilliseconds)
        let producer = try KafkaWorkerProducer(configuration: kafka)
        let consumer = try KafkaWorkerConsumer(configuration: kafka, topic: settings.inputTopic, logger: logger)
        let worker = StreamWorker(
            settings: settings,
            consumer: consumer,
            producer: producer,
            store: store,
            engines: WorkerEngineBinding.factory(featureSet: featureSet, configuration: engineConfiguration),
            logger: logger,
            metrics: metrics,
            health: health
        )
        var server: OperationsServer?
        if let port = configuration.httpPort {
            server = try OperationsServer.startEndpoints(
                host: configuration.httpHost,
                port: port,
                metrics: registry,
                health: health,
                logger: logger
            )
        }
        defer { server?.stop() }

        // SIGHUP (a closed terminal or SSH session) stops the worker gracefully too.
        let shutdown = ShutdownSignal.install(signals: [SIGTERM, SIGINT, SIGHUP], logger: logger)
        let deadline = ShutdownDeadline(milliseconds: settings.shutdownTimeoutMilliseconds, logger: logger)
        do {
            try worker.run {
                guard shutdown.receivedSignal != nil else { return false }
                deadline.arm()
                return true
            }
        } catch {
            logger.critical(
                "worker stopped on an error; nothing was committed past it",
                metadata: [LogKey.error: .string(errorText(error))]
            )
            throw error
        }
        // The final checkpoint and the group leave are done: another signal now changes nothing.
        shutdown.markStopped()
        return 0
    }

    /// Maps the loaded configuration onto the worker loop's settings.
    private static func makeSettings(_ configuration: WorkerConfiguration) -> WorkerSettings {
        var settings = WorkerSettings()
        settings.group = configuration.group
        settings.inputTopic = configuration.inputTopic
        settings.featureTopic = configuration.featureTopic
        settings.dlqTopic = configuration.dlqTopic
        settings.startFrom = WorkerSettings.StartFrom(rawValue: configuration.startFrom.rawValue) ?? .earliest
        settings.checkpointIntervalMilliseconds = configuration.checkpointIntervalMilliseconds
        settings.idleTimeoutMilliseconds = configuration.idleTimeoutMilliseconds
        settings.maxPollRecords = configuration.maxPollRecords
        settings.engineThreads = configuration.engineThreads
        settings.shutdownTimeoutMilliseconds = Int(configuration.shutdownTimeoutMilliseconds)
        if let size = configuration.kafkaProperties["message.max.bytes"].flatMap(Int.init) {
            settings.messageMaxBytes = size
        }
        return settings
    }

    private static func makeEngineConfiguration(_ options: WorkerConfiguration.EngineOptions) -> EngineConfiguration {
        var engine = EngineConfiguration()
        engine.tickMilliseconds = options.tickMilliseconds
        engine.outOfOrdernessMilliseconds = options.outOfOrdernessMilliseconds
        engine.allowedLatenessMilliseconds = options.allowedLatenessMilliseconds
        engine.maxEventBytes = options.maxEventBytes
        engine.maxFutureSkewMilliseconds = options.maxFutureSkewMilliseconds
        return engine
    }

    /// Builds the librdkafka configuration shared by the worker's clients: idempotent producer
    /// with the `murmur2_random` partitioner, manual commits, and every pass-through property.
    private static func makeKafkaConfiguration(_ configuration: WorkerConfiguration) -> KafkaConfiguration {
        var kafka = KafkaConfiguration(bootstrapServers: configuration.bootstrapServers)
        kafka.consumer.groupID = configuration.group
        kafka.consumer.enableAutoCommit = false
        kafka.consumer.autoOffsetReset = .earliest
        kafka.producer.partitioner = "murmur2_random"
        // The worker's delivery handlers only look at failures (see KafkaWorkerProducer).
        kafka.producer.deliveryReportOnlyErrors = true
        kafka.properties = configuration.kafkaProperties
        if let size = configuration.kafkaProperties["message.max.bytes"].flatMap(Int.init) {
            kafka.producer.messageMaxBytes = size
        }
        return kafka
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
