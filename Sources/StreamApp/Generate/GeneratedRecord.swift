import StreamCore

/// One output record of the generator: key, value and record timestamp, plus what the generator
/// injected into it, so tests and summaries can check a decoder against the intent.
///
/// The byte arrays are reused from record to record by ``TrafficGenerator/next(into:)``.
struct GeneratedRecord: Sendable {
    /// The record key (UTF-8).
    var key: [UInt8] = []
    /// The record value: one event as JSON, or a deliberately defective value.
    var value: [UInt8] = []
    /// The record timestamp in epoch ms: the event's arrival time at the broker.
    var timestampMilliseconds: Int64 = 0
    /// The event time the generator drew for the event, in epoch ms. It equals the `ts` field
    /// unless a defect rewrote or removed `ts`.
    var eventMilliseconds: Int64 = 0
    /// The rejection reason the injected defect is meant to cause, or `nil` for a valid event.
    /// `late` is not set here, because lateness depends on the consumer's watermark.
    var intendedRejection: RejectionReason? = nil
    /// The delivery delay class of the record.
    var delayKind: DeliveryDelay.Kind = .onTime
    /// `true` when the key is not the `meme_id`.
    var hasMismatchedKey = false
    /// The bytes that choose the record's partition: the `meme_id` text, also for a record keyed
    /// by another id, so that every record of a meme lands in the meme's partition.
    var partitionKey: [UInt8] = []
}
