/// Facts about a JSON number that the scanner gathers while validating it.
struct JSONNumberToken {
    /// No fraction and no exponent: `12`, `-0`; not `1.0` or `1e3`.
    var isInteger: Bool
    /// The number starts with a minus sign (true for `-0` too).
    var isNegative: Bool
    /// The absolute value of the integer part, meaningful when ``overflowed`` is false.
    var magnitude: UInt64
    /// The integer part does not fit in a `UInt64`.
    var overflowed: Bool

    /// The value as an `Int64`, or `nil` when it is not an integer or does not fit.
    var integerValue: Int64? {
        guard isInteger, !overflowed else {
            return nil
        }
        if isNegative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}

extension JSONScanner {
    /// Scans a number with the RFC 8259 grammar `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    ///
    /// Rejects leading zeros (`01`), a bare sign, `+1`, `.5`, `1.`, `1e` and the words `NaN` and
    /// `Infinity` (which never reach here, because no value starts with `N` or `I`). What follows
    /// the number is the caller's to check.
    mutating func scanNumber() throws(MalformedJSON) -> JSONNumberToken {
        var token = JSONNumberToken(isInteger: true, isNegative: false, magnitude: 0, overflowed: false)
        if peekByte() == JSONByte.minus {
            token.isNegative = true
            position += 1
        }

        // 1. Integer part.
        let first = peekByte()
        if first == JSONByte.digitZero {
            position += 1
            if Self.isDigit(peekByte()) {
                throw MalformedJSON(offset: position - 1, message: "number has a leading zero")
            }
        } else if Self.isDigit(first) {
            var digits = 0
            // Eight digits at a time while at most 11 are read: eight more keep the total within
            // 19 digits, which always fit a UInt64.
            while digits <= 11 && position &+ 8 <= count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                guard Self.isEightDigits(word) else { break }
                token.magnitude = token.magnitude &* 100_000_000 &+ Self.valueOfEightDigits(word)
                digits &+= 8
                position &+= 8
            }
            while position < count {
                let digit = byte(at: position) &- JSONByte.digitZero
                guard digit <= 9 else {
                    break
                }
                if digits < 19 {
                    // 19 digits always fit in a UInt64 (10^19 - 1 < 2^64).
                    token.magnitude = token.magnitude &* 10 &+ UInt64(digit)
                } else if !token.overflowed {
                    let (product, multiplyOverflow) = token.magnitude.multipliedReportingOverflow(by: 10)
                    let (sum, addOverflow) = product.addingReportingOverflow(UInt64(digit))
                    token.magnitude = sum
                    token.overflowed = multiplyOverflow || addOverflow
                }
                digits += 1
                position += 1
            }
        } else {
            throw unexpectedByte(expecting: "a digit in a number")
        }

        // 2. Fraction.
        if peekByte() == JSONByte.period {
            token.isInteger = false
            position += 1
            try skipDigits(after: "'.' in a number")
        }

        // 3. Exponent.
        let exponentMarker = peekByte()
        if exponentMarker == JSONByte.letterE || exponentMarker == JSONByte.letterUpperE {
            token.isInteger = false
            position += 1
            let sign = peekByte()
            if sign == JSONByte.plus || sign == JSONByte.minus {
                position += 1
            }
            try skipDigits(after: "the exponent marker of a number")
        }
        return token
    }

    /// Skips one or more digits.
    private mutating func skipDigits(after context: StaticString) throws(MalformedJSON) {
        guard Self.isDigit(peekByte()) else {
            throw unexpectedByte(expecting: "a digit after \(context)")
        }
        while position < count && Self.isDigit(byte(at: position)) {
            position += 1
        }
    }

    /// Tests whether all eight bytes of `word` are ASCII digits: each high nibble is 3 and each
    /// low nibble stays below 10 (adding 6 to it does not carry into the high nibble).
    @inline(__always)
    static func isEightDigits(_ word: UInt64) -> Bool {
        let highNibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let threes: UInt64 = 0x3030_3030_3030_3030
        return word & highNibbles == threes && (word &+ 0x0606_0606_0606_0606) & highNibbles == threes
    }

    /// Returns the value of eight ASCII digits read little-endian, the first digit the most
    /// significant. Combines neighbours into 2-, 4- and 8-digit values; no step carries into the
    /// next lane.
    @inline(__always)
    static func valueOfEightDigits(_ word: UInt64) -> UInt64 {
        var value = word &- 0x3030_3030_3030_3030
        value = (value &* 10 &+ (value >> 8)) & 0x00FF_00FF_00FF_00FF
        value = (value &* 100 &+ (value >> 16)) & 0x0000_FFFF_0000_FFFF
        return (value &* 10_000 &+ (value >> 32)) & 0xFFFF_FFFF
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- JSONByte.digitZero <= 9
    }
}
