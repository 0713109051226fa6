import Testing

@testable import KafkaBridge

/// Injected request errors, a broker outage, failed deliveries and fatal errors.
@Suite struct FaultTests {
    /// Reads `topic` from the beginning until `count` records arrived or 30 s passed, and
    /// returns their values.
    static func readAll(_ cluster: MockCluster, topic: String, count: Int) throws -> [KafkaMessage] {
        let consumer = try KafkaConsumer(configuration: KafkaTestSupport.configuration(cluster, group: topic))
        defer { try? consumer.close() }
        try consumer.subscribe(topics: [topic])
        var seen: [KafkaMessage] = []
        _ = try KafkaTestSupport.pollUntil([consumer], onMessage: { seen.append($0) }) { seen.count >= count }
        // One more short poll so duplicates that arrive right after the last record are seen.
        seen += try consumer.pollMessages(maxMessages: 1_000, timeout: .milliseconds(200))
        return seen
    }

    /// Checks that `messages` has every value 0..<count exactly once, in order per partition.
    static func expectExactlyOnce(_ messages: [KafkaMessage], count: Int) {
        let values = messages.compactMap { $0.value.flatMap { Int(String(decoding: $0, as: UTF8.self)) } }
        #expect(values.count == count)
        #expect(Set(values) == Set(0..<count))
        for partitionMessages in Dictionary(grouping: messages, by: \.partition).values {
            let ordered = partitionMessages.compactMap { $0.value.flatMap { Int(String(decoding: $0, as: UTF8.self)) } }
            #expect(ordered == ordered.sorted())
        }
    }

    @Test(arguments: [KafkaResponseError.notLeaderForPartition, .transport, .requestTimedOut])
    func produceErrorsAreRetriedWithoutLossOrDuplicates(error: KafkaResponseError) throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("produce-fault")
        try cluster.createTopic(topic, partitions: 2)
        let reports = Recorder<KafkaDeliveryReport>()
        let producer = try KafkaProducer(
            configuration: KafkaTestSupport.configuration(cluster),
            deliveryHandler: { reports.append($0) }
        )
        cluster.injectRequestErrors(.produce, [error, error, error])
        for index in 0..<100 {
            try producer.send(
                topic: topic,
                key: Array("key-\(index % 7)".utf8),
                value: Array(String(index).utf8),
                context: UInt64(index)
            )
        }
        try producer.close(timeout: .seconds(20))
        #expect(reports.count == 100)
        #expect(reports.values.allSatisfy { $0.error == nil })
        Self.expectExactlyOnce(try Self.readAll(cluster, topic: topic, count: 100), count: 100)
    }

    @Test func fetchErrorsAreRetriedWithoutLossOrDuplicates() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("fetch-fault")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.configuration(cluster))
        for index in 0..<100 {
            try producer.send(topic: topic, key: Array("key-\(index % 7)".utf8), value: Array(String(index).utf8))
        }
        try producer.close(timeout: .seconds(20))

        cluster.injectRequestErrors(.fetch, [.notLeaderForPartition, .transport, .requestTimedOut, .transport])
        Self.expectExactlyOnce(try Self.readAll(cluster, topic: topic, count: 100), count: 100)
    }

    @Test func brokerDownThenUpIsSurvived() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("broker-down")
        try cluster.createTopic(topic, partitions: 2)
        let reports = Recorder<KafkaDeliveryReport>()
        let producer = try KafkaProducer(
            configuration: KafkaTestSupport.configuration(cluster),
            deliveryHandler: { reports.append($0) }
        )
        // Connect first, so the outage hits an established client.
        try producer.send(topic: topic, key: nil, value: Array("0".utf8))
        try producer.flush(timeout: .seconds(10))

        try cluster.setBrokerDown(1)
        for index in 1..<50 {
            try producer.send(topic: topic, key: nil, value: Array(String(index).utf8))
        }
        // While the only broker is down nothing can be delivered.
        #expect(throws: KafkaBridgeError.self) { try producer.flush(timeout: .milliseconds(500)) }
        #expect(producer.queuedCount > 0)

        try cluster.setBrokerUp(1)
        try producer.close(timeout: .seconds(20))
        #expect(reports.count == 50)
        #expect(reports.values.allSatisfy { $0.error == nil })
        Self.expectExactlyOnce(try Self.readAll(cluster, topic: topic, count: 50), count: 50)
    }

    @Test func oversizedRecordIsRejectedForThatRecord() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("oversized")
        var configuration = KafkaTestSupport.configuration(cluster)
        configuration.producer.messageMaxBytes = 10_000
        let producer = try KafkaProducer(configuration: configuration)
        let error = try #require(throws: KafkaBridgeError.self) {
            try producer.send(topic: topic, key: nil, value: [UInt8](repeating: 7, count: 20_000), context: 42)
        }
        #expect(error.rdKafkaCodeName == "MSG_SIZE_TOO_LARGE")
        #expect(error.message.contains(topic))
        // The producer stays usable for other records.
        try producer.send(topic: topic, key: nil, value: [1])
        try producer.close(timeout: .seconds(10))
    }

    @Test func brokerRejectionReachesDeliveryReport() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("rejected")
        try cluster.createTopic(topic, partitions: 1)
        let reports = Recorder<KafkaDeliveryReport>()
        var configuration = KafkaTestSupport.configuration(cluster)
        configuration.producer.enableIdempotence = false
        configuration.producer.acks = 1
        let producer = try KafkaProducer(configuration: configuration, deliveryHandler: { reports.append($0) })
        try producer.send(topic: topic, key: nil, value: [1], context: 1)
        try producer.flush(timeout: .seconds(10))

        // The broker rejects the next produce request as too large: a permanent error.
        cluster.injectRequestErrors(.produce, [KafkaResponseError(rawValue: 10)])
        try producer.send(topic: topic, key: nil, value: [2], context: 2)
        try producer.close(timeout: .seconds(10))

        let failed = try #require(reports.values.first { $0.context == 2 })
        let error = try #require(failed.error)
        #expect(error.code == .delivery)
        #expect(error.rdKafkaCodeName == "MSG_SIZE_TOO_LARGE")
        #expect(error.message.contains("\(topic)[0]"))
        #expect(reports.values.first { $0.context == 1 }?.error == nil)
    }

    @Test func asyncSendThrowsDeliveryFailure() async throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("async-failure")
        try cluster.createTopic(topic, partitions: 1)
        var configuration = KafkaTestSupport.configuration(cluster)
        configuration.producer.messageTimeoutMilliseconds = 1_000
        let producer = try KafkaProducer(configuration: configuration)
        try cluster.setBrokerDown(1)
        await #expect(throws: KafkaBridgeError.self) {
            _ = try await producer.send(topic: topic, key: nil, value: [1])
        }
        try cluster.setBrokerUp(1)
        try producer.close(timeout: .seconds(10))
    }

    @Test func fatalErrorIsReportedAndStopsSends() async throws {
        let cluster = try MockCluster(brokers: 1)
        let errors = Recorder<KafkaBridgeError>()
        let producer = try KafkaProducer(
            configuration: KafkaTestSupport.configuration(cluster),
            errorHandler: { errors.append($0) }
        )
        producer.triggerFatalErrorForTesting(reason: "test fatal error")
        #expect(await KafkaTestSupport.waitUntil { errors.values.contains { $0.isFatal } })
        let fatal = try #require(producer.fatalError)
        #expect(fatal.isFatal)
        #expect(fatal.message.contains("test fatal error"))
        let sendError = try #require(throws: KafkaBridgeError.self) {
            try producer.send(topic: "any", key: nil, value: [1])
        }
        #expect(sendError.isFatal)
        try? producer.close(timeout: .milliseconds(500))
    }
}

