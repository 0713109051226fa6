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

    /// Appends a decimal integer.
    public static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        // Up to 15 UTF-8 bytes fit in a small string, so a 13-digit event time does not allocate.
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends a double in the shortest form that round-trips.
    ///
    /// Swift's `Double.description` already writes that form with Python's spelling for the
    /// cases a feature can produce (`2.0`, `1e-05`, `1e+16`). Non-finite values have no JSON
    /// spelling and are written as `null`.
    public static func appendDouble(_ value: Double, to bytes: inout [UInt8]) {
        guard value.isFinite else {
            bytes.append(contentsOf: Array("null".utf8))
            return
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Appends a feature value.
    public static func appendValue(_ value: FeatureValue, to bytes: inout [UInt8]) {
        switch value {
        case .integer(let integer): appendInteger(integer, to: &bytes)
        case .float(let double): appendDouble(double, to: &bytes)
        case .null: bytes.append(contentsOf: Array("null".utf8))
        }
    }
}
