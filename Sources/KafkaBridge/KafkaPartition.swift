import CRdKafka

/// A partition number of a Kafka topic.
public struct KafkaPartition: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The partition number. Non-negative, or -1 for ``unassigned``.
    public let rawValue: Int32

    /// Lets the producer's partitioner choose the partition (librdkafka `RD_KAFKA_PARTITION_UA`).
    public static let unassigned = KafkaPartition(rawValue: RD_KAFKA_PARTITION_UA)

    /// Creates a partition.
    ///
    /// - Precondition: `rawValue` is non-negative or -1 (``unassigned``).
    public init(rawValue: Int32) {
        precondition(rawValue >= -1, "invalid Kafka partition \(rawValue): expected 0 or more, or -1 for unassigned")
        self.rawValue = rawValue
    }

    public static func < (lhs: KafkaPartition, rhs: KafkaPartition) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue == -1 ? "unassigned" : String(rawValue) }
}

/// An offset in a Kafka partition, or one of librdkafka's logical offsets.
public struct KafkaOffset: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The offset. Non-negative for a real offset; negative values are the logical offsets below.
    public let rawValue: Int64

    /// The first offset still in the log (`RD_KAFKA_OFFSET_BEGINNING`).
    public static let beginning = KafkaOffset(rawValue: Int64(RD_KAFKA_OFFSET_BEGINNING))
    /// The offset the next produced record will get (`RD_KAFKA_OFFSET_END`).
    public static let end = KafkaOffset(rawValue: Int64(RD_KAFKA_OFFSET_END))
    /// The committed offset of the group (`RD_KAFKA_OFFSET_STORED`).
    public static let stored = KafkaOffset(rawValue: Int64(RD_KAFKA_OFFSET_STORED))
    /// No offset: nothing committed, or no position yet (`RD_KAFKA_OFFSET_INVALID`).
    public static let invalid = KafkaOffset(rawValue: Int64(RD_KAFKA_OFFSET_INVALID))

    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// `true` for a real, non-negative offset.
    public var isConcrete: Bool { rawValue >= 0 }

    public static func < (lhs: KafkaOffset, rhs: KafkaOffset) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .beginning: "beginning"
        case .end: "end"
        case .stored: "stored"
        case .invalid: "invalid"
        default: String(rawValue)
        }
    }
}

/// A topic and partition, with an offset and a per-partition error where the call has them.
///
/// Used for assignments, commits, positions, seeks and offset look-ups.
public struct KafkaTopicPartition: Hashable, Sendable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition.
    public var partition: KafkaPartition
    /// The offset, or ``KafkaOffset/invalid`` when the call has none. For `offsets(forTimes:)`
    /// input it contains a timestamp in milliseconds since the Unix epoch.
    public var offset: KafkaOffset
    /// The librdkafka error code for this partition, or `nil` when it succeeded.
    public var rdKafkaCode: Int32?

    /// Creates a topic partition with an optional offset.
    public init(topic: String, partition: KafkaPartition, offset: KafkaOffset = .invalid) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.rdKafkaCode = nil
    }

    public var description: String {
        var text = "\(topic)[\(partition)]"
        if offset != .invalid { text += "@\(offset)" }
        if let rdKafkaCode {
            text += " (\(String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rdKafkaCode)))))"
        }
        return text
    }
}
