import KafkaBridge
import Synchronization

/// Shared helpers for tests against the mock cluster.
enum KafkaTestSupport {
    /// Returns a configuration for the mock cluster with settings that make its group protocol fast:
    /// short session and heartbeat, short fetch waits.
    static func configuration(
        _ cluster: MockCluster,
        group: String = "test-group",
        strategy: KafkaAssignmentStrategy = .cooperativeSticky
    ) -> KafkaConfiguration {
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.consumer.groupID = group
        configuration.consumer.sessionTimeoutMilliseconds = 6_000
        configuration.consumer.heartbeatIntervalMilliseconds = 500
        configuration.consumer.fetchWaitMaxMilliseconds = 20
        configuration.consumer.assignmentStrategy = strategy
        configuration.producer.lingerMilliseconds = 1
        configuration.producer.messageTimeoutMilliseconds = 30_000
        return configuration
    }

    /// Returns a unique topic name per test, so tests sharing a process never see each other's data.
    static func topicName(_ base: String) -> String {
        "\(base)-\(counter.add(1, ordering: .relaxed).newValue)"
    }

    private static let counter = Atomic<Int>(0)

    /// Polls `consumers` in turn until `condition` is true or `timeout` passes, and returns the
    /// final value of `condition`. Each poll waits at most 50 ms, so the loop is bounded in time.
    static func pollUntil(
        _ consumers: [KafkaConsumer],
        timeout: Duration = .seconds(30),
        onMessage: (KafkaMessage) -> Void = { _ in },
        _ condition: () throws -> Bool
    ) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            for consumer in consumers {
                for message in try consumer.pollMessages(maxMessages: 500, timeout: .milliseconds(50)) {
                    onMessage(message)
                }
            }
        }
        return try condition()
    }

    /// Waits, without a fixed sleep, until `condition` is true or `timeout` passes.
    static func waitUntil(timeout: Duration = .seconds(30), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}

/// A thread-safe collection of values that callbacks append to.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func append(_ value: Value) {
        storage.withLock { $0.append(value) }
    }

    var values: [Value] { storage.withLock { $0 } }
    var count: Int { storage.withLock { $0.count } }
}
