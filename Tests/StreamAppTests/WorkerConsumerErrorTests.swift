import Foundation
import KafkaBridge
import StreamCore
import Testing

@testable import StreamApp

/// A rebalance handler that accepts every change.
private final class AcceptingHandler: WorkerRebalanceHandler {
    func partitionsAssigned(_ partitions: [Int32]) throws {}
    func partitionsRevoked(_ partitions: [Int32]) throws {}
    func partitionsLost(_ partitions: [Int32]) {}
}

@Suite struct WorkerConsumerErrorTests {
    /// With the brokers down, librdkafka reports the failure through its error callback, not in
    /// fetched batches. The count behind `memestream_consume_errors_total` used to stay at 0, so
    /// the documented outage alert could never fire.
    @Test func unreachableBrokersCountAsConsumeErrors() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("events", partitions: 1)
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.consumer.groupID = "error-count"
        let consumer = try KafkaWorkerConsumer(configuration: configuration, topic: "events", logger: .discarding)
        let handler = AcceptingHandler()
        try consumer.poll(maxRecords: 10, timeoutMilliseconds: 200, handler: handler) { _ in }
        try cluster.setBrokerDown(1)
        // Poll for at most 30 s until the client reports the broken connection.
        let deadline = ContinuousClock.now + .seconds(30)
        while consumer.consumeErrorCount == 0, ContinuousClock.now < deadline {
            try consumer.poll(maxRecords: 10, timeoutMilliseconds: 200, handler: handler) { _ in }
        }
        #expect(consumer.consumeErrorCount > 0)
        try cluster.setBrokerUp(1)
        try consumer.close(handler: handler)
    }
}
