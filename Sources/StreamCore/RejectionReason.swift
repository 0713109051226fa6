/// The reason an input record was rejected. Raw values are the reason codes written to the
/// dead-letter topic's `error` header, to rejection files and to metrics labels.
///
/// Checks run in the order of the cases below, and the first failing check gives the reason.
public enum RejectionReason: String, Sendable, Hashable, CaseIterable, Codable {
    /// The record value is larger than `max_event_bytes` (default 64 KiB).
    case tooLarge = "too_large"
    /// Not valid UTF-8 JSON, not an object, or a member name appears twice.
    case malformedJSON = "malformed_json"
    /// A required field is absent, null or an empty string.
    case missingField = "missing_field"
    /// A non-timestamp field has the wrong type or is out of range.
    case invalidField = "invalid_field"
    /// `ts` or `published_at` is not an integer or RFC 3339 string in [10^12, 10^13) ms.
    case invalidTimestamp = "invalid_timestamp"
    /// `ts` is later than the record timestamp plus `max_future_skew`.
    case futureTimestamp = "future_timestamp"
    /// `ts` is earlier than the partition's watermark minus `allowed_lateness`.
    case late
}

/// A rejected record's reason code plus a human-readable detail that names the field and value.
public struct Rejection: Error, Sendable, Hashable {
    public var reason: RejectionReason
    /// One sentence naming the field, the bad value (truncated) and, where known, the fix.
    public var detail: String

    public init(reason: RejectionReason, detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
