import Foundation
import KafkaBridge
import StreamCore
import Testing

@Suite(.serialized) struct WorkerConformanceTests {
    /// The mixed-hour case produced to partition 0 of the input topic: the feature topic ends up
    /// with exactly the case's expected records, with the engine on the polling thread and on lanes.
    @Test(arguments: [0, 2])
    func mixedHourMatchesExpected(engineThreads: Int) throws {
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        let input = try ConformanceCase.lines("mixed-hour", "input.jsonl")
        let expected = try ConformanceCase.lines("mixed-hour", "expected.jsonl")
        try cluster.produce(
            input.map { line in
                let memeID =
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["meme_id"] as? String
                return (0, memeID, Array(line.utf8), nil)
            }
        )

        let directory = makeTestDirectory("worker-conformance")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let worker = try WorkerProcess(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory,
            extraArguments: ["--engine-threads", String(engineThreads)]
        )
        let done = waitUntil(timeout: .seconds(60)) {
            !worker.isRunning || checkpointedOffsets(directory: directory, partitions: 1)[0] == Int64(input.count)
        }
        try #require(
            done && worker.isRunning,
            "the worker did not checkpoint offset \(input.count): \(worker.log.suffix(3_000))"
        )
        worker.kill(signal: SIGTERM)
        #expect(worker.waitForExit(timeout: .seconds(30)) == 0)

        let records = try cluster.readAll(WorkerTestCluster.features, partitions: 4)
        let values = records.map { String(decoding: $0.value ?? [], as: UTF8.self) }
        #expect(records.count == expected.count)
        let differences = featureDifferences(actual: values, expected: expected)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        for record in records.prefix(3) {
            let headers = Dictionary(
                uniqueKeysWithValues: record.headers.map { ($0.name, String(decoding: $0.value ?? [], as: UTF8.self)) }
            )
            #expect(headers["feature_set"] == "meme_v1")
            #expect(headers["schema_version"] == "1")
        }
        let deadLetters = try cluster.readAll(WorkerTestCluster.deadLetters, partitions: 1)
        #expect(deadLetters.isEmpty)
    }

    /// The same case with checkpoints in a Kafka topic: after a graceful stop, a new worker
    /// restores from the topic and emits nothing more, because the checkpoint covers every record.
    @Test func mixedHourWithKafkaCheckpoints() throws {
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        let input = try ConformanceCase.lines("mixed-hour", "input.jsonl")
        let expected = try ConformanceCase.lines("mixed-hour", "expected.jsonl")
        try cluster.produce(input.map { (0, nil, Array($0.utf8), nil) })

        let directory = makeTestDirectory("worker-kafka-store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var arguments = WorkerProcess.standardArguments(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory
        )
        let store = try #require(arguments.firstIndex(of: "--checkpoint-store"))
        arguments[store + 1] = "kafka:" + WorkerTestCluster.checkpoints

        let first = try WorkerProcess(arguments: arguments, logPath: directory + "/first.log")
        let complete = try waitUntil(timeout: .seconds(60)) {
            try !first.isRunning || cluster.readAll(WorkerTestCluster.features, partitions: 4).count >= expected.count
        }
        try #require(complete && first.isRunning, "\(first.log.suffix(2_000))")
        first.kill(signal: SIGTERM)
        #expect(first.waitForExit(timeout: .seconds(30)) == 0, "\(first.log.suffix(2_000))")

        let second = try WorkerProcess(arguments: arguments, logPath: directory + "/second.log")
        let restored = waitUntil(timeout: .seconds(30)) {
            !second.isRunning || second.log.contains("partition restored from checkpoint")
        }
        try #require(restored && second.isRunning, "\(second.log.suffix(2_000))")
        #expect(second.log.contains("kafka.offset=\(input.count)"))
        second.kill(signal: SIGTERM)
        #expect(second.waitForExit(timeout: .seconds(30)) == 0)

        let values = try cluster.readAll(WorkerTestCluster.features, partitions: 4).map {
            String(decoding: $0.value ?? [], as: UTF8.self)
        }
        #expect(values.count == expected.count)
        let differences = featureDifferences(actual: values, expected: expected)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }

    /// Live mode: once the worker has caught up and no record arrives for the idle timeout, the
    /// watermark moves to wall-clock time, so the last windows close and every meme of the
    /// (long past) case gets its tombstone. With a transactional producer's commit marker at the
    /// end of the log, the last record's next offset stays one below the log end. The worker used
    /// to count that as behind, so the windows never closed.
    @Test(arguments: [false, true])
    func idleRuleClosesWindowsWhenTrafficStops(endsWithCommitMarker: Bool) throws {
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        let input = try ConformanceCase.lines("mixed-hour", "input.jsonl")
        try cluster.produce(input.map { (0, nil, Array($0.utf8), nil) })
        if endsWithCommitMarker {
            try TransactionMarkerWriter.appendCommitMarker(
                address: cluster.bootstrapServers,
                topic: WorkerTestCluster.input,
                partition: 0,
                timestamp: 1_700_000_000_000
            )
        }

        let directory = makeTestDirectory("worker-idle")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var arguments = WorkerProcess.standardArguments(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory
        )
        let idle = try #require(arguments.firstIndex(of: "--idle-timeout"))
        arguments[idle + 1] = "1s"
        let worker = try WorkerProcess(arguments: arguments, logPath: directory + "/worker.log")

        var tombstoned: Set<String> = []
        let closed = try waitUntil(timeout: .seconds(60)) {
            guard worker.isRunning else { return true }
            let records = try cluster.readAll(WorkerTestCluster.features, partitions: 4)
            tombstoned = Set(
                records.filter { $0.value == nil }.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }
            )
            return tombstoned == ["m1", "m2", "m3"]
        }
        try #require(closed && worker.isRunning, "tombstones so far: \(tombstoned); \(worker.log.suffix(2_000))")
        #expect(worker.log.contains("level=info") && worker.log.contains("partition is caught up and idle"))
        worker.kill(signal: SIGTERM)
        #expect(worker.waitForExit(timeout: .seconds(30)) == 0)
    }
}
