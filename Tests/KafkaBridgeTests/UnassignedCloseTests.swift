import Testing

@testable import KafkaBridge

/// librdkafka before 2.3.0 aborts when it destroys a cooperative-sticky consumer that never
/// received an assignment; such a consumer keeps its closed handle instead.
@Suite struct UnassignedCloseTests {
    @Test func closingBeforeAnyAssignmentDoesNotAbort() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("unassigned-close")
        try cluster.createTopic(topic, partitions: 2)
        let configuration = KafkaTestSupport.configuration(cluster, group: topic, strategy: .cooperativeSticky)

        // A member that owns the partitions.
        let owner = try KafkaConsumer(configuration: configuration)
        try owner.subscribe(topics: [topic])
        #expect(try KafkaTestSupport.pollUntil([owner]) { (try? owner.assignment().count) == 2 })
        #expect(!owner.destroyWouldAbort)

        // A member that joins, waits in the rebalance the mock delays, and closes before it gets
        // an assignment; another that closes right after subscribing.
        let joining = try KafkaConsumer(configuration: configuration)
        try joining.subscribe(topics: [topic])
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            try owner.poll(maxMessages: 10, timeout: .milliseconds(50)) { _ in }
            try joining.poll(maxMessages: 10, timeout: .milliseconds(50)) { _ in }
        }
        let hadAssignment = !joining.destroyWouldAbort
        try joining.close()
        let immediate = try KafkaConsumer(configuration: configuration)
        try immediate.subscribe(topics: [topic])
        #expect(immediate.destroyWouldAbort == Self.versionHasAssertion)
        try immediate.close()
        try owner.close()
        // Reaching this line means no destroy aborted the process.
        #expect(hadAssignment || joining.destroyWouldAbort == Self.versionHasAssertion)
    }

    private static var versionHasAssertion: Bool {
        KafkaConsumer.librdkafkaVersion < KafkaConsumer.fixedAssignorStateVersion
    }
}
