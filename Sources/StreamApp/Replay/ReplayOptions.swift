import Aggregators
import KafkaBridge
import StreamCore

/// The settings of one `memestream replay` run, parsed and validated from the command line.
struct ReplayOptions: Sendable {
    /// The layout of the input file's lines.
    enum InputFormat: String, Sendable, CaseIterable {
        /// One event value per line, all in partition 0, offsets counted from 0 over the
        /// non-blank lines, no record timestamp.
        case events
        /// One `kcat -J` envelope per line, with partition, offset, record timestamp, key and payload.
        case kcat
    }

    /// The input file (JSONL or JSONL.zst); `-` is standard input. Empty when the input is a topic.
    var inputFile: String
    /// The input topic, read instead of a file when set.
    var inputTopic: String?
    /// The Kafka bootstrap servers, required with ``inputTopic``.
    var bootstrapServers: String?
    /// librdkafka properties from `-F FILE` and `-X key=value`, the latter winning.
    var kafkaProperties: [String: String] = [:]
    /// How far before `--from` topic input starts, in ms. `nil` means the feature set's largest
    /// window plus the allowed lateness.
    var warmupMilliseconds: Int64?

    /// Returns the warm-up used when `--warmup` is not given, in ms: the windows' reach back from
    /// `--from` (size plus hop), plus the allowed lateness and the out-of-orderness, by which
    /// events arrive after their time. Every window at `--from` is then full.
    func defaultWarmupMilliseconds(for featureSet: FeatureSet) -> Int64 {
        featureSet.largestWindowReachMilliseconds + allowedLatenessMilliseconds + outOfOrdernessMilliseconds
    }
    var inputFormat: InputFormat = .events
    /// The output file (JSONL, or JSONL.zst when it ends in `.zst`), or `nil` for standard output.
    var outputFile: String?
    /// The first tick written (inclusive), or `nil` for no lower bound.
    var from: EventTime?
    /// The end of the range (exclusive): ticks at or after it are not written, and every
    /// partition's watermark is advanced to it at the end of input. `nil` means no upper bound.
    var to: EventTime?
    /// A feature-set definition (JSON), or `nil` for the built-in `meme_v1`.
    var featureSetFile: String?
    /// A file that receives one JSON line per rejected record, or `nil`.
    var rejectionsFile: String?

    var tickMilliseconds: Int64 = 10_000
    var outOfOrdernessMilliseconds: Int64 = 5_000
    var allowedLatenessMilliseconds: Int64 = 600_000
    var maxEventBytes: Int = 65_536
    var maxFutureSkewMilliseconds: Int64 = 60_000

    /// The maximum length of an input line read whole. It leaves room for a `maxEventBytes`
    /// value escaped six times over (`\u00XX` per byte) inside a kcat envelope, and is at least 16 MiB.
    var maximumLineBytes: Int {
        max(LineReader.defaultMaximumLineBytes, maxEventBytes * 6 + 4_096)
    }

    init(inputFile: String) {
        self.inputFile = inputFile
    }

    /// Returns the Kafka client settings for topic input.
    func kafkaConfiguration() -> KafkaConfiguration {
        var configuration = KafkaConfiguration(bootstrapServers: bootstrapServers ?? "")
        configuration.clientID = "memestream-replay"
        configuration.consumer.groupID = "memestream-replay"
        configuration.properties = kafkaProperties
        return configuration
    }

    /// A name for the input in messages: the file path or `topic NAME`.
    var inputDescription: String {
        inputTopic.map { "topic \($0)" } ?? inputFile
    }

    /// Throws when an output is a file the run reads (the input, the feature set, the `-F` file)
    /// or the other output, under any spelling: `./in.jsonl`, a link, `/dev/stdout`, `-` with
    /// standard input or output redirected to the file. Opening it for writing would truncate
    /// it. Devices such as /dev/null, terminals and pipes are never the same file. Two outputs
    /// that do not exist yet are compared by their absolute names.
    private func checkOutputsDiffer(propertiesFiles: [String]) throws {
        // Without --output-file, or with "-", the records go to standard output.
        if rejectionsFile == "-", outputFile == nil || outputFile == "-" {
            throw UsageError(
                "--rejections-file - would mix rejections into the records on standard output; "
                    + "give --output-file or --rejections-file a file"
            )
        }
        var readers: [(role: String, identity: FileIdentity)] = []
        if !inputFile.isEmpty, let identity = FileIdentity(path: inputFile, standardDescriptor: 0) {
            readers.append(("the input file", identity))
        }
        if let featureSetFile, let identity = FileIdentity(path: featureSetFile) {
            readers.append(("the --feature-set file", identity))
        }
        for file in propertiesFiles {
            if let identity = FileIdentity(path: file) { readers.append(("the -F properties file", identity)) }
        }
        let outputPath = outputFile ?? "-"
        for case (let option, let path?) in [
            ("output-file", Optional(outputPath)), ("rejections-file", rejectionsFile),
        ] {
            let displayPath = path == "-" ? "- (standard output)" : path
            if path == inputFile, path != "-", !FileIdentity.isSpecial(path) {
                throw UsageError("--\(option) \(displayPath) is the input file; writing it would destroy it")
            }
            guard let identity = FileIdentity(path: path, standardDescriptor: 1) else { continue }
            for reader in readers where reader.identity == identity {
                throw UsageError("--\(option) \(displayPath) is \(reader.role); writing it would destroy it")
            }
        }
        if let rejectionsFile, Self.sameOutput(outputPath, rejectionsFile) {
            let target = outputPath == "-" ? "standard output, where the records go" : "the --output-file"
            throw UsageError("--rejections-file \(rejectionsFile) is \(target); give the rejections another file")
        }
    }

