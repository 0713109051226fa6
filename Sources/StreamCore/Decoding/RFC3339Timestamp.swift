/// Parses RFC 3339 date-times of the form `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` into
/// epoch milliseconds, without Foundation.
///
/// - `T` and `Z` are accepted in either case; a space in place of `T` is not.
/// - The fraction has one or more digits and is truncated (not rounded) to milliseconds.
/// - The offset is applied: `01:50:00+02:00` is `23:50:00Z` of the previous day.
/// - The calendar is checked: months 01–12, days within the month (Gregorian leap years: every
///   fourth year, except centuries not divisible by 400), hours 00–23, minutes 00–59, seconds
///   00–59, offset hours 00–23 and offset minutes 00–59.
/// - Second 60 (a leap second) is accepted only where it can occur, at 23:59 UTC once the
///   offset is applied, and is read as second 59 with the same fraction. Unix time has no leap
///   seconds, so the event sorts just before the next day. Whether that day really had a leap
///   second is not checked.
///
/// Thread-safety: stateless.
public enum RFC3339Timestamp {
    /// The reason a string is not an RFC 3339 date-time. The message is a verb phrase naming the
    /// wrong part ("needs an offset ...", "has day 30, ..."), so a detail can read "it <message>".
    public struct ParseError: Error, Sendable {
        public var message: String
    }

    /// Returns the epoch milliseconds of the date-time in `text`.
    ///
    /// - Throws: ``ParseError`` naming the first part that does not match the grammar or the
    ///   calendar.
    /// - Complexity: O(n) in the length of `text` (the fraction may be long).
    public static func parseMilliseconds(_ text: UnsafeBufferPointer<UInt8>) throws(ParseError) -> Int64 {
        let count = text.count
        // 19 bytes is a date-time without an offset, which the offset check below names.
        guard count >= 19 else {
            throw ParseError(message: "is too short for YYYY-MM-DDTHH:MM:SSZ")
        }

        // 1. Date and time fields at fixed positions.
        let year = try digits(text, at: 0, count: 4, name: "year")
        try separator(text, at: 4, JSONByte.minus, name: "'-' after the year")
        let month = try digits(text, at: 5, count: 2, name: "month")
        try separator(text, at: 7, JSONByte.minus, name: "'-' after the month")
        let day = try digits(text, at: 8, count: 2, name: "day")
        guard text[10] == JSONByte.letterUpperT || text[10] == JSONByte.letterT else {
            throw ParseError(message: "needs 'T' between date and time at character 11")
        }
        let hour = try digits(text, at: 11, count: 2, name: "hour")
        try separator(text, at: 13, JSONByte.colon, name: "':' after the hour")
        let minute = try digits(text, at: 14, count: 2, name: "minute")
        try separator(text, at: 16, JSONByte.colon, name: "':' after the minute")
        var second = try digits(text, at: 17, count: 2, name: "second")

        // 2. Optional fraction, truncated to milliseconds.
        var index = 19
        var millisecond: Int64 = 0
        if index < count && text[index] == JSONByte.period {
            index += 1
            let fractionStart = index
            while index < count && JSONScanner.isDigit(text[index]) {
                if index - fractionStart < 3 {
                    millisecond = millisecond * 10 + Int64(text[index] - JSONByte.digitZero)
                }
                index += 1
            }
            guard index > fractionStart else {
                throw ParseError(message: "needs at least one digit after '.'")
            }
            for _ in (index - fractionStart)..<max(3, index - fractionStart) {
                millisecond *= 10
            }
        }

        // 3. Offset: Z, or a sign and HH:MM.
        guard index < count else {
            throw ParseError(message: "needs an offset: 'Z' or +HH:MM or -HH:MM")
        }
        var offsetMinutes: Int64 = 0
        let marker = text[index]
        if marker == JSONByte.letterUpperZ || marker == JSONByte.letterZ {
            index += 1
        } else if marker == JSONByte.plus || marker == JSONByte.minus {
            guard count - index >= 6 else {
                throw ParseError(message: "needs an offset of the form +HH:MM or -HH:MM")
            }
            let offsetHour = try digits(text, at: index + 1, count: 2, name: "offset hour")
            try separator(text, at: index + 3, JSONByte.colon, name: "':' in the offset")
            let offsetMinute = try digits(text, at: index + 4, count: 2, name: "offset minute")
            guard offsetHour <= 23, offsetMinute <= 59 else {
                throw ParseError(message: "has an offset beyond ±23:59")
            }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (marker == JSONByte.minus ? -1 : 1)
            index += 6
        } else {
            throw ParseError(message: "needs an offset: 'Z' or +HH:MM or -HH:MM")
        }
        guard index == count else {
            throw ParseError(message: "has extra characters after the offset")
        }

        // 4. Calendar ranges.
        guard month >= 1 && month <= 12 else {
            throw ParseError(message: "has month \(month), outside 01–12")
        }
        let monthLength = daysInMonth(year: year, month: month)
        guard day >= 1 && day <= monthLength else {
            throw ParseError(
                message: "has day \(day), outside 01–\(monthLength) for \(year)-\(month < 10 ? "0" : "")\(month)"
            )
        }
        guard hour <= 23 else {
            throw ParseError(message: "has hour \(hour), outside 00–23")
        }
        guard minute <= 59 else {
            throw ParseError(message: "has minute \(minute), outside 00–59")
        }
        if second == 60 {
            let utcMinuteOfDay = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            guard utcMinuteOfDay == 23 * 60 + 59 else {
                throw ParseError(message: "has second 60 (a leap second) outside 23:59 UTC")
            }
            second = 59
        } else if second > 59 {
            throw ParseError(message: "has second \(second), outside 00–59")
        }

        // 5. Convert: days since the epoch, then milliseconds, then remove the offset.
        let days = daysFromCivil(year: year, month: month, day: day)
        let secondsOfDay = (hour * 60 + minute - offsetMinutes) * 60 + second
        return (days * 86_400 + secondsOfDay) * 1_000 + millisecond
    }

