import KafkaBridge
import StreamCore
import Synchronization

/// ``WorkerProducer`` over KafkaBridge's producer. Delivery reports arrive on the producer's
/// poll thread; the first failure is kept and thrown by the next ``flush(timeoutMilliseconds:)``.
final class KafkaWorkerProducer: WorkerProducer {
    let producer: KafkaProducer
    private let failures = DeliveryFailures()

    init(configuration: KafkaConfiguration) throws {
        let failures = self.failures
        producer = try KafkaProducer(
            configuration: configuration,
            deliveryHandler: { report in
                guard let error = report.error else { return }
                failures.record("delivery to \(report.topic)[\(report.partition)] failed: \(errorText(error))")
            }
        )
    }

    func produce(_ record: OutgoingRecord) throws {
        do {
            try producer.send(
                topic: record.topic,
                key: record.key,
                value: record.value,
                headers: record.headers,
                timestamp: record.timestamp,
                context: 1
            )
        } catch {
            throw DeliveryFailure.rejected(
                topic: record.topic,
                key: record.key.map { Array($0) },
                valueBytes: record.value?.count ?? 0,
                reason: errorText(error),
                isRecordTooLarge: (error as? KafkaBridgeError)?.rdKafkaCodeName == "MSG_SIZE_TOO_LARGE"
            )
        }
    }

    func poll() {}

    func prepare(topics: [String], timeoutMilliseconds: Int) throws {
        try producer.loadMetadata(topics: topics, timeout: .milliseconds(timeoutMilliseconds))
    }

    func flush(timeoutMilliseconds: Int) throws {
        try producer.flush(timeout: .milliseconds(timeoutMilliseconds))
        if let (count, first) = failures.summary() {
            throw DeliveryFailure(
                description: "\(count) output records were not delivered (first: \(first)); "
                    + "nothing was committed past them"
            )
        }
    }
}

/// Failed delivery reports, written by the producer's poll thread and read by the worker thread.
private final class DeliveryFailures: Sendable {
    private let state = Mutex<(count: Int, first: String?)>((0, nil))

    func record(_ description: String) {
        state.withLock { state in
            state.count += 1
            if state.first == nil { state.first = description }
        }
    }

    /// Returns the failure count and the first failure, or `nil` when every delivery succeeded.
    func summary() -> (count: Int, first: String)? {
        state.withLock { state in state.first.map { (state.count, $0) } }
    }
}
