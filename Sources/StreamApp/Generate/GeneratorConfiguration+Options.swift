/// Parsing of the `memestream generate` options into a ``GeneratorConfiguration``.
///
/// Each method reads one group of options and throws a ``UsageError`` naming the flag, the
/// invalid value and the valid range.
extension GeneratorConfiguration {
    /// Reads `--seed`, `--events`, `--duration`, `--start`, `--rate` and `--events-per-second`.
    mutating func applyLimitOptions(_ arguments: ParsedArguments) throws {
        if let text = arguments.value("seed") {
            guard let seed = UInt64(text) else {
                throw UsageError("invalid value '\(text)' for --seed: expected a whole number in 0...\(UInt64.max)")
            }
            self.seed = seed
        }

        if arguments.value("events") != nil, arguments.value("duration") != nil {
            throw UsageError("--events and --duration exclude each other; give one of them")
        }
        if let text = arguments.value("events") {
            limit = .events(Int(try OptionValues.integer(text, option: "events", range: 1...Int64.max)))
        }
        if let text = arguments.value("duration") {
            let milliseconds = try OptionValues.durationMilliseconds(text, option: "duration")
            guard milliseconds > 0 else {
                throw UsageError("invalid duration '\(text)' for --duration: expected a positive duration such as 1h")
            }
            limit = .duration(milliseconds: milliseconds)
        }

        if let text = arguments.value("start") {
            startMilliseconds = try TimeOption.epochMilliseconds(text, option: "start")
        }
        if let text = arguments.value("rate") {
            let rate = try Self.positiveRate(text, option: "rate")
            wallClockRate = rate
            eventsPerSecond = rate
        }
        if let text = arguments.value("events-per-second") {
            eventsPerSecond = try Self.positiveRate(text, option: "events-per-second")
        }
    }

    /// Reads `--memes`, `--birth-rate` and `--users`.
    mutating func applyPopulationOptions(_ arguments: ParsedArguments) throws {
        if let text = arguments.value("memes") {
            initialMemes = Int(try OptionValues.integer(text, option: "memes", range: 0...10_000_000))
        }
        if let text = arguments.value("birth-rate") {
            guard let rate = Double(text), rate.isFinite, rate >= 0, rate <= 1_000_000 else {
                throw UsageError("invalid value '\(text)' for --birth-rate: expected memes per minute in 0...1000000")
            }
            birthsPerMinute = rate
        }
        if let text = arguments.value("users") {
            users = Int(try OptionValues.integer(text, option: "users", range: 1...1_000_000_000))
        }
    }

    /// Reads `--bad-share`, `--late-share`, `--straggler-share` and `--key-mismatch-share`.
    mutating func applyShareOptions(_ arguments: ParsedArguments) throws {
        if let text = arguments.value("bad-share") {
            badShare = try Self.fraction(text, option: "bad-share")
        }
        if let text = arguments.value("late-share") {
            lateShare = try Self.fraction(text, option: "late-share")
        }
        if let text = arguments.value("straggler-share") {
            straggleShare = try Self.fraction(text, option: "straggler-share")
        }
        if lateShare + straggleShare > 1 {
            throw UsageError(
                "invalid values for --late-share and --straggler-share: their sum \(lateShare + straggleShare) exceeds 1"
            )
        }
        if let text = arguments.value("key-mismatch-share") {
            keyMismatchShare = try Self.fraction(text, option: "key-mismatch-share")
        }
    }

    /// Reads `--output-format`, `--topic` and `--partitions`, and sets ``writesToTopic`` from
    /// `--bootstrap-servers`.
    mutating func applyOutputOptions(_ arguments: ParsedArguments) throws {
        writesToTopic = arguments.value("bootstrap-servers") != nil
        if let text = arguments.value("output-format") {
            let choices = OutputFormat.allCases.map(\.rawValue)
            let choice = try OptionValues.choice(text, option: "output-format", among: choices)
            outputFormat = OutputFormat(rawValue: choice)!
        }
        if let text = arguments.value("topic") {
            guard !text.isEmpty, text.utf8.count <= 249 else {
                throw UsageError("invalid value '\(text)' for --topic: expected a topic name of 1 to 249 characters")
            }
            topic = text
        }
        if let text = arguments.value("partitions") {
            partitions = Int32(try OptionValues.integer(text, option: "partitions", range: 1...100_000))
        }
    }

    private static func positiveRate(_ text: String, option: String) throws -> Double {
        guard let value = Double(text), value.isFinite, value > 0, value <= 1e9 else {
            throw UsageError(
                "invalid value '\(text)' for --\(option): expected a positive number of records per second up to 1e9"
            )
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
