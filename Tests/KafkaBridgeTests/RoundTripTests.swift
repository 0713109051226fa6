import KafkaBridge
import Testing

@Suite(.serialized) struct RoundTripTests {
    @Test func producedRecordsComeBackWithKeysHeadersAndTimestamps() async throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("round-trip")
        try cluster.createTopic(topic, partitions: 2)
        let configuration = KafkaTestSupport.configuration(cluster)

        let reports = Recorder<KafkaDeliveryReport>()
        let producer = try KafkaProducer(configuration: configuration, deliveryHandler: { reports.append($0) })
        let baseTime: Int64 = 1_700_000_000_000
        for index in 0..<20 {
            try producer.send(
                topic: topic,
                key: Array("meme-\(index % 5)".utf8),
                value: Array("value-\(index)".utf8),
                headers: [
                    KafkaHeader(name: "source", value: Array("test".utf8)), KafkaHeader(name: "empty", value: nil),
                ],
                timestamp: baseTime + Int64(index),
                context: UInt64(index)
            )
        }
        try producer.flush(timeout: .seconds(10))
        #expect(reports.count == 20)
        #expect(reports.values.allSatisfy { $0.error == nil })
        #expect(Set(reports.values.map(\.context)) == Set(0..<20))

        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe(topics: [topic])
        var received: [KafkaMessage] = []
        let done = try KafkaTestSupport.pollUntil([consumer], onMessage: { received.append($0) }) {
            received.count >= 20
        }
        #expect(done)
        try consumer.close()

        #expect(received.count == 20)
        for message in received {
            let text = String(decoding: message.value ?? [], as: UTF8.self)
            let index = try #require(Int(text.dropFirst("value-".count)))
            #expect(message.key == Array("meme-\(index % 5)".utf8))
            #expect(message.timestamp == KafkaTimestamp(milliseconds: baseTime + Int64(index), kind: .createTime))
            #expect(message.headers.count == 2)
            #expect(message.headers.first == KafkaHeader(name: "source", value: Array("test".utf8)))
            #expect(message.headers.last == KafkaHeader(name: "empty", value: nil))
            #expect(message.topic == topic)
        }
        // Keyed records land on one partition per key, in the order they were sent.
        let byKey = Dictionary(grouping: received, by: { $0.key ?? [] })
        for (_, messages) in byKey {
            #expect(Set(messages.map(\.partition)).count == 1)
            #expect(messages.map(\.offset) == messages.map(\.offset).sorted())
        }
    }

    @Test func asyncSendReturnsDeliveryReport() async throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("async-send")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.configuration(cluster))
        let first = try await producer.send(topic: topic, key: nil, value: Array("a".utf8))
        let second = try await producer.send(topic: topic, partition: KafkaPartition(rawValue: 0), key: nil, value: nil)
        #expect(first.topic == topic)
        #expect(first.offset == KafkaOffset(rawValue: 0))
        #expect(second.offset == KafkaOffset(rawValue: 1))
        #expect(first.error == nil)
        try producer.close(timeout: .seconds(5))
    }
}

@Suite struct ProducerLifecycleTests {
    @Test func closedProducerRejectsSend() throws {
        let cluster = try MockCluster(brokers: 1)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.configuration(cluster))
        try producer.close(timeout: .seconds(5))
        let error = try #require(throws: KafkaBridgeError.self) {
            try producer.send(topic: "closed", key: nil, value: [1])
        }
        #expect(error.code == .closed)
        #expect(error.message.contains("closed[unassigned]"))
    }
}
