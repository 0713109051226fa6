import KafkaBridge

/// The part of a rejected record's key and value that fits into one dead-letter record under the
/// producer's `message.max.bytes`.
///
/// librdkafka 2.0.2 rejects a record with `MSG_SIZE_TOO_LARGE` before queueing it when its key,
/// value and serialized headers plus 36 bytes of record framing exceed `message.max.bytes`
/// (`rd_kafka_msg_max_wire_size` in its `src/rdkafka_msg.h`). A serialized header is its name,
/// its value and two varint lengths. The estimate here reserves more than librdkafka counts.
struct DeadLetterSizeLimit {
    /// The name of the header that marks a cut value. Its value is the original length in bytes.
    static let valueTruncatedHeader = "value_truncated_from_length"
    /// The name of the header that marks a cut key. Its value is the original length in bytes.
    static let keyTruncatedHeader = "key_truncated_from_length"
    /// Bytes reserved for the record framing, of which librdkafka 2.0.2 counts 36.
    static let framingBytes = 64
    /// Bytes reserved per header for its two varint lengths, of which librdkafka counts at most 10.
    static let headerLengthBytes = 20
    /// Bytes reserved for the decimal value of a truncation header.
    static let lengthDigits = 20

    /// The producer's `message.max.bytes`.
    let messageMaxBytes: Int

    /// The key and value lengths of a dead-letter record that fits.
    struct Fit: Equatable {
        /// Bytes of the key to send; equal to the original length when the key is not cut.
        var keyLength: Int
        /// Bytes of the value to send; 0 means the record goes without a value.
        var valueLength: Int
    }

    /// Returns the serialized size that librdkafka counts for `headers`, rounded up.
    static func serializedBytes(_ headers: [KafkaHeader]) -> Int {
        headers.reduce(0) { total, header in
            total + header.name.utf8.count + (header.value?.count ?? 0) + headerLengthBytes
        }
    }

    /// Returns how much of the key and value fits next to headers of `headerBytes` serialized
    /// bytes. The value is cut first; the key is cut only when it alone does not fit. Each cut
    /// reserves room for its truncation header.
    func fit(keyLength: Int, valueLength: Int, headerBytes: Int) -> Fit {
        let available = messageMaxBytes - Self.framingBytes - headerBytes
        if keyLength + valueLength <= available {
            return Fit(keyLength: keyLength, valueLength: valueLength)
        }
        let afterValueHeader = available - Self.truncationHeaderBytes(Self.valueTruncatedHeader)
        if keyLength <= afterValueHeader {
            return Fit(keyLength: keyLength, valueLength: afterValueHeader - keyLength)
        }
        let afterKeyHeader = afterValueHeader - Self.truncationHeaderBytes(Self.keyTruncatedHeader)
        return Fit(keyLength: max(0, afterKeyHeader), valueLength: 0)
    }

    private static func truncationHeaderBytes(_ name: String) -> Int {
        name.utf8.count + lengthDigits + headerLengthBytes
    }
}
