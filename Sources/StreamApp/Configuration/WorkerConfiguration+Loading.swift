import KafkaBridge
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

extension WorkerConfiguration {
    /// The prefix of environment variables that set one librdkafka property each;
    /// `MEMESTREAM_KAFKA_PROPERTY_SASL_PASSWORD` sets `sasl.password`.
    static let kafkaPropertyVariablePrefix = "MEMESTREAM_KAFKA_PROPERTY_"
    /// The prefix of config-file keys that set one librdkafka property each; `kafka.linger.ms`
    /// sets `linger.ms`.
    static let kafkaPropertyFileKeyPrefix = "kafka."

    /// Parses `memestream run` arguments (without the subcommand word) and loads the configuration.
    ///
    /// - Throws: ``UsageError`` as ``load(arguments:environment:)`` does, or for an unknown option.
    static func load(commandLine: [String], environment: [String: String]) throws -> WorkerConfiguration {
        let parsed = try ParsedArguments(commandLine, specs: options, command: "run")
        return try load(arguments: parsed, environment: environment)
    }

    /// Builds and validates the configuration from flags, environment variables, the config file
    /// and defaults, in that precedence.
    ///
    /// - Parameters:
    ///   - arguments: The parsed `run` arguments.
    ///   - environment: The process environment; only `MEMESTREAM_*` variables are read, and
    ///     unknown ones are ignored so that other tools may share the prefix.
    /// - Throws: ``UsageError`` (exit status 2) naming the flag, variable or config-file key, the
    ///   invalid value and the valid values.
    static func load(arguments: ParsedArguments, environment: [String: String]) throws -> WorkerConfiguration {
        if let extra = arguments.positional.first {
            throw UsageError("unexpected argument '\(extra)'; 'memestream run' takes only options")
        }
        let layers = try makeLayers(arguments: arguments, environment: environment)
        let reader = OptionReader(layers: layers)

        let properties = try kafkaProperties(layers: layers)
        var configuration = WorkerConfiguration(bootstrapServers: "")
        configuration.kafkaProperties = properties.others
        configuration.bootstrapServers = try bootstrapServers(
            reader: reader,
            fromProperties: properties.bootstrap,
            propertyName: properties.bootstrapProperty
        )

        try readTopics(into: &configuration, reader: reader, groupFromProperties: properties.group)
        try readOperations(into: &configuration, reader: reader)
        try readTiming(into: &configuration, reader: reader)
        return configuration
    }

    // MARK: - Layers

    private static func makeLayers(
        arguments: ParsedArguments,
        environment: [String: String]
    ) throws
        -> ConfigurationLayers
    {
        var path: String?
        if let flag = arguments.value("config") {
            path = flag
        } else if let variable = environment[ConfigurationLayers.environmentVariable(for: "config")], !variable.isEmpty
        {
            path = variable
        }
        guard let path else {
            return ConfigurationLayers(arguments: arguments, environment: environment, filePath: nil, fileEntries: [])
        }

        let entries = try PropertiesFile.read(path: path, origin: "config file")
        let fileKeys = Set(options.map(\.name)).subtracting(["config", "kafka-property"])
        var seen: [String: Int] = [:]
        for entry in entries {
            if let earlier = seen[entry.key] {
                throw UsageError(
                    "duplicate key '\(entry.key)' in config file \(path):\(entry.line) (first set on line \(earlier)); keep one"
                )
            }
            seen[entry.key] = entry.line
            let isKafkaProperty =
                entry.key.hasPrefix(kafkaPropertyFileKeyPrefix) && entry.key.count > kafkaPropertyFileKeyPrefix.count
            guard fileKeys.contains(entry.key) || isKafkaProperty else {
                throw UsageError(
                    "unknown key '\(entry.key)' in config file \(path):\(entry.line); valid keys are the long option names of 'memestream run --help' (without --config and kafka-property) and kafka.<librdkafka property>"
                )
            }
        }
        return ConfigurationLayers(arguments: arguments, environment: environment, filePath: path, fileEntries: entries)
    }

    // MARK: - Kafka and topics

    private static func bootstrapServers(
        reader: OptionReader,
        fromProperties: String?,
        propertyName: String
    ) throws -> String {
        let option = "bootstrap-servers"
        guard let found = reader.text(option) else {
            guard let fromProperties, !fromProperties.isEmpty else {
                throw UsageError(
                    "missing --bootstrap-servers: set -b HOST:PORT[,HOST:PORT...], MEMESTREAM_BOOTSTRAP_SERVERS, 'bootstrap-servers' in the config file or bootstrap.servers with -F or -X"
                )
            }
            try KafkaPropertyOptions.checkServerList(fromProperties, source: "librdkafka property \(propertyName)")
            return fromProperties
        }
        try KafkaPropertyOptions.checkServerList(found.text, source: "\(found.source)")
        if let fromProperties, fromProperties != found.text {
            throw UsageError(
                "conflicting bootstrap servers: \(found.source) sets '\(found.text)' but the librdkafka properties set \(propertyName)='\(fromProperties)'; set it in one place"
            )
        }
        return found.text
    }

