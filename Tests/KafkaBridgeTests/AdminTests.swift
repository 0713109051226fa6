import KafkaBridge
import Testing

@Suite struct AdminTests {
    @Test func metadataDescribesClusterAndTopics() throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = KafkaTestSupport.topicName("described")
        try cluster.createTopic(topic, partitions: 5, replicationFactor: 2)
        let admin = try KafkaAdmin(configuration: KafkaTestSupport.configuration(cluster))

        let description = try admin.describeCluster(timeout: .seconds(10))
        #expect(description.brokers.map(\.id) == [1, 2, 3])
        #expect(description.brokers.allSatisfy { $0.host == "127.0.0.1" })

        let topics = try admin.describeTopics([topic], timeout: .seconds(10))
        let described = try #require(topics.first)
        #expect(described.name == topic)
        #expect(described.partitions.map(\.partition.rawValue) == [0, 1, 2, 3, 4])
        #expect(described.partitions.allSatisfy { $0.replicas.contains($0.leader) }, "\(described.partitions)")
        #expect(described.partitions.allSatisfy { (1...3).contains($0.leader) })

        #expect(try admin.partitionCount(topic: topic, timeout: .seconds(10)) == 5)
        #expect(try admin.partitionCount(topic: "no-such-topic", timeout: .seconds(10)) == nil)
    }

    @Test func createTopicsFailsFastWithoutController() throws {
        let cluster = try MockCluster(brokers: 1)
        let admin = try KafkaAdmin(configuration: KafkaTestSupport.configuration(cluster))
        let topic = KafkaNewTopic(
            name: KafkaTestSupport.topicName("features"),
            partitions: 3,
            replicationFactor: 1,
            configs: ["cleanup.policy": "compact"]
        )
        let started = ContinuousClock.now
        let error = try #require(throws: KafkaBridgeError.self) {
            try admin.createTopics([topic], timeout: .seconds(2))
        }
        // The call is bounded by its timeout plus the one-second margin, never a hang.
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(error.code == .timedOut)
        #expect(error.message.contains("CreateTopics"))
        #expect(error.message.contains(topic.name))
    }

    @Test func describeTopicConfigsFailsFastWithoutController() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("configs")
        try cluster.createTopic(topic, partitions: 1)
        let admin = try KafkaAdmin(configuration: KafkaTestSupport.configuration(cluster))
        let error = try #require(throws: KafkaBridgeError.self) {
            try admin.describeTopicConfigs(topic, timeout: .seconds(2))
        }
        #expect(error.message.contains(topic))
    }
}
