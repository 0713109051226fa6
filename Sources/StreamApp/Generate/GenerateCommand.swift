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
            throw UsageError(
                "missing --output-file: give a file path (ending in .zst for zstd) or - for standard output"
            )
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
        try configuration.applyLimitOptions(arguments)
        try configuration.applyPopulationOptions(arguments)
        try configuration.applyShareOptions(arguments)
        try configuration.applyOutputOptions(arguments)
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
}
