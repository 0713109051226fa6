/// Appends JSON fragments to a byte array without Foundation or intermediate strings.
///
/// The generator formats every record by hand with these helpers so that the per-event path
/// allocates nothing once the array has grown to its working size.
extension Array where Element == UInt8 {
    /// Appends ASCII or UTF-8 text known at compile time.
    @inline(__always)
    mutating func appendText(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends the decimal digits of `value`, with a leading `-` when negative.
    @inline(__always)
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            // Int64.min has no positive counterpart, so go through its magnitude.
            appendDecimal(magnitude: value.magnitude)
        } else {
            appendDecimal(magnitude: UInt64(value))
        }
    }

    /// Appends the decimal digits of a non-negative integer.
    @inline(__always)
    mutating func appendDecimal(_ value: Int) {
        appendDecimal(Int64(value))
    }

    @inline(__always)
    private mutating func appendDecimal(magnitude: UInt64) {
        // Count the digits, reserve them, then fill from the last digit backwards: division by
        // the constant 10 compiles to a multiplication.
        var digitCount = 1
        var threshold: UInt64 = 10
        while digitCount < 20, magnitude >= threshold {
            digitCount += 1
            threshold = threshold &* 10
        }
        let start = count
        append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digitCount))
        withUnsafeMutableBufferPointer { buffer in
            var remaining = magnitude
            var index = start + digitCount - 1
            while remaining > 0 {
                buffer[index] = UInt8(truncatingIfNeeded: remaining % 10) &+ UInt8(ascii: "0")
                remaining /= 10
                index -= 1
            }
        }
    }

    /// Appends `value` as zero-padded decimal of exactly `width` digits (`value` < 10^width).
    @inline(__always)
    mutating func appendPadded(_ value: Int, width: Int) {
        var scale = 1
        for _ in 1..<width { scale *= 10 }
        var remaining = value
        while scale > 0 {
            append(UInt8(truncatingIfNeeded: remaining / scale) &+ UInt8(ascii: "0"))
            remaining %= scale
            scale /= 10
        }
    }

    /// Appends `bytes` as the contents of a JSON string (without quotes), escaping `"`, `\` and
    /// control characters the way kcat's JSON output does (`\n`-style short forms, else `\u00XX`).
    mutating func appendJSONEscaped<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let hexDigits: StaticString = "0123456789ABCDEF"
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): appendText("\\\"")
            case UInt8(ascii: "\\"): appendText("\\\\")
            case 0x0A: appendText("\\n")
            case 0x0D: appendText("\\r")
            case 0x09: appendText("\\t")
            case 0x08: appendText("\\b")
            case 0x0C: appendText("\\f")
            case 0..<0x20:
                appendText("\\u00")
                append(hexDigits.utf8Start[Int(byte >> 4)])
                append(hexDigits.utf8Start[Int(byte & 0x0F)])
            default:
                append(byte)
            }
        }
    }
}
