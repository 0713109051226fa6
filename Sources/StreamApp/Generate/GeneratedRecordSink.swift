/// A destination for generated records: lines in a file (``RecordLineWriter``) or a Kafka
/// topic (``KafkaTopicOutput``).
protocol GeneratedRecordSink {
    /// Writes one record; may buffer.
    mutating func write(_ record: GeneratedRecord) throws
    /// Delivers everything buffered and releases the destination. Call it once, after the
    /// last write.
    mutating func finish() throws
    /// Delivers what is buffered now, when the destination buffers; the default does nothing
    /// (a Kafka producer sends on its own).
    mutating func flush() throws
}

extension GeneratedRecordSink {
    mutating func flush() throws {}
}

extension RecordLineWriter: GeneratedRecordSink {}
