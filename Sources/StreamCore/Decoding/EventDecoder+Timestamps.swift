extension EventDecoder {
    /// Converts a `ts` or `published_at` value to epoch milliseconds. The value must be an integer or an
    /// RFC 3339 string and lie in [10^12, 10^13) ms.
    static func timestampMilliseconds(
        _ field: EventField,
        _ token: JSONValueToken,
        scanner: JSONScanner
    ) -> Result<Int64, Rejection> {
        switch token.kind {
        case .number:
            return integerTimestamp(field, token, scanner: scanner)
        case .string:
            return stringTimestamp(field, token, scanner: scanner)
        default:
            return .failure(
                Rejection(
                    reason: .invalidTimestamp,
                    detail:
                        "field '\(field.jsonName)' is \(token.kind.article) \(RejectionDetail.raw(scanner, token)); "
                        + "expected integer epoch milliseconds or an RFC 3339 string"
                )
            )
        }
    }

    private static func integerTimestamp(
        _ field: EventField,
        _ token: JSONValueToken,
        scanner: JSONScanner
    ) -> Result<Int64, Rejection> {
        let shown = RejectionDetail.raw(scanner, token)
        guard token.number.isInteger else {
            return .failure(
                Rejection(
                    reason: .invalidTimestamp,
                    detail: "field '\(field.jsonName)' is \(shown); a timestamp number must be an integer of epoch "
                        + "milliseconds, without a fraction or exponent"
                )
            )
        }
        if let value = token.number.integerValue, value >= EventTime.minimumValid.rawValue,
            value < EventTime.endOfValid.rawValue
        {
            return .success(value)
        }
        return .failure(
            Rejection(
                reason: .invalidTimestamp,
                detail: "field '\(field.jsonName)' is \(shown), outside [10^12, 10^13) epoch milliseconds"
                    + unitHint(token.number)
            )
        )
    }

    /// Returns a hint naming the unit an out-of-range integer timestamp was probably written in.
    ///
    /// Valid milliseconds lie in [10^12, 10^13), so the same instants in seconds lie in
    /// [10^9, 10^10), in microseconds in [10^15, 10^16) and in nanoseconds in [10^18, 10^19).
    static func unitHint(_ number: JSONNumberToken) -> String {
        guard !number.overflowed, !number.isNegative else {
            return number.isNegative && number.magnitude != 0 ? " (a negative time)" : ""
        }
        switch number.magnitude {
        case 1_000_000_000..<10_000_000_000:
            return "; looks like seconds, multiply by 1000"
        case 1_000_000_000_000_000..<10_000_000_000_000_000:
            return "; looks like microseconds, divide by 1000"
        case 1_000_000_000_000_000_000..<10_000_000_000_000_000_000:
            return "; looks like nanoseconds, divide by 1000000"
        default:
            return ""
        }
    }

    private static func stringTimestamp(
        _ field: EventField,
        _ token: JSONValueToken,
        scanner: JSONScanner
    ) -> Result<Int64, Rejection> {
        let parsed = scanner.withDecodedBytes(token.string) { bytes -> Result<Int64, RFC3339Timestamp.ParseError> in
            do throws(RFC3339Timestamp.ParseError) {
                return .success(try RFC3339Timestamp.parseMilliseconds(bytes))
            } catch {
                return .failure(error)
            }
        }
        let shown = RejectionDetail.quoted(scanner, token)
        switch parsed {
        case .failure(let error):
            return .failure(
                Rejection(
                    reason: .invalidTimestamp,
                    detail: "field '\(field.jsonName)' is \(shown), not an RFC 3339 date-time: it \(error.message); "
                        + "expected a form like 2023-11-15T00:01:10.123Z or 2023-11-15T01:01:10+01:00"
                )
            )
        case .success(let value):
            guard value >= EventTime.minimumValid.rawValue, value < EventTime.endOfValid.rawValue else {
                return .failure(
                    Rejection(
                        reason: .invalidTimestamp,
                        detail: "field '\(field.jsonName)' is \(shown), outside the accepted range "
                            + "2001-09-09T01:46:40Z (inclusive) to 2286-11-20T17:46:40Z (exclusive)"
                    )
                )
            }
            return .success(value)
        }
    }
}
