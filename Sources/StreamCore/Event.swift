/// A decoded and validated meme interaction event.
///
/// Produced by ``EventDecoder`` from a record value; every field already satisfies the
/// input rules (id lengths, type pattern, timestamp range, non-negative dwell).
public struct Event: Sendable, Hashable {
    /// The entity id, 1–128 bytes of UTF-8. The JSON field is authoritative; the record key is
    /// not used for identity.
    public var memeID: String
    /// The event type, matching `[a-z][a-z0-9_]{0,31}`: `view`, `like`, `dislike`, `share`, ...
    public var type: String
    /// When the event happened (the `ts` field).
    public var eventTime: EventTime
    /// The user id, 1–128 bytes, or `nil` when absent or null.
    public var userID: String?
    /// When the meme was published (the `published_at` field), or `nil` when absent or null.
    public var publishedAt: EventTime?
    /// Milliseconds the user spent on the meme, or `nil` when absent or null. Never negative.
    public var dwellMilliseconds: Int64?

    public init(
        memeID: String,
        type: String,
        eventTime: EventTime,
        userID: String? = nil,
        publishedAt: EventTime? = nil,
        dwellMilliseconds: Int64? = nil
    ) {
        self.memeID = memeID
        self.type = type
        self.eventTime = eventTime
        self.userID = userID
        self.publishedAt = publishedAt
        self.dwellMilliseconds = dwellMilliseconds
    }
}
