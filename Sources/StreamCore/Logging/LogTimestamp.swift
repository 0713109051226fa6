/// Formats ms since the Unix epoch as an RFC 3339 UTC timestamp with milliseconds,
/// for example `2026-12-04T22:03:35.123Z`, without Foundation.
///
/// Valid for years 0000–9999; the conversion is the proleptic Gregorian calendar.
public enum LogTimestamp {
    /// Returns the RFC 3339 text of `milliseconds` since 1970-01-01T00:00:00Z.
    public static func rfc3339(milliseconds: Int64) -> String {
        let (days, millisecondOfDay) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let hour = millisecondOfDay / 3_600_000
        let minute = millisecondOfDay / 60_000 % 60
        let second = millisecondOfDay / 1_000 % 60
        let millisecond = millisecondOfDay % 1_000

        var text = ""
        text.reserveCapacity(24)
        append(year, width: 4, to: &text)
        text.append("-")
        append(month, width: 2, to: &text)
        text.append("-")
        append(day, width: 2, to: &text)
        text.append("T")
        append(hour, width: 2, to: &text)
        text.append(":")
        append(minute, width: 2, to: &text)
        text.append(":")
        append(second, width: 2, to: &text)
        text.append(".")
        append(millisecond, width: 3, to: &text)
        text.append("Z")
        return text
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    /// Converts days since 1970-01-01 to a (year, month, day) civil date, counting in 400-year
    /// eras of 146 097 days with March as the first month so that leap days fall at the end.
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let shifted = daysSinceEpoch + 719_468  // days from 0000-03-01 to 1970-01-01
        let era = floorDivide(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // 0 = March
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func append(_ value: Int64, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < width {
            text.append(String(repeating: "0", count: width - digits.count))
        }
        text.append(digits)
    }
}
