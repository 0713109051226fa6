/// The settings of `memestream demo`, parsed and validated from the command line.
struct DemoOptions: Sendable {
    /// Wall time to run before stopping by itself, in ms, or `nil` to run until SIGINT/SIGTERM.
    var durationMilliseconds: Int64?
    var seed: UInt64 = 1
    /// Mean generated records per second.
    var rate: Double = 300
    /// Event time generated before the start and sent at once, in ms.
    var backfillMilliseconds: Int64 = 15 * 60_000
    /// Memes alive when generation starts.
    var memes = 500
    /// Partitions of the events, feature and dead-letter topics.
    var partitions: Int32 = 8
    /// Rows of the ranking table.
    var top = 10
    /// The worker's live-mode idle rule timeout, in ms.
    var idleTimeoutMilliseconds: Int64 = 10_000
    /// `true` to print plain summaries even when standard output is a terminal.
    var plain = false
    /// The file that receives the worker's log lines, or `nil` for the default path.
    var logFile: String?

    static let specs: [OptionSpec] = [
        .value(
            "duration",
            valueName: "DURATION",
            help:
                "Stop by itself after this wall time (a bare number is seconds; or 500ms, 30s, 5m). Default: run until Ctrl-C."
        ),
        .value("seed", valueName: "N", help: "Seed of the traffic generator (unsigned 64-bit). Default 1."),
        .value("rate", valueName: "PER_SECOND", help: "Mean generated records per second, 1 to 20000. Default 300."),
        .value(
            "backfill",
            valueName: "DURATION",
            help:
                "Traffic generated before the start and sent at once, so windows are full at once (0 to 1h). Default 15m."
        ),
        .value("memes", valueName: "N", help: "Memes alive when generation starts, 0 to 100000. Default 500."),
        .value("partitions", valueName: "N", help: "Partitions of every demo topic, 1 to 64. Default 8."),
        .value("top", valueName: "N", help: "Memes in the ranking table, 1 to 50. Default 10."),
        .value(
            "idle-timeout",
            valueName: "DURATION",
            help:
                "The worker's idle rule: a caught-up partition without records for this long closes its windows. Default 10s."
        ),
        .flag("plain", help: "Print a plain summary every 5 s instead of redrawing, even on a terminal."),
        .value(
            "log-file",
            valueName: "FILE",
            help: "Append the worker's log lines (notice and above) to FILE. Default: TMPDIR/memestream-demo.log."
        ),
    ]

    init() {}

    /// Reads and validates the options.
    ///
    /// - Throws: ``UsageError`` naming the option, the value and the valid range.
    init(_ arguments: ParsedArguments) throws {
        if let extra = arguments.positional.first {
            throw UsageError("unexpected argument '\(extra)'; every demo setting is an option such as --duration 30")
        }
        if let text = arguments.value("duration") {
            let milliseconds =
                try Int64(text).map { $0 * 1_000 }
                ?? OptionValues.durationMilliseconds(text, option: "duration")
            guard milliseconds > 0, milliseconds <= 7 * 86_400_000 else {
                throw UsageError("invalid value '\(text)' for --duration: expected a duration from 1 ms to 7d")
            }
            durationMilliseconds = milliseconds
        }
        if let text = arguments.value("seed") {
            guard let value = UInt64(text) else {
                throw UsageError("invalid value '\(text)' for --seed: expected a whole number in 0...\(UInt64.max)")
            }
            seed = value
        }
        if let text = arguments.value("rate") {
            guard let value = Double(text), value.isFinite, value >= 1, value <= 20_000 else {
                throw UsageError("invalid value '\(text)' for --rate: expected records per second from 1 to 20000")
            }
            rate = value
        }
        if let text = arguments.value("backfill") {
            backfillMilliseconds = try OptionValues.durationMilliseconds(text, option: "backfill")
            guard backfillMilliseconds <= 3_600_000 else {
                throw UsageError("invalid value '\(text)' for --backfill: expected a duration from 0 to 1h")
            }
        }
        if let text = arguments.value("memes") {
            memes = Int(try OptionValues.integer(text, option: "memes", range: 0...100_000))
        }
        if let text = arguments.value("partitions") {
            partitions = Int32(try OptionValues.integer(text, option: "partitions", range: 1...64))
        }
        if let text = arguments.value("top") {
            top = Int(try OptionValues.integer(text, option: "top", range: 1...50))
        }
        if let text = arguments.value("idle-timeout") {
            idleTimeoutMilliseconds = try OptionValues.durationMilliseconds(text, option: "idle-timeout")
        }
        plain = arguments.isSet("plain")
        logFile = arguments.value("log-file")
    }
}
