import Aggregators
import KafkaBridge
import StreamCore

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

        let formatter = LogLineFormatter(format: options.logFormat)
        let handler = RateLimitingLogHandler(
            wrapping: StreamLogHandler(formatter: formatter),
            limit: 5,
            intervalMilliseconds: 10_000
        )
        let logger = Logger(label: "memestream.worker", level: options.logLevel, handler: handler)
        defer { handler.flush() }

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

        let metrics = WorkerMetrics(registry: MetricsRegistry())
        let health = WorkerHealth()
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
        // NOTE: /metrics, /healthz and /readyz need the ops branch's HTTP server; --http-port is
        // accepted but not served until it lands.

        WorkerSignals.install(
            shutdownTimeoutSeconds: UInt32((options.settings.shutdownTimeoutMilliseconds + 999) / 1_000)
        )
        do {
            try worker.run { WorkerSignals.isShutdownRequested }
        } catch {
            logger.critical(
                "worker stopped on an error; nothing was committed past it",
                metadata: [LogKey.error: .string("\(error)")]
            )
            throw error
        }
        return 0
    }

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
