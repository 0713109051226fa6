import Glibc
import StreamCore
import Testing

@testable import StreamApp

/// Writes `text` to a new file under /tmp and returns its path; the caller removes it.
func writeTemporaryFile(_ text: String, name: String = "memestream-config") -> String {
    var template = Array("/tmp/\(name)-XXXXXX".utf8CString)
    let descriptor = mkstemp(&template)
    precondition(descriptor >= 0, "mkstemp failed: \(errno)")
    let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    _ = text.withCString { write(descriptor, $0, strlen($0)) }
    close(descriptor)
    return path
}

@Suite struct ConfigurationTests {
    private func load(_ arguments: [String], environment: [String: String] = [:]) throws -> WorkerConfiguration {
        try WorkerConfiguration.load(commandLine: arguments, environment: environment)
    }

    /// Returns the message of the `UsageError` that loading throws, or records an issue.
    private func usageError(_ arguments: [String], environment: [String: String] = [:]) -> String {
        do {
            _ = try load(arguments, environment: environment)
            Issue.record("expected a UsageError for \(arguments) \(environment)")
            return ""
        } catch let error as UsageError {
            return error.message
        } catch {
            Issue.record("expected a UsageError, got \(error)")
            return ""
        }
    }

    @Test func defaultsMatchDocumentation() throws {
        let configuration = try load(["-b", "127.0.0.1:9092"])
        var expected = WorkerConfiguration(bootstrapServers: "127.0.0.1:9092")
        expected.group = "memestream"
        expected.inputTopic = "memes.events"
        expected.featureTopic = "memes.features"
        expected.dlqTopic = "memes.events.dlq"
        expected.checkpointStore = .kafka(topic: "memestream.checkpoints")
        expected.startFrom = .earliest
        expected.httpPort = nil
        expected.httpHost = "127.0.0.1"
        expected.engine = WorkerConfiguration.EngineOptions(
            tickMilliseconds: 10_000,
            outOfOrdernessMilliseconds: 5_000,
            allowedLatenessMilliseconds: 600_000,
            maxEventBytes: 65_536,
            maxFutureSkewMilliseconds: 60_000
        )
        expected.idleTimeoutMilliseconds = 60_000
        expected.shutdownTimeoutMilliseconds = 30_000
        expected.checkpointIntervalMilliseconds = 10_000
        expected.livenessTimeoutMilliseconds = 30_000
        expected.logFormat = .logfmt
        expected.logLevel = .info
        #expect(configuration == expected)
    }

    @Test func everyFlagIsApplied() throws {
        let featureSet = writeTemporaryFile("{}", name: "memestream-features")
        defer { unlink(featureSet) }
        let configuration = try load([
            "--bootstrap-servers", "a:1,b:2", "--group", "g1", "--input-topic", "in", "--feature-topic", "out",
            "--dlq-topic", "bad", "--checkpoint-store", "dir:/var/lib/m", "--start-from", "warmup",
            "--feature-set", featureSet, "--http-port", "0", "--http-host", "0.0.0.0", "--liveness-timeout", "5s",
            "--tick", "1m", "--out-of-orderness", "2s", "--allowed-lateness", "1h", "--max-event-bytes", "1024",
            "--max-future-skew", "30s", "--idle-timeout", "0", "--shutdown-timeout", "45s",
            "--checkpoint-interval", "500ms", "--max-poll-records", "500", "--log-format", "json",
            "--log-level", "debug",
        ])
        #expect(configuration.bootstrapServers == "a:1,b:2")
        #expect(configuration.group == "g1")
        #expect(configuration.inputTopic == "in")
        #expect(configuration.featureTopic == "out")
        #expect(configuration.dlqTopic == "bad")
        #expect(configuration.checkpointStore == .directory(path: "/var/lib/m"))
        #expect(configuration.startFrom == .warmup)
        #expect(configuration.featureSetPath == featureSet)
        #expect(configuration.httpPort == 0)
        #expect(configuration.httpHost == "0.0.0.0")
        #expect(configuration.livenessTimeoutMilliseconds == 5_000)
        #expect(configuration.engine.tickMilliseconds == 60_000)
        #expect(configuration.engine.outOfOrdernessMilliseconds == 2_000)
        #expect(configuration.engine.allowedLatenessMilliseconds == 3_600_000)
        #expect(configuration.engine.maxEventBytes == 1_024)
        #expect(configuration.engine.maxFutureSkewMilliseconds == 30_000)
        #expect(configuration.idleTimeoutMilliseconds == 0)
        #expect(configuration.shutdownTimeoutMilliseconds == 45_000)
        #expect(configuration.checkpointIntervalMilliseconds == 500)
        #expect(configuration.maxPollRecords == 500)
        #expect(configuration.logFormat == .json)
        #expect(configuration.logLevel == .debug)
    }

