/// Byte-level JSON writing for feature records, without Foundation.
///
/// All functions append to a caller-owned buffer, so a reused buffer writes a record without
/// allocating once its capacity has grown.
public enum JSONOutput {
    /// Appends `text` as a JSON string literal, quotes included.
    ///
    /// Escapes `"` and `\`, and the control characters below U+0020 (`\b`, `\f`, `\n`, `\r`,
    /// `\t` or `\u00XX`). Everything else, non-ASCII included, is copied as UTF-8.
    public static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Most keys need no escape, so they are copied in one piece.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hexDigits = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a decimal integer, with a leading `-` when negative, as `String(value)` writes it.
    public static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { buffer in
            let count = writeInteger(value, to: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The maximum number of bytes ``writeInteger(_:to:)`` writes: a sign and 19 digits.
    public static let maximumIntegerBytes = 20

    /// Writes `value` as ``appendInteger(_:to:)`` does to `target`, which has room for
    /// ``maximumIntegerBytes``, and returns the number of bytes written.
    public static func writeInteger(_ value: Int64, to target: UnsafeMutablePointer<UInt8>) -> Int {
        var length = 0
        if value < 0 {
            target[0] = UInt8(ascii: "-")
            length = 1
        }
        // The magnitude as unsigned, so Int64.min needs no special case.
        var magnitude = value.magnitude
        var digits = 1
        var power: UInt64 = 10
        while magnitude >= power {
            digits += 1
            // An Int64 magnitude is at most 2^63, below 10^19, so it has at most 19 digits. The guard
            // stops `power` at 10^19, the largest power of ten below 2^64.
            guard digits < 20 else { break }
            power &*= 10
        }
        var position = length + digits
        // Two digits per division, from a table of the pairs 00 to 99.
        let pairs = digitPairs.utf8Start
        while magnitude >= 100 {
            let pair = Int(truncatingIfNeeded: magnitude % 100) &* 2
            magnitude /= 100
            position -= 2
            target[position] = pairs[pair]
            target[position + 1] = pairs[pair + 1]
        }
        if magnitude >= 10 {
            let pair = Int(truncatingIfNeeded: magnitude) &* 2
            target[position - 2] = pairs[pair]
            target[position - 1] = pairs[pair + 1]
        } else {
            target[position - 1] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude)
        }
        return length + digits
    }

    /// The two-digit decimals 00 to 99, back to back.
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Appends a double in the shortest form that round-trips.
    ///
    /// The spelling is Python's `repr` (`2.0`, `1e-05`, `1e+16`, `9100000000000000.0`). Swift's
    /// `Double.description` has the same digits and differs only between 2^53 and 10^16, where it
    /// writes an exponent (`9.1e+15`) and Python does not. Non-finite values have no JSON spelling
    /// and are written as `null`.
    public static func appendDouble(_ value: Double, to bytes: inout [UInt8]) {
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { buffer in
            let count = writeDouble(value, to: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The maximum number of bytes ``writeDouble(_:to:)`` writes.
    public static let maximumDoubleBytes = 32

    /// Writes `value` as ``appendDouble(_:to:)`` does to `target`, which has room for
    /// ``maximumDoubleBytes``, and returns the number of bytes written.
    ///
    /// Values that are a decimal with at most three fraction digits and a magnitude in
    /// [0.001, 10^12) are written directly (`0.2`, `12.5`, `3600.125`). Such a decimal is the only
    /// one of its length within half a unit in the last place, so it is the shortest form. Other
    /// values get `Double.description`'s digits.
    public static func writeDouble(_ value: Double, to target: UnsafeMutablePointer<UInt8>) -> Int {
        guard value.isFinite else {
            for (index, byte) in "null".utf8.enumerated() { target[index] = byte }
            return 4
        }
        let magnitude = value.magnitude
        if magnitude >= 0.001, magnitude < 1e12 {
            var scale = 1.0
            for fractionDigits in 0...3 {
                let scaled = value * scale
                if scaled == scaled.rounded(.towardZero) {
                    var units = Int64(scaled)
                    guard Double(units) / scale == value else { break }
                    // A rounded product can make a longer scale look integral first: drop
                    // trailing zeros of the fraction.
                    var digits = fractionDigits
                    while digits > 0, units % 10 == 0 {
                        units /= 10
                        digits -= 1
                    }
                    return writeDecimal(units, fractionDigits: digits, to: target)
                }
                scale *= 10
            }
        }
        // `write(to:)` gives the same text as `description` but hands the bytes to the stream, so
        // values too long for a small string allocate nothing.
        var stream = BufferTextStream(target: target, capacity: maximumDoubleBytes)
        value.write(to: &stream)
        return spellExponent15Positionally(target, count: stream.count)
    }

    /// Rewrites `d.ddde+15`, which Swift writes for magnitudes between 2^53 and 10^16, in Python's
    /// positional form: the same digits padded with zeros to 16, then `.0`. Returns the new length;
    /// other text is left as it is.
    private static func spellExponent15Positionally(_ text: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
        let suffix: (UInt8, UInt8, UInt8, UInt8) = (
            UInt8(ascii: "e"), UInt8(ascii: "+"), UInt8(ascii: "1"), UInt8(ascii: "5")
        )
        guard count > 4, text[count - 4] == suffix.0, text[count - 3] == suffix.1, text[count - 2] == suffix.2,
            text[count - 1] == suffix.3
        else { return count }
        let start = text[0] == UInt8(ascii: "-") ? 1 : 0
        var length = start
        for index in start..<(count - 4) where text[index] != UInt8(ascii: ".") {
            text[length] = text[index]
            length += 1
        }
        // 16 digits before the point: the shortest digits of a value below 10^16 number at most 16.
        while length - start < 16 {
            text[length] = UInt8(ascii: "0")
            length += 1
        }
        text[length] = UInt8(ascii: ".")
        text[length + 1] = UInt8(ascii: "0")
        return length + 2
    }

    /// Writes `units / 10^fractionDigits` with at least one fraction digit (`5.0`, `0.125`).
    private static func writeDecimal(_ units: Int64, fractionDigits: Int, to target: UnsafeMutablePointer<UInt8>) -> Int
    {
        var length = 0
        if units < 0 {
            target[0] = UInt8(ascii: "-")
            length = 1
        }
        var magnitude = units.magnitude
        // Digits from the end: the fraction (at least one digit), the point, the integer part.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            if fractionDigits == 0 {
                position -= 1
                scratch[position] = UInt8(ascii: "0")
            }
            for _ in 0..<fractionDigits {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            }
            position -= 1
            scratch[position] = UInt8(ascii: ".")
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            let count = scratch.count - position
            UnsafeMutableRawPointer(target + length).copyMemory(from: scratch.baseAddress! + position, byteCount: count)
            return length + count
        }
    }

    /// Appends a feature value.
    public static func appendValue(_ value: FeatureValue, to bytes: inout [UInt8]) {
        switch value {
        case .integer(let integer): appendInteger(integer, to: &bytes)
        case .float(let double): appendDouble(double, to: &bytes)
        case .null: appendNull(to: &bytes)
        }
    }

    /// Appends `null`.
    public static func appendNull(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: "null".utf8)
    }
}

/// A text stream that writes into a fixed buffer and drops what does not fit.
private struct BufferTextStream: TextOutputStream {
    let target: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    init(target: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.target = target
        self.capacity = capacity
    }

    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Receives the text of the standard library's numeric types, which call this requirement
    /// without building a string first.
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        append(UnsafeRawBufferPointer(buffer))
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let length = Swift.min(bytes.count, capacity - count)
        guard length > 0 else { return }
        UnsafeMutableRawPointer(target + count).copyMemory(from: bytes.baseAddress!, byteCount: length)
        count += length
    }
}
