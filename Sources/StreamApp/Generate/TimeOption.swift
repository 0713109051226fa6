import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Parses the value of `--start`: epoch milliseconds, RFC 3339 text, or `now`.
enum TimeOption {
    /// Returns epoch milliseconds for `text`.
    ///
    /// - Throws: ``UsageError`` naming `--option` when the text is neither form, or the time is
    ///   outside [10^12, 10^13) ms (2001-09-09 to 2286-11-20), which events cannot carry.
    static func epochMilliseconds(_ text: String, option: String) throws -> Int64 {
        let value: Int64
        if text == "now" {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            value = Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
        } else {
            value = try TimeArgument.parse(text, option: option).rawValue
        }
        guard (EventTime.minimumValid.rawValue..<EventTime.endOfValid.rawValue).contains(value) else {
            throw UsageError(
                "invalid time '\(text)' for --\(option): \(value) ms is outside [10^12, 10^13); give epoch milliseconds, not seconds or microseconds"
            )
        }
        return value
    }
}
