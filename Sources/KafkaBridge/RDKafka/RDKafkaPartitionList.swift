import CRdKafka

/// Owner of one `rd_kafka_topic_partition_list_t`, destroyed in `deinit`.
///
/// Lists that librdkafka lends to a callback are read with ``read(_:)`` and never wrapped,
/// because librdkafka frees them.
final class RDKafkaPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int = 1) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: max(capacity, 1)))
    }

    convenience init(_ partitions: [KafkaTopicPartition]) {
        self.init(capacity: partitions.count)
        for partition in partitions {
            add(partition)
        }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    func add(_ partition: KafkaTopicPartition) {
        let element = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition.rawValue)!
        element.pointee.offset = partition.offset.rawValue
    }

    var partitions: [KafkaTopicPartition] { Self.read(pointer) }

    /// Copies a list into Swift values. The caller keeps ownership of the list.
    static func read(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [KafkaTopicPartition] {
        guard let list, list.pointee.cnt > 0, let elements = list.pointee.elems else { return [] }
        var result: [KafkaTopicPartition] = []
        result.reserveCapacity(Int(list.pointee.cnt))
        for index in 0..<Int(list.pointee.cnt) {
            let element = elements[index]
            var partition = KafkaTopicPartition(
                topic: String(cString: element.topic),
                partition: KafkaPartition(rawValue: max(element.partition, -1)),
                offset: KafkaOffset(rawValue: element.offset)
            )
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                partition.rdKafkaCode = Int32(element.err.rawValue)
            }
            result.append(partition)
        }
        return result
    }

    /// Returns the first per-partition error in the list as a ``KafkaBridgeError`` naming the topic,
    /// partition and offset, or `nil` when every partition succeeded.
    func firstError(_ operation: String) -> KafkaBridgeError? {
        for partition in partitions {
            if let code = partition.rdKafkaCode {
                return .kafka(
                    rd_kafka_resp_err_t(code),
                    "\(operation) failed for \(partition.topic)[\(partition.partition)] at offset \(partition.offset)"
                )
            }
        }
        return nil
    }
}
