import CRdKafka
import StreamCore

extension KafkaMessageView {
    /// The record as the engine's ``StreamCore/InputRecord``, borrowing the same bytes.
    ///
    /// The record timestamp is the Kafka timestamp of either type (CreateTime or
    /// LogAppendTime), or `nil` when the record has none. A tombstone (null value) has an empty
    /// value without a base address.
    ///
    /// - Important: Valid only inside the poll closure, like the view itself.
    @inlinable public var inputRecord: InputRecord {
        InputRecord(
            partition: pointer.pointee.partition,
            offset: pointer.pointee.offset,
            recordTimestamp: timestamp?.milliseconds,
            key: key,
            value: value
        )
    }
}
