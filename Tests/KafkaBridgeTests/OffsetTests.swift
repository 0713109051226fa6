import KafkaBridge
import Testing

/// Commits, committed offsets, positions, seeks, pauses, watermarks and lag on one partition.
@Suite struct OffsetTests {
    /// Starts a one-broker cluster with a one-partition topic holding `count` records whose
    /// values are their indexes as text.
    static func clusterWithRecords(_ count: Int, topic base: String) throws -> (MockCluster, String) {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName(base)
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.configuration(cluster))
        for index in 0..<count {
            try producer.send(topic: topic, key: nil, value: Array(String(index).utf8))
        }
        try producer.close(timeout: .seconds(10))
        return (cluster, topic)
    }

    @Test func commitThenCommittedAndResume() throws {
        let (cluster, topic) = try Self.clusterWithRecords(30, topic: "commit")
        let configuration = KafkaTestSupport.configuration(cluster, group: topic)
        let partition = KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: 0))

        let first = try KafkaConsumer(configuration: configuration)
        try first.subscribe(topics: [topic])
        var seen: [KafkaMessage] = []
        #expect(try KafkaTestSupport.pollUntil([first], onMessage: { seen.append($0) }) { seen.count >= 30 })
        #expect(try first.committed([partition], timeout: .seconds(5)).first?.offset == .invalid)

        // Store then commit the stored offsets: the next offset to read is 20.
        try first.storeOffsets([
            KafkaTopicPartition(topic: topic, partition: partition.partition, offset: KafkaOffset(rawValue: 20))
        ])
        let committed = try first.commit()
        #expect(committed.map(\.offset) == [KafkaOffset(rawValue: 20)])
        #expect(try first.committed([partition], timeout: .seconds(5)).first?.offset == KafkaOffset(rawValue: 20))
        #expect(try first.position([partition]).first?.offset == KafkaOffset(rawValue: 30))
        try first.close()

        // A new member of the group resumes at the committed offset.
        let second = try KafkaConsumer(configuration: configuration)
        try second.subscribe(topics: [topic])
        var resumed: [KafkaMessage] = []
        #expect(try KafkaTestSupport.pollUntil([second], onMessage: { resumed.append($0) }) { resumed.count >= 10 })
        #expect(resumed.first?.offset == KafkaOffset(rawValue: 20))
        #expect(resumed.count == 10)
        try second.close()
    }

    @Test func asyncCommitReportsResult() throws {
        let (cluster, topic) = try Self.clusterWithRecords(5, topic: "commit-async")
        let results = Recorder<Result<[KafkaTopicPartition], KafkaBridgeError>>()
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.configuration(cluster, group: topic),
            commitHandler: { results.append($0) }
        )
        try consumer.subscribe(topics: [topic])
        var seen = 0
        #expect(try KafkaTestSupport.pollUntil([consumer], onMessage: { _ in seen += 1 }) { seen >= 5 })
        try consumer.commitAsync([
            KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: 0), offset: KafkaOffset(rawValue: 5))
        ])
        #expect(try KafkaTestSupport.pollUntil([consumer]) { results.count == 1 })
        let result = try #require(results.values.first)
        let partitions = try result.get()
        #expect(partitions.map(\.offset) == [KafkaOffset(rawValue: 5)])
        try consumer.close()
    }

    @Test func watermarksAndLag() throws {
        let (cluster, topic) = try Self.clusterWithRecords(30, topic: "lag")
        let consumer = try KafkaConsumer(configuration: KafkaTestSupport.configuration(cluster, group: topic))
        let partition = KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: 0), offset: .beginning)
        try consumer.assign([partition])

        let (low, high) = try consumer.queryWatermarkOffsets(
            topic: topic,
            partition: partition.partition,
            timeout: .seconds(5)
        )
        #expect(low == KafkaOffset(rawValue: 0))
        #expect(high == KafkaOffset(rawValue: 30))

        // Before any record is read the lag is the whole partition.
        let before = try consumer.lag(timeout: .seconds(5))
        #expect(before.map(\.lag) == [30])

        var seen = 0
        #expect(try KafkaTestSupport.pollUntil([consumer], onMessage: { _ in seen += 1 }) { seen > 0 })
        let after = try #require(try consumer.lag(timeout: .seconds(5)).first)
        #expect(after.high == KafkaOffset(rawValue: 30))
        #expect(after.position == KafkaOffset(rawValue: Int64(seen)))
        #expect(after.lag == 30 - Int64(seen))
        try consumer.close()
    }

    @Test func cachedHighWatermarkFollowsFetches() throws {
        let (cluster, topic) = try Self.clusterWithRecords(30, topic: "cached-high")
        let consumer = try KafkaConsumer(configuration: KafkaTestSupport.configuration(cluster, group: topic))
        let partition = KafkaPartition(rawValue: 0)
        try consumer.assign([KafkaTopicPartition(topic: topic, partition: partition, offset: .beginning)])

        // A partition the consumer never fetched has no cached value.
        #expect(consumer.cachedHighWatermark(topic: topic, partition: KafkaPartition(rawValue: 5)) == nil)
        #expect(consumer.cachedHighWatermark(topic: topic + "-unknown", partition: partition) == nil)

        var seen = 0
        #expect(try KafkaTestSupport.pollUntil([consumer], onMessage: { _ in seen += 1 }) { seen >= 30 })
        #expect(consumer.cachedHighWatermark(topic: topic, partition: partition) == KafkaOffset(rawValue: 30))

        // New records raise the cached value with the next fetch response, without a request.
        let producer = try KafkaProducer(configuration: KafkaTestSupport.configuration(cluster))
        for index in 30..<35 {
            try producer.send(topic: topic, key: nil, value: Array(String(index).utf8))
        }
        try producer.close(timeout: .seconds(10))
        #expect(
            try KafkaTestSupport.pollUntil([consumer], onMessage: { _ in seen += 1 }) {
                consumer.cachedHighWatermark(topic: topic, partition: partition) == KafkaOffset(rawValue: 35)
            }
        )
        #expect(try KafkaTestSupport.pollUntil([consumer], onMessage: { _ in seen += 1 }) { seen >= 35 })
        try consumer.close()
    }

    @Test func seekRereadsFromOffset() throws {
        let (cluster, topic) = try Self.clusterWithRecords(20, topic: "seek")
        let consumer = try KafkaConsumer(configuration: KafkaTestSupport.configuration(cluster, group: topic))
        let partition = KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: 0), offset: .beginning)
        try consumer.assign([partition])
        var seen: [KafkaMessage] = []
        #expect(try KafkaTestSupport.pollUntil([consumer], onMessage: { seen.append($0) }) { seen.count >= 20 })

        try consumer.seek(
            [KafkaTopicPartition(topic: topic, partition: partition.partition, offset: KafkaOffset(rawValue: 15))],
            timeout: .seconds(5)
        )
        var reread: [KafkaMessage] = []
        #expect(try KafkaTestSupport.pollUntil([consumer], onMessage: { reread.append($0) }) { reread.count >= 5 })
        #expect(reread.map(\.offset.rawValue) == [15, 16, 17, 18, 19])
        #expect(reread.first?.value == Array("15".utf8))
        try consumer.close()
    }

    @Test func pausedPartitionDeliversAfterResume() throws {
        let (cluster, topic) = try Self.clusterWithRecords(10, topic: "pause")
        let consumer = try KafkaConsumer(configuration: KafkaTestSupport.configuration(cluster, group: topic))
        let partition = KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: 0), offset: .beginning)
        try consumer.assign([partition])
        try consumer.pause([partition])
        let whilePaused = try consumer.pollMessages(maxMessages: 100, timeout: .milliseconds(300))
        #expect(whilePaused.isEmpty)
        try consumer.resume([partition])
        var seen = 0
        #expect(try KafkaTestSupport.pollUntil([consumer], onMessage: { _ in seen += 1 }) { seen >= 10 })
        try consumer.close()
    }

    @Test func batchViewsBorrowBytes() throws {
        let (cluster, topic) = try Self.clusterWithRecords(10, topic: "views")
        let consumer = try KafkaConsumer(configuration: KafkaTestSupport.configuration(cluster, group: topic))
        try consumer.assign([
            KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: 0), offset: .beginning)
        ])
        var values: [String] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while values.count < 10, ContinuousClock.now < deadline {
            try consumer.poll(maxMessages: 4, timeout: .milliseconds(100)) { batch in
                #expect(batch.count <= 4)
                #expect(batch.errors.isEmpty)
                for message in batch {
                    #expect(message.key == nil)
                    #expect(!message.isTombstone)
                    values.append(String(decoding: message.value, as: UTF8.self))
                }
            }
        }
        #expect(values == (0..<10).map(String.init))
        try consumer.close()
    }

    @Test func partitionEndIsReportedInBatch() throws {
        let (cluster, topic) = try Self.clusterWithRecords(3, topic: "eof")
        var configuration = KafkaTestSupport.configuration(cluster, group: topic)
        configuration.consumer.enablePartitionEOF = true
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign([
            KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: 0), offset: .beginning)
        ])
        var records = 0
        var ends: [KafkaTopicPartition] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while ends.isEmpty, ContinuousClock.now < deadline {
            try consumer.poll(maxMessages: 10, timeout: .milliseconds(100)) { batch in
                records += batch.count
                ends += batch.partitionEOFs
            }
        }
        try consumer.close()
        #expect(records == 3)
        #expect(ends.first?.topic == topic)
        #expect(ends.first?.offset == KafkaOffset(rawValue: 3))
    }

    @Test func closedConsumerRejectsPoll() throws {
        let cluster = try MockCluster(brokers: 1)
        let consumer = try KafkaConsumer(configuration: KafkaTestSupport.configuration(cluster))
        try consumer.close()
        try consumer.close()
        let error = try #require(throws: KafkaBridgeError.self) {
            try consumer.pollMessages(maxMessages: 1, timeout: .milliseconds(1))
        }
        #expect(error.code == .closed)
    }
}

