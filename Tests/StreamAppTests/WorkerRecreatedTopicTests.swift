import Foundation
import KafkaBridge
import StreamCore
import Testing

@Suite(.serialized) struct WorkerRecreatedTopicTests {
    /// A checkpoint from an earlier log of the input topic (here: a fresh cluster with a shorter
    /// log, as after recreating the topic) stops the worker with an error naming the partition,
    /// instead of skipping the new log's records or mixing them into the old state.
    @Test func checkpointAheadOfLogStopsWorker() throws {
        let base: Int64 = 1_700_000_000_000
        func events(_ count: Int) -> [(partition: Int32, key: String?, value: [UInt8], timestamp: Int64?)] {
            (0..<count).map { index in
                let ts = base + Int64(index) * 1_000
                return (0, "m1", Array(#"{"meme_id":"m1","type":"view","ts":\#(ts)}"#.utf8), ts)
            }
        }
        let directory = makeTestDirectory("worker-recreated")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let first = try WorkerTestCluster(inputPartitions: 1)
        try first.produce(events(5))
        let worker = try WorkerProcess(
            arguments: WorkerProcess.standardArguments(
                bootstrap: first.bootstrapServers,
                checkpointDirectory: directory
            ),
            logPath: directory + "/first.log"
        )
        let checkpointed = waitUntil(timeout: .seconds(60)) {
            !worker.isRunning || checkpointedOffsets(directory: directory, partitions: 1)[0] == 5
        }
        try #require(checkpointed && worker.isRunning, "no checkpoint at offset 5: \(worker.log.suffix(3_000))")
        worker.kill(signal: SIGTERM)
        #expect(worker.waitForExit(timeout: .seconds(30)) == 0)

        let second = try WorkerTestCluster(inputPartitions: 1)
        try second.produce(events(2))
        let restarted = try WorkerProcess(
            arguments: WorkerProcess.standardArguments(
                bootstrap: second.bootstrapServers,
                checkpointDirectory: directory
            ),
            logPath: directory + "/second.log"
        )
        let status = restarted.waitForExit(timeout: .seconds(60))
        let log = restarted.log
        #expect(status == 1, "exit status \(String(describing: status)): \(log.suffix(3_000))")
        #expect(log.contains("restarts below it"), "\(log.suffix(3_000))")
        #expect(log.contains("partition memestream/memes.events/0"), "\(log.suffix(3_000))")
        #expect(checkpointedOffsets(directory: directory, partitions: 1)[0] == 5)
    }
}
