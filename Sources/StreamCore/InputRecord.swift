/// One input record as the engine receives it, whether it came from Kafka or from a file.
///
/// The value bytes are borrowed: the engine reads them during the call that receives the record
/// and never keeps the pointer.
public struct InputRecord {
    /// The input partition.
    public var partition: Int32
    /// The record's offset within its partition.
    public var offset: Int64
    /// The Kafka record timestamp (CreateTime or LogAppendTime) in ms, or `nil` when the record
    /// carries none (file input with `--input-format events`).
    public var recordTimestamp: Int64?
    /// The record key, or `nil` when absent.
    public var key: UnsafeRawBufferPointer?
    /// The record value. Never retained past the call that receives the record. A null Kafka
    /// value has no base address; an empty one has one.
    public var value: UnsafeRawBufferPointer

    public init(
        partition: Int32,
        offset: Int64,
        recordTimestamp: Int64?,
        key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer
    ) {
        self.partition = partition
        self.offset = offset
        self.recordTimestamp = recordTimestamp
        self.key = key
        self.value = value
    }
}
