/// A destination for generated records: lines in a file (``RecordLineWriter``) or a Kafka
/// topic (``KafkaTopicOutput``).
protocol GeneratedRecordSink {
    /// Writes one record; may buffer.
    mutating func write(_ record: GeneratedRecord) throws
    /// Delivers everything buffered and releases the destination. Call it once, after the
    /// last write.
    mutating func finish() throws
}

extension RecordLineWriter: GeneratedRecordSink {}
