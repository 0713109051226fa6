/// Decodes and validates one record value into an ``Event`` or a ``Rejection``.
///
/// The decoder applies the input rules in reason order, and within a reason field by field in
/// the order `meme_id`, `type`, `ts`, `user_id`, `published_at`, `dwell_ms`:
///
/// 1. `too_large`: the value is longer than ``maxEventBytes``.
/// 2. `malformed_json`: not strict RFC 8259 JSON in UTF-8, the top-level value is not an object,
///    or a top-level member name appears twice (names are compared after unescaping).
/// 3. `missing_field`: `meme_id`, `type` or `ts` is absent, null or an empty string.
/// 4. `invalid_field`: `meme_id`, `type`, `user_id` or `dwell_ms` has the wrong type or is out
///    of range.
/// 5. `invalid_timestamp`: `ts` or `published_at` is not an integer or RFC 3339 string, or lies
///    outside [10^12, 10^13) ms.
/// 6. `future_timestamp`: `ts` is later than the record timestamp plus
///    ``maxFutureSkewMilliseconds``; skipped when the record has no timestamp.
///
/// The `late` rule needs the partition's watermark, so the engine applies it after decoding.
/// Unknown members are validated as JSON and otherwise ignored; a null optional field counts as
/// absent.
///
/// Thread-safety: an immutable value; one decoder may be used from any number of threads.
public struct EventDecoder: Sendable {
    /// The largest record value accepted, in bytes.
    public let maxEventBytes: Int
    /// How far `ts` may lie ahead of the record timestamp, in milliseconds.
    public let maxFutureSkewMilliseconds: Int64

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - maxEventBytes: the largest record value accepted, in bytes (default 64 KiB). Must be
    ///     at least 1 and at most `Int32.max`.
    ///   - maxFutureSkewMilliseconds: how far `ts` may lie ahead of the record timestamp, in
    ///     milliseconds (default 60 s). Must not be negative.
    public init(maxEventBytes: Int = 65_536, maxFutureSkewMilliseconds: Int64 = 60_000) {
        precondition(
            maxEventBytes >= 1 && maxEventBytes <= Int(Int32.max),
            "maxEventBytes must be in 1...\(Int32.max), got \(maxEventBytes)"
        )
        precondition(
            maxFutureSkewMilliseconds >= 0,
            "maxFutureSkewMilliseconds must not be negative, got \(maxFutureSkewMilliseconds)"
        )
        self.maxEventBytes = maxEventBytes
        self.maxFutureSkewMilliseconds = maxFutureSkewMilliseconds
    }

    /// Decodes one record value.
    ///
    /// - Parameters:
    ///   - value: the record value. Read during the call only, never retained or copied whole.
    ///   - recordTimestamp: the Kafka record timestamp in epoch milliseconds, or `nil` when the
    ///     record has none (then the `future_timestamp` rule is skipped). Pass `nil`, not -1,
    ///     for Kafka's "no timestamp" value.
    /// - Returns: exactly one event or one rejection; never traps on any input.
    /// - Complexity: O(n) time in the value's length. Allocates the event's strings (ids longer
    ///   than 15 bytes reach the heap). Values with more than eight unknown members also
    ///   allocate one array per unknown member name, and values nested deeper than 64 levels a
    ///   stack of one bit per level.
    public func decode(_ value: UnsafeRawBufferPointer, recordTimestamp: Int64?) -> DecodeResult {
        switch check(value, recordTimestamp: recordTimestamp) {
        case .passed(let event):
            return .accepted(event.makeEvent(scanner: JSONScanner(base: value.baseAddress!, count: value.count)))
        case .failed(let rejection):
            return .rejected(rejection)
        }
    }

    /// Scans `value` and applies every input rule. Creates no string for an accepted event.
    @inline(__always)
    func check(_ value: UnsafeRawBufferPointer, recordTimestamp: Int64?) -> RuleCheck {
        guard value.count <= maxEventBytes else {
            return .failed(
                Rejection(
                    reason: .tooLarge,
                    detail: "record value is \(value.count) bytes, more than max_event_bytes \(maxEventBytes); "
                        + "send smaller events or raise max_event_bytes"
                )
            )
        }
        guard let base = value.baseAddress, value.count > 0 else {
            return .failed(Rejection(reason: .malformedJSON, detail: "record value is empty; expected a JSON object"))
        }

        var scanner = JSONScanner(base: base, count: value.count)
        let fields: ObservedFields
        do throws(MalformedJSON) {
            fields = try Self.scanEventObject(&scanner)
        } catch {
            return .failed(
                Rejection(reason: .malformedJSON, detail: "invalid JSON at byte \(error.offset): \(error.message)")
            )
        }
        return checkRules(fields, scanner: scanner, recordTimestamp: recordTimestamp)
    }

