import StreamCore

/// A numeric event field that an aggregator reads, named as in the input JSON.
public enum EventField: String, Sendable, Hashable, CaseIterable {
    /// `ts`: event time in ms. Always present.
    case ts
    /// `published_at` in ms, when present.
    case publishedAt = "published_at"
    /// `dwell_ms`, when present.
    case dwellMilliseconds = "dwell_ms"

    /// Returns the field's value in `event`, or `nil` when the event does not carry it.
    @inlinable
    public func value(in event: Event) -> Int64? {
        switch self {
        case .ts: return event.eventTime.rawValue
        case .publishedAt: return event.publishedAt?.rawValue
        case .dwellMilliseconds: return event.dwellMilliseconds
        }
    }
}