@Suite struct InputRecordTests {
    @Test func messageViewBecomesInputRecord() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("input-record")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.configuration(cluster))
        try producer.send(topic: topic, key: Array("meme-1".utf8), value: Array("{}".utf8), timestamp: 1_234_567)
        try producer.close(timeout: .seconds(10))

        let consumer = try KafkaConsumer(configuration: KafkaTestSupport.configuration(cluster, group: topic))
        try consumer.assign([
            KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: 0), offset: .beginning)
        ])
        var records: [(partition: Int32, offset: Int64, timestamp: Int64?, key: [UInt8]?, value: [UInt8])] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while records.isEmpty, ContinuousClock.now < deadline {
            try consumer.poll(maxMessages: 10, timeout: .milliseconds(100)) { batch in
                for message in batch {
                    let record = message.inputRecord
                    records.append(
                        (
                            record.partition, record.offset, record.recordTimestamp, record.key.map { Array($0) },
                            Array(record.value)
                        )
                    )
                }
            }
        }
        try consumer.close()
        let record = try #require(records.first)
        #expect(record.partition == 0)
        #expect(record.offset == 0)
        #expect(record.timestamp == 1_234_567)
        #expect(record.key == Array("meme-1".utf8))
        #expect(record.value == Array("{}".utf8))
    }
}
