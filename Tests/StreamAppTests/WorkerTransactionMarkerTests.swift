import Foundation
import KafkaBridge
import StreamCore
import Testing

/// An input log whose transactions end in commit markers, as a transactional producer writes it.
@Suite(.serialized) struct WorkerTransactionMarkerTests {
    /// A checkpoint taken after the last record points at the marker that follows it. After a
    /// restart the first record comes after the marker, and the worker used to log "input records
    /// are missing" at error level on every restart, though nothing was missing.
    @Test func restartAfterMarkerReportsNothingMissing() throws {
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        let base: Int64 = 1_700_000_000_000
        func events(_ range: Range<Int>) -> [(partition: Int32, key: String?, value: [UInt8]?, timestamp: Int64?)] {
            range.map { index in
                let time = base + Int64(index) * 1_000
                return (
                    0, "m\(index % 3)", Array(#"{"meme_id":"m\#(index % 3)","type":"view","ts":\#(time)}"#.utf8), time
                )
            }
        }
        try cluster.produce(events(0..<20))
        try TransactionMarkerWriter.appendCommitMarker(
            address: cluster.bootstrapServers,
            topic: WorkerTestCluster.input,
            partition: 0,
            timestamp: base + 20_000
        )
        let directory = makeTestDirectory("worker-marker")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // Offsets 0 to 19 hold records and 20 the marker; the checkpoint's next offset is 20.
        try runUntilCheckpointed(cluster, directory: directory, offset: 20, logName: "first.log")
        try cluster.produce(events(20..<30))
        let log = try runUntilCheckpointed(cluster, directory: directory, offset: 31, logName: "second.log")
        #expect(!log.contains("input records are missing"), "\(log.suffix(3_000))")
        // The restart reads the last record before the marker again (offset 19) to compare it with
        // the checkpoint, so it reaches the marker in order, as a live worker does.
        #expect(
            log.contains("the record before the checkpoint's offset matches the checkpoint"),
            "\(log.suffix(3_000))"
        )
    }

    /// Runs a worker until partition 0's checkpoint reaches `offset`, stops it with SIGTERM and
    /// returns its log.
    @discardableResult
    private func runUntilCheckpointed(
        _ cluster: WorkerTestCluster,
        directory: String,
        offset: Int64,
        logName: String
    ) throws -> String {
        let worker = try WorkerProcess(
            arguments: WorkerProcess.standardArguments(
                bootstrap: cluster.bootstrapServers,
                checkpointDirectory: directory
            ),
            logPath: directory + "/" + logName
        )
        let done = waitUntil(timeout: .seconds(60)) {
            !worker.isRunning || checkpointedOffsets(directory: directory, partitions: 1)[0] == offset
        }
        try #require(done && worker.isRunning, "checkpoint did not reach \(offset): \(worker.log.suffix(3_000))")
        worker.kill(signal: SIGTERM)
        #expect(worker.waitForExit(timeout: .seconds(30)) == 0)
        return worker.log
    }
}
