/// A cheap fingerprint of one input record: its record timestamp and the lengths of its key and
/// value.
///
/// A checkpoint keeps the fingerprint of the last record its state includes (the record at
/// `nextOffset − 1`). After a restore the worker reads that offset again and compares. So a
/// topic deleted and created again with a log at least as long as the old one differs from the
/// log the state was built from in that record, almost always. Equal fingerprints do not prove equal records, but a
/// recreated log almost never repeats the timestamp and both lengths at that offset. If it
/// contains the same records, the state is right for it anyway.
///
/// Taking a fingerprint costs two loads and no hashing, so the worker takes one per record.
public struct RecordFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The record timestamp in ms, or `nil` when the record has none.
    public var timestampMilliseconds: Int64?
    /// The key length in bytes, or -1 for a record without a key.
    public var keyLength: Int64
    /// The value length in bytes.
    public var valueLength: Int64

    public init(timestampMilliseconds: Int64?, keyLength: Int64, valueLength: Int64) {
        self.timestampMilliseconds = timestampMilliseconds
        self.keyLength = keyLength
        self.valueLength = valueLength
    }

    /// Takes the fingerprint of `record`.
    @inlinable
    public init(_ record: InputRecord) {
        timestampMilliseconds = record.recordTimestamp
        keyLength = record.key.map { Int64($0.count) } ?? -1
        valueLength = Int64(record.value.count)
    }

    public var description: String {
        let timestamp = timestampMilliseconds.map { "timestamp \($0)" } ?? "no timestamp"
        let key = keyLength < 0 ? "no key" : "a \(keyLength)-byte key"
        return "\(timestamp), \(key) and a \(valueLength)-byte value"
    }
}
