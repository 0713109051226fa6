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
    public func line(for entry: LogEntry) -> String {
        var fields: [(key: String, value: LogValue)] = [
            ("ts", .string(LogTimestamp.rfc3339(milliseconds: entry.timestampMilliseconds))),
            ("level", .string(entry.level.rawValue)),
            ("logger", .string(entry.label)),
            ("msg", .string(entry.message)),
        ]
        if includesSource {
            fields.append(("source", .string("\(entry.file):\(entry.line)")))
        }
        for key in entry.metadata.keys.sorted() {
            let value = LogRedaction.isSecret(key: key) ? .string(LogRedaction.placeholder) : entry.metadata[key]!
            let name = Self.reservedFields.contains(key) ? "metadata." + key : key
            fields.append((name, value))
        }

        switch format {
        case .logfmt: return Self.logfmt(fields)
        case .json: return Self.json(fields)
        }
    }

    // MARK: - logfmt

    private static func logfmt(_ fields: [(key: String, value: LogValue)]) -> String {
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(" ") }
            line.append(logfmtKey(field.key))
            line.append("=")
            line.append(logfmtValue(field.value.description))
        }
        return line
    }

    /// Keys are printed bare, so bytes that would break `key=value` parsing become `_`.
    private static func logfmtKey(_ key: String) -> String {
        if key.isEmpty { return "_" }
        var safe = ""
        for scalar in key.unicodeScalars {
            if scalar.value <= 0x20 || scalar == "=" || scalar == "\"" || scalar == "\\" || scalar.value == 0x7F {
                safe.append("_")
            } else {
                safe.unicodeScalars.append(scalar)
            }
        }
        return safe
    }

    /// Quotes a value when it is empty or contains a space, `=`, a quote, a backslash or a control
    /// character. Inside quotes, `"` and `\` are escaped and control characters use `\n`, `\r`,
    /// `\t` or `\u00XX`.
    private static func logfmtValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains { scalar in
                scalar.value <= 0x20 || scalar == "=" || scalar == "\"" || scalar == "\\" || scalar.value == 0x7F
            }
        guard needsQuotes else { return value }
        var quoted = "\""
        appendEscaped(value, to: &quoted)
        quoted.append("\"")
        return quoted
    }

    // MARK: - JSON

    private static func json(_ fields: [(key: String, value: LogValue)]) -> String {
        var line = "{"
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(",") }
            line.append("\"")
            appendEscaped(field.key, to: &line)
            line.append("\":")
            switch field.value {
            case .string(let text):
                line.append("\"")
                appendEscaped(text, to: &line)
                line.append("\"")
            case .integer(let number):
                line.append(String(number))
            case .double(let number):
                // JSON has no NaN or infinity, so those print as strings.
                if number.isFinite {
                    line.append(String(number))
                } else {
                    line.append("\"\(number)\"")
                }
            case .bool(let flag):
                line.append(flag ? "true" : "false")
            }
        }
        line.append("}")
        return line
    }

    // MARK: - Escaping shared by both formats

    /// Appends `text` with `"` and `\` escaped and control characters written as JSON escapes.
    /// The result is valid inside a JSON string and inside a quoted logfmt value.
    private static func appendEscaped(_ text: String, to output: inout String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
    }
}
