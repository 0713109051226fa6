import Foundation
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// `memestream round-trip`: real or generated events through Kafka and the streaming worker,
/// checked against `memestream replay` on the same events.
enum RoundTripCommand: Subcommand {
    static let name = "round-trip"
    static let summary = "Load events into an embedded cluster, run the worker and check it against replay."
    static let usage = """
        usage: memestream round-trip --input-file FILE [--partitions N] [--top N] [--timeout DURATION]

        Starts librdkafka's mock cluster on 127.0.0.1 and produces the events of FILE (JSONL or
        JSONL.zst, one event value per line) to memes.events, keyed by meme_id with record
        timestamp = event time, zstd-compressed. Runs the streaming worker with the idle rule off
        until it has consumed every record, then stops it, reads memes.features back and compares
        it with what replay computes from the same records. Prints events, rejections by reason,
        records, tombstones and the top memes by views_24h, and exits 1 when the outputs differ.
        """

    static var options: [OptionSpec] {
        [
            .value("input-file", short: "i", valueName: "FILE", help: "Events to load: JSONL or JSONL.zst. Required."),
            .value(
                "partitions",
                valueName: "N",
                help: "Partitions per topic, 1 to 256; the cluster keeps about 5 MiB per partition. Default 16."
            ),
            .value("top", valueName: "N", help: "Memes listed by views_24h, 1 to 100. Default 10."),
            .value(
                "timeout",
                valueName: "DURATION",
                help: "Bound for the worker to consume every record (30s, 10m). Default 10m."
            ),
            .value(
                "log-file",
                valueName: "FILE",
                help: "Append the worker's log lines (notice and above) to FILE. Default: standard error."
            ),
        ]
    }

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        guard let inputFile = arguments.value("input-file") else {
            throw UsageError("missing --input-file FILE: the JSONL or JSONL.zst file of events to load")
        }
        guard FileManager.default.isReadableFile(atPath: inputFile) else {
            throw UsageError("invalid value '\(inputFile)' for --input-file: the file is missing or not readable")
        }
        let partitions = try arguments.value("partitions").map {
            Int32(try OptionValues.integer($0, option: "partitions", range: 1...256))
        }
        let top = try arguments.value("top").map { Int(try OptionValues.integer($0, option: "top", range: 1...100)) }
        let timeout = try arguments.value("timeout").map {
            try OptionValues.durationMilliseconds($0, option: "timeout")
        }

        var descriptor: Int32 = 2
        if let path = arguments.value("log-file") {
            descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            guard descriptor >= 0 else {
                throw UsageError("cannot open --log-file '\(path)': \(String(cString: strerror(errno)))")
            }
        }
        defer { if descriptor != 2 { close(descriptor) } }
        let handler = RateLimitingLogHandler(
            wrapping: StreamLogHandler(formatter: LogLineFormatter(format: .logfmt), fileDescriptor: descriptor),
            limit: 5,
            intervalMilliseconds: 10_000
        )
        defer { handler.flush() }
        let logger = Logger(label: "memestream.round-trip", level: .notice, handler: handler)

        // A Ctrl-C ended the process at once and left the work directory behind.
        InterruptFlag.install()
        let workDirectory = try DemoCommand.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: workDirectory) }
        var roundTrip = RealDataRoundTrip(inputFile: inputFile, workDirectory: workDirectory, logger: logger)
        if let partitions { roundTrip.partitions = partitions }
        if let timeout { roundTrip.timeout = .milliseconds(timeout) }

        let report: RealDataRoundTrip.Report
        do {
            report = try roundTrip.run()
        } catch is RealDataRoundTrip.Interrupted, is ReplayInterrupted {
            printError("memestream round-trip: interrupted, nothing was checked; the work directory is removed")
            return 130
        } catch {
            printError("memestream round-trip: \(errorText(error))")
            return 1
        }
        print(summary(report, top: top ?? 10))
        if !report.differences.isEmpty {
            printError("memestream round-trip: the feature topic differs from replay:")
            for difference in report.differences { printError("  " + difference) }
            return 1
        }
        return 0
    }

    /// Formats the report: counts, rejections, the check result and the top memes by views_24h.
    static func summary(_ report: RealDataRoundTrip.Report, top: Int) -> String {
        let seconds = DemoView.fixed(report.elapsedSeconds, 1)
        var lines = [
            "events       \(report.eventsLoaded) loaded, \(report.eventsConsumed) consumed by the worker",
            "rejected     \(DemoView.rejectionText(report.rejections))",
            "output       \(report.workerRecords) feature records, \(report.workerTombstones) tombstones "
                + "(\(report.board.memes.count) memes hold a record at the end)",
            "check        "
                + (report.differences.isEmpty
                    ? "feature topic = replay output (\(report.replayLines) records after sorting)"
                    : "DIFFERENT from replay output (\(report.replayLines) records)")
                + ", \(seconds) s",
        ]
        if let tick = report.board.latestTick {
            let time = Date(timeIntervalSince1970: Double(tick) / 1_000)
            lines.append("last tick    \(tick) (\(ISO8601DateFormatter().string(from: time)))")
        }
        lines.append("")
        lines.append("top memes by views_24h, each as of its latest record:")
        lines.append("  meme          views_24h  views_5m  like_rate_1h  age")
        for meme in report.board.top(top, by: { Double($0.views24h) }) {
            lines.append(
                "  " + TerminalText.printable(meme.memeID).padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(meme.views24h).leftPadded(11) + String(meme.views5m).leftPadded(10)
                    + (DemoView.fixed(meme.likeRate * 100, 1) + " %").leftPadded(14)
                    + DemoView.ageText(meme.ageSeconds).leftPadded(7)
            )
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// Returns the string right-aligned in `width` characters (unchanged when longer).
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
