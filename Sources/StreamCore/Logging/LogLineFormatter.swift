/// Renders a ``LogEntry`` as one line of logfmt or JSON, without the trailing newline.
///
/// Both formats print the fields `ts` (RFC 3339 UTC with ms), `level`, `logger` (the label) and
/// `msg`, then the metadata sorted by key so that lines are stable. A metadata key equal to one of
/// those four field names is printed with a `metadata.` prefix instead of replacing the field.
/// Secret values are replaced by the ``LogRedaction`` rule. Neither format ever emits a raw line
/// break, so one entry is always one line.
public struct LogLineFormatter: Sendable {
    /// The output format.
    public var format: LogFormat
    /// `true` to add a `source` field with `file:line`.
    public var includesSource: Bool

    private static let reservedFields: Set<String> = ["ts", "level", "logger", "msg", "source"]

    public init(format: LogFormat, includesSource: Bool = false) {
        self.format = format
        self.includesSource = includesSource
    }

    /// Renders `entry` as one line, without a newline.
    ///
    /// - Complexity: O(line length) plus sorting the metadata keys. Work is done on UTF-8 bytes.
    public func line(for entry: LogEntry) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128 + entry.message.utf8.count + entry.metadata.count * 32)
        if format == .json {
            bytes.append(UInt8(ascii: "{"))
        }

        var timestamp: [UInt8] = []
        timestamp.reserveCapacity(24)
        LogTimestamp.append(milliseconds: entry.timestampMilliseconds, to: &timestamp)
        appendField("ts", bytes: timestamp, isFirst: true, to: &bytes)
        appendField("level", value: .string(entry.level.rawValue), to: &bytes)
        appendField("logger", value: .string(entry.label), to: &bytes)
        appendField("msg", value: .string(entry.message), to: &bytes)
        if includesSource {
            appendField("source", value: .string("\(entry.file):\(entry.line)"), to: &bytes)
        }
        for key in entry.metadata.keys.sorted() {
            let value = LogRedaction.isSecret(key: key) ? .string(LogRedaction.placeholder) : entry.metadata[key]!
            let name = Self.reservedFields.contains(key) ? "metadata." + key : key
            appendField(name, value: value, to: &bytes)
        }

        if format == .json {
            bytes.append(UInt8(ascii: "}"))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Fields

    private func appendField(_ key: String, value: LogValue, to bytes: inout [UInt8]) {
        switch value {
        case .string(let text):
            appendField(key, bytes: Array(text.utf8), isFirst: false, to: &bytes)
        case .integer, .double, .bool:
            appendSeparatorAndKey(key, isFirst: false, to: &bytes)
            if format == .json {
                appendJSONScalar(value, to: &bytes)
            } else {
                Self.appendLogfmtValue(Array(value.description.utf8), to: &bytes)
            }
        }
    }

    /// Appends a string field whose value is given as UTF-8 bytes.
    private func appendField(_ key: String, bytes value: [UInt8], isFirst: Bool, to bytes: inout [UInt8]) {
        appendSeparatorAndKey(key, isFirst: isFirst, to: &bytes)
        if format == .json {
            bytes.append(UInt8(ascii: "\""))
            Self.appendEscaped(value, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        } else {
            Self.appendLogfmtValue(value, to: &bytes)
        }
    }

    private func appendSeparatorAndKey(_ key: String, isFirst: Bool, to bytes: inout [UInt8]) {
        switch format {
        case .logfmt:
            if !isFirst { bytes.append(UInt8(ascii: " ")) }
            Self.appendLogfmtKey(key, to: &bytes)
            bytes.append(UInt8(ascii: "="))
        case .json:
            if !isFirst { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            Self.appendEscaped(Array(key.utf8), to: &bytes)
            bytes.append(UInt8(ascii: "\""))
            bytes.append(UInt8(ascii: ":"))
        }
    }

    private func appendJSONScalar(_ value: LogValue, to bytes: inout [UInt8]) {
        switch value {
        case .integer(let number):
            bytes += String(number).utf8
        case .double(let number):
            // JSON has no NaN or infinity, so those print as strings.
            if number.isFinite {
                bytes += String(number).utf8
            } else {
                bytes += "\"\(number)\"".utf8
            }
        case .bool(let flag):
            bytes += (flag ? "true" : "false").utf8
        case .string(let text):
            bytes.append(UInt8(ascii: "\""))
            Self.appendEscaped(Array(text.utf8), to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
    }

    // MARK: - logfmt

    /// Returns `true` for bytes that end a bare logfmt token: space, control characters, `=`,
    /// `"` and `\`.
    private static func breaksToken(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "\\")
    }

    /// Appends a key bare, with bytes that would break `key=value` parsing replaced by `_`.
    private static func appendLogfmtKey(_ key: String, to bytes: inout [UInt8]) {
        if key.isEmpty {
            bytes.append(UInt8(ascii: "_"))
            return
        }
        for byte in key.utf8 {
            bytes.append(breaksToken(byte) ? UInt8(ascii: "_") : byte)
        }
    }

    /// Appends a value, quoted when it is empty or contains a space, `=`, a quote, a backslash
    /// or a control character. Inside quotes, `"` and `\` are escaped and control characters
    /// use `\n`, `\r`, `\t` or `\u00XX`.
    private static func appendLogfmtValue(_ value: [UInt8], to bytes: inout [UInt8]) {
        guard value.isEmpty || value.contains(where: breaksToken) else {
            bytes += value
            return
        }
        bytes.append(UInt8(ascii: "\""))
        appendEscaped(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: - Escaping shared by both formats

    /// Appends UTF-8 `text` with `"` and `\` escaped and control characters written as JSON
    /// escapes. Bytes of multi-byte characters are all ≥ 0x80, so they are copied unchanged and
    /// the output stays valid UTF-8. The result is valid inside a JSON string and inside a
    /// quoted logfmt value.
    private static func appendEscaped(_ text: [UInt8], to bytes: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20, 0x7F:
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")]
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            default:
                bytes.append(byte)
            }
        }
    }
}
