extension WorkerConfiguration {
    /// The options of `memestream run`, for parsing and for `--help`.
    ///
    /// Every option except `--config`, `-F` and `-X` also reads the environment variable
    /// `MEMESTREAM_<NAME>` (upper case, `-` as `_`) and the config-file key of the same long name.
    static let options: [OptionSpec] = [
        .value(
            "bootstrap-servers",
            short: "b",
            valueName: "HOST:PORT,...",
            help: "Kafka bootstrap servers. Required unless bootstrap.servers is set with -F or -X."
        ),
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
            help: "Where checkpoints are stored. Default: kafka:GROUP.checkpoints."
        ),
        .value(
            "start-from",
            valueName: "POSITION",
            help: "Start of a partition without checkpoint: earliest, latest or warmup. Default: earliest."
        ),
        .value("feature-set", valueName: "FILE", help: "Feature-set definition (JSON). Default: the built-in meme_v1."),
        .value(
            "http-port",
            valueName: "PORT",
            help: "Port for /metrics, /healthz and /readyz; 0 picks a free port. Default: no HTTP server."
        ),
        .value(
            "http-host",
            valueName: "ADDRESS",
            help: "IP address the HTTP server binds; use 0.0.0.0 in a container. Default: 127.0.0.1."
        ),
        .value(
            "liveness-timeout",
            valueName: "DURATION",
            help: "/healthz fails when the main loop has not reported for this long. Default: 30s."
        ),
        .value("tick", valueName: "DURATION", help: "Tick length; ticks are epoch-aligned. Default: 10s."),
        .value(
            "out-of-orderness",
            valueName: "DURATION",
            help: "Watermark delay behind the largest event time. Default: 5s."
        ),
        .value(
            "allowed-lateness",
            valueName: "DURATION",
            help: "How far behind the watermark an event is still accepted. Default: 10m."
        ),
        .value(
            "max-event-bytes",
            valueName: "BYTES",
            help:
                "Largest accepted record value in bytes (1 to 67108864); larger ones go to the DLQ as too_large. Default: 65536."
        ),
        .value(
            "max-future-skew",
            valueName: "DURATION",
            help: "How far an event's ts may lie after its record timestamp. Default: 60s."
        ),
        .value(
            "idle-timeout",
            valueName: "DURATION",
            help:
                "Wall time after which a caught-up, silent partition advances its watermark; 0 disables. Default: 60s."
        ),
        .value(
            "shutdown-timeout",
            valueName: "DURATION",
            help: "Bound for a graceful shutdown after SIGTERM, SIGINT or SIGHUP. Default: 30s."
        ),
        .value("checkpoint-interval", valueName: "DURATION", help: "Wall time between checkpoints. Default: 10s."),
        .value(
            "max-poll-records",
            valueName: "COUNT",
            help: "Max records one poll returns, 1 to 1000000. Default: 10000."
        ),
        .value(
            "engine-threads",
            valueName: "COUNT",
            help:
                "Threads that run the partition engines beside the polling thread, 0 to 64; 0 runs them on it. Default: 2."
        ),
        .value("log-format", valueName: "FORMAT", help: "Log line format: logfmt or json. Default: logfmt."),
        .value(
            "log-level",
            valueName: "LEVEL",
            help: "Minimum log level: trace, debug, info, notice, warning, error or critical. Default: info."
        ),
        .value(
            "config",
            valueName: "FILE",
            help: "Config file of 'key = value' lines, keys named like the long options. Default: none."
        ),
        .value(
            "kafka-properties-file",
            short: "F",
            valueName: "FILE",
            repeatable: true,
            help: "librdkafka properties file (key=value lines, as for kcat -F). Repeatable; later files win."
        ).aliased("properties-file"),
        .value(
            "kafka-property",
            short: "X",
            valueName: "KEY=VALUE",
            repeatable: true,
            help: "One librdkafka property, for example -X security.protocol=SASL_SSL. Repeatable; beats -F."
        ).aliased("property"),
    ]

    /// The text `memestream run --help` prints above the option list.
    static let usage = """
        usage: memestream run -b HOST:PORT [OPTIONS]

        Run the streaming worker: a consumer-group member that reads meme events, computes
        event-time windowed features per input partition and publishes one record per meme and
        tick to the compacted feature topic. SIGTERM, SIGINT or SIGHUP starts a graceful shutdown;
        a second signal exits at once.

        Each option is read from, in decreasing precedence: the flag, the environment variable
        MEMESTREAM_<NAME> (for example MEMESTREAM_INPUT_TOPIC for --input-topic), the key of the
        same long name in the --config file (for example input-topic = memes.events), then the
        default. Durations take a unit (ms, s, m, h, d); a bare number is milliseconds.
        librdkafka properties come from config-file keys kafka.<property>, then variables
        MEMESTREAM_KAFKA_PROPERTY_<PROPERTY> (dots as underscores), then -F files, then -X flags,
        each overriding the one before.
        """
}
