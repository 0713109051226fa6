import Foundation
import KafkaBridge
import StreamCore
import Testing

@Suite(.serialized) struct WorkerOtherClusterTests {
    /// A checkpoint written against another cluster stops the worker with an error naming the
    /// partition and both cluster ids, as when a new dev cluster meets an old checkpoint
    /// directory. The worker must neither skip the new records nor add them to the old state.
    /// (A topic recreated in the same cluster is caught when its log restarts below the
    /// checkpoint, `WorkerLoopTests.checkpointPastLogEndStopsAtFirstRecord`, or when the record
    /// before the checkpoint's offset differs,
    /// `WorkerLoopTests.recreatedTopicIsRejected`.)
    @Test func checkpointOfAnotherClusterStopsWorker() throws {
        let directory = makeTestDirectory("worker-recreated")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let (first, worker) = try Self.startWorker(events: 5, directory: directory, logName: "first.log")
        let checkpointed = waitUntil(timeout: .seconds(60)) {
            !worker.isRunning || checkpointedOffsets(directory: directory, partitions: 1)[0] == 5
        }
        try #require(checkpointed && worker.isRunning, "no checkpoint at offset 5: \(worker.log.suffix(3_000))")
        worker.kill(signal: SIGTERM)
        #expect(worker.waitForExit(timeout: .seconds(30)) == 0)

        let (second, restarted) = try Self.startWorker(events: 2, directory: directory, logName: "second.log")
        let status = restarted.waitForExit(timeout: .seconds(60))
        let log = restarted.log
        #expect(status == 2, "exit status \(String(describing: status)): \(log.suffix(3_000))")
        #expect(log.contains("it was written against Kafka cluster mockCluster"), "\(log.suffix(3_000))")
        #expect(log.contains("partition memestream/memes.events/0"), "\(log.suffix(3_000))")
        #expect(log.contains("/memes.events/0.ckpt"), "the message names the checkpoint file: \(log.suffix(3_000))")
        #expect(log.contains("empty the checkpoint store"), "\(log.suffix(3_000))")
        #expect(checkpointedOffsets(directory: directory, partitions: 1)[0] == 5)
        // Also keeps both clusters alive until their workers have stopped.
        #expect(first.bootstrapServers != second.bootstrapServers)
    }

    /// Starts a fresh one-partition cluster holding `events` views of one meme, one second apart,
    /// and a worker on it. The cluster must stay referenced while the worker runs.
    private static func startWorker(
        events: Int,
        directory: String,
        logName: String
    ) throws -> (WorkerTestCluster, WorkerProcess) {
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        try cluster.produce(Self.events(events))
        let worker = try WorkerProcess(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory,
            logName: logName
        )
        return (cluster, worker)
    }

    /// `count` views of one meme on partition 0, one second apart.
    private static func events(_ count: Int) -> [(partition: Int32, key: String?, value: [UInt8], timestamp: Int64?)] {
        let base: Int64 = 1_700_000_000_000
        return (0..<count).map { index in
            let ts = base + Int64(index) * 1_000
            return (0, "m1", Array(#"{"meme_id":"m1","type":"view","ts":\#(ts)}"#.utf8), ts)
        }
    }
}
