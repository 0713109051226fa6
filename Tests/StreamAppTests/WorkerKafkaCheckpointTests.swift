import Foundation
import KafkaBridge
import StreamCore
import Testing

@testable import StreamApp

@Suite(.serialized) struct WorkerKafkaCheckpointTests {
    static func checkpoint(partition: Int32, offset: Int64, size: Int) -> Checkpoint {
        var random = SplitMix64(seed: UInt64(offset))
        return Checkpoint(
            key: CheckpointKey(group: "memestream", topic: "memes.events", partition: partition),
            nextOffset: offset,
            maxEventTime: EventTime(rawValue: 1_700_000_000_000 + offset),
            lastTick: EventTime(rawValue: 1_700_000_000_000),
            createdAtMilliseconds: 0,
            state: (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
        )
    }

    /// Checkpoints larger than `message.max.bytes` are chunked into the topic, and a store that
    /// starts fresh (a restarted worker) reads back the latest one per partition.
    @Test func chunkedSnapshotsRoundTrip() throws {
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.producer.messageMaxBytes = 4_096
        let writer = ChunkedCheckpointStore(
            log: try KafkaCheckpointLog(topic: WorkerTestCluster.checkpoints, configuration: configuration)
        )
        #expect(try writer.load(Self.checkpoint(partition: 0, offset: 0, size: 0).key) == nil)
        try writer.save(Self.checkpoint(partition: 0, offset: 10, size: 20_000))
        try writer.save(Self.checkpoint(partition: 1, offset: 5, size: 100))
        try writer.save(Self.checkpoint(partition: 0, offset: 20, size: 30_000))

        let reader = ChunkedCheckpointStore(
            log: try KafkaCheckpointLog(topic: WorkerTestCluster.checkpoints, configuration: configuration)
        )
        #expect(
            try reader.load(Self.checkpoint(partition: 0, offset: 0, size: 0).key)
                == Self.checkpoint(partition: 0, offset: 20, size: 30_000)
        )
        #expect(
            try reader.load(Self.checkpoint(partition: 1, offset: 0, size: 0).key)
                == Self.checkpoint(partition: 1, offset: 5, size: 100)
        )
        #expect(try reader.load(Self.checkpoint(partition: 2, offset: 0, size: 0).key) == nil)
    }

    /// A tombstone produced on a checkpoint's manifest key (`group/topic/partition`) deletes the
    /// checkpoint: a store that starts fresh finds none, while other keys keep theirs.
    @Test func manifestTombstoneDeletesCheckpoint() async throws {
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        let topic = "memestream.checkpoints.deleted"
        try cluster.cluster.createTopic(topic, partitions: 4)
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.producer.messageMaxBytes = 4_096
        configuration.producer.partitioner = "murmur2_random"
        let writer = ChunkedCheckpointStore(log: try KafkaCheckpointLog(topic: topic, configuration: configuration))
        let deleted = Self.checkpoint(partition: 0, offset: 10, size: 6_000)
        let untouched = Self.checkpoint(partition: 1, offset: 11, size: 6_000)
        try writer.save(deleted)
        try writer.save(untouched)

        let producer = try KafkaProducer(configuration: configuration)
        defer { try? producer.close(timeout: .seconds(10)) }
        let report = try await producer.send(topic: topic, key: Array(deleted.key.description.utf8), value: nil)
        #expect(report.error == nil)

        let reader = ChunkedCheckpointStore(log: try KafkaCheckpointLog(topic: topic, configuration: configuration))
        #expect(try reader.load(deleted.key) == nil)
        #expect(try reader.load(untouched.key) == untouched)
    }

    /// Each checkpoint key's chunks and manifests go to one partition: the one librdkafka's
    /// `murmur2_random` partitioner (Kafka's default key hashing) picks for the manifest key.
    @Test func recordsSpreadByKey() async throws {
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        let topic = "memestream.checkpoints.spread"
        let referenceTopic = "memestream.partitioner.reference"
        try cluster.cluster.createTopic(topic, partitions: 4)
        try cluster.cluster.createTopic(referenceTopic, partitions: 4)
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.producer.messageMaxBytes = 4_096
        configuration.producer.partitioner = "murmur2_random"
        let writer = ChunkedCheckpointStore(log: try KafkaCheckpointLog(topic: topic, configuration: configuration))
        let checkpoints = (0..<8).map { Self.checkpoint(partition: Int32($0), offset: 10 + Int64($0), size: 6_000) }
        for checkpoint in checkpoints {
            try writer.save(checkpoint)
        }

        let reference = try KafkaProducer(configuration: configuration)
        defer { try? reference.close(timeout: .seconds(10)) }
        let records = try cluster.readAll(topic, partitions: 4)
        var usedPartitions: Set<Int32> = []
        for checkpoint in checkpoints {
            let base = checkpoint.key.description
            let report = try await reference.send(topic: referenceTopic, key: Array(base.utf8), value: [])
            let expected = report.partition.rawValue
            #expect(KafkaCheckpointLog.partition(for: checkpoint.key, partitionCount: 4) == expected)
            let own = records.filter { message in
                let key = String(decoding: message.key ?? [], as: UTF8.self)
                return key == base || key.hasPrefix(base + "#")
            }
            // Two or more chunks and one manifest per checkpoint.
            #expect(own.count >= 3, "\(base)")
            #expect(own.allSatisfy { $0.partition.rawValue == expected }, "\(base)")
            usedPartitions.insert(expected)
        }
        #expect(usedPartitions.count > 1)

        let reader = ChunkedCheckpointStore(log: try KafkaCheckpointLog(topic: topic, configuration: configuration))
        for checkpoint in checkpoints {
            #expect(try reader.load(checkpoint.key) == checkpoint)
        }
    }

    /// Checkpoints written by versions that put every record in partition 0 still restore, and a
    /// newer checkpoint in the key's own partition wins over them.
    @Test func restoreFallsBackToPartitionZero() throws {
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        let legacyTopic = "memestream.checkpoints.legacy"
        let topic = "memestream.checkpoints.spread"
        try cluster.cluster.createTopic(legacyTopic, partitions: 1)
        try cluster.cluster.createTopic(topic, partitions: 4)
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.producer.messageMaxBytes = 4_096
        let inputPartition = try #require(
            (0..<Int32(16)).first { partition in
                let key = Self.checkpoint(partition: partition, offset: 0, size: 0).key
                return KafkaCheckpointLog.partition(for: key, partitionCount: 4) != 0
            }
        )
        let old = Self.checkpoint(partition: inputPartition, offset: 7, size: 10_000)
        let legacyWriter = ChunkedCheckpointStore(
            log: try KafkaCheckpointLog(topic: legacyTopic, configuration: configuration)
        )
        try legacyWriter.save(old)
        // The old layout: the same records in partition 0 of the (now wider) checkpoint topic.
        let copier = try KafkaProducer(configuration: configuration)
        for message in try cluster.readAll(legacyTopic, partitions: 1) {
            try copier.send(
                topic: topic,
                partition: KafkaPartition(rawValue: 0),
                key: message.key,
                value: message.value
            )
        }
        try copier.close(timeout: .seconds(10))

        let reader = ChunkedCheckpointStore(log: try KafkaCheckpointLog(topic: topic, configuration: configuration))
        #expect(try reader.load(old.key) == old)

        let newer = Self.checkpoint(partition: inputPartition, offset: 9, size: 10_000)
        try reader.save(newer)
        let restarted = ChunkedCheckpointStore(log: try KafkaCheckpointLog(topic: topic, configuration: configuration))
        #expect(try restarted.load(newer.key) == newer)
    }
}
