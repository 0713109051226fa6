/// An accepted event whose `meme_id`, `type` and `user_id` are still bytes of the record value.
///
/// ``EventDecoder/decodeView(_:recordTimestamp:)`` returns one when none of those strings contains
/// an escape, so the bytes are exactly the decoded UTF-8. It lets the engine find a key's state
/// and a feature's event-type filter without creating strings.
///
/// The byte buffers point into the record value and are valid only while the value is.
public struct EventView {
    /// The `meme_id` bytes, 1–128 bytes of UTF-8.
    public let memeID: UnsafeRawBufferPointer
    /// The `type` bytes, matching `[a-z][a-z0-9_]{0,31}`.
    public let type: UnsafeRawBufferPointer
    /// The `user_id` bytes, or `nil` when absent or null.
    public let userID: UnsafeRawBufferPointer?
    /// When the event happened (the `ts` field).
    public let eventTime: EventTime
    /// When the meme was published, or `nil` when absent or null.
    public let publishedAt: EventTime?
    /// Milliseconds the user spent on the meme, or `nil` when absent or null. Never negative.
    public let dwellMilliseconds: Int64?

    /// The event with its strings, equal to what ``EventDecoder/decode(_:recordTimestamp:)-(UnsafeRawBufferPointer,_)``
    /// returns for the same value.
    ///
    /// - Complexity: O(n) in the strings' lengths, and ids longer than 15 bytes allocate.
    public func makeEvent() -> Event {
        Event(
            memeID: Self.string(memeID),
            type: Self.string(type),
            eventTime: eventTime,
            userID: userID.map { Self.string($0) },
            publishedAt: publishedAt,
            dwellMilliseconds: dwellMilliseconds
        )
    }

    /// The event's time fields with empty `meme_id` and `type` and no `user_id`.
    ///
    /// For aggregators that read only `ts`, `published_at` and `dwell_ms`.
    /// - Complexity: O(1), and it never allocates.
    public var timeFieldsEvent: Event {
        Event(
            memeID: "",
            type: "",
            eventTime: eventTime,
            userID: nil,
            publishedAt: publishedAt,
            dwellMilliseconds: dwellMilliseconds
        )
    }

    private static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
    }
}

/// The outcome of ``EventDecoder/decodeView(_:recordTimestamp:)``.
public enum EventViewResult {
    /// A valid event whose strings have no escapes, as bytes of the value.
    case view(EventView)
    /// A valid event with an escaped `meme_id`, `type` or `user_id`, decoded into strings.
    case accepted(Event)
    /// The value breaks an input rule.
    case rejected(Rejection)
}

extension EventDecoder {
    /// Decodes one record value like ``decode(_:recordTimestamp:)-(UnsafeRawBufferPointer,_)``,
    /// but returns an accepted event as a view of `value` when it can, without creating strings.
    ///
    /// - Parameters:
    ///   - value: the record value. A returned view points into it.
    ///   - recordTimestamp: the Kafka record timestamp in epoch milliseconds, or `nil`.
    /// - Returns: the same acceptance or rejection as `decode`. An accepted event is a view
    ///   unless one of its strings has an escape.
    /// - Complexity: O(n) time in the value's length.
    public func decodeView(_ value: UnsafeRawBufferPointer, recordTimestamp: Int64?) -> EventViewResult {
        switch check(value, recordTimestamp: recordTimestamp) {
        case .failed(let rejection):
            return .rejected(rejection)
        case .passed(let event):
            let scanner = JSONScanner(base: value.baseAddress!, count: value.count)
            guard !event.memeID.hasEscapes, !event.type.hasEscapes, event.userID?.hasEscapes != true else {
                return .accepted(event.makeEvent(scanner: scanner))
            }
            return .view(
                EventView(
                    memeID: Self.bytes(event.memeID, in: value),
                    type: Self.bytes(event.type, in: value),
                    userID: event.userID.map { Self.bytes($0, in: value) },
                    eventTime: EventTime(milliseconds: event.eventTime),
                    publishedAt: event.publishedAt.map { EventTime(milliseconds: $0) },
                    dwellMilliseconds: event.dwellMilliseconds
                )
            )
        }
    }

    @inline(__always)
    private static func bytes(_ token: JSONStringToken, in value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: value.baseAddress! + token.start, count: token.end - token.start)
    }
}