    /// `true` when two output paths (`-` is standard output) reach the same file, pipe or socket,
    /// or name the same file that does not exist yet.
    private static func sameOutput(_ first: String, _ second: String) -> Bool {
        if let identity = FileIdentity(path: first, standardDescriptor: 1) {
            return identity == FileIdentity(path: second, standardDescriptor: 1)
        }
        if let stream = pipeIdentity(first) {
            // Standard output on a pipe, and /dev/stdout as the other output.
            return stream == pipeIdentity(second)
        }
        if let name = FileIdentity.futureName(first) {
            return name == FileIdentity.futureName(second)
        }
        return false
    }

    /// Returns the pipe or socket behind an output path (`-` is standard output), or `nil`.
    private static func pipeIdentity(_ path: String) -> FileIdentity? {
        if path == "-" {
            return FileIdentity.pipe(descriptor: 1)
        }
        return FileIdentity.pipe(path: path)
    }

    /// Throws for an option that does nothing with the chosen input, so that a typo in a script
    /// (a topic option on a file replay) is not silently ignored.
    private static func checkOptionsApply(_ arguments: ParsedArguments, readsTopic: Bool) throws {
        let topicOnly = ["bootstrap-servers", "properties-file", "property", "warmup"]
        if !readsTopic, let option = topicOnly.first(where: { !arguments.allValues($0).isEmpty }) {
            throw UsageError("--\(option) applies only to --input-topic; remove it for a file replay")
        }
        if readsTopic, arguments.value("input-format") != nil {
            throw UsageError(
                "--input-format applies only to --input-file: a topic's records carry their partition, offset, "
                    + "timestamp and key; remove it"
            )
        }
    }

    /// Reads and validates the options of `memestream replay`.
    ///
    /// - Throws: ``UsageError`` naming the option and its valid values.
    init(_ arguments: ParsedArguments) throws {
        if let extra = arguments.positional.first {
            throw UsageError(
                "unexpected argument '\(extra)'; every replay setting is an option such as --input-file FILE"
            )
        }
        inputTopic = arguments.value("input-topic")
        bootstrapServers = arguments.value("bootstrap-servers")
        switch (arguments.value("input-file"), inputTopic) {
        case (nil, nil):
            throw UsageError(
                "missing input: give --input-file FILE (JSONL or JSONL.zst) or --input-topic TOPIC with --bootstrap-servers"
            )
        case (.some, .some):
            throw UsageError("--input-file and --input-topic exclude each other; give one of them")
        case (.some(let file), nil):
            guard !file.isEmpty else {
                throw UsageError("invalid value '' for --input-file: expected a file path, or - for standard input")
            }
            inputFile = file
        case (nil, .some(let topic)):
            guard !topic.isEmpty else { throw UsageError("invalid value '' for --input-topic: expected a topic name") }
            try OptionReader.checkTopicName(topic, source: .flag("--input-topic"))
            guard let servers = bootstrapServers, !servers.isEmpty else {
                throw UsageError("--input-topic needs --bootstrap-servers HOST:PORT[,HOST:PORT...]")
            }
            inputFile = ""
        }
        // Repeatable, as in `run`: later files win.
        kafkaProperties = try KafkaPropertyOptions.read(arguments, example: "security.protocol=ssl")
        if let text = arguments.value("warmup") {
            warmupMilliseconds = try OptionValues.durationMilliseconds(text, option: "warmup")
        }
        // librdkafka reads metadata.broker.list as another name of bootstrap.servers.
        try KafkaPropertyOptions.checkBootstrapAgrees(servers: bootstrapServers, properties: kafkaProperties)
        try Self.checkOptionsApply(arguments, readsTopic: inputTopic != nil)

        if let format = arguments.value("input-format") {
            let choice = try OptionValues.choice(
                format,
                option: "input-format",
                among: InputFormat.allCases.map(\.rawValue)
            )
            inputFormat = InputFormat(rawValue: choice)!
        }
        outputFile = arguments.value("output-file")
        if outputFile == "-" { outputFile = nil }
        featureSetFile = arguments.value("feature-set")
        rejectionsFile = arguments.value("rejections-file")
        try checkOutputsDiffer(propertiesFiles: arguments.allValues("properties-file"))

        if let text = arguments.value("from") { from = try TimeArgument.parse(text, option: "from") }
        if let text = arguments.value("to") { to = try TimeArgument.parse(text, option: "to") }
        // Event times start at 0, so a range that ends there contains no tick.
        if let to, to.rawValue == 0 {
            throw UsageError(
                "invalid value '0' for --to: the range would end at 1970-01-01T00:00:00Z and select no tick; give "
                    + "the end in epoch ms or as an RFC 3339 time"
            )
        }
        if let from, let to, from >= to {
            throw UsageError(
                "invalid range: --from \(from.rawValue) must be earlier than --to \(to.rawValue) (epoch ms)"
            )
        }

        if let text = arguments.value("tick") {
            tickMilliseconds = try OptionValues.durationMilliseconds(text, option: "tick")
            guard tickMilliseconds > 0 else {
                throw UsageError("invalid duration '\(text)' for --tick: expected a positive duration such as 10s")
            }
        }
        if let text = arguments.value("out-of-orderness") {
            outOfOrdernessMilliseconds = try OptionValues.durationMilliseconds(text, option: "out-of-orderness")
        }
        if let text = arguments.value("allowed-lateness") {
            allowedLatenessMilliseconds = try OptionValues.durationMilliseconds(text, option: "allowed-lateness")
        }
        if let text = arguments.value("max-future-skew") {
            maxFutureSkewMilliseconds = try OptionValues.durationMilliseconds(text, option: "max-future-skew")
        }
        if let text = arguments.value("max-event-bytes") {
            maxEventBytes = Int(try OptionValues.integer(text, option: "max-event-bytes", range: 1...(64 << 20)))
        }
    }

