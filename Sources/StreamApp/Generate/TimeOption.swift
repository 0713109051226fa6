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
        } else if let integer = Int64(text) {
            value = integer
        } else if let parsed = parseRFC3339(Array(text.utf8)) {
            value = parsed
        } else {
            throw UsageError(
                "invalid time '\(text)' for --\(option): expected epoch milliseconds, RFC 3339 such as 2026-01-01T00:00:00Z, or now"
            )
        }
        guard (EventTime.minimumValid.rawValue..<EventTime.endOfValid.rawValue).contains(value) else {
            throw UsageError(
                "invalid time '\(text)' for --\(option): \(value) ms is outside [10^12, 10^13); give epoch milliseconds, not seconds or microseconds"
            )
        }
        return value
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`T` and `Z` in either case), truncating
    /// the fraction to milliseconds, or returns `nil`.
    static func parseRFC3339(_ bytes: [UInt8]) -> Int64? {
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var result = 0
            for byte in bytes[start..<(start + count)] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                result = result * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return result
        }
        func isByte(_ index: Int, _ options: String) -> Bool {
            index < bytes.count && options.utf8.contains(bytes[index])
        }

        guard bytes.count >= 20,
            let year = number(0, 4), isByte(4, "-"),
            let month = number(5, 2), isByte(7, "-"),
            let day = number(8, 2), isByte(10, "Tt"),
            let hour = number(11, 2), isByte(13, ":"),
            let minute = number(14, 2), isByte(16, ":"),
            let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }

        var index = 19
        var millisecond = 0
        if isByte(index, ".") {
            index += 1
            var digits = 0
            while index < bytes.count, let digit = number(index, 1) {
                if digits < 3 { millisecond = millisecond * 10 + digit }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 {
                for _ in digits..<3 { millisecond *= 10 }
            }
        }

        var offsetMinutes = 0
        if isByte(index, "Zz"), index + 1 == bytes.count {
            offsetMinutes = 0
        } else if isByte(index, "+-"), index + 6 == bytes.count,
            let offsetHours = number(index + 1, 2), isByte(index + 3, ":"),
            let offsetMinute = number(index + 4, 2), offsetHours < 24, offsetMinute < 60
        {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            offsetMinutes = sign * (offsetHours * 60 + offsetMinute)
        } else {
            return nil
        }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3_600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1_000 + Int64(millisecond)
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date; the inverse of
    /// ``RFC3339Format/civilDate(daysSinceEpoch:)``.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        // Count in March-based years, so the leap day is the last day of a year.
        let marchYear = month <= 2 ? year - 1 : year
        let era = marchYear / 400
        let yearOfEra = marchYear - era * 400
        let marchMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * marchMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era * 146_097 + dayOfEra - 719_468)
    }
}
