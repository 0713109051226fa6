/// The rule that keeps secrets out of log lines.
///
/// A metadata value is printed as ``LogRedaction/placeholder`` when its key, compared
/// case-insensitively (ASCII), contains `password` or `secret` (this covers `sasl.password`,
/// `ssl.key.password` and `sasl.oauthbearer.client.secret`) or is one of librdkafka's properties
/// that carry key material inline (`ssl.key.pem`, `ssl_key`, `sasl.oauthbearer.config`).
///
/// NOTE: only metadata values are redacted; a secret written into the message text is printed.
/// Messages are constant text by convention, so values belong in metadata.
public enum LogRedaction {
    /// The text printed in place of a secret value.
    public static let placeholder = "[redacted]"

    private static let fragments: [[UInt8]] = [Array("password".utf8), Array("secret".utf8)]
    private static let exactKeys: [[UInt8]] = [
        Array("ssl.key.pem".utf8), Array("ssl_key".utf8), Array("sasl.oauthbearer.config".utf8),
    ]

    /// Returns `true` when values under `key` must never be printed.
    ///
    /// - Complexity: O(key length); works on UTF-8 bytes without allocating strings.
    public static func isSecret(key: String) -> Bool {
        var lowered: [UInt8] = []
        lowered.reserveCapacity(key.utf8.count)
        for byte in key.utf8 {
            lowered.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
        }
        for fragment in fragments where contains(lowered, fragment) {
            return true
        }
        return exactKeys.contains(lowered)
    }

    private static func contains(_ text: [UInt8], _ fragment: [UInt8]) -> Bool {
        guard text.count >= fragment.count else { return false }
        for start in 0...(text.count - fragment.count) {
            var index = 0
            while index < fragment.count && text[start + index] == fragment[index] {
                index += 1
            }
            if index == fragment.count {
                return true
            }
        }
        return false
    }
}