@Suite struct BackPressureTests {
    @Test func fullQueueWaitsInsteadOfDropping() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("back-pressure")
        try cluster.createTopic(topic, partitions: 2)
        var configuration = KafkaTestSupport.configuration(cluster)
        configuration.producer.queueBufferingMaxMessages = 10
        let reports = Recorder<KafkaDeliveryReport>()
        let producer = try KafkaProducer(configuration: configuration, deliveryHandler: { reports.append($0) })
        for index in 0..<500 {
            try producer.send(topic: topic, key: nil, value: Array(String(index).utf8), context: UInt64(index))
        }
        try producer.close(timeout: .seconds(20))
        #expect(reports.count == 500)
        #expect(reports.values.allSatisfy { $0.error == nil })
        FaultTests.expectExactlyOnce(try FaultTests.readAll(cluster, topic: topic, count: 500), count: 500)
    }

    @Test func queueFullPastTimeoutThrows() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("queue-full")
        try cluster.createTopic(topic, partitions: 1)
        var configuration = KafkaTestSupport.configuration(cluster)
        configuration.producer.queueBufferingMaxMessages = 5
        let producer = try KafkaProducer(configuration: configuration, queueFullTimeout: .milliseconds(300))
        try cluster.setBrokerDown(1)
        var thrown: KafkaBridgeError?
        for index in 0..<20 where thrown == nil {
            do {
                try producer.send(topic: topic, key: nil, value: [UInt8(index)])
            } catch let error as KafkaBridgeError {
                thrown = error
            }
        }
        let error = try #require(thrown)
        #expect(error.code == .timedOut)
        #expect(error.rdKafkaCodeName == "_QUEUE_FULL")
        #expect(error.message.contains(topic))
        try cluster.setBrokerUp(1)
        try producer.close(timeout: .seconds(20))
    }
}
