import StreamCore

/// Typed conversions of option values, each raising a ``UsageError`` that names the option,
/// the bad value and the valid form.
enum OptionValues {
    /// Parses a whole number, optionally bounded.
    static func integer(
        _ text: String,
        option: String,
        range: ClosedRange<Int64> = Int64.min...Int64.max
    ) throws -> Int64 {
        guard let value = Int64(text), range.contains(value) else {
            throw UsageError(
                "invalid value '\(text)' for --\(option): expected a whole number in \(range.lowerBound)...\(range.upperBound)"
            )
        }
        return value
    }

    /// The maximum duration accepted, in ms (the engine's limit).
    static let maximumDurationMilliseconds = EngineConfiguration.maximumDurationMilliseconds

    /// Parses a duration such as `250ms`, `10s`, `5m`, `1h`, `2d` or a bare number of
    /// milliseconds, and returns milliseconds, at most ``maximumDurationMilliseconds``.
    static func durationMilliseconds(_ text: String, option: String) throws -> Int64 {
        let milliseconds = try unboundedDurationMilliseconds(text, option: option)
        guard milliseconds <= maximumDurationMilliseconds else {
            throw UsageError(
                "invalid duration '\(text)' for --\(option): at most \(maximumDurationMilliseconds) ms "
                    + "(about 316 years) is accepted; give a shorter duration such as 10m"
            )
        }
        return milliseconds
    }

    private static func unboundedDurationMilliseconds(_ text: String, option: String) throws -> Int64 {
        let units: [(suffix: String, factor: Int64)] = [
            ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
        ]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            if let value = Int64(number), value >= 0 {
                let (product, overflow) = value.multipliedReportingOverflow(by: unit.factor)
                if !overflow { return product }
            }
            break
        }
        if let value = Int64(text), value >= 0 { return value }
        throw UsageError(
            "invalid duration '\(text)' for --\(option): expected a non-negative number with a unit ms, s, m, h or d, for example 10s"
        )
    }

    /// Parses one of a fixed set of words.
    static func choice(_ text: String, option: String, among choices: [String]) throws -> String {
        guard choices.contains(text) else {
            throw UsageError(
                "invalid value '\(text)' for --\(option): expected one of \(choices.joined(separator: ", "))"
            )
        }
        return text
    }
}
