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

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- JSONByte.digitZero <= 9
    }
}
