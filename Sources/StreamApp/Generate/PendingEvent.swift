/// One generated event waiting for its arrival time: everything needed to format its record.
///
/// Stored unformatted in the ``ArrivalQueue`` so that the queue contains small fixed-size values.
struct PendingEvent: Sendable {
    /// The notation of the `ts` and `published_at` fields.
    enum TimestampForm: UInt8, Sendable {
        /// An integer of epoch milliseconds.
        case integer
        /// RFC 3339 text in UTC with `Z`.
        case textUTC
        /// RFC 3339 text with a +02:00 offset.
        case textWithOffset
    }

    /// Arrival time at the broker in epoch ms; the record timestamp.
    var arrivalMilliseconds: Int64
    /// Order of generation, which breaks ties between equal arrival times.
    var sequence: Int64
    /// The `ts` field in epoch ms.
    var eventMilliseconds: Int64
    /// Number of the meme; `meme_id` is `m` followed by it.
    var memeNumber: Int
    /// `published_at` in epoch ms, or −1 when absent.
    var publishedAtMilliseconds: Int64
    /// Number of the user; `user_id` is `u` followed by it, or −1 when absent.
    var userNumber: Int
    /// `dwell_ms`, or −1 when absent.
    var dwellMilliseconds: Int64
    var type: GeneratedEventType
    var timestampForm: TimestampForm
    /// The injected content defect, or `nil` for a well-formed event.
    var defect: RecordDefect?
    /// The delivery delay class that produced ``arrivalMilliseconds``.
    var delayKind: DeliveryDelay.Kind
    /// `true` when the record key is the `user_id` instead of the `meme_id`.
    var hasMismatchedKey: Bool
}
