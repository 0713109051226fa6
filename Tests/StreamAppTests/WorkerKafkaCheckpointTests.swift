import Foundation
import KafkaBridge
import StreamCore
import Testing

@testable import StreamApp

@Suite(.serialized) struct WorkerKafkaCheckpointTests {
    static func checkpoint(partition: Int32, offset: Int64, size: Int) -> Checkpoint {
        var random = SeededGenerator(state: UInt64(offset))
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
}
