#if canImport(Glibc)
import Glibc
#endif

/// `memestream generate`: writes synthetic meme traffic to a file (JSONL or JSONL.zst).
enum GenerateCommand: Subcommand {
    static let name = "generate"
    static let summary = "Write realistic synthetic meme traffic (seeded, reproducible) to a file."

    static var usage: String {
        """
        usage: memestream generate --output-file FILE [OPTIONS]

        Generates meme interaction events: meme births as a Poisson process, heavy-tailed
        popularity with decay and viral bursts, users, reactions, dwell times, out-of-order and
        late delivery, and a share of bad records for every rejection reason. Records are
        written in arrival order. The same options give byte-identical output.
        """
    }

    static var options: [OptionSpec] {
        [
            .value("seed", valueName: "N", help: "Seed of the pseudo-random generator (unsigned 64-bit). Default 1."),
            .value("events", valueName: "N", help: "Stop after N records, good and bad. Default 1000000."),
            .value(
                "duration",
                valueName: "DURATION",
                help: "Stop at this much event time after --start (10s, 5m, 2h, 1d); excludes --events."
            ),
            .value(
                "start",
                valueName: "TIME",
                help: "Event time of the first event: epoch ms, RFC 3339, or now. Default 2026-01-01T00:00:00Z."
            ),
            .value(
                "rate",
                valueName: "PER_SECOND",
                help: "Records per second of wall time (real-time output). Default: as fast as possible."
            ),
            .value(
                "events-per-second",
                valueName: "PER_SECOND",
                help: "Mean events per second of event time. Default 1000, or --rate when that is set."
            ),
            .value("memes", valueName: "N", help: "Memes alive at the start, aged up to 12 h. Default 2000."),
            .value("birth-rate", valueName: "PER_MINUTE", help: "New memes per minute of event time. Default 20."),
            .value("users", valueName: "N", help: "Number of distinct users. Default 100000."),
            .value(
                "bad-share",
                valueName: "FRACTION",
                help: "Share of records (0-1) with a content defect, spread over the rejection reasons. Default 0.01."
            ),
            .value(
                "late-share",
                valueName: "FRACTION",
                help: "Share of records (0-1) delivered over 11 min late, beyond the allowed lateness. Default 0.002."
            ),
            .value(
                "straggler-share",
                valueName: "FRACTION",
                help: "Share of records (0-1) delivered 10 s to 9 min late, within the allowed lateness. Default 0.02."
            ),
            .value(
                "key-mismatch-share",
                valueName: "FRACTION",
                help: "Share of records (0-1) keyed by user_id instead of meme_id. Default 0.001."
            ),
            .value(
                "output-file",
                valueName: "FILE",
                help: "Write records to FILE (- for standard output); FILE ending in .zst is zstd-compressed."
            ),
            .value(
                "output-format",
                valueName: "FORMAT",
                help:
                    "events: one record value per line (no record timestamp, so no future_timestamp records); kcat: kcat -J envelopes. Default events."
            ),
            .value("topic", valueName: "NAME", help: "Topic name in kcat envelopes. Default memes.events."),
            .value(
                "partitions",
                valueName: "N",
                help: "Partition count for the murmur2 key partitioning of kcat envelopes. Default 1."
            ),
        ]
    }

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let configuration = try configuration(from: arguments)
        guard let path = arguments.value("output-file") else {
            throw UsageError("missing --output-file: give a file path (ending in .zst for zstd) or - for standard output")
        }
        let summary: GenerationSummary
        if path.hasSuffix(".zst") {
            summary = try generate(configuration, to: try ZstdFileOutput(path: path))
        } else {
            summary = try generate(configuration, to: try BufferedFileOutput(path: path))
        }
        printError(summary.report(path: path))
        return 0
    }

    /// Builds the configuration from the command line, validating every value.
    ///
    /// - Throws: ``UsageError`` naming the first invalid option and its valid range.
    static func configuration(from arguments: ParsedArguments) throws -> GeneratorConfiguration {
        var configuration = GeneratorConfiguration()
        if let text = arguments.value("seed") {
            guard let seed = UInt64(text) else {
                throw UsageError("invalid value '\(text)' for --seed: expected a whole number in 0...\(UInt64.max)")
            }
            configuration.seed = seed
        }
        if arguments.value("events") != nil, arguments.value("duration") != nil {
            throw UsageError("--events and --duration exclude each other; give one of them")
        }
        if let text = arguments.value("events") {
            configuration.limit = .events(Int(try OptionValues.integer(text, option: "events", range: 1...Int64.max)))
        }
        if let text = arguments.value("duration") {
            let milliseconds = try OptionValues.durationMilliseconds(text, option: "duration")
            guard milliseconds > 0 else {
                throw UsageError("invalid duration '\(text)' for --duration: expected a positive duration such as 1h")
            }
            configuration.limit = .duration(milliseconds: milliseconds)
        }
        if let text = arguments.value("start") {
            configuration.startMilliseconds = try TimeOption.epochMilliseconds(text, option: "start")
        }
        if let text = arguments.value("rate") {
            configuration.wallClockRate = try positiveNumber(text, option: "rate")
            configuration.eventsPerSecond = configuration.wallClockRate!
        }
        if let text = arguments.value("events-per-second") {
            configuration.eventsPerSecond = try positiveNumber(text, option: "events-per-second")
        }
        if let text = arguments.value("memes") {
            configuration.initialMemes = Int(try OptionValues.integer(text, option: "memes", range: 0...10_000_000))
        }
        if let text = arguments.value("birth-rate") {
            guard let rate = Double(text), rate.isFinite, rate >= 0, rate <= 1_000_000 else {
                throw UsageError("invalid value '\(text)' for --birth-rate: expected memes per minute in 0...1000000")
            }
            configuration.birthsPerMinute = rate
        }
        if let text = arguments.value("users") {
            configuration.users = Int(try OptionValues.integer(text, option: "users", range: 1...1_000_000_000))
        }
        if let text = arguments.value("bad-share") {
            configuration.badShare = try fraction(text, option: "bad-share")
        }
        if let text = arguments.value("late-share") {
            configuration.lateShare = try fraction(text, option: "late-share")
        }
        if let text = arguments.value("straggler-share") {
            configuration.straggleShare = try fraction(text, option: "straggler-share")
        }
        if configuration.lateShare + configuration.straggleShare > 1 {
            throw UsageError(
                "invalid values for --late-share and --straggler-share: their sum \(configuration.lateShare + configuration.straggleShare) exceeds 1"
            )
        }
        if let text = arguments.value("key-mismatch-share") {
            configuration.keyMismatchShare = try fraction(text, option: "key-mismatch-share")
        }
        if let text = arguments.value("output-format") {
            let choices = GeneratorConfiguration.OutputFormat.allCases.map(\.rawValue)
            let choice = try OptionValues.choice(text, option: "output-format", among: choices)
            configuration.outputFormat = GeneratorConfiguration.OutputFormat(rawValue: choice)!
        }
        if let text = arguments.value("topic") {
            guard !text.isEmpty, text.utf8.count <= 249 else {
                throw UsageError("invalid value '\(text)' for --topic: expected a topic name of 1 to 249 characters")
            }
            configuration.topic = text
        }
        if let text = arguments.value("partitions") {
            configuration.partitions = Int32(try OptionValues.integer(text, option: "partitions", range: 1...100_000))
        }
        return configuration
    }

    /// Runs the generator into `output` until the limit or SIGINT/SIGTERM, then closes the output.
    static func generate<Output: ByteOutput>(
        _ configuration: GeneratorConfiguration,
        to output: Output
    ) throws -> GenerationSummary {
        var writer = RecordLineWriter(
            output: output,
            format: configuration.outputFormat,
            topic: configuration.topic,
            partitionCount: configuration.partitions
        )
        var generator = TrafficGenerator(configuration: configuration)
        var pacer = configuration.wallClockRate.map { WallClockPacer(recordsPerSecond: $0) }
        var summary = GenerationSummary()
        var record = GeneratedRecord()
        let stop = InterruptFlag.install()
        let started = WallClockPacer.monotonicNanoseconds()

        while generator.next(into: &record) {
            pacer?.waitForNextRecord()
            try writer.write(record)
            summary.count(record)
            if summary.records & 1023 == 0, stop.isRaised { break }
        }
        try writer.finish()
        summary.elapsedNanoseconds = WallClockPacer.monotonicNanoseconds() - started
        return summary
    }

    private static func positiveNumber(_ text: String, option: String) throws -> Double {
        guard let value = Double(text), value.isFinite, value > 0, value <= 1e9 else {
            throw UsageError("invalid value '\(text)' for --\(option): expected a positive number of records per second up to 1e9")
        }
        return value
    }

    private static func fraction(_ text: String, option: String) throws -> Double {
        guard let value = Double(text), value >= 0, value <= 1 else {
            throw UsageError("invalid value '\(text)' for --\(option): expected a fraction in 0...1, for example 0.01")
        }
        return value
    }
}
