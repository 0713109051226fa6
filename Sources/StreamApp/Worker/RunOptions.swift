import KafkaBridge
import StreamCore

/// The options of `memestream run`, with defaults and units, and their parsing from flags and
/// `MEMESTREAM_*` environment variables (a flag beats its variable, which beats the default).
///
/// NOTE: the shared worker configuration (with the config-file layer) belongs to the ops branch;
/// this parser covers flags and environment variables until `run` moves onto it.
struct RunOptions {
    var settings = WorkerSettings()
    var bootstrapServers: String?
    var checkpointStore = "kafka:memestream.checkpoints"
    var featureSetPath: String?
    var httpPort: Int?
    var kafkaProperties: [String: String] = [:]
    var logLevel: LogLevel = .info
    var logFormat: LogFormat = .logfmt

    static let specs: [OptionSpec] = [
        .value("bootstrap-servers", short: "b", valueName: "HOST:PORT,...", help: "Kafka bootstrap servers. Required."),
        .value("group", valueName: "ID", help: "Consumer group id, also part of checkpoint keys. Default: memestream."),
        .value("input-topic", valueName: "TOPIC", help: "Topic of meme events. Default: memes.events."),
        .value(
            "feature-topic",
            valueName: "TOPIC",
            help: "Compacted topic for feature records. Default: memes.features."
        ),
        .value(
            "dlq-topic",
            valueName: "TOPIC",
            help: "Dead-letter topic for rejected events. Default: INPUT-TOPIC.dlq."
        ),
        .value(
            "checkpoint-store",
            valueName: "kafka:TOPIC|dir:PATH",
            help: "Where checkpoints live. Default: kafka:memestream.checkpoints."
        ),
        .value(
            "start-from",
            valueName: "WHERE",
            help: "Start of a partition without checkpoint: earliest, latest or warmup. Default: earliest."
        ),
        .value("feature-set", valueName: "FILE", help: "Feature set definition (JSON). Default: built-in meme_v1."),
        .value(
            "http-port",
            valueName: "PORT",
            help: "Port for /metrics, /healthz, /readyz on 127.0.0.1. Default: off."
        ),
        .value(
            "checkpoint-interval",
            valueName: "DURATION",
            help: "Wall time between checkpoints (ms, s, m, h). Default: 10s."
        ),
        .value(
            "idle-timeout",
            valueName: "DURATION",
            help: "Idle time after which a caught-up partition advances its watermark; 0 disables. Default: 60s."
        ),
        .value(
            "shutdown-timeout",
            valueName: "DURATION",
            help: "Bound for a graceful shutdown after SIGTERM/SIGINT. Default: 30s."
        ),
        .value("max-poll-records", valueName: "N", help: "Records per poll batch. Default: 10000."),
        .value(
            "log-level",
            valueName: "LEVEL",
            help: "trace, debug, info, notice, warning, error, critical. Default: info."
        ),
        .value("log-format", valueName: "FORMAT", help: "logfmt or json. Default: logfmt."),
        .value(
            "F",
            short: "F",
            valueName: "FILE",
            help: "librdkafka properties file (key=value lines, as for kcat -F)."
        ),
        .value(
            "X",
            short: "X",
            valueName: "KEY=VALUE",
            repeatable: true,
            help: "One librdkafka property, for example -X security.protocol=SASL_SSL. Repeatable; beats -F."
        ),
    ]

