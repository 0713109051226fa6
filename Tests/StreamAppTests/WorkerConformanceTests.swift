import Foundation
import KafkaBridge
import StreamCore
import Testing

@Suite(.serialized) struct WorkerConformanceTests {
    /// The mixed-hour case produced to partition 0 of the input topic: the feature topic ends up
    /// with exactly the case's expected records.
    @Test func mixedHourMatchesExpected() throws {
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
            arguments: WorkerProcess.standardArguments(
                bootstrap: cluster.bootstrapServers,
                checkpointDirectory: directory
            ),
            logPath: directory + "/worker.log"
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
}