    @Test func derivedDefaultsFollowTheirInputs() throws {
        let configuration = try load(["-b", "h:1", "--input-topic", "clicks", "--group", "team"])
        #expect(configuration.dlqTopic == "clicks.dlq")
        #expect(configuration.checkpointStore == .kafka(topic: "team.checkpoints"))
    }

    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() throws {
        let file = writeTemporaryFile(
            """
            # comment
            ! another comment
            input-topic = from-file
            feature-topic = file-features
            group = file-group
            tick=20s
            """
        )
        defer { unlink(file) }
        let environment = [
            "MEMESTREAM_CONFIG": file,
            "MEMESTREAM_BOOTSTRAP_SERVERS": "env:9092",
            "MEMESTREAM_INPUT_TOPIC": "from-env",
            "MEMESTREAM_FEATURE_TOPIC": "env-features",
            "MEMESTREAM_GROUP": "",
        ]
        let configuration = try load(["--input-topic", "from-flag"], environment: environment)
        #expect(configuration.inputTopic == "from-flag")
        #expect(configuration.featureTopic == "env-features")
        #expect(configuration.group == "file-group")
        #expect(configuration.engine.tickMilliseconds == 20_000)
        #expect(configuration.bootstrapServers == "env:9092")
        #expect(configuration.engine.outOfOrdernessMilliseconds == 5_000)
    }

    @Test func configFlagBeatsConfigVariable() throws {
        let fromFlag = writeTemporaryFile("group = flag-file\n")
        let fromVariable = writeTemporaryFile("group = variable-file\n")
        defer {
            unlink(fromFlag)
            unlink(fromVariable)
        }
        let configuration = try load(
            ["-b", "h:1", "--config", fromFlag],
            environment: ["MEMESTREAM_CONFIG": fromVariable]
        )
        #expect(configuration.group == "flag-file")
    }

