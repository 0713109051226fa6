extension EventDecoder {
    /// The largest `meme_id` and `user_id`, in UTF-8 bytes after unescaping.
    static let maxIDBytes = 128
    /// The largest `type`, in bytes: one letter plus up to 31 letters, digits or underscores.
    static let maxTypeBytes = 32

    /// Applies the field rules, in reason order and then field order, to a syntactically valid
    /// event object. Builds no string.
    func checkRules(_ fields: ObservedFields, scanner: JSONScanner, recordTimestamp: Int64?) -> RuleCheck {
        // 1. missing_field: required fields that are absent, null or empty strings.
        if let rejection = Self.checkPresent(.memeID, fields.memeID, scanner: scanner) {
            return .failed(rejection)
        }
        if let rejection = Self.checkPresent(.type, fields.type, scanner: scanner) {
            return .failed(rejection)
        }
        if let rejection = Self.checkPresent(.ts, fields.ts, scanner: scanner) {
            return .failed(rejection)
        }
        let memeID = fields.memeID!
        let type = fields.type!
        let ts = fields.ts!
        let userID = Self.nonNull(fields.userID)
        let publishedAt = Self.nonNull(fields.publishedAt)
        let dwell = Self.nonNull(fields.dwellMilliseconds)

        // 2. invalid_field: the non-timestamp fields, in field order.
        if let rejection = Self.checkID(.memeID, memeID, scanner: scanner) {
            return .failed(rejection)
        }
        if let rejection = Self.checkType(type, scanner: scanner) {
            return .failed(rejection)
        }
        if let userID, let rejection = Self.checkID(.userID, userID, scanner: scanner) {
            return .failed(rejection)
        }
        var dwellMilliseconds: Int64?
        if let dwell {
            switch Self.checkDwell(dwell, scanner: scanner) {
            case .success(let value): dwellMilliseconds = value
            case .failure(let rejection): return .failed(rejection)
            }
        }

        // 3. invalid_timestamp: ts, then published_at.
        let eventTime: Int64
        switch Self.timestampMilliseconds(.ts, ts, scanner: scanner) {
        case .success(let value): eventTime = value
        case .failure(let rejection): return .failed(rejection)
        }
        var publishedTime: Int64?
        if let publishedAt {
            switch Self.timestampMilliseconds(.publishedAt, publishedAt, scanner: scanner) {
            case .success(let value): publishedTime = value
            case .failure(let rejection): return .failed(rejection)
            }
        }

        // 4. future_timestamp: only when the record carries a timestamp.
        if let recordTimestamp {
            let (limit, overflow) = recordTimestamp.addingReportingOverflow(maxFutureSkewMilliseconds)
            if !overflow && eventTime > limit {
                return .failed(
                    Rejection(
                        reason: .futureTimestamp,
                        detail: "field 'ts' is \(eventTime), \(eventTime - recordTimestamp) ms after the record "
                            + "timestamp \(recordTimestamp), more than the allowed skew of \(maxFutureSkewMilliseconds) ms; "
                            + "check the producer's clock"
                    )
                )
            }
        }

        return .passed(
            CheckedEvent(
                memeID: memeID.string,
                type: type.string,
                userID: userID?.string,
                eventTime: eventTime,
                publishedAt: publishedTime,
                dwellMilliseconds: dwellMilliseconds
            )
        )
    }

    @inline(__always)
    private static func nonNull(_ token: JSONValueToken?) -> JSONValueToken? {
        guard let token, token.kind != .null else {
            return nil
        }
        return token
    }

    private static func checkPresent(_ field: EventField, _ token: JSONValueToken?, scanner: JSONScanner) -> Rejection?
    {
        guard let token else {
            return Rejection(reason: .missingField, detail: "required field '\(field.jsonName)' is missing")
        }
        if token.kind == .null {
            return Rejection(reason: .missingField, detail: "required field '\(field.jsonName)' is null")
        }
        if token.kind == .string && token.string.decodedCount == 0 {
            return Rejection(reason: .missingField, detail: "required field '\(field.jsonName)' is an empty string")
        }
        return nil
    }

    /// Checks an id field (`meme_id` or `user_id`): a string of 1–128 bytes after unescaping.
    private static func checkID(_ field: EventField, _ token: JSONValueToken, scanner: JSONScanner) -> Rejection? {
        guard token.kind == .string else {
            return RejectionDetail.wrongType(field, token, expected: "a string", scanner: scanner)
        }
        let length = token.string.decodedCount
        if length == 0 {
            return Rejection(
                reason: .invalidField,
                detail: "field '\(field.jsonName)' is an empty string; omit it or send null when there is none"
            )
        }
        if length > maxIDBytes {
            return Rejection(
                reason: .invalidField,
                detail: "field '\(field.jsonName)' is \(length) bytes, more than the \(maxIDBytes)-byte limit: "
                    + RejectionDetail.quoted(scanner, token)
            )
        }
        return nil
    }

    /// Checks `type`: a string matching `[a-z][a-z0-9_]{0,31}` after unescaping.
    private static func checkType(_ token: JSONValueToken, scanner: JSONScanner) -> Rejection? {
        guard token.kind == .string else {
            return RejectionDetail.wrongType(.type, token, expected: "a string", scanner: scanner)
        }
        let matches =
            token.string.decodedCount <= maxTypeBytes
            && scanner.withDecodedBytes(token.string) { bytes in
                isEventType(bytes)
            }
        guard matches else {
            return Rejection(
                reason: .invalidField,
                detail: "field 'type' is \(RejectionDetail.quoted(scanner, token)); expected a lowercase name "
                    + "matching [a-z][a-z0-9_]{0,31}, such as \"view\" or \"like\""
            )
        }
        return nil
    }

    /// Creates the `type` string, returning a literal for `view` and `like`, the two types most
    /// events carry, so they skip UTF-8 validation and string construction.
    @inline(__always)
    static func makeTypeString(_ token: JSONStringToken, scanner: JSONScanner) -> String {
        if !token.hasEscapes && token.decodedCount == 4 {
            let word = UInt32(littleEndian: scanner.base.loadUnaligned(fromByteOffset: token.start, as: UInt32.self))
            if word == 0x7765_6976 {  // "view"
                return "view"
            }
            if word == 0x656B_696C {  // "like"
                return "like"
            }
        }
        return scanner.makeString(token)
    }

    /// Tests whether `bytes` matches `[a-z][a-z0-9_]{0,31}`.
    static func isEventType(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 1, bytes.count <= maxTypeBytes else {
            return false
        }
        guard bytes[0] >= JSONByte.letterA && bytes[0] <= JSONByte.letterZ else {
            return false
        }
        for byte in bytes.dropFirst() {
            let isLetter = byte >= JSONByte.letterA && byte <= JSONByte.letterZ
            guard isLetter || JSONScanner.isDigit(byte) || byte == JSONByte.underscore else {
                return false
            }
        }
        return true
    }

    /// Checks `dwell_ms`: a non-negative integer that fits in an `Int64`. `-0` is zero.
    private static func checkDwell(_ token: JSONValueToken, scanner: JSONScanner) -> Result<Int64, Rejection> {
        guard token.kind == .number else {
            return .failure(
                RejectionDetail.wrongType(
                    .dwellMilliseconds,
                    token,
                    expected: "a non-negative integer",
                    scanner: scanner
                )
            )
        }
        guard token.number.isInteger else {
            return .failure(
                Rejection(
                    reason: .invalidField,
                    detail:
                        "field 'dwell_ms' is \(RejectionDetail.raw(scanner, token)); expected a whole number of milliseconds, "
                        + "without a fraction or exponent"
                )
            )
        }
        guard let value = token.number.integerValue else {
            return .failure(
                Rejection(
                    reason: .invalidField,
                    detail: "field 'dwell_ms' is \(RejectionDetail.raw(scanner, token)), too large for milliseconds"
                )
            )
        }
        guard value >= 0 else {
            return .failure(
                Rejection(
                    reason: .invalidField,
                    detail:
                        "field 'dwell_ms' is \(RejectionDetail.raw(scanner, token)); expected a non-negative integer"
                )
            )
        }
        return .success(value)
    }
}

/// The outcome of ``EventDecoder/checkRules(_:scanner:recordTimestamp:)``.
enum RuleCheck {
    case passed(CheckedEvent)
    case failed(Rejection)
}

/// An event that passed every rule, with its strings still tokens of the scanned value.
struct CheckedEvent {
    var memeID: JSONStringToken
    var type: JSONStringToken
    var userID: JSONStringToken?
    var eventTime: Int64
    var publishedAt: Int64?
    var dwellMilliseconds: Int64?

    /// Builds the event, creating its strings from the value `scanner` reads.
    @inline(__always)
    func makeEvent(scanner: JSONScanner) -> Event {
        Event(
            memeID: scanner.makeString(memeID),
            type: EventDecoder.makeTypeString(type, scanner: scanner),
            eventTime: EventTime(milliseconds: eventTime),
            userID: userID.map { scanner.makeString($0) },
            publishedAt: publishedAt.map { EventTime(milliseconds: $0) },
            dwellMilliseconds: dwellMilliseconds
        )
    }
}
