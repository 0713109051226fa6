/// An invalid feature set definition. The message names the feature and the fix.
public struct FeatureSetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The feature the problem is in, or `nil` for problems with the set as a whole.
    public var feature: String?
    /// The problem and the fix.
    public var message: String

    /// Creates an error about `feature`.
    public init(feature: String?, _ message: String) {
        self.feature = feature
        self.message = message
    }

    public var description: String {
        let message = Self.excerpt(message, limit: Self.maximumMessageCharacters)
        guard let feature else { return "invalid feature set: \(message)" }
        return "invalid feature \"\(Self.excerpt(feature, limit: 80))\": \(message)"
    }

    /// The maximum length of a printed message, in characters. Messages quote values from the file, and a
    /// value of megabytes would otherwise make an error line of megabytes.
    static let maximumMessageCharacters = 2_000

    /// `text` for a message: control characters and bidirectional overrides written escaped so
    /// that they cannot act on a terminal, and cut after `limit` characters with a note of how
    /// much was left out.
    static func excerpt(_ text: String, limit: Int = 80) -> String {
        var result = ""
        var count = 0
        var consumedBytes = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                return result + "… (\(text.utf8.count - consumedBytes) more bytes)"
            }
            consumedBytes += UTF8.width(scalar)
            // C0 and C1 controls, and the bidirectional overrides that reorder a terminal line.
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
                || (0x2066...0x2069).contains(scalar.value)
            {
                let digits = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u{" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return result
    }
}
