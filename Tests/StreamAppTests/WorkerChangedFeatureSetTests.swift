import Foundation
import KafkaBridge
import StreamCore
import Testing

@Suite(.serialized) struct WorkerChangedFeatureSetTests {
    /// A worker restarted with a feature set whose hop changed while its name and version stayed
    /// the same stops at the partition's checkpoint, names both definition digests and leaves the
    /// checkpoint as it is.
    @Test func changedHopUnderSameVersionStopsWorker() throws {
        let directory = makeTestDirectory("worker-changed-set")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let original = directory + "/set.json"
        let changed = directory + "/changed.json"
        try Self.featureSet(hopMilliseconds: 10_000).write(toFile: original, atomically: true, encoding: .utf8)
        try Self.featureSet(hopMilliseconds: 20_000).write(toFile: changed, atomically: true, encoding: .utf8)

        let cluster = try WorkerTestCluster(inputPartitions: 1)
        try cluster.produce(Self.events(5))
        let worker = try WorkerProcess(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory,
            logName: "first.log",
            extraArguments: ["--feature-set", original]
        )
        let checkpointed = waitUntil(timeout: .seconds(60)) {
            !worker.isRunning || checkpointedOffsets(directory: directory, partitions: 1)[0] == 5
        }
        try #require(checkpointed && worker.isRunning, "no checkpoint at offset 5: \(worker.log.suffix(3_000))")
        worker.kill(signal: SIGTERM)
        #expect(worker.waitForExit(timeout: .seconds(30)) == 0)

        let restarted = try WorkerProcess(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory,
            logName: "second.log",
            extraArguments: ["--feature-set", changed]
        )
        try cluster.produce(Self.events(1, from: 5))
        let status = restarted.waitForExit(timeout: .seconds(60))
        let log = restarted.log
        #expect(status == 2, "exit status \(String(describing: status)): \(log.suffix(3_000))")
        #expect(log.contains("another definition of feature set hop_test version 1"), "\(log.suffix(3_000))")
        #expect(log.contains("the running definition's is"), "\(log.suffix(3_000))")
        #expect(log.contains("the checkpoint is left as it is"), "\(log.suffix(3_000))")
        #expect(log.contains("a new version and a new --group"), "\(log.suffix(3_000))")
        #expect(checkpointedOffsets(directory: directory, partitions: 1)[0] == 5)
    }

    private static func featureSet(hopMilliseconds: Int) -> String {
        #"{"name": "hop_test", "version": 1, "features": [{"name": "views", "kind": "window", "#
            + #""aggregator": "count", "size_ms": 60000, "hop_ms": \#(hopMilliseconds)}]}"#
    }

    /// `count` views of one meme on partition 0, one second apart, from event `first` on.
    private static func events(
        _ count: Int,
        from first: Int = 0
    ) -> [(partition: Int32, key: String?, value: [UInt8], timestamp: Int64?)] {
        let base: Int64 = 1_700_000_000_000
        return (first..<first + count).map { index in
            let ts = base + Int64(index) * 1_000
            return (0, "m1", Array(#"{"meme_id":"m1","type":"view","ts":\#(ts)}"#.utf8), ts)
        }
    }
}
