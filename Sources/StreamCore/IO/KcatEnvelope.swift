/// One line of `kcat -J` output: a Kafka record with its coordinates, as a JSON object
/// `{"topic":…,"partition":…,"offset":…,"tstype":…,"ts":…,"broker":…,"key":…,"payload":…}`.
///
/// The key and payload bytes are the unescaped contents of the JSON strings, borrowed from the
/// ``KcatEnvelopeParser`` that produced the envelope and valid until its next `parse` call.
public struct KcatEnvelope {
    /// The record's partition, 0 or more.
    public var partition: Int32
    /// The record's offset within its partition, 0 or more.
    public var offset: Int64
    /// The record timestamp in ms since the epoch, or `nil` when kcat wrote `-1` (no timestamp)
    /// or the member is absent.
    public var timestamp: Int64?
    /// The record key, or `nil` when it is null or absent.
    public var key: UnsafeRawBufferPointer?
    /// The record value, or `nil` when it is null (a tombstone on the input topic).
    public var payload: UnsafeRawBufferPointer?
}

/// Why a line is not a valid kcat envelope: the reason and the 1-based byte column where the
/// parser noticed it.
public struct KcatEnvelopeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public var column: Int

    public init(reason: String, column: Int) {
        self.reason = reason
        self.column = column
    }

    public var description: String { "\(reason) (at column \(column))" }
}
