import CRdKafka
import Synchronization

/// Applies librdkafka's rebalance events and forwards them to the consumer's handler.
///
/// The eager protocol uses `rd_kafka_assign`, the cooperative one the incremental calls.
/// Revocations reach the handler before the partitions are unassigned. Assignments reach it
/// before they are applied, so it can choose where each partition starts
/// (``KafkaConsumer/setStartOffsets(_:)``). The consumer reference is weak because the consumer
/// owns this relay.
final class RebalanceRelay: Sendable {
    struct WeakConsumer: @unchecked Sendable {
        weak var value: KafkaConsumer?
    }

    let handler: KafkaRebalanceHandler?
    let consumer = Mutex(WeakConsumer())
    /// `true` once the group has handed the consumer an assignment, even an empty one.
    let hasReceivedAssignment = Atomic<Bool>(false)
    /// Start offsets the handler set for the assignment being handled, by topic and partition.
    let startOffsets = Mutex<[String: [Int32: Int64]]>([:])
    /// `true` while an assignment is being handled, when ``startOffsets`` may be set.
    let isHandlingAssignment = Atomic<Bool>(false)

    init(handler: KafkaRebalanceHandler?) {
        self.handler = handler
    }

    func handle(
        client: OpaquePointer,
        code: rd_kafka_resp_err_t,
        list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let partitions = RDKafkaPartitionList.read(list)
        let isCooperative = String(cString: rd_kafka_rebalance_protocol(client)) == "COOPERATIVE"
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            hasReceivedAssignment.store(true, ordering: .releasing)
            startOffsets.withLock { $0.removeAll() }
            isHandlingAssignment.store(true, ordering: .relaxed)
            notify(KafkaRebalanceEvent(kind: .assigned, partitions: partitions, isCooperative: isCooperative))
            isHandlingAssignment.store(false, ordering: .relaxed)
            applyStartOffsets(to: list)
            if isCooperative {
                if let error = rd_kafka_incremental_assign(client, list) {
                    rd_kafka_error_destroy(error)
                }
            } else {
                _ = rd_kafka_assign(client, list)
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let kind: KafkaRebalanceEvent.Kind = rd_kafka_assignment_lost(client) != 0 ? .lost : .revoked
            notify(KafkaRebalanceEvent(kind: kind, partitions: partitions, isCooperative: isCooperative))
            if isCooperative {
                if let error = rd_kafka_incremental_unassign(client, list) {
                    rd_kafka_error_destroy(error)
                }
            } else {
                _ = rd_kafka_assign(client, nil)
            }
        default:
            // An error during the rebalance: drop the assignment so the group can recover.
            notify(KafkaRebalanceEvent(kind: .lost, partitions: partitions, isCooperative: isCooperative))
            _ = rd_kafka_assign(client, nil)
        }
    }

    /// Writes the start offsets the handler set into the assignment's list.
    private func applyStartOffsets(to list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let offsets = startOffsets.withLock { offsets in
            defer { offsets.removeAll() }
            return offsets
        }
        guard let list else { return }
        for (topic, partitions) in offsets {
            for (partition, offset) in partitions {
                if let element = rd_kafka_topic_partition_list_find(list, topic, partition) {
                    element.pointee.offset = offset
                }
            }
        }
    }

    private func notify(_ event: KafkaRebalanceEvent) {
        guard let handler, let consumer = consumer.withLock({ $0.value }) else { return }
        handler(event, consumer)
    }
}