    @Test func kafkaPropertiesLayerInOrder() throws {
        let configFile = writeTemporaryFile(
            """
            kafka.linger.ms = 1
            kafka.client.id = from-config
            kafka.acks = all
            kafka.compression.type = lz4
            """
        )
        let first = writeTemporaryFile("linger.ms=2\nclient.id=from-first\nsasl.jaas.config=a=b c=d\n")
        let second = writeTemporaryFile("linger.ms = 3\n")
        defer {
            unlink(configFile)
            unlink(first)
            unlink(second)
        }
        let configuration = try load(
            [
                "-b", "h:1", "--config", configFile, "-F", first, "-F", second, "-X", "linger.ms=4", "-X",
                "security.protocol=SASL_SSL",
            ],
            environment: ["MEMESTREAM_KAFKA_PROPERTY_CLIENT_ID": "from-env", "MEMESTREAM_KAFKA_PROPERTY_ACKS": "-1"]
        )
        #expect(
            configuration.kafkaProperties == [
                "linger.ms": "4",
                "client.id": "from-first",
                "acks": "-1",
                "compression.type": "lz4",
                "sasl.jaas.config": "a=b c=d",
                "security.protocol": "SASL_SSL",
            ]
        )
    }

    /// Some editors write a byte order mark first; it must not join the first key.
    @Test func configFileWithByteOrderMarkLoads() throws {
        let path = writeTemporaryFile("\u{FEFF}group = marked\n")
        defer { unlink(path) }
        let configuration = try load(["-b", "h:1", "--config", path])
        #expect(configuration.group == "marked")
    }

    /// The fixed properties may still be given, with the value the worker sets anyway.
    @Test func fixedPropertiesAcceptTheirOwnValue() throws {
        let configuration = try load([
            "-b", "h:1", "-X", "partitioner=murmur2_random", "-X", "enable.auto.commit=false",
        ])
        #expect(configuration.kafkaProperties["partitioner"] == "murmur2_random")
        for spelling in ["0", "FALSE", "f"] {
            #expect(throws: Never.self) { _ = try load(["-b", "h:1", "-X", "enable.auto.commit=\(spelling)"]) }
        }
        let withStore = try load(["-b", "h:1", "--group", "é", "--checkpoint-store", "dir:/tmp/x"])
        #expect(withStore.group == "é")
    }

    @Test func bootstrapServersMayComeFromProperties() throws {
        let configuration = try load(["-X", "bootstrap.servers=p:9092", "-X", "group.id=memestream"])
        #expect(configuration.bootstrapServers == "p:9092")
        #expect(configuration.kafkaProperties.isEmpty)
    }

    @Test(
        arguments: [
            ([], [:], "missing --bootstrap-servers"),
            (["-b", "h:1", "--tick", "ten"], [:], "invalid duration 'ten' for --tick"),
            (["-b", "h:1"], ["MEMESTREAM_TICK": "ten"], "(set by environment variable MEMESTREAM_TICK)"),
            (["-b", "h:1", "--tick", "0"], [:], "expected a duration of at least 1 ms"),
            (["-b", "h:1", "--start-from", "now"], [:], "expected one of earliest, latest, warmup"),
            (["-b", "h:1", "--log-format", "xml"], [:], "expected one of logfmt, json"),
            (["-b", "h:1", "--log-level", "verbose"], [:], "trace, debug, info, notice, warning, error, critical"),
            (["-b", "h:1", "--http-port", "70000"], [:], "expected a whole number in 0...65535"),
            (["-b", "h:1", "--http-host", "example.com"], [:], "invalid value 'example.com' for --http-host"),
            (["-b", "h:1", "--checkpoint-store", "s3:bucket"], [:], "expected kafka:TOPIC or dir:PATH"),
            (["-b", "h:1", "--checkpoint-store", "kafka:bad topic"], [:], "invalid topic name 'bad topic'"),
            (["-b", "h:1", "--checkpoint-store", "dir:/dev/null"], [:], "/dev/null exists and is not a directory"),
            (["-b", "h:1", "--input-topic", ".."], [:], "invalid topic name '..' for --input-topic"),
            (
                ["-b", "h:1", "--feature-topic", "memes.events"], [:],
                "--input-topic and --feature-topic both name topic"
            ),
            (
                ["-b", "h:1", "--feature-set", "/nonexistent/f.json"], [:],
                "cannot read feature-set file '/nonexistent/f.json'"
            ),
            (["-b", "h:1", "--max-event-bytes", "0"], [:], "for --max-event-bytes: expected a whole number in 1..."),
            (["-b", "h:1", "--max-poll-records", "-5"], [:], "for --max-poll-records"),
            (["-b", "h:1", "-X", "novalue"], [:], "expected KEY=VALUE"),
            (["-b", "h:1", "-X", "=x"], [:], "expected KEY=VALUE"),
            (["-b", "a:1", "-X", "bootstrap.servers=b:2"], [:], "conflicting bootstrap servers"),
            (
                ["-b", "a:1", "-X", "metadata.broker.list=b:2"], [:],
                "the librdkafka properties set metadata.broker.list='b:2'"
            ),
            (["-b", "a:1", "-X", "group.id=other"], [:], "conflicting consumer group"),
            (["-b", "a:1,,b:2"], [:], "without spaces, line ends or empty entries"),
            (["-b", "127.0.0.1:1\r"], [:], #"invalid value '127.0.0.1:1\r' for --bootstrap-servers"#),
            (["-b", "127.0.0.1:1\n127.0.0.1:2"], [:], "with ports 1 to 65535"),
            (["-b", "127.0.0.1:"], [:], "with ports 1 to 65535"),
            (["-b", "127.0.0.1:abc"], [:], "with ports 1 to 65535"),
            (["-b", "127.0.0.1:99999"], [:], "with ports 1 to 65535"),
            (["-b", "127.0.0.1:1;127.0.0.1:2"], [:], "with ports 1 to 65535"),
            (["-X", "bootstrap.servers=127.0.0.1:1,,x y"], [:], "for librdkafka property bootstrap.servers"),
            (["-b", "h:1", "-F", "/nonexistent/client.properties"], [:], "cannot read librdkafka properties file"),
            (["-b", "h:1", "--config", "/nonexistent/m.conf"], [:], "cannot read config file '/nonexistent/m.conf'"),
            (["-b", "h:1", "stray"], [:], "unexpected argument 'stray'"),
            (["-b", "h:1", "-X", "partitioner=random"], [:], "invalid librdkafka property 'partitioner=random'"),
            (
                ["-b", "h:1", "-X", "topic.partitioner=random"], [:],
                "invalid librdkafka property 'topic.partitioner=random'"
            ),
            (
                ["-b", "h:1", "-X", "auto.commit.enable=true"], [:],
                "invalid librdkafka property 'auto.commit.enable=true'"
            ),
            (
                ["-b", "h:1", "--group", "é"], [:],
                "invalid topic name 'é.checkpoints' for the default of --checkpoint-store"
            ),
            (
                ["-b", "h:1", "-X", "enable.auto.commit=true"], [:],
                "invalid librdkafka property 'enable.auto.commit=true'"
            ),
            (
                ["-b", "h:1", "-X", "enable.idempotence=false", "-X", "acks=all"], [:],
                "invalid librdkafka property 'enable.idempotence=false'"
            ),
            (["-b", "h:1", "-X", "acks=0"], [:], "invalid librdkafka property 'acks=0'"),
            (
                ["-b", "h:1", "-X", "auto.offset.reset=latest"], [:],
                "invalid librdkafka property 'auto.offset.reset=latest' (from -X)"
            ),
            (
                ["-b", "h:1"], ["MEMESTREAM_KAFKA_PROPERTY_ACKS": "0"],
                "invalid librdkafka property 'acks=0' (from environment variable MEMESTREAM_KAFKA_PROPERTY_ACKS)"
            ),
            (
                ["-b", "h:1"],
                ["MEMESTREAM_KAFKA_PROPERTY_LINGER_MS": "5", "MEMESTREAM_KAFKA_PROPERTY_linger_ms": "abc"],
                "MEMESTREAM_KAFKA_PROPERTY_LINGER_MS and MEMESTREAM_KAFKA_PROPERTY_linger_ms both set"
            ),
            (["-b", "h:1", "--group", "zz\u{0}one"], [:], "contains the invisible character U+0000"),
            (["-b", "h:1", "--group", "\u{FEFF}memestream"], [:], "contains the invisible character U+FEFF"),
            (["-b", "h:1"], ["MEMESTREAM_GROUP": "\u{200B}g"], "contains the invisible character U+200B"),
            (
                ["-b", "h:1", "-X", "request.required.acks=1"], [:],
                "invalid librdkafka property 'request.required.acks=1'"
            ),
            (["-b", "h:1", "--group", "  "], [:], "expected a group id with a character other than white space"),
            (["-b", "h:1", "--group", "\u{200B}"], [:], "(U+200B): expected a group id with a character other"),
            (["-b", "h:1", "--group", "\u{301}\u{301}"], [:], "(U+301 U+301): expected a group id with a character"),
            (["-b", "h:1", "--group", "\u{1}\t"], [:], "(U+1 U+9): expected a group id with a character other"),
            (["-b", "h:1", "--group", String(repeating: "é", count: 90)], [:], "has 540 bytes, more than the 255"),
        ] as [([String], [String: String], String)]
    )
    func invalidInputNamesSourceAndValidValues(arguments: [String], environment: [String: String], message: String) {
        let error = usageError(arguments, environment: environment)
        #expect(error.contains(message), "message was: \(error)")
    }

    @Test(arguments: [
        ("tik = 10s\n", "unknown key 'tik' in config file"),
        ("group = a\ngroup = b\n", "duplicate key 'group'"),
        ("just words\n", "invalid line 1 in config file"),
        (" = value\n", "the key before '=' is empty"),
        ("kafka-property = linger.ms=5\n", "unknown key 'kafka-property'"),
        ("tick = fast\n", "(set by key 'tick' in config file"),
    ])
    func invalidConfigFileNamesFileAndLine(text: String, message: String) {
        let path = writeTemporaryFile(text)
        defer { unlink(path) }
        let error = usageError(["-b", "h:1", "--config", path])
        #expect(error.contains(message), "message was: \(error)")
        #expect(error.contains(path))
    }

    @Test func unknownFlagIsUsageError() {
        let error = usageError(["-b", "h:1", "--tik", "1s"])
        #expect(error.contains("unknown option '--tik'"))
        #expect(error.contains("(did you mean '--tick'?)"), "message was: \(error)")
        let unrelated = usageError(["-b", "h:1", "--zzzzzzzz", "1s"])
        #expect(unrelated.contains("unknown option '--zzzzzzzz'; run"), "message was: \(unrelated)")
    }

    @Test func helpListsEveryOptionWithDefaultOrRequirement() {
        for spec in WorkerConfiguration.options {
            let documented =
                spec.help.contains("Default:") || spec.help.contains("Required") || spec.help.contains("Repeatable")
            #expect(documented, "--\(spec.name) help does not state its default: \(spec.help)")
        }
        let names = WorkerConfiguration.options.map(\.name)
        #expect(Set(names).count == names.count)
        for required in [
            "bootstrap-servers", "group", "input-topic", "feature-topic", "dlq-topic", "checkpoint-store",
            "start-from", "feature-set", "http-port", "http-host", "kafka-properties-file", "kafka-property", "config",
            "log-format", "log-level", "tick", "out-of-orderness", "allowed-lateness", "max-event-bytes",
            "max-future-skew", "idle-timeout", "shutdown-timeout", "checkpoint-interval",
        ] {
            #expect(names.contains(required), "missing --\(required)")
        }
        #expect(WorkerConfiguration.options.first { $0.name == "bootstrap-servers" }?.shortName == "b")
        #expect(WorkerConfiguration.options.first { $0.name == "kafka-properties-file" }?.shortName == "F")
        #expect(WorkerConfiguration.options.first { $0.name == "kafka-property" }?.shortName == "X")
    }
}

@Suite struct ConfigurationLoggingTests {
    @Test func startupMetadataRedactsKafkaSecrets() throws {
        let configuration = try WorkerConfiguration.load(
            commandLine: [
                "-b", "h:1", "-X", "sasl.password=hunter2", "-X", "sasl.username=memestream", "-X",
                #"sasl.jaas.config=PlainLoginModule required username="u" password="s3cr=t";"#,
            ],
            environment: [:]
        )
        let entry = LogEntry(
            timestampMilliseconds: 0,
            level: .notice,
            label: "memestream",
            message: "worker starting",
            metadata: configuration.logMetadata
        )
        let line = LogLineFormatter(format: .logfmt).line(for: entry)
        #expect(!line.contains("hunter2"))
        #expect(line.contains("config.kafka.sasl.password=[redacted]"))
        // The Java client's JAAS text carries a password too.
        #expect(!line.contains("s3cr=t"), "\(line)")
        #expect(line.contains("config.kafka.sasl.username=memestream"))
        #expect(line.contains("config.input-topic=memes.events"))
        #expect(line.contains("config.http-port=off"))
    }
}
