/// The location of a JSON string's content and its length once the escapes are decoded.
struct JSONStringToken {
    /// The offset of the first content byte (just after the opening quote).
    var start: Int
    /// The offset of the closing quote.
    var end: Int
    /// Whether the content contains at least one backslash escape.
    var hasEscapes: Bool
    /// The number of UTF-8 bytes the content decodes to.
    var decodedCount: Int
}

extension JSONScanner {
    /// Scans a string starting at its opening quote and leaves ``position`` after the closing one.
    ///
    /// Rejects unescaped control characters (below U+0020), unknown escapes, `\u` escapes that
    /// leave a surrogate unpaired, and invalid UTF-8: overlong forms, UTF-8-encoded surrogates,
    /// code points above U+10FFFF and truncated sequences.
    ///
    /// - Complexity: O(n) in the raw length; runs of plain ASCII are checked eight bytes at a time.
    mutating func scanString() throws(MalformedJSON) -> JSONStringToken {
        let start = position &+ 1
        // A local cursor stays in a register; ``position`` is written back before each call.
        var cursor = start
        var hasEscapes = false
        // The decoded length differs from the raw length only through escapes.
        var escapeAdjustment = 0

        // Every pass consumes at least one byte or throws; the budget only makes that visible.
        var budget = count &- start &+ 1
        while budget > 0 {
            budget &-= 1

            // 1. Skip plain ASCII eight bytes at a time, stopping at the first special byte.
            while cursor &+ 8 <= count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: cursor, as: UInt64.self))
                let mask = Self.specialByteMask(word)
                if mask != 0 {
                    cursor &+= mask.trailingZeroBitCount >> 3
                    break
                }
                cursor &+= 8
            }
            guard cursor < count else {
                throw MalformedJSON(
                    offset: start - 1,
                    message: "string starting at byte \(start - 1) is not terminated"
                )
            }

            // 2. Handle one byte: the end, an escape, a control character, ASCII or a UTF-8 lead.
            let current = byte(at: cursor)
            if current == JSONByte.quote {
                position = cursor &+ 1
                return JSONStringToken(
                    start: start,
                    end: cursor,
                    hasEscapes: hasEscapes,
                    decodedCount: cursor &- start &+ escapeAdjustment
                )
            } else if current == JSONByte.backslash {
                hasEscapes = true
                position = cursor
                escapeAdjustment += try scanEscape()
                cursor = position
            } else if current < 0x20 {
                throw MalformedJSON(
                    offset: cursor,
                    message: "unescaped control character \(MalformedJSON.describe(byte: current)) in a string"
                )
            } else if current < 0x80 {
                cursor &+= 1
            } else {
                position = cursor
                try scanMultibyteSequence()
                cursor = position
            }
        }
        throw MalformedJSON(offset: start - 1, message: "string starting at byte \(start - 1) is not terminated")
    }

    /// Returns a mask whose lowest set bit is the high bit of the first byte (in memory order,
    /// once the word is read little-endian) that is a quote, a backslash, a control character
    /// or non-ASCII. The mask is 0 when all eight bytes are plain.
    ///
    /// The zero-byte tests can also flag a byte above a flagged one, because of the borrow, but
    /// never one below it, so the lowest set bit is exact.
    @inline(__always)
    static func specialByteMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* UInt64(JSONByte.quote))
        let backslashes = word ^ (ones &* UInt64(JSONByte.backslash))
        let hasQuote = (quotes &- ones) & ~quotes
        let hasBackslash = (backslashes &- ones) & ~backslashes
        let hasControl = (word &- ones &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl | word) & highBits
    }

    /// Scans one escape at ``position`` (a backslash) and returns decoded minus raw length.
    private mutating func scanEscape() throws(MalformedJSON) -> Int {
        let escapeStart = position
        guard position + 1 < count else {
            throw MalformedJSON(offset: escapeStart, message: "string ends inside an escape")
        }
        switch byte(at: position + 1) {
        case JSONByte.quote, JSONByte.backslash, JSONByte.slash, JSONByte.letterB, JSONByte.letterF,
            JSONByte.letterN, JSONByte.letterR, JSONByte.letterT:
            position += 2
            return -1
        case JSONByte.letterU:
            let unit = try readHexEscape(at: escapeStart)
            position += 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate must be followed at once by an escaped low surrogate.
                guard position + 1 < count, byte(at: position) == JSONByte.backslash,
                    byte(at: position + 1) == JSONByte.letterU
                else {
                    throw MalformedJSON(
                        offset: escapeStart,
                        message: "\\u escape of high surrogate is not followed by a low surrogate"
                    )
                }
                let low = try readHexEscape(at: position)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw MalformedJSON(
                        offset: escapeStart,
                        message: "\\u escape of high surrogate is not followed by a low surrogate"
                    )
                }
                position += 6
                return 4 - 12
            }
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw MalformedJSON(
                    offset: escapeStart,
                    message: "\\u escape of a low surrogate without a high surrogate before it"
                )
            }
            let encodedLength: Int
            if unit < 0x80 {
                encodedLength = 1
            } else if unit < 0x800 {
                encodedLength = 2
            } else {
                encodedLength = 3
            }
            return encodedLength - 6
        default:
            throw MalformedJSON(
                offset: escapeStart + 1,
                message: "invalid escape '\\' followed by \(MalformedJSON.describe(byte: byte(at: escapeStart + 1)))"
            )
        }
    }

    /// Reads the four hex digits of a `\uXXXX` escape whose backslash is at `offset`.
    private func readHexEscape(at offset: Int) throws(MalformedJSON) -> UInt32 {
        guard offset + 6 <= count else {
            throw MalformedJSON(offset: offset, message: "string ends inside a \\u escape")
        }
        var unit: UInt32 = 0
        for index in (offset + 2)..<(offset + 6) {
            guard let digit = Self.hexDigitValue(byte(at: index)) else {
                throw MalformedJSON(
                    offset: index,
                    message: "\\u escape needs 4 hex digits, found \(MalformedJSON.describe(byte: byte(at: index)))"
                )
            }
            unit = unit << 4 | UInt32(digit)
        }
        return unit
    }

    @inline(__always)
    static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// Validates one multi-byte UTF-8 sequence at ``position`` (lead byte 0x80 or above) and
    /// moves past it. The accepted forms are those of the Unicode well-formed byte sequence table.
    private mutating func scanMultibyteSequence() throws(MalformedJSON) {
        let lead = byte(at: position)
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF:
            length = 2
        case 0xE0:
            length = 3
            secondLow = 0xA0  // Below A0 is an overlong form.
        case 0xE1...0xEC, 0xEE...0xEF:
            length = 3
        case 0xED:
            length = 3
            secondHigh = 0x9F  // Above 9F encodes a surrogate.
        case 0xF0:
            length = 4
            secondLow = 0x90  // Below 90 is an overlong form.
        case 0xF1...0xF3:
            length = 4
        case 0xF4:
            length = 4
            secondHigh = 0x8F  // Above 8F is past U+10FFFF.
        default:
            throw MalformedJSON(offset: position, message: "invalid UTF-8 lead \(MalformedJSON.describe(byte: lead))")
        }
        guard position + length <= count else {
            throw MalformedJSON(offset: position, message: "truncated UTF-8 sequence at the end of the input")
        }
        let second = byte(at: position + 1)
        guard second >= secondLow && second <= secondHigh else {
            throw MalformedJSON(
                offset: position + 1,
                message:
                    "invalid UTF-8: \(MalformedJSON.describe(byte: second)) after lead \(MalformedJSON.describe(byte: lead))"
            )
        }
        for index in (position + 2)..<(position + length) {
            let continuation = byte(at: index)
            guard continuation & 0xC0 == 0x80 else {
                throw MalformedJSON(
                    offset: index,
                    message: "invalid UTF-8: \(MalformedJSON.describe(byte: continuation)) is not a continuation byte"
                )
            }
        }
        position += length
    }

    /// Writes the decoded UTF-8 of a string the scanner already validated, `token.decodedCount`
    /// bytes, to `output`.
    func decodeString(_ token: JSONStringToken, into output: UnsafeMutablePointer<UInt8>) {
        if !token.hasEscapes {
            output.update(
                from: (base + token.start).assumingMemoryBound(to: UInt8.self),
                count: token.end - token.start
            )
            return
        }
        var source = token.start
        var written = 0
        while source < token.end {
            let current = byte(at: source)
            guard current == JSONByte.backslash else {
                output[written] = current
                written += 1
                source += 1
                continue
            }
            let kind = byte(at: source + 1)
            guard kind == JSONByte.letterU else {
                output[written] = Self.simpleEscapeValue(kind)
                written += 1
                source += 2
                continue
            }
            var scalar = hexValue(at: source + 2)
            source += 6
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                let low = hexValue(at: source + 2)
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                source += 6
            }
            written += Self.writeUTF8(scalar, to: output + written)
        }
    }

    private func hexValue(at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in offset..<(offset + 4) {
            value = value << 4 | UInt32(Self.hexDigitValue(byte(at: index)) ?? 0)
        }
        return value
    }

    private static func simpleEscapeValue(_ kind: UInt8) -> UInt8 {
        switch kind {
        case JSONByte.letterB: 0x08
        case JSONByte.letterF: 0x0C
        case JSONByte.letterN: 0x0A
        case JSONByte.letterR: 0x0D
        case JSONByte.letterT: 0x09
        default: kind  // '"', '\\' and '/' stand for themselves.
        }
    }

    /// Encodes one Unicode scalar value as UTF-8 and returns the byte count (1–4).
    private static func writeUTF8(_ scalar: UInt32, to output: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            output[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            output[0] = UInt8(0xC0 | scalar >> 6)
            output[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            output[0] = UInt8(0xE0 | scalar >> 12)
            output[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            output[0] = UInt8(0xF0 | scalar >> 18)
            output[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            output[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }

    /// Creates a Swift `String` from the decoded content of a validated string.
    func makeString(_ token: JSONStringToken) -> String {
        if !token.hasEscapes {
            let start = (base + token.start).assumingMemoryBound(to: UInt8.self)
            return String(decoding: UnsafeBufferPointer(start: start, count: token.end - token.start), as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: token.decodedCount) { buffer in
            decodeString(token, into: buffer.baseAddress!)
            return token.decodedCount
        }
    }

    /// Calls `body` with the decoded content of a validated string, using the input bytes
    /// directly when the string has no escapes and a temporary buffer otherwise.
    func withDecodedBytes<Result>(
        _ token: JSONStringToken,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if !token.hasEscapes {
            let start = (base + token.start).assumingMemoryBound(to: UInt8.self)
            return body(UnsafeBufferPointer(start: start, count: token.end - token.start))
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(token.decodedCount, 1)) { buffer in
            decodeString(token, into: buffer.baseAddress!)
            return body(UnsafeBufferPointer(start: buffer.baseAddress, count: token.decodedCount))
        }
    }
}
