/// The role a client plays; it selects which typed settings are rendered.
public enum KafkaClientRole: Sendable {
    case consumer
    case producer
    /// An admin or metadata client; it gets only the common settings.
    case admin
}

/// Settings of one Kafka client: typed settings with documented defaults, plus pass-through
/// librdkafka properties, plus the log and statistics callbacks.
///
/// ``properties`` are applied after the typed settings, so a pass-through property overrides a
/// typed one with the same librdkafka name. librdkafka checks every property when the client
/// is created. A bad name or value raises a ``KafkaBridgeError`` with code
/// ``KafkaBridgeError/Code/configuration`` that names the property.
public struct KafkaConfiguration: Sendable {
    /// Comma-separated `host:port` list (`bootstrap.servers`). No default.
    public var bootstrapServers: String
    /// The client id sent to brokers (`client.id`). Default: `"memestream"`.
    public var clientID: String = "memestream"
    /// How often librdkafka emits statistics, in milliseconds (`statistics.interval.ms`);
    /// 0 turns statistics off. Default: 0. Statistics reach ``statisticsHandler``.
    public var statisticsIntervalMilliseconds: Int = 0
    /// Consumer settings, used when the client is a consumer.
    public var consumer = KafkaConsumerSettings()
    /// Producer settings, used when the client is a producer.
    public var producer = KafkaProducerSettings()
    /// Any librdkafka property by name (for example `security.protocol`, `sasl.username`,
    /// `debug`), applied last.
    public var properties: [String: String] = [:]
    /// Receives librdkafka's log lines, or `nil` to drop them.
    public var logHandler: KafkaLogHandler?
    /// Receives statistics JSON, or `nil` to drop it.
    public var statisticsHandler: KafkaStatisticsHandler?

    /// Creates a configuration with default settings.
    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    /// Renders the full list of librdkafka properties for a client of `role`, in the order they are set.
    ///
    /// Typed settings come first, then ``properties`` sorted by name.
    public func renderedProperties(for role: KafkaClientRole) -> [(key: String, value: String)] {
        var rendered: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", clientID),
            ("statistics.interval.ms", String(statisticsIntervalMilliseconds)),
        ]
        switch role {
        case .consumer: rendered += consumer.properties
        case .producer: rendered += producer.properties
        case .admin: break
        }
        for key in properties.keys.sorted() {
            rendered.append((key, properties[key]!))
        }
        return rendered
    }

    /// Whether a property's value must never appear in logs or errors: any name containing
    /// `password` or `secret`, private keys (`ssl.key.pem`), `sasl.oauthbearer.config`, and
    /// `sasl.jaas.config`, the Java client's property that carries a password inside its text.
    /// A `topic.` prefix does not hide a name.
    public static func isSecret(property name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.contains("password") || lowered.contains("secret") || lowered.hasSuffix("ssl.key.pem")
            || lowered.hasSuffix("sasl.oauthbearer.config") || lowered.hasSuffix("sasl.jaas.config")
    }

    /// The values of secret properties in this configuration, longest first, which logs and
    /// errors have replaced by `[redacted]`.
    var secretValues: [String] {
        properties.filter { Self.isSecret(property: $0.key) && !$0.value.isEmpty }.map { $0.value }
            .sorted { $0.count > $1.count }
    }
}