    /// Returns `true` for a scalar that shows nothing on its own: white space, a control or format
    /// character such as U+200B ZERO WIDTH SPACE, or a combining mark.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        let category = scalar.properties.generalCategory
        return scalar.properties.isWhitespace || category == .control || category == .format
            || category == .nonspacingMark || category == .enclosingMark
    }

    private static func readTopics(
        into configuration: inout WorkerConfiguration,
        reader: OptionReader,
        groupFromProperties: String?
    ) throws {
        if let group = reader.text("group") {
            guard !group.text.isEmpty, group.text.count <= 255 else {
                throw UsageError(
                    "invalid value '\(group.text)' for \(group.source): expected a group id of 1 to 255 characters"
                )
            }
            guard group.text.unicodeScalars.contains(where: { !Self.isInvisible($0) }) else {
                let scalars = group.text.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }
                throw UsageError(
                    "invalid value '\(group.text)' for \(group.source) (\(scalars.joined(separator: " "))): expected "
                        + "a group id with a character other than white space, control, format or combining characters"
                )
            }
            // librdkafka reads group.id as a C string, so "a\0b" would join group "a". A byte order
            // mark or zero width space would make another group that looks the same.
            if let hidden = PropertiesFile.invisibleCharacter(in: group.text[...]) {
                throw UsageError(
                    "invalid value for \(group.source): the group id contains the invisible character \(hidden); "
                        + "use a group id without control or format characters"
                )
            }
            // The group names a directory of a dir: checkpoint store, and a file name has at most 255 bytes.
            let directoryName = DirectoryCheckpointStore.escape(group.text)
            guard directoryName.utf8.count <= 255 else {
                throw UsageError(
                    "invalid value '\(group.text)' for \(group.source): its checkpoint directory name, with each byte "
                        + "outside A-Z, a-z, 0-9, '.', '_' and '-' written as %XX, has \(directoryName.utf8.count) "
                        + "bytes, more than the 255 a file name may have; choose a shorter group id"
                )
            }
            configuration.group = group.text
        }
        if let groupFromProperties, groupFromProperties != configuration.group {
            throw UsageError(
                "conflicting consumer group: group.id='\(groupFromProperties)' in the librdkafka properties differs from --group '\(configuration.group)'; set the group with --group only"
            )
        }

        configuration.inputTopic = try reader.topic("input-topic") ?? configuration.inputTopic
        configuration.featureTopic = try reader.topic("feature-topic") ?? configuration.featureTopic
        configuration.dlqTopic = try reader.topic("dlq-topic") ?? configuration.inputTopic + ".dlq"
        if let store = try reader.checkpointStore() {
            configuration.checkpointStore = store
        } else {
            // The default topic takes its name from the group, which allows characters topics do not.
            let topic = configuration.group + ".checkpoints"
            do {
                try OptionReader.checkTopicName(topic, source: .defaultValue("checkpoint-store"))
            } catch let error as UsageError {
                throw UsageError(
                    error.message + "; the default is kafka:<group>.checkpoints, so give --checkpoint-store, "
                        + "or a --group of those characters"
                )
            }
            configuration.checkpointStore = .kafka(topic: topic)
        }
        if let start = reader.text("start-from") {
            guard let position = StartPosition(rawValue: start.text) else {
                throw UsageError(
                    "invalid value '\(start.text)' for \(start.source): expected one of earliest, latest, warmup"
                )
            }
            configuration.startFrom = position
        }
        if let featureSet = reader.text("feature-set") {
            guard access(featureSet.text, R_OK) == 0 else {
                let reason = String(cString: strerror(errno))
                throw UsageError(
                    "cannot read feature-set file '\(featureSet.text)' given by \(featureSet.source): \(reason)"
                )
            }
            configuration.featureSetPath = featureSet.text
        }

        try checkDistinctTopics(configuration)
    }

    private static func checkDistinctTopics(_ configuration: WorkerConfiguration) throws {
        var topics: [(role: String, name: String)] = [
            ("--input-topic", configuration.inputTopic),
            ("--feature-topic", configuration.featureTopic),
            ("--dlq-topic", configuration.dlqTopic),
        ]
        if case .kafka(let topic) = configuration.checkpointStore {
            topics.append(("--checkpoint-store", topic))
        }
        for (index, first) in topics.enumerated() {
            for second in topics[(index + 1)...] where first.name == second.name {
                throw UsageError(
                    "\(first.role) and \(second.role) both name topic '\(first.name)'; each must be a different topic"
                )
            }
        }
    }

    // MARK: - Operations

    private static func readOperations(into configuration: inout WorkerConfiguration, reader: OptionReader) throws {
        if let port = reader.text("http-port") {
            configuration.httpPort = UInt16(try reader.integer(port, range: 0...65_535))
        }
        if let host = reader.text("http-host") {
            guard isIPAddressOrLocalhost(host.text) else {
                throw UsageError(
                    "invalid value '\(host.text)' for \(host.source): expected an IP address such as 127.0.0.1, 0.0.0.0, ::1 or ::, or localhost"
                )
            }
            configuration.httpHost = host.text
        }
        configuration.livenessTimeoutMilliseconds =
            try reader.duration("liveness-timeout", minimum: 1) ?? configuration.livenessTimeoutMilliseconds
        if let format = reader.text("log-format") {
            guard let parsed = LogFormat(rawValue: format.text) else {
                throw UsageError("invalid value '\(format.text)' for \(format.source): expected one of logfmt, json")
            }
            configuration.logFormat = parsed
        }
        if let level = reader.text("log-level") {
            guard let parsed = LogLevel(rawValue: level.text) else {
                let names = LogLevel.allCases.map(\.rawValue).joined(separator: ", ")
                throw UsageError("invalid value '\(level.text)' for \(level.source): expected one of \(names)")
            }
            configuration.logLevel = parsed
        }
    }

    private static func isIPAddressOrLocalhost(_ host: String) -> Bool {
        if host == "localhost" {
            return true
        }
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, host, &buffer) == 1 || inet_pton(AF_INET6, host, &buffer) == 1
    }

    // MARK: - Timing and sizes

    private static func readTiming(into configuration: inout WorkerConfiguration, reader: OptionReader) throws {
        var engine = configuration.engine
        engine.tickMilliseconds = try reader.duration("tick", minimum: 1) ?? engine.tickMilliseconds
        if let tick = reader.text("tick") {
            configuration.tickSource = tick.source
        }
        engine.outOfOrdernessMilliseconds =
            try reader.duration("out-of-orderness", minimum: 0) ?? engine.outOfOrdernessMilliseconds
        engine.allowedLatenessMilliseconds =
            try reader.duration("allowed-lateness", minimum: 0) ?? engine.allowedLatenessMilliseconds
        engine.maxFutureSkewMilliseconds =
            try reader.duration("max-future-skew", minimum: 0) ?? engine.maxFutureSkewMilliseconds
        if let bytes = reader.text("max-event-bytes") {
            // Kafka's own default record size limit is about 1 MiB; 64 MiB leaves ample room.
            engine.maxEventBytes = Int(try reader.integer(bytes, range: 1...(64 << 20)))
        }
        configuration.engine = engine

        configuration.idleTimeoutMilliseconds =
            try reader.duration("idle-timeout", minimum: 0) ?? configuration.idleTimeoutMilliseconds
        configuration.shutdownTimeoutMilliseconds =
            try reader.duration("shutdown-timeout", minimum: 1) ?? configuration.shutdownTimeoutMilliseconds
        configuration.checkpointIntervalMilliseconds =
            try reader.duration("checkpoint-interval", minimum: 1) ?? configuration.checkpointIntervalMilliseconds
        if let records = reader.text("max-poll-records") {
            configuration.maxPollRecords = Int(try reader.integer(records, range: 1...1_000_000))
        }
        if let threads = reader.text("engine-threads") {
            configuration.engineThreads = Int(try reader.integer(threads, range: 0...64))
        }
    }

    // MARK: - librdkafka properties

    /// Properties the worker's guarantees depend on, with the only value accepted and why.
    static let fixedKafkaProperties: [String: (values: [String], reason: String)] = [
        "partitioner": (
            ["murmur2_random"],
            "feature records are partitioned with murmur2_random, as the Java client does, so that every "
                + "record of a meme lands on one partition of the compacted topic"
        ),
        "enable.auto.commit": (
            ["false", "f", "0"],
            "the worker commits offsets itself, after the checkpoint that covers them"
        ),
        "enable.idempotence": (
            ["true", "t", "1"],
            "the worker's producer is idempotent, so that retries neither duplicate nor reorder feature records"
        ),
        "acks": (
            ["all", "-1"],
            "a checkpoint must cover only records that every in-sync replica has stored"
        ),
        "auto.offset.reset": (
            ["earliest", "smallest", "beginning"],
            "a checkpoint offset that retention has deleted must resume at the oldest record still kept, where "
                + "the worker reports the records missing; 'latest' would skip every retained record in silence. "
                + "The start of a group without checkpoints is --start-from"
        ),
    ]

    /// The merged librdkafka properties, with `bootstrap.servers` and `group.id` split out.
    private struct KafkaProperties {
        var others: [String: String] = [:]
        var bootstrap: String?
        /// The property that set ``bootstrap``, for messages.
        var bootstrapProperty = "bootstrap.servers"
        var group: String?
    }

    private static func kafkaProperties(layers: ConfigurationLayers) throws -> KafkaProperties {
        // Each source overrides the ones before it, also where it spells a property another way
        // (linger.ms over queue.buffering.max.ms).
        var map = KafkaPropertyMap()

        // Lowest: config-file keys kafka.<property>.
        for (key, entry) in layers.fileEntries.sorted(by: { $0.value.line < $1.value.line })
        where key.hasPrefix(kafkaPropertyFileKeyPrefix) {
            let property = String(key.dropFirst(kafkaPropertyFileKeyPrefix.count))
            map.set(
                property,
                to: entry.value,
                origin: "key '\(key)' in config file \(layers.filePath ?? "?"):\(entry.line)"
            )
        }

        // Then MEMESTREAM_KAFKA_PROPERTY_<NAME>, with underscores read as dots. Variables have no
        // order, so two that name one property (LINGER_MS and linger_ms, or LINGER_MS and
        // QUEUE_BUFFERING_MAX_MS) are an error: neither may win by chance.
        var variableOfProperty: [String: String] = [:]
        for (variable, value) in layers.environment.sorted(by: { $0.key < $1.key })
        where variable.hasPrefix(kafkaPropertyVariablePrefix) {
            let name = variable.dropFirst(kafkaPropertyVariablePrefix.count)
            guard !name.isEmpty, !value.isEmpty else { continue }
            let property = String(name.lowercased().map { $0 == "_" ? "." : $0 })
            let canonical = KafkaPropertyName.canonical(property)
            if let other = variableOfProperty[canonical] {
                throw UsageError(
                    "environment variables \(other) and \(variable) both set the librdkafka property '\(canonical)'; "
                        + "unset one of them"
                )
            }
            variableOfProperty[canonical] = variable
            map.set(property, to: value, origin: "environment variable \(variable)")
        }

        // Then -F files in order, then -X flags in order.
        for path in propertiesFiles(layers: layers) {
            for entry in try PropertiesFile.read(path: path, origin: "librdkafka properties file") {
                map.set(entry.key, to: entry.value, origin: "-F \(path):\(entry.line)")
            }
        }
        for pair in layers.arguments.allValues("kafka-property") {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw UsageError("invalid value '\(pair)' for -X: expected KEY=VALUE, for example -X linger.ms=5")
            }
            map.set(String(pair[..<equals]), to: String(pair[pair.index(after: equals)...]), origin: "-X")
        }
        var merged = map.values
        let origins = map.origins
        // -F and config files were checked line by line; -X and the variables are checked here.
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            try KafkaPropertyOptions.checkVisible(name: key[...], value: value[...], origin: origins[key] ?? "?")
        }

        for key in merged.keys.sorted() where key.contains(where: { $0 == " " || $0 == "\t" }) {
            throw UsageError(
                "invalid librdkafka property name '\(key)' (from \(origins[key] ?? "?")): property names contain no spaces"
            )
        }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            // librdkafka also takes topic properties with a `topic.` prefix, and older names.
            guard let (spellings, reason) = fixedKafkaProperties[KafkaPropertyName.canonical(key)] else { continue }
            if !spellings.contains(value.lowercased()) {
                throw UsageError(
                    "invalid librdkafka property '\(key)=\(value)' (from \(origins[key] ?? "?")): \(reason); remove it"
                )
            }
        }
        var properties = KafkaProperties()
        properties.bootstrap = merged.removeValue(forKey: "bootstrap.servers")
        // librdkafka reads metadata.broker.list as another name of bootstrap.servers.
        if let listed = merged.removeValue(forKey: "metadata.broker.list") {
            if let bootstrap = properties.bootstrap, bootstrap != listed {
                throw UsageError(
                    "conflicting bootstrap servers: metadata.broker.list=\(listed) differs from "
                        + "bootstrap.servers=\(bootstrap); set the brokers with --bootstrap-servers only"
                )
            }
            properties.bootstrap = listed
            properties.bootstrapProperty = "metadata.broker.list"
        }
        properties.group = merged.removeValue(forKey: "group.id")
        properties.others = merged
        return properties
    }

    /// Returns the `-F` paths: every flag if any was given, else the variable, else the config-file key.
    private static func propertiesFiles(layers: ConfigurationLayers) -> [String] {
        let flags = layers.arguments.allValues("kafka-properties-file")
        if !flags.isEmpty {
            return flags
        }
        if let found = layers.value("kafka-properties-file") {
            return [found.text]
        }
        return []
    }
}
