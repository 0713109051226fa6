/// The rule that keeps secrets out of log lines.
///
/// A metadata value is printed as ``LogRedaction/placeholder`` when its key, compared
/// case-insensitively, contains `password` or `secret` (this covers `sasl.password`,
/// `ssl.key.password` and `sasl.oauthbearer.client.secret`) or is one of librdkafka's properties
/// that carry key material inline (`ssl.key.pem`, `ssl_key`, `sasl.oauthbearer.config`).
///
/// NOTE: only metadata values are redacted; a secret written into the message text is printed.
/// Messages are constant text by convention, so values belong in metadata.
public enum LogRedaction {
    /// The text printed in place of a secret value.
    public static let placeholder = "[redacted]"

    private static let exactKeys: Set<String> = ["ssl.key.pem", "ssl_key", "sasl.oauthbearer.config"]

    /// Returns `true` when values under `key` must never be printed.
    public static func isSecret(key: String) -> Bool {
        let lowered = key.lowercased()
        if lowered.contains("password") || lowered.contains("secret") {
            return true
        }
        return exactKeys.contains(lowered)
    }
}
