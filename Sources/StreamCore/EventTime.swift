/// A point in event time: milliseconds since the Unix epoch, UTC.
///
/// Event time is the time an event happened on the client, as carried by the event's `ts` field.
/// It is never the worker's wall-clock time. Valid event times lie in [10^12, 10^13), which
/// is the range the decoder accepts; arithmetic on this type does not check that range.
public struct EventTime: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var rawValue: Int64

    @inlinable
    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    @inlinable
    public init(milliseconds: Int64) {
        self.rawValue = milliseconds
    }

    /// The smallest event time the decoder accepts: 10^12 ms (2001-09-09T01:46:40Z).
    public static let minimumValid = EventTime(rawValue: 1_000_000_000_000)
    /// One past the largest event time the decoder accepts: 10^13 ms (2286-11-20T17:46:40Z).
    public static let endOfValid = EventTime(rawValue: 10_000_000_000_000)

    @inlinable
    public static func < (lhs: EventTime, rhs: EventTime) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { String(rawValue) }
}
