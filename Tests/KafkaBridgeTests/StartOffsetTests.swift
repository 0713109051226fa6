import Synchronization
import Testing

@testable import KafkaBridge

/// The rebalance handler chooses where assigned partitions start, with both assignment protocols.
@Suite struct StartOffsetTests {
    @Test(arguments: [KafkaAssignmentStrategy.cooperativeSticky, .range])
    func assignmentStartsAtChosenOffset(strategy: KafkaAssignmentStrategy) throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("start-offset-\(strategy.rawValue)")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.configuration(cluster))
        for index in 0..<20 {
            try producer.send(topic: topic, partition: KafkaPartition(rawValue: Int32(index % 2)), key: nil, value: [1])
        }
        try producer.flush(timeout: .seconds(10))
        try producer.close(timeout: .seconds(5))

        // Partition 0 starts at offset 7 and partition 1 at the log end. Nothing is committed, so
        // without the handler's offsets both would start at the log start.
        let failures = Recorder<String>()
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.configuration(cluster, group: topic, strategy: strategy),
            rebalanceHandler: { event, consumer in
                guard event.kind == .assigned, !event.partitions.isEmpty else { return }
                do {
                    try consumer.setStartOffsets([
                        KafkaTopicPartition(
                            topic: topic,
                            partition: KafkaPartition(rawValue: 0),
                            offset: KafkaOffset(rawValue: 7)
                        ),
                        KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: 1), offset: .end),
                    ])
                } catch {
                    failures.append("\(error)")
                }
            }
        )
        try consumer.subscribe(topics: [topic])
        let offsets = Recorder<Int64>()
        let gotAll = try KafkaTestSupport.pollUntil(
            [consumer],
            onMessage: { message in
                #expect(message.partition.rawValue == 0, "partition 1 starts at its end and has no new record")
                offsets.append(message.offset.rawValue)
            }
        ) { offsets.values.count >= 3 }
        #expect(gotAll)
        #expect(failures.values.isEmpty)
        #expect(offsets.values == [7, 8, 9])
        #expect(throws: KafkaBridgeError.self) {
            try consumer.setStartOffsets([
                KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: 0), offset: .beginning)
            ])
        }
        try consumer.close()
    }
}
