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
        let bytes = Array(text.utf8)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(RFC3339Timestamp.ParseError) in try RFC3339Timestamp.parseMilliseconds(buffer) }
        }
        switch parsed {
        case .success(let milliseconds):
            // The epoch form accepts 0 to 10^13 ms, so the RFC 3339 form accepts the same range.
            guard milliseconds >= 0, milliseconds < EventTime.endOfValid.rawValue else {
                throw UsageError(
                    "invalid time '\(text)' for --\(option): it is outside 1970-01-01T00:00:00Z to "
                        + "\(LogTimestamp.rfc3339(milliseconds: EventTime.endOfValid.rawValue - 1)), "
                        + "where every event time lies; give a time such as 2023-11-15T00:00:00Z"
                )
            }
            return EventTime(milliseconds: milliseconds)
        case .failure(let error) where looksLikeDate(bytes):
            throw UsageError(
                "invalid time '\(text)' for --\(option): it \(error.message); "
                    + "give an RFC 3339 timestamp such as 2023-11-15T00:00:00Z or epoch milliseconds"
            )
        case .failure: break
        }
        throw UsageError(
            "invalid time '\(text)' for --\(option): expected epoch milliseconds such as 1700006400000 "
                + "or an RFC 3339 timestamp such as 2023-11-15T00:00:00Z"
        )
    }

    /// `true` when `bytes` start as an RFC 3339 date does (`YYYY-`), so the parser's reason is
    /// worth showing.
    private static func looksLikeDate(_ bytes: [UInt8]) -> Bool {
        bytes.count > 4 && bytes[..<4].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && bytes[4] == UInt8(ascii: "-")
    }

    private static func parseEpochMilliseconds(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }

    /// Parses an RFC 3339 date-time with the event decoder's parser, so `--from`, `--to` and
    /// `--start` accept exactly the forms the `ts` field accepts. Returns `nil` when the text is
    /// not one.
    static func parseRFC3339(_ bytes: [UInt8]) -> Int64? {
        bytes.withUnsafeBufferPointer { buffer in
            try? RFC3339Timestamp.parseMilliseconds(buffer)
        }
    }
}
