/// The outcome of one produced record, reported once per record.
public struct KafkaDeliveryReport: Sendable {
    /// The topic the record was sent to.
    public var topic: String
    /// The partition it went to (``KafkaPartition/unassigned`` if no partition was chosen).
    public var partition: KafkaPartition
    /// The offset it got, or ``KafkaOffset/invalid`` when delivery failed.
    public var offset: KafkaOffset
    /// The timestamp the broker reports for the record, when it reports one.
    public var timestamp: KafkaTimestamp?
    /// The `context` value given to ``KafkaProducer/send(topic:partition:key:value:headers:timestamp:context:)``.
    public var context: UInt64
    /// The delivery failure, or `nil` when the broker stored the record.
    public var error: KafkaBridgeError?
}

/// Receives one ``KafkaDeliveryReport`` per record sent with a context.
///
/// Runs on the producer's poll thread, or on the caller's thread inside
/// ``KafkaProducer/send(topic:partition:key:value:headers:timestamp:context:)`` and
/// ``KafkaProducer/flush(timeout:)``, which serve waiting reports. It must not block.
public typealias KafkaDeliveryHandler = @Sendable (_ report: KafkaDeliveryReport) -> Void