    /// Parses flags over `MEMESTREAM_*` variables from `environment`.
    ///
    /// - Throws: ``UsageError`` naming the option (or variable) and its valid values.
    init(_ arguments: ParsedArguments, environment: [String: String]) throws {
        func value(_ name: String) -> (text: String, source: String)? {
            if let text = arguments.values[name]?.last { return (text, "--\(name)") }
            let variable = "MEMESTREAM_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
            if let text = environment[variable], !text.isEmpty { return (text, variable) }
            return nil
        }

        bootstrapServers = value("bootstrap-servers")?.text
        if let group = value("group") { settings.group = group.text }
        if let topic = value("input-topic") {
            settings.inputTopic = topic.text
        }
        settings.dlqTopic = value("dlq-topic")?.text ?? settings.inputTopic + ".dlq"
        if let topic = value("feature-topic") { settings.featureTopic = topic.text }
        if let store = value("checkpoint-store") {
            guard store.text.hasPrefix("kafka:") || store.text.hasPrefix("dir:"), store.text.count > 4 else {
                throw UsageError("invalid value '\(store.text)' for \(store.source): expected kafka:TOPIC or dir:PATH")
            }
            checkpointStore = store.text
        }
        if let start = value("start-from") {
            guard let choice = WorkerSettings.StartFrom(rawValue: start.text) else {
                throw UsageError(
                    "invalid value '\(start.text)' for \(start.source): expected earliest, latest or warmup"
                )
            }
            settings.startFrom = choice
        }
        featureSetPath = value("feature-set")?.text
        if let port = value("http-port") {
            httpPort = Int(try OptionValues.integer(port.text, option: "http-port", range: 0...65_535))
        }
        if let interval = value("checkpoint-interval") {
            settings.checkpointIntervalMilliseconds = try OptionValues.durationMilliseconds(
                interval.text,
                option: "checkpoint-interval"
            )
            guard settings.checkpointIntervalMilliseconds > 0 else {
                throw UsageError("invalid value '\(interval.text)' for \(interval.source): expected a duration above 0")
            }
        }
        if let idle = value("idle-timeout") {
            settings.idleTimeoutMilliseconds = try OptionValues.durationMilliseconds(idle.text, option: "idle-timeout")
        }
        if let timeout = value("shutdown-timeout") {
            settings.shutdownTimeoutMilliseconds = Int(
                try OptionValues.durationMilliseconds(timeout.text, option: "shutdown-timeout")
            )
        }
        if let records = value("max-poll-records") {
            settings.maxPollRecords = Int(
                try OptionValues.integer(records.text, option: "max-poll-records", range: 1...1_000_000)
            )
        }
        if let level = value("log-level") {
            guard let parsed = LogLevel(rawValue: level.text) else {
                let names = LogLevel.allCases.map(\.rawValue).joined(separator: ", ")
                throw UsageError("invalid value '\(level.text)' for \(level.source): expected one of \(names)")
            }
            logLevel = parsed
        }
        if let format = value("log-format") {
            guard let parsed = LogFormat(rawValue: format.text) else {
                throw UsageError("invalid value '\(format.text)' for \(format.source): expected logfmt or json")
            }
            logFormat = parsed
        }
        if let file = value("F") {
            do {
                kafkaProperties = try KafkaPropertiesFile.read(path: file.text)
            } catch {
                throw UsageError("invalid librdkafka properties file '\(file.text)' for -F: \(error)")
            }
        }
        for pair in arguments.values["X"] ?? [] {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw UsageError("invalid value '\(pair)' for -X: expected KEY=VALUE, for example -X linger.ms=5")
            }
            kafkaProperties[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        guard bootstrapServers != nil || kafkaProperties["bootstrap.servers"] != nil else {
            throw UsageError(
                "missing --bootstrap-servers (or MEMESTREAM_BOOTSTRAP_SERVERS): expected HOST:PORT[,HOST:PORT...]"
            )
        }
    }

    /// The librdkafka configuration shared by the worker's clients.
    func kafkaConfiguration() -> KafkaConfiguration {
        var configuration = KafkaConfiguration(
            bootstrapServers: bootstrapServers ?? kafkaProperties["bootstrap.servers"]!
        )
        configuration.consumer.groupID = settings.group
        configuration.consumer.enableAutoCommit = false
        configuration.consumer.autoOffsetReset = .earliest
        configuration.producer.partitioner = "murmur2_random"
        configuration.properties = kafkaProperties
        configuration.properties["bootstrap.servers"] = nil
        if let size = kafkaProperties["message.max.bytes"].flatMap(Int.init) {
            configuration.producer.messageMaxBytes = size
        }
        return configuration
    }
}
