import StreamCore

/// Parsing of event-time command-line values such as `--from` and `--to`.
enum TimeArgument {
    /// Parses epoch milliseconds (`1700006400000`) or an RFC 3339 timestamp
    /// (`2023-11-15T00:00:00Z`, `2023-11-15t01:00:00.250+01:00`) into an event time.
    ///
    /// RFC 3339 fractions are truncated to milliseconds; `T` and `Z` may be in either case.
    ///
    /// - Throws: ``UsageError`` naming the option, the value and the accepted forms.
    static func parse(_ text: String, option: String) throws -> EventTime {
        if let milliseconds = parseEpochMilliseconds(text) {
            // Event times lie in [10^12, 10^13) ms, so a smaller or larger number is almost
            // always epoch seconds or microseconds, which would silently select nothing.
            if milliseconds > 0 && milliseconds < EventTime.minimumValid.rawValue {
                throw UsageError(
                    "invalid time '\(text)' for --\(option): it looks like epoch seconds; "
                        + "give epoch milliseconds (\(text)000) or an RFC 3339 timestamp"
                )
            }
            if milliseconds >= EventTime.endOfValid.rawValue {
                throw UsageError(
                    "invalid time '\(text)' for --\(option): it looks like epoch microseconds or "
                        + "nanoseconds; give epoch milliseconds in [10^12, 10^13) or an RFC 3339 timestamp"
                )
            }
            return EventTime(milliseconds: milliseconds)
        }
        if let milliseconds = parseRFC3339(Array(text.utf8)) {
            return EventTime(milliseconds: milliseconds)
        }
        throw UsageError(
            "invalid time '\(text)' for --\(option): expected epoch milliseconds such as 1700006400000 "
                + "or an RFC 3339 timestamp such as 2023-11-15T00:00:00Z"
        )
    }

    private static func parseEpochMilliseconds(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into epoch milliseconds, or returns
    /// `nil` when the text has another shape or an out-of-range field.
    static func parseRFC3339(_ bytes: [UInt8]) -> Int64? {
        var index = 0

        func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<count {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
                index += 1
            }
            return value
        }

        func expect(_ allowed: UInt8...) -> Bool {
            guard index < bytes.count, allowed.contains(bytes[index]) else { return false }
            index += 1
            return true
        }

        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
            expect(0x54, 0x74), let hour = digits(2), expect(0x3A), let minute = digits(2), expect(0x3A),
            let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }

        // The fraction: any number of digits, truncated to milliseconds.
        var milliseconds: Int64 = 0
        if index < bytes.count && bytes[index] == 0x2E {
            index += 1
            var fractionDigits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if fractionDigits < 3 { milliseconds = milliseconds * 10 + Int64(bytes[index] - 0x30) }
                fractionDigits += 1
                index += 1
            }
            guard fractionDigits > 0 else { return nil }
            for _ in fractionDigits..<max(3, fractionDigits) { milliseconds *= 10 }
        }

        var offsetMinutes: Int64 = 0
        if expect(0x5A, 0x7A) {
            offsetMinutes = 0
        } else if index < bytes.count && (bytes[index] == 0x2B || bytes[index] == 0x2D) {
            let sign: Int64 = bytes[index] == 0x2B ? 1 : -1
            index += 1
            guard let offsetHour = digits(2), expect(0x3A), let offsetMinute = digits(2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }

        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1_000 + milliseconds
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return isLeap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    /// Returns the days from 1970-01-01 to the given proleptic Gregorian date, using the
    /// era-based algorithm (400-year eras of 146 097 days).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
