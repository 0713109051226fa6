extension JSONDocumentCheck {
    /// Returns an error at the first number of a valid document that a `Double` cannot represent
    /// well enough, or `nil` when there is none. The message names the number and what it would
    /// be read as.
    ///
    /// Three kinds are found: a number beyond the double range (`1e400`), a number that is not
    /// zero but reads as 0 (`1e-400`), and a number that is not whole but reads as a whole number.
    /// A double keeps about 17 significant digits, so `0.99999999999999999999` reads as 1 and
    /// `60000.00000000000001` as 60000. A reader that decodes through `Double` (Foundation's
    /// decoder does) would accept those where only whole numbers are allowed. The check works on
    /// the digits as written, so it detects the fraction the double lost.
    /// - Complexity: O(n) in the document's bytes.
    public static func unrepresentableNumber(in bytes: UnsafeRawBufferPointer) -> JSONSyntaxError? {
        var strings = JSONStringTracker()
        var offset = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            // A number never contains a quote, so skipping its bytes below leaves the tracker right.
            guard !strings.isInString(byte),
                byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            else {
                offset += 1
                continue
            }
            let start = offset
            while offset < bytes.count, isNumberByte(bytes[offset]) {
                offset += 1
            }
            let token = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
            if let problem = numberProblem(token) {
                let text = String(decoding: token.prefix(40), as: UTF8.self) + (token.count > 40 ? "…" : "")
                return makeError(MalformedJSON(offset: start, message: "the number \(text) \(problem)"), in: bytes)
            }
        }
        return nil
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            return true
        default:
            return false
        }
    }

    /// Describes what is wrong with `token`, a JSON number, read as a double, or returns `nil`
    /// when the double represents it well enough.
    private static func numberProblem(_ token: UnsafeRawBufferPointer) -> String? {
        guard let value = Double(String(decoding: token, as: UTF8.self)) else { return nil }
        if !value.isFinite {
            return "is outside the range of a double (about -1.8e308 to 1.8e308)"
        }
        let digits = writtenDigits(token)
        if value == 0 {
            return digits.hasNonZeroDigit ? "is not zero, but it is too small for a double and would be read as 0" : nil
        }
        guard digits.hasFraction, value == value.rounded(.towardZero) else { return nil }
        // A whole double below 2^63 prints without an exponent as a 64-bit integer.
        let whole = Swift.abs(value) < 9.2e18 ? String(Int64(value)) : String(value)
        return "is not whole, but it has more significant digits than a double keeps and would be read as \(whole)"
    }

    /// Returns whether the written number has a non-zero digit, and whether one lies after the
    /// decimal point once the exponent is applied.
    private static func writtenDigits(_ token: UnsafeRawBufferPointer) -> (hasNonZeroDigit: Bool, hasFraction: Bool) {
        // Count the digits before the point, and find the exponent.
        var integerDigitCount = 0
        var isInFraction = false
        var exponentStart: Int?
        for (index, byte) in token.enumerated() {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                exponentStart = index + 1
                break
            }
            if byte == UInt8(ascii: ".") { isInFraction = true }
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") && !isInFraction { integerDigitCount += 1 }
        }
        var exponent = 0
        var isNegativeExponent = false
        if let exponentStart {
            for byte in token[exponentStart...] {
                if byte == UInt8(ascii: "-") {
                    isNegativeExponent = true
                } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    // A larger exponent puts every digit on one side of the point, as this one does.
                    exponent = Swift.min(exponent * 10 + Int(byte - UInt8(ascii: "0")), 1 << 40)
                }
            }
        }

        // The position of the decimal point among the digits once the exponent is applied.
        let point = integerDigitCount + (isNegativeExponent ? -exponent : exponent)
        var digitIndex = 0
        var hasNonZeroDigit = false
        var hasFraction = false
        for byte in token {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { break }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { continue }
            if byte != UInt8(ascii: "0") {
                hasNonZeroDigit = true
                if digitIndex >= point { hasFraction = true }
            }
            digitIndex += 1
        }
        return (hasNonZeroDigit, hasFraction)
    }
}
