import KafkaBridge
import StreamCore

extension WorkerConfiguration {
    /// Returns the configuration as log metadata for the startup entry, one key per option
    /// (`config.input-topic`) and per librdkafka property (`config.kafka.sasl.username`).
    ///
    /// Secret values are not removed here; the log formatter prints `[redacted]` for every key
    /// that contains `password` or `secret`, which covers `config.kafka.sasl.password`.
    var logMetadata: LogMetadata {
        var metadata: LogMetadata = [
            "config.bootstrap-servers": .string(bootstrapServers),
            "config.group": .string(group),
            "config.input-topic": .string(inputTopic),
            "config.feature-topic": .string(featureTopic),
            "config.dlq-topic": .string(dlqTopic),
            "config.checkpoint-store": .string(checkpointStore.description),
            "config.start-from": .string(startFrom.rawValue),
            "config.feature-set": .string(featureSetPath ?? "meme_v1 (built in)"),
            "config.http-port": httpPort.map { .integer(Int64($0)) } ?? .string("off"),
            "config.http-host": .string(httpHost),
            "config.liveness-timeout-ms": .integer(livenessTimeoutMilliseconds),
            "config.tick-ms": .integer(engine.tickMilliseconds),
            "config.out-of-orderness-ms": .integer(engine.outOfOrdernessMilliseconds),
            "config.allowed-lateness-ms": .integer(engine.allowedLatenessMilliseconds),
            "config.max-event-bytes": .integer(Int64(engine.maxEventBytes)),
            "config.max-future-skew-ms": .integer(engine.maxFutureSkewMilliseconds),
            "config.idle-timeout-ms": .integer(idleTimeoutMilliseconds),
            "config.shutdown-timeout-ms": .integer(shutdownTimeoutMilliseconds),
            "config.checkpoint-interval-ms": .integer(checkpointIntervalMilliseconds),
            "config.max-poll-records": .integer(Int64(maxPollRecords)),
            "config.engine-threads": .integer(Int64(engineThreads)),
            "config.log-format": .string(logFormat.rawValue),
            "config.log-level": .string(logLevel.rawValue),
        ]
        for (name, value) in kafkaProperties {
            // The logger redacts keys that contain "password" or "secret"; the other secret
            // properties (sasl.jaas.config, ssl.key.pem) are redacted here.
            metadata["config.kafka." + name] = .string(
                KafkaConfiguration.isSecret(property: name) ? "[redacted]" : value
            )
        }
        return metadata
    }
}
