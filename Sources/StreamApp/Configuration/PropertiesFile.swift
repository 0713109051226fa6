import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// One `key = value` entry of a properties file, with its line number for error messages.
struct PropertiesEntry: Sendable, Hashable {
    var key: String
    var value: String
    /// The 1-based line the entry is on.
    var line: Int
}

/// Reads the `key = value` files that `--config` and `-F` take.
///
/// The format is a subset of Java properties files, as kcat's `-F` reads them. Each line contains
/// one entry, split at the first `=`, with whitespace around key and value trimmed. Blank lines
/// and lines starting with `#` or `!` are ignored. Values may contain `=` (as `sasl.jaas.config`
/// does). There are no line continuations or escapes.
enum PropertiesFile {
    /// The largest file accepted, in bytes. Configuration files are small; a larger file is
    /// almost certainly the wrong path.
    static let maxBytes = 1 << 20

    /// Parses properties text.
    ///
    /// - Parameter origin: How messages name the file, for example `config file /etc/m.conf`.
    /// - Throws: ``UsageError`` naming the origin and line of an entry without `=` or with an
    ///   empty key.
    static func parse(_ text: String, origin: String) throws -> [PropertiesEntry] {
        var entries: [PropertiesEntry] = []
        // Swift reads "\r\n" as one Character, so both line endings are separators.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, rawLine) in lines.enumerated() {
            let line = trimmed(Substring(rawLine))
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") {
                continue
            }
            // Split at the first '=' scalar: as a Character, '=' followed by a combining mark is
            // another character, and the line would have no '='.
            let scalars = line.unicodeScalars
            guard let equals = scalars.firstIndex(of: "=") else {
                throw UsageError("invalid line \(index + 1) in \(origin): expected 'key = value', got '\(line)'")
            }
            let key = trimmed(Substring(scalars[..<equals]))
            let value = trimmed(Substring(scalars[scalars.index(after: equals)...]))
            guard !key.isEmpty else {
                throw UsageError("invalid line \(index + 1) in \(origin): the key before '=' is empty")
            }
            // A byte order mark inside the file (two files joined with cat) or another invisible
            // character would reach the "unknown key" message, or a host name, unseen.
            for (part, text) in [("key", key), ("value of '\(key)'", value)] {
                if let hidden = invisibleCharacter(in: text) {
                    throw UsageError(
                        "invalid line \(index + 1) in \(origin): the \(part) contains the invisible character "
                            + "\(hidden); remove it"
                    )
                }
            }
            entries.append(PropertiesEntry(key: String(key), value: String(value), line: index + 1))
        }
        return entries
    }

    /// Reads and parses the file at `path`.
    ///
    /// - Throws: ``UsageError`` naming the origin and path when the file cannot be read, is larger
    ///   than ``maxBytes`` or is not valid UTF-8, or as ``parse(_:origin:)`` does.
    static func read(path: String, origin: String) throws -> [PropertiesEntry] {
        let bytes = try readBytes(path: path, origin: origin)
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw UsageError("invalid \(origin): '\(path)' is not UTF-8 text")
        }
        // Some editors start a UTF-8 file with a byte order mark, which would join the first key.
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return try parse(text, origin: "\(origin) '\(path)'")
    }

    private static func readBytes(path: String, origin: String) throws -> [UInt8] {
        do throws(SmallFile.Failure) {
            return try SmallFile.read(path: path, limit: maxBytes)
        } catch {
            throw UsageError("cannot read \(origin) '\(path)': the file \(error); check the path and its permissions")
        }
    }

    /// Returns the first control or format character of `text` as `U+XXXX`, or `nil`.
    ///
    /// Such a character in a key or value is almost always a mistake that the user cannot see: a
    /// byte order mark from joined files, a zero width space pasted with a host name, a NUL. The
    /// joiners U+200C and U+200D and the tag characters U+E0020 to U+E007F are allowed, because
    /// some scripts and emoji (flags of regions) need them.
    static func invisibleCharacter(in text: Substring) -> String? {
        let hidden = text.unicodeScalars.first { scalar in
            switch scalar.properties.generalCategory {
            case .control: true
            case .format:
                scalar.value != 0x200C && scalar.value != 0x200D && !(0xE0020...0xE007F).contains(scalar.value)
            default: false
            }
        }
        return hidden.map { scalar in
            let digits = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var result = text
        while let first = result.first, first == " " || first == "\t" || first == "\r" {
            result = result.dropFirst()
        }
        while let last = result.last, last == " " || last == "\t" || last == "\r" {
            result = result.dropLast()
        }
        return result
    }
}