    /// Counts the days from 1970-01-01 to the given proleptic Gregorian date (negative before).
    ///
    /// The year is shifted to start in March so the leap day falls at its end. Then whole
    /// 400-year cycles (146 097 days each), years within the cycle and days within the year are
    /// counted separately. Valid for any year representable here (0000–9999).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let marchYear = month <= 2 ? year - 1 : year
        let cycle = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfCycle = marchYear - cycle * 400
        let marchMonth = month > 2 ? month - 3 : month + 9
        // Days before the first of the month, counted from 1 March: 0, 31, 61, 92, 122, 153, ...
        let dayOfYear = (153 * marchMonth + 2) / 5 + day - 1
        let dayOfCycle = yearOfCycle * 365 + yearOfCycle / 4 - yearOfCycle / 100 + dayOfYear
        // 719 468 days lie between 0000-03-01 and 1970-01-01.
        return cycle * 146_097 + dayOfCycle - 719_468
    }

    /// Returns the number of days in a month of the proleptic Gregorian calendar.
    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return isLeap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    private static func digits(
        _ text: UnsafeBufferPointer<UInt8>,
        at start: Int,
        count: Int,
        name: StaticString
    ) throws(ParseError) -> Int64 {
        var value: Int64 = 0
        for index in start..<(start + count) {
            let digit = text[index] &- JSONByte.digitZero
            guard digit <= 9 else {
                throw ParseError(message: "needs \(count) digits for the \(name) at character \(start + 1)")
            }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    private static func separator(
        _ text: UnsafeBufferPointer<UInt8>,
        at index: Int,
        _ expected: UInt8,
        name: StaticString
    ) throws(ParseError) {
        guard text[index] == expected else {
            throw ParseError(message: "needs \(name) at character \(index + 1)")
        }
    }
}