    /// The options `memestream replay` accepts, for parsing and `--help`.
    static let specs: [OptionSpec] = [
        .value(
            "input-file",
            short: "i",
            valueName: "FILE",
            help: "Events to replay: JSONL, or JSONL.zst (by .zst extension or zstd magic); - is stdin."
        ),
        .value(
            "input-format",
            valueName: "FORMAT",
            help: "events (one event value per line, partition 0) or kcat (kcat -J envelopes). Default events."
        ),
        .value(
            "output-file",
            short: "o",
            valueName: "FILE",
            help: "Where feature records go, one value per line; .zst compresses. Default stdout."
        ),
        .value(
            "from",
            valueName: "TIME",
            help: "First tick written (inclusive), epoch ms or RFC 3339. Earlier input still warms up state."
        ),
        .value(
            "to",
            valueName: "TIME",
            help: "End tick (exclusive), epoch ms or RFC 3339; watermarks advance to it at the end of input."
        ),
        .value(
            "input-topic",
            valueName: "TOPIC",
            help: "Replay this Kafka topic instead of a file, every partition up to its current end."
        ),
        .value(
            "bootstrap-servers",
            short: "b",
            valueName: "SERVERS",
            help: "Kafka brokers for --input-topic, host:port,..."
        ),
        .value(
            "warmup",
            valueName: "DURATION",
            help:
                "Topic input starts this long before --from. Default the largest window size plus its hop, the "
                + "allowed lateness and the out-of-orderness."
        ),
        .value(
            "properties-file",
            short: "F",
            valueName: "FILE",
            repeatable: true,
            help: "librdkafka properties file (key=value lines). Repeatable; later files win."
        ).aliased("kafka-properties-file"),
        .value(
            "property",
            short: "X",
            valueName: "KEY=VALUE",
            repeatable: true,
            help: "One librdkafka property, for example -X security.protocol=ssl; beats -F."
        ).aliased("kafka-property"),
        .value("feature-set", valueName: "FILE", help: "Feature-set definition (JSON). Default the built-in meme_v1."),
        .value(
            "rejections-file",
            valueName: "FILE",
            help: "Write one JSON line per rejected record (partition, offset, line, reason, detail)."
        ),
        .value(
            "tick",
            valueName: "DURATION",
            help: "Tick interval, for example 10s (ms, s, m, h, d; a bare number is ms). Default 10s."
        ),
        .value(
            "out-of-orderness",
            valueName: "DURATION",
            help: "Watermark delay behind the largest event time. Default 5s."
        ),
        .value(
            "allowed-lateness",
            valueName: "DURATION",
            help: "How far behind the watermark an event is still accepted. Default 10m."
        ),
        .value(
            "max-event-bytes",
            valueName: "BYTES",
            help:
                "Largest record value accepted, in bytes (1 to 67108864); larger ones are rejected as too_large. Default 65536."
        ),
        .value(
            "max-future-skew",
            valueName: "DURATION",
            help: "How far an event time may lead its record timestamp. Default 60s."
        ),
    ]
}