    /// Decodes the value of an input record, with the record's timestamp for the
    /// `future_timestamp` rule. The record key is not read.
    public func decode(_ record: InputRecord) -> DecodeResult {
        decode(record.value, recordTimestamp: record.recordTimestamp)
    }

    /// Decodes one record value held in an array; see ``decode(_:recordTimestamp:)-(UnsafeRawBufferPointer,_)``.
    public func decode(_ value: [UInt8], recordTimestamp: Int64?) -> DecodeResult {
        value.withUnsafeBytes { decode($0, recordTimestamp: recordTimestamp) }
    }

    /// Scans the whole top-level object, validating every byte, and records the value of each
    /// known member. Throws on any syntax error or a repeated member name.
    @inline(__always)
    private static func scanEventObject(_ scanner: inout JSONScanner) throws(MalformedJSON) -> ObservedFields {
        var fields = ObservedFields()
        var unknownNames = UnknownMemberNames()

        scanner.skipWhitespace()
        guard scanner.peekByte() == JSONByte.openBrace else {
            if scanner.peekByte() == JSONByte.openBracket {
                throw MalformedJSON(
                    offset: scanner.position,
                    message: "top-level value is an array; expected an object"
                )
            }
            if scanner.startsWithByteOrderMark {
                throw MalformedJSON(
                    offset: 0,
                    message: "value starts with a UTF-8 byte order mark (EF BB BF), which JSON does not allow. "
                        + "Write the events without it"
                )
            }
            throw scanner.unexpectedByte(expecting: "'{' to start the event object")
        }
        scanner.position += 1
        scanner.skipWhitespace()

        if scanner.peekByte() == JSONByte.closeBrace {
            scanner.position += 1
        } else {
            // Every pass consumes at least one member or throws.
            var budget = scanner.count
            // The known member expected next in the usual order. When the input has it, with no
            // escape or whitespace before the colon, one comparison replaces scanning the name.
            var predicted: EventField? = .memeID
            while budget > 0 {
                budget -= 1
                guard scanner.peekByte() == JSONByte.quote else {
                    throw scanner.unexpectedByte(expecting: "a member name in double quotes")
                }
                let nameStart = scanner.position
                var field: EventField?
                var unknownName: JSONStringToken?
                if let candidate = predicted, scanner.count &- nameStart >= 16,
                    case let length = candidate.quotedNameLength(at: scanner.base + nameStart), length > 0
                {
                    field = candidate
                    scanner.position = nameStart &+ length
                } else {
                    let name = try scanner.scanString()
                    scanner.skipWhitespace()
                    try scanner.expect(JSONByte.colon, "':' after a member name")
                    field = Self.knownField(named: name, in: scanner)
                    if field == nil { unknownName = name }
                }
                scanner.skipWhitespace()

                // Known members keep a token of their value; unknown ones are only validated.
                if let field {
                    guard fields[field] == nil else {
                        throw MalformedJSON(offset: nameStart, message: "member '\(field.jsonName)' appears twice")
                    }
                    fields[field] = try scanner.scanValue()
                    predicted = field.usualSuccessor
                } else if let name = unknownName {
                    guard unknownNames.insert(name, from: scanner) else {
                        let quotedName = RejectionDetail.quoted(scanner, from: nameStart, to: name.end + 1)
                        throw MalformedJSON(offset: nameStart, message: "member \(quotedName) appears twice")
                    }
                    try scanner.skipValue()
                }

                scanner.skipWhitespace()
                let separator = scanner.peekByte()
                if separator == JSONByte.comma {
                    scanner.position += 1
                    scanner.skipWhitespace()
                    continue
                }
                guard separator == JSONByte.closeBrace else {
                    throw scanner.unexpectedByte(expecting: "',' or '}' after a member")
                }
                scanner.position += 1
                break
            }
        }

        scanner.skipWhitespace()
        guard scanner.position == scanner.count else {
            throw scanner.unexpectedByte(expecting: "only whitespace after the event object")
        }
        return fields
    }

    /// Returns the known field a member name decodes to, or `nil`.
    @inline(__always)
    private static func knownField(named name: JSONStringToken, in scanner: JSONScanner) -> EventField? {
        // The maximum length of a known name is 12 bytes (published_at).
        guard name.decodedCount <= 12 else {
            return nil
        }
        if !name.hasEscapes {
            let start = (scanner.base + name.start).assumingMemoryBound(to: UInt8.self)
            return EventField.matching(start, count: name.decodedCount)
        }
        return scanner.withDecodedBytes(name) { bytes in
            EventField.matching(bytes.baseAddress!, count: bytes.count)
        }
    }
}
