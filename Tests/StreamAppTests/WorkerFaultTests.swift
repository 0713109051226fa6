import Aggregators
import Foundation
import KafkaBridge
import StreamCore
import Testing

@Suite(.serialized) struct WorkerFaultTests {
    /// A feature set whose records exceed 1 000 bytes: 30 count windows with long names.
    static let wideFeatureSet = """
        {"name": "wide_v1", "version": 1, "features": [
        \((0..<30).map { #"{"name": "views_in_the_last_minute_counted_again_number_\#($0)", "kind": "window", "aggregator": "count", "event_type": "view", "size_ms": 60000, "hop_ms": 10000}"# }.joined(separator: ",\n"))
        ]}
        """

    /// With `message.max.bytes` below the size of a feature record, the worker stops with status 1
    /// and commits nothing past the record; a restart with the limit raised emits every record.
    @Test func oversizedOutputIsNeverLost() throws {
        let directory = makeTestDirectory("worker-oversized")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let featureSetPath = directory + "/wide.json"
        try Self.wideFeatureSet.write(toFile: featureSetPath, atomically: true, encoding: .utf8)
        let featureSet = try FeatureSet.load(path: featureSetPath)

        let stream = generateStream(seed: 5, partitions: 1, perPartition: 300)
        let reference = referenceRun(stream, featureSet: featureSet)
        let largest = reference.output.map { $0.value?.count ?? 0 }.max() ?? 0
        try #require(largest > 1_000, "largest record \(largest) bytes of \(reference.output.count)")
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        try produceSlice(cluster, stream, 0..<300)

        var arguments = WorkerProcess.standardArguments(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory
        )
        arguments += ["--feature-set", featureSetPath]
        let limited = try WorkerProcess(
            arguments: arguments + ["-X", "message.max.bytes=1000"],
            logPath: directory + "/limited.log"
        )
        let status = limited.waitForExit(timeout: .seconds(60))
        #expect(status == 1, "\(limited.log.suffix(2_000))")
        #expect(limited.log.contains("message.max.bytes"))
        let stopped = checkpointedOffsets(directory: directory, partitions: 1)[0] ?? 0
        #expect(stopped < 300, "the worker checkpointed past the record it could not deliver")

        let raised = try WorkerProcess(arguments: arguments, logPath: directory + "/raised.log")
        let finished = waitUntil(timeout: .seconds(60)) {
            !raised.isRunning || checkpointedOffsets(directory: directory, partitions: 1) == endOffsets(stream)
        }
        try #require(finished && raised.isRunning, "\(raised.log.suffix(2_000))")
        raised.kill(signal: SIGTERM)
        #expect(raised.waitForExit(timeout: .seconds(30)) == 0)

        let (_, actual) = try distinctFeatures(cluster)
        #expect(actual == reference.output, "\(reference.output.subtracting(actual).count) records missing")
    }

    /// Injected produce, fetch and commit errors and a broker that is down for three seconds in the
    /// middle of the stream: the output and the final state are exactly the no-fault ones.
    @Test func brokerFaultsKeepOutputExact() throws {
        let partitions = 4
        let perPartition = 1_000
        let stream = generateStream(seed: 11, partitions: partitions, perPartition: perPartition)
        let reference = referenceRun(stream)
        let cluster = try WorkerTestCluster(inputPartitions: partitions)
        let directory = makeTestDirectory("worker-faults")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let arguments = WorkerProcess.standardArguments(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory
        )

        try produceSlice(cluster, stream, 0..<300)
        let worker = try WorkerProcess(arguments: arguments, logPath: directory + "/worker.log")
        try #require(
            waitUntil(timeout: .seconds(30)) { worker.log.contains("partitions assigned") },
            "the worker did not join: \(worker.log.suffix(2_000))"
        )
        cluster.cluster.injectRequestErrors(.produce, [.transport, .notLeaderForPartition, .requestTimedOut])
        cluster.cluster.injectRequestErrors(.fetch, [.transport, .notLeaderForPartition])
        cluster.cluster.injectRequestErrors(.offsetCommit, [.requestTimedOut, .coordinatorNotAvailable])
        try produceSlice(cluster, stream, 300..<600)

        // The broker goes down for three seconds while the worker is busy, then comes back.
        try cluster.cluster.setBrokerDown(1)
        usleep(3_000_000)
        try cluster.cluster.setBrokerUp(1)
        try produceSlice(cluster, stream, 600..<perPartition)

        let finished = waitUntil(timeout: .seconds(90)) {
            !worker.isRunning || checkpointedOffsets(directory: directory, partitions: partitions) == endOffsets(stream)
        }
        try #require(finished && worker.isRunning, "\(worker.log.suffix(3_000))")
        worker.kill(signal: SIGTERM)
        #expect(worker.waitForExit(timeout: .seconds(30)) == 0)

        let (_, actual) = try distinctFeatures(cluster)
        #expect(
            actual.subtracting(reference.output).isEmpty,
            "\(actual.subtracting(reference.output).count) records differ"
        )
        #expect(
            reference.output.subtracting(actual).isEmpty,
            "\(reference.output.subtracting(actual).count) records missing"
        )
        try expectStates(directory: directory, partitions: partitions, reference: reference.states)
    }
}
