import CRdKafka
import Foundation
import Synchronization

/// Turns librdkafka delivery reports into ``KafkaDeliveryReport``s.
///
/// The per-record opaque pointer is tagged: an odd value carries a caller context shifted left
/// by one (for the delivery handler), an even value is a retained ``DeliveryContinuationBox``
/// (for the async send). Object pointers are aligned, so their low bit is always 0.
final class DeliveryRelay: Sendable {
    let handler: KafkaDeliveryHandler?
    /// The last topic handle and its name, so consecutive reports for one topic share a string.
    private let topicCache = Mutex<(handle: OpaquePointer?, name: String)>((nil, ""))

    init(handler: KafkaDeliveryHandler?) {
        self.handler = handler
    }

    func deliver(_ message: UnsafePointer<rd_kafka_message_t>) {
        let opaque = message.pointee._private
        let bits = UInt(bitPattern: opaque)
        if bits != 0, bits & 1 == 0 {
            let box = Unmanaged<DeliveryContinuationBox>.fromOpaque(opaque!).takeRetainedValue()
            box.continuation?.resume(returning: report(message, context: 0))
            return
        }
        guard let handler else { return }
        handler(report(message, context: UInt64(bits >> 1)))
    }

    private func report(_ message: UnsafePointer<rd_kafka_message_t>, context: UInt64) -> KafkaDeliveryReport {
        let topic = topicName(message.pointee.rkt)
        let partition = KafkaPartition(rawValue: max(message.pointee.partition, -1))
        let code = message.pointee.err
        var error: KafkaBridgeError?
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            error = .kafka(
                code,
                "delivery of record with context \(context) to \(topic)[\(partition)] failed",
                code: .delivery
            )
        }
        return KafkaDeliveryReport(
            topic: topic,
            partition: partition,
            offset: error == nil ? KafkaOffset(rawValue: message.pointee.offset) : .invalid,
            timestamp: KafkaTimestamp.of(message),
            context: context,
            error: error
        )
    }

    private func topicName(_ handle: OpaquePointer?) -> String {
        guard let handle else { return "?" }
        return topicCache.withLock { cache in
            if cache.handle != handle {
                cache = (handle, String(cString: rd_kafka_topic_name(handle)))
            }
            return cache.name
        }
    }
}

/// The continuation of one async send, retained through librdkafka's per-record opaque.
final class DeliveryContinuationBox: @unchecked Sendable {
    /// Set once before the record is enqueued and resumed once by the delivery report.
    var continuation: CheckedContinuation<KafkaDeliveryReport, any Error>?
}

/// A thread that serves a client's main queue with `rd_kafka_poll` until stopped.
///
/// Each poll waits at most 100 ms, so ``stop()`` returns within about that time. The thread
/// keeps a reference to the poller (and so the client) until it exits.
final class BackgroundPoller: Sendable {
    private let running = Atomic<Bool>(true)
    private let exited = DispatchSemaphore(value: 0)
    private let client: RDKafkaClient

    init(client: RDKafkaClient) {
        self.client = client
        let thread = Thread { [self] in
            while running.load(ordering: .acquiring) {
                rd_kafka_poll(client.handle, 100)
            }
            exited.signal()
        }
        thread.name = "kafka-poll"
        thread.start()
    }

    /// Stops the thread and waits up to 5 s for it to exit. Later calls return at once.
    func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        _ = exited.wait(timeout: .now() + 5)
    }
}
