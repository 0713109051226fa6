import Foundation
import KafkaBridge
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// `memestream generate`: writes synthetic meme traffic to a file (JSONL or JSONL.zst).
enum GenerateCommand: Subcommand {
    static let name = "generate"
    static let summary = "Write realistic synthetic meme traffic (seeded, reproducible) to a file or topic."

    static var usage: String {
        """
        usage: memestream generate --output-file FILE [OPTIONS]
               memestream generate -b SERVERS [--topic NAME] [-X KEY=VALUE]... [OPTIONS]

        Generates meme interaction events: meme births as a Poisson process, heavy-tailed
        popularity with decay and viral bursts, users, reactions, dwell times, out-of-order and
        late delivery, and a share of bad records for every rejection reason. Records are
        written in arrival order, to a file or produced to a Kafka topic with record timestamp =
        arrival time. The same options give byte-identical output.
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
            .value(
                "topic",
                valueName: "NAME",
                help: "Topic to produce to, and the topic in kcat envelopes. Default memes.events."
            ),
            .value(
                "partitions",
                valueName: "N",
                help:
                    "Partitions for the murmur2 key partitioning of kcat envelopes (default 1), or of a missing topic to create (the mock cluster cannot create topics: it makes 4 on first produce)."
            ),
            .value(
                "bootstrap-servers",
                short: "b",
                valueName: "SERVERS",
                help: "Produce to --topic on these brokers (host:port,...) instead of writing a file."
            ),
            .value(
                "properties-file",
                short: "F",
                valueName: "FILE",
                repeatable: true,
                help: "librdkafka properties file (key=value lines), as kcat -F reads. Repeatable; later files win."
            ).aliased("kafka-properties-file"),
            .value(
                "property",
                short: "X",
                valueName: "KEY=VALUE",
                repeatable: true,
                help:
                    "librdkafka property; overrides -F and the defaults compression.type=zstd, partitioner=murmur2_random."
            ).aliased("kafka-property"),
        ]
    }

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let configuration = try configuration(from: arguments)
        try checkKafkaOptionsApply(arguments)
        InterruptFlag.install()
        let path = arguments.value("output-file")
        let bootstrapServers = arguments.value("bootstrap-servers")

        // A paced run can last minutes without output, so print what it writes first.
        if let rate = configuration.wallClockRate, (path == nil) != (bootstrapServers == nil) {
            let limit: String
            switch configuration.limit {
            case .events(let count): limit = "\(count) records"
            case .duration(let milliseconds): limit = "\(Double(milliseconds) / 1000) s of event time"
            }
            let target = path ?? "topic '\(configuration.topic)'"
            var start: [UInt8] = []
            RFC3339Format.append(configuration.startMilliseconds, offsetMinutes: 0, to: &start)
            printError(
                "memestream generate: writing \(limit) to \(target) at \(rate) records/s, event time from "
                    + "\(String(decoding: start, as: UTF8.self)); Ctrl-C stops"
            )
        }
        let summary: GenerationSummary
        let destination: String
        switch (path, bootstrapServers) {
        case (let path?, nil):
            destination = path
            summary = try generate(configuration, to: try LineWriter(path: path))
        case (nil, let servers?):
            destination = "topic '\(configuration.topic)'"
            let properties = try kafkaProperties(from: arguments)
            let kafkaConfiguration = KafkaTopicOutput.configuration(bootstrapServers: servers, properties: properties)
            let notes = try KafkaTopicOutput.prepareTopic(
                configuration: kafkaConfiguration,
                topic: configuration.topic,
                requestedPartitions: arguments.value("partitions") != nil ? configuration.partitions : nil
            )
            notes.forEach(printError)
            let output = try KafkaTopicOutput(
                configuration: kafkaConfiguration,
                topic: configuration.topic,
                notify: { printError($0) }
            )
            summary = try generate(configuration, into: output)
        case (.some, .some):
            throw UsageError("--output-file and --bootstrap-servers exclude each other; give one destination")
        case (nil, nil):
            throw UsageError(
                "missing destination: give --output-file FILE (- for standard output) or --bootstrap-servers HOST:PORT with --topic"
            )
        }
        printError(summary.report(destination: destination))
        return 0
    }

    /// Throws for `-F` or `-X` with a file destination, where they would be ignored in silence
    /// (as `replay` does for a file input).
    static func checkKafkaOptionsApply(_ arguments: ParsedArguments) throws {
        guard arguments.value("output-file") != nil, arguments.value("bootstrap-servers") == nil else { return }
        if let option = ["properties-file", "property"].first(where: { !arguments.allValues($0).isEmpty }) {
            throw UsageError("--\(option) applies only to a topic destination (--bootstrap-servers); remove it")
        }
    }

    /// Reads librdkafka properties from `-F FILE`, then `-X key=value` (later values win), and
    /// checks that they name no brokers other than `-b`.
    ///
    /// - Throws: ``UsageError`` naming `-F` or `-X` for an unreadable file, a malformed pair, an
    ///   invisible character, or conflicting brokers.
    static func kafkaProperties(from arguments: ParsedArguments) throws -> [String: String] {
        let properties = try KafkaPropertyOptions.read(arguments, example: "linger.ms=50")
        try KafkaPropertyOptions.checkBootstrapAgrees(
            servers: arguments.value("bootstrap-servers"),
            properties: properties
        )
        return properties
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

    /// Runs the generator into a file-like `output` in the configured line format.
    static func generate<Output: ByteOutput>(
        _ configuration: GeneratorConfiguration,
        to output: Output
    ) throws -> GenerationSummary {
        let writer = RecordLineWriter(
            output: output,
            format: configuration.outputFormat,
            topic: configuration.topic,
            partitionCount: configuration.partitions
        )
        return try generate(configuration, into: writer)
    }

    /// Runs the generator into `sink` until the limit or an interrupt (see ``InterruptFlag``), then
    /// finishes the sink.
    static func generate<Sink: GeneratedRecordSink>(
        _ configuration: GeneratorConfiguration,
        into sink: Sink
    ) throws -> GenerationSummary {
        var writer = sink
        var generator = TrafficGenerator(configuration: configuration)
        var pacer = configuration.wallClockRate.map {
            WallClockPacer(
                recordsPerSecond: $0,
                eventsPerSecond: configuration.eventsPerSecond,
                startEventMilliseconds: configuration.startMilliseconds
            )
        }
        var summary = GenerationSummary()
        var record = GeneratedRecord()
        let stop = InterruptFlag()
        let started = WallClockPacer.monotonicNanoseconds()
        var lastFlush = started

        while generator.next(into: &record) {
            try pacer?.waitForRecord(
                arrivalMilliseconds: record.timestampMilliseconds,
                drawingFinished: generator.isDrawingFinished
            ) { sleep in
                // A reader that follows the file (tail -f, kcat -P) gets the records within about
                // 100 ms, without a write per record at high rates.
                let now = WallClockPacer.monotonicNanoseconds()
                if now - lastFlush >= 100_000_000 || sleep >= 100_000_000 {
                    try writer.flush()
                    lastFlush = now
                }
            }
            // Records held back for a late delivery go out early once drawing ends. Their record
            // timestamp is the time they go out. An arrival up to hours ahead is a timestamp a
            // broker may refuse (log.message.timestamp.after.max.ms).
            if let pacer, generator.isDrawingFinished {
                record.timestampMilliseconds = min(record.timestampMilliseconds, pacer.lastReleaseMilliseconds)
            }
            // A signal during the wait: the record was not due yet, so it is not written.
            if stop.isRaised { break }
            try writer.write(record)
            summary.count(record)
            if stop.isRaised { break }
        }
        try writer.finish()
        summary.elapsedNanoseconds = WallClockPacer.monotonicNanoseconds() - started
        return summary
    }
}
