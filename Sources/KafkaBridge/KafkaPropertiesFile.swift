import Foundation
import StreamCore

/// Reader of librdkafka properties files in the form kcat's `-F` option reads.
///
/// One `key=value` per line. Leading and trailing spaces of key and value are ignored, blank
/// lines and lines starting with `#` or `!` are skipped, and the value is everything after the
/// first `=` (so it may itself contain `=`). A later line for the same key wins. A UTF-8 byte
/// order mark at the start, which some editors write, is skipped. `memestream run` reads `-F`
/// files by the same rules.
public enum KafkaPropertiesFile {
    /// The largest properties file read, in bytes: far above any real client configuration.
    public static let maximumFileBytes = 1 << 20

    /// Parses properties file text.
    ///
    /// - Parameters:
    ///   - text: The file contents.
    ///   - source: The file name used in error messages.
    /// - Throws: A ``KafkaBridgeError`` with code ``KafkaBridgeError/Code/fileRead`` naming
    ///   the line number when a line has no `=` or an empty key.
    public static func parse(_ text: String, source: String = "properties") throws -> [String: String] {
        var properties: [String: String] = [:]
        var lineNumber = 0
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw KafkaBridgeError(
                    code: .fileRead,
                    message:
                        "\(source):\(lineNumber): expected 'key=value', found a line without '='; fix or comment out the line with '#'"
                )
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else {
                throw KafkaBridgeError(
                    code: .fileRead,
                    message: "\(source):\(lineNumber): the property name before '=' is empty"
                )
            }
            // A byte order mark inside the file (two files joined with cat) or another invisible
            // character would reach librdkafka's "unknown property" message unseen.
            if let hidden = key.unicodeScalars.first(where: {
                $0.properties.generalCategory == .format || $0.properties.generalCategory == .control
            }) {
                throw KafkaBridgeError(
                    code: .fileRead,
                    message: "\(source):\(lineNumber): the property name contains the invisible character "
                        + "U+\(String(hidden.value, radix: 16, uppercase: true)); remove it"
                )
            }
            properties[key] = value
        }
        return properties
    }

    /// Reads and parses a properties file.
    ///
    /// - Throws: A ``KafkaBridgeError`` with code ``KafkaBridgeError/Code/fileRead`` when the
    ///   file cannot be read or a line is malformed.
    public static func read(path: String) throws -> [String: String] {
        let bytes: [UInt8]
        do throws(SmallFile.Failure) {
            bytes = try SmallFile.read(path: path, limit: maximumFileBytes)
        } catch {
            throw KafkaBridgeError(
                code: .fileRead,
                message: "cannot read properties file '\(path)': the file \(error); check the path and its permissions"
            )
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw KafkaBridgeError(code: .fileRead, message: "properties file '\(path)' is not UTF-8 text")
        }
        return try parse(text, source: path)
    }
}
