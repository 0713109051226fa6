/// Formats epoch milliseconds as RFC 3339 text, for the share of events whose timestamps are
/// strings instead of integers.
enum RFC3339Format {
    /// Appends `YYYY-MM-DDTHH:MM:SS.mmm` followed by `Z` (when `offsetMinutes` is 0) or by
    /// `±HH:MM`, with the clock fields shifted into that offset so the text names the same
    /// instant. Valid for years 1970–9999.
    static func append(_ milliseconds: Int64, offsetMinutes: Int, to bytes: inout [UInt8]) {
        let local = milliseconds + Int64(offsetMinutes) * 60_000
        let millisecondOfSecond = Int(local % 1_000)
        let totalSeconds = local / 1_000
        let days = totalSeconds / 86_400
        let secondOfDay = Int(totalSeconds % 86_400)
        let date = civilDate(daysSinceEpoch: days)

        bytes.appendPadded(date.year, width: 4)
        bytes.append(UInt8(ascii: "-"))
        bytes.appendPadded(date.month, width: 2)
        bytes.append(UInt8(ascii: "-"))
        bytes.appendPadded(date.day, width: 2)
        bytes.append(UInt8(ascii: "T"))
        bytes.appendPadded(secondOfDay / 3_600, width: 2)
        bytes.append(UInt8(ascii: ":"))
        bytes.appendPadded(secondOfDay / 60 % 60, width: 2)
        bytes.append(UInt8(ascii: ":"))
        bytes.appendPadded(secondOfDay % 60, width: 2)
        bytes.append(UInt8(ascii: "."))
        bytes.appendPadded(millisecondOfSecond, width: 3)
        if offsetMinutes == 0 {
            bytes.append(UInt8(ascii: "Z"))
        } else {
            bytes.append(UInt8(ascii: offsetMinutes > 0 ? "+" : "-"))
            bytes.appendPadded(abs(offsetMinutes) / 60, width: 2)
            bytes.append(UInt8(ascii: ":"))
            bytes.appendPadded(abs(offsetMinutes) % 60, width: 2)
        }
    }

    /// Converts days since 1970-01-01 (non-negative) to a proleptic Gregorian date.
    ///
    /// Counts in 400-year eras of 146 097 days that start on March 1, so the leap day falls at
    /// the end of each computed year and needs no special case.
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int, month: Int, day: Int) {
        // Step 1: shift the origin from 1970-01-01 to 0000-03-01.
        let shifted = Int(daysSinceEpoch) + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        // Step 2: year of era, correcting for the 4-, 100- and 400-year leap rules.
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        // Step 3: month in a March-based year (0 = March), then back to January-based months.
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
