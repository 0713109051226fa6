extension JSONDocumentCheck {
    /// Returns an error at the first number of a valid document whose value is not whole but
    /// that a `Double` reads as a whole number, or `nil` when there is none.
    ///
    /// A double represents about 17 significant digits, so `0.99999999999999999999` reads as 1 and
    /// `60000.00000000000001` as 60000. A reader that decodes through `Double` (Foundation's
    /// decoder does) would then accept such a number where only whole numbers are allowed. The
    /// check works on the digits as written, so it sees the fraction the double lost.
    /// - Complexity: O(n) in the document's bytes.
    public static func inexactWholeNumber(in bytes: UnsafeRawBufferPointer) -> JSONSyntaxError? {
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
            if let wholeValue = wholeDoubleOfInexactNumber(token) {
                let text = String(decoding: token.prefix(40), as: UTF8.self) + (token.count > 40 ? "…" : "")
                let message =
                    "the number \(text) is not whole, but it has more digits than a double can represent and would be read as \(wholeValue)"
                return makeError(MalformedJSON(offset: start, message: message), in: bytes)
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

    /// Returns the whole double that `token`, a JSON number, is read as when its written value is
    /// not whole. Returns `nil` when the written value is whole, or when the double is not whole either.
    private static func wholeDoubleOfInexactNumber(_ token: UnsafeRawBufferPointer) -> String? {
        // Count the digits before and after the point, and find the exponent.
        var digitCount = 0
        var integerDigitCount = 0
        var isInFraction = false
        var exponentStart: Int?
        for (index, byte) in token.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digitCount += 1
                if !isInFraction { integerDigitCount += 1 }
            case UInt8(ascii: "."):
                isInFraction = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                exponentStart = index + 1
            default:
                break
            }
            if exponentStart != nil { break }
        }
        // Only a fraction or an exponent can make a JSON number other than whole.
        guard isInFraction || exponentStart != nil else { return nil }

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
        // The value is whole when every digit at or after `point` is zero.
        var digitIndex = 0
        var hasFraction = false
        for byte in token {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { break }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { continue }
            if digitIndex >= point && byte != UInt8(ascii: "0") {
                hasFraction = true
                break
            }
            digitIndex += 1
        }
        guard hasFraction, digitCount > 0 else { return nil }

        guard let value = Double(String(decoding: token, as: UTF8.self)), value.isFinite,
            value == value.rounded(.towardZero)
        else { return nil }
        // A whole double below 2^63 prints without an exponent as a 64-bit integer.
        if Swift.abs(value) < 9.2e18 { return String(Int64(value)) }
        return String(value)
    }
}
