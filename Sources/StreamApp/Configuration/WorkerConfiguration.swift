import StreamCore

/// The validated configuration of `memestream run`.
///
/// Built by ``load(arguments:environment:)`` from, in decreasing precedence, command-line flags,
/// `MEMESTREAM_*` environment variables, the `--config` file and the defaults documented on each
/// property. Durations are milliseconds and sizes bytes. librdkafka properties pass through
/// unchanged in ``kafkaProperties``.
struct WorkerConfiguration: Sendable, Hashable {
    /// The location of checkpoints.
    enum CheckpointStore: Sendable, Hashable, CustomStringConvertible {
        /// A Kafka topic (the default, `kafka:<group>.checkpoints`), so a partition can move to a
        /// worker on another machine.
        case kafka(topic: String)
        /// A local directory, for single-node use and tests.
        case directory(path: String)

        var description: String {
            switch self {
            case .kafka(let topic): "kafka:\(topic)"
            case .directory(let path): "dir:\(path)"
            }
        }
    }

    /// The start position of a partition without a checkpoint.
    enum StartPosition: String, Sendable, Hashable, CaseIterable {
        /// The log start offset.
        case earliest
        /// The log end offset: only new records.
        case latest
        /// The offset of `now − largest window − allowed lateness`, so windows are full when the
        /// worker catches up.
        case warmup
    }

    /// Event-time settings of the per-partition engine.
    struct EngineOptions: Sendable, Hashable {
        /// Tick length in ms; ticks are epoch-aligned multiples. Default 10 000.
        var tickMilliseconds: Int64 = 10_000
        /// Watermark delay behind the largest event time, in ms. Default 5 000.
        var outOfOrdernessMilliseconds: Int64 = 5_000
        /// How far behind the watermark an event may be and still be accepted, in ms.
        /// Default 600 000 (10 min).
        var allowedLatenessMilliseconds: Int64 = 600_000
        /// Largest accepted record value in bytes; larger ones are rejected as `too_large`.
        /// Default 65 536.
        var maxEventBytes: Int = 65_536
        /// How far an event's `ts` may lie after its record timestamp, in ms. Default 60 000.
        var maxFutureSkewMilliseconds: Int64 = 60_000
    }

    /// Kafka bootstrap servers, `HOST:PORT[,HOST:PORT...]`. Required (by flag, variable, file or
    /// as `bootstrap.servers` in the librdkafka properties).
    var bootstrapServers: String
    /// Consumer group id, also part of checkpoint keys. Default `memestream`.
    var group: String = "memestream"
    /// Topic of meme events. Default `memes.events`.
    var inputTopic: String = "memes.events"
    /// Compacted topic for feature records. Default `memes.features`.
    var featureTopic: String = "memes.features"
    /// Dead-letter topic for rejected events. Default `<input-topic>.dlq`.
    var dlqTopic: String = "memes.events.dlq"
    /// The checkpoint location. Default `kafka:<group>.checkpoints`.
    var checkpointStore: CheckpointStore = .kafka(topic: "memestream.checkpoints")
    /// The start position of a partition without a checkpoint. Default `earliest`.
    var startFrom: StartPosition = .earliest
    /// Path of a feature-set JSON file, or `nil` for the built-in `meme_v1`.
    var featureSetPath: String?
    /// The origin of the tick, named by the error when the tick does not divide a hop.
    var tickSource = ConfigurationSource.defaultValue("tick")
    /// Port of the operations HTTP server; `nil` (the default) runs no server, 0 picks a free port.
    var httpPort: UInt16?
    /// Bind address of the operations HTTP server. Default `127.0.0.1`; set `0.0.0.0` in a
    /// container so probes and scrapers from outside can reach it.
    var httpHost: String = "127.0.0.1"
    /// The max age of the main loop's last liveness report before `/healthz` fails, in ms.
    /// Default 30 000.
    var livenessTimeoutMilliseconds: Int64 = 30_000
    /// Log line format. Default `logfmt`.
    var logFormat: LogFormat = .logfmt
    /// Minimum log level. Default `info`.
    var logLevel: LogLevel = .info
    /// Event-time settings.
    var engine = EngineOptions()
    /// Wall time a caught-up partition waits without records before its watermark advances,
    /// in ms; 0 disables the rule. Default 60 000.
    var idleTimeoutMilliseconds: Int64 = 60_000
    /// Upper bound for a graceful shutdown (finish the batch, flush, checkpoint, commit, leave
    /// the group), in ms. Default 30 000.
    var shutdownTimeoutMilliseconds: Int64 = 30_000
    /// Wall time between periodic checkpoints, in ms. Default 10 000.
    var checkpointIntervalMilliseconds: Int64 = 10_000
    /// Max records one poll returns. Default 10 000.
    var maxPollRecords: Int = 10_000
    /// Threads that run the partition engines; 0 runs them on the polling thread. Default 2.
    var engineThreads: Int = 2
    /// librdkafka properties passed through unchanged (for example `security.protocol`,
    /// `sasl.password`), merged from the config file's `kafka.*` keys, `MEMESTREAM_KAFKA_PROPERTY_*`
    /// variables, `-F` files and `-X` flags, each overriding the one before. `bootstrap.servers`
    /// and `group.id` are not in this map: they are ``bootstrapServers`` and ``group``.
    var kafkaProperties: [String: String] = [:]

    init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }
}
