import CRdKafka

/// The timestamp of a Kafka record and its type.
public struct KafkaTimestamp: Hashable, Sendable {
    /// The origin of the timestamp.
    public enum Kind: Hashable, Sendable {
        /// The producer set it when it created the record.
        case createTime
        /// The broker set it when it appended the record to the log.
        case logAppendTime
    }

    /// Milliseconds since the Unix epoch.
    public var milliseconds: Int64
    /// The origin: producer or broker.
    public var kind: Kind

    /// Creates a timestamp.
    public init(milliseconds: Int64, kind: Kind) {
        self.milliseconds = milliseconds
        self.kind = kind
    }

    /// Reads a message's timestamp, or `nil` when it has none.
    static func of(_ message: UnsafePointer<rd_kafka_message_t>) -> KafkaTimestamp? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let value = rd_kafka_message_timestamp(message, &type)
        switch type {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME: return KafkaTimestamp(milliseconds: value, kind: .createTime)
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME: return KafkaTimestamp(milliseconds: value, kind: .logAppendTime)
        default: return nil
        }
    }
}

/// One record header: a name and a value that may be absent.
public struct KafkaHeader: Hashable, Sendable {
    /// The header name.
    public var name: String
    /// The header value, or `nil` for a header without a value.
    public var value: [UInt8]?

    /// Creates a header.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}

/// A consumed record that owns copies of its bytes, safe to keep and send anywhere.
public struct KafkaMessage: Hashable, Sendable {
    /// The topic the record came from.
    public var topic: String
    /// The partition.
    public var partition: KafkaPartition
    /// The record's offset.
    public var offset: KafkaOffset
    /// The key, or `nil` when the record has none.
    public var key: [UInt8]?
    /// The value, or `nil` for a tombstone.
    public var value: [UInt8]?
    /// The record timestamp, or `nil` when the record has none.
    public var timestamp: KafkaTimestamp?
    /// The headers in record order.
    public var headers: [KafkaHeader]
}

/// A borrowed view of one consumed record inside a ``KafkaMessageBatch``.
///
/// - Important: ``key`` and ``value`` point into librdkafka's fetch buffers and stay valid only
///   until the closure given to ``KafkaConsumer/poll(maxMessages:timeout:_:)`` returns. Copy
///   what must live longer (``copy()``, ``keyBytes``, ``valueBytes``).
public struct KafkaMessageView {
    @usableFromInline let pointer: UnsafeMutablePointer<rd_kafka_message_t>

    /// The partition.
    @inlinable public var partition: KafkaPartition { KafkaPartition(rawValue: pointer.pointee.partition) }
    /// The record's offset.
    @inlinable public var offset: KafkaOffset { KafkaOffset(rawValue: pointer.pointee.offset) }

    /// The key bytes without copying, or `nil` when the record has no key.
    @inlinable public var key: UnsafeRawBufferPointer? {
        guard let start = pointer.pointee.key else { return nil }
        return UnsafeRawBufferPointer(start: start, count: pointer.pointee.key_len)
    }

    /// The value bytes without copying; empty for a tombstone (see ``isTombstone``).
    @inlinable public var value: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: pointer.pointee.payload, count: pointer.pointee.len)
    }

    /// `true` when the record has a null value (a delete marker on a compacted topic).
    public var isTombstone: Bool { pointer.pointee.payload == nil }

    /// The record timestamp, or `nil` when it has none.
    public var timestamp: KafkaTimestamp? { KafkaTimestamp.of(pointer) }

    @usableFromInline init(pointer: UnsafeMutablePointer<rd_kafka_message_t>) {
        self.pointer = pointer
    }

    /// The topic name. Allocates a `String`; avoid it per record on the hot path.
    public var topic: String { String(cString: rd_kafka_topic_name(pointer.pointee.rkt)) }

    /// A copy of the key.
    public var keyBytes: [UInt8]? { key.map { Array($0) } }

    /// A copy of the value, or `nil` for a tombstone.
    public var valueBytes: [UInt8]? { isTombstone ? nil : Array(value) }

    /// The headers in record order, copied. Empty when the record has none.
    public var headers: [KafkaHeader] {
        var headersPointer: OpaquePointer?
        guard rd_kafka_message_headers(pointer, &headersPointer) == RD_KAFKA_RESP_ERR_NO_ERROR,
            let headersPointer
        else { return [] }
        var result: [KafkaHeader] = []
        let count = rd_kafka_header_cnt(headersPointer)
        for index in 0..<count {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(headersPointer, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                let name
            else { continue }
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            result.append(KafkaHeader(name: String(cString: name), value: bytes))
        }
        return result
    }

    /// Copies the whole record into an owned value.
    public func copy() -> KafkaMessage {
        KafkaMessage(
            topic: topic,
            partition: partition,
            offset: offset,
            key: keyBytes,
            value: valueBytes,
            timestamp: timestamp,
            headers: headers
        )
    }
}

/// The records of one poll, in the order librdkafka delivered them (offset order within each
/// partition).
///
/// The batch borrows librdkafka's messages; they are destroyed when the closure given to
/// ``KafkaConsumer/poll(maxMessages:timeout:_:)`` returns.
public struct KafkaMessageBatch: RandomAccessCollection {
    @usableFromInline let messages: UnsafeBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>>

    /// Partitions whose end was reached during this poll (only with
    /// ``KafkaConsumerSettings/enablePartitionEOF``), with the offset of the end.
    public let partitionEOFs: [KafkaTopicPartition]
    /// Per-partition errors librdkafka delivered during this poll instead of records, for
    /// example an unknown topic. Consuming continues; the owner decides whether to stop.
    public let errors: [KafkaBridgeError]

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { messages.count }

    @inlinable public subscript(position: Int) -> KafkaMessageView {
        KafkaMessageView(pointer: messages[position])
    }
}
