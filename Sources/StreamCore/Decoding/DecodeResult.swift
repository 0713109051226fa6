/// The outcome of decoding one record value: exactly one event or exactly one rejection.
public enum DecodeResult: Sendable, Hashable {
    /// The value is a valid event.
    case accepted(Event)
    /// The value breaks an input rule; the rejection carries the reason code and a detail.
    case rejected(Rejection)

    /// The event, or `nil` for a rejection.
    public var event: Event? {
        if case .accepted(let event) = self {
            return event
        }
        return nil
    }

    /// The rejection, or `nil` for an event.
    public var rejection: Rejection? {
        if case .rejected(let rejection) = self {
            return rejection
        }
        return nil
    }
}
