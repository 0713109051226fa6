import Foundation
import KafkaBridge
import StreamCore
import Testing

@Suite(.serialized) struct WorkerRebalanceTests {
    /// Two workers start, a third joins late and one of the first two leaves mid-stream: the union
    /// of their output equals a single worker's, and the final state is exactly the no-crash state.
    @Test func joinAndLeaveKeepOutputExact() throws {
        let partitions = 6
        let perPartition = 1_200
        let stream = generateStream(seed: 99, partitions: partitions, perPartition: perPartition)
        let reference = referenceRun(stream)
        let cluster = try WorkerTestCluster(inputPartitions: partitions)
        let directory = makeTestDirectory("worker-rebalance")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let arguments = WorkerProcess.standardArguments(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory
        )

        let chunk = perPartition / 6
        try produceSlice(cluster, stream, 0..<chunk)
        let first = try WorkerProcess(arguments: arguments, logPath: directory + "/first.log")
        let second = try WorkerProcess(arguments: arguments, logPath: directory + "/second.log")
        try #require(
            waitUntil(timeout: .seconds(30)) {
                first.log.contains("partitions assigned") && second.log.contains("partitions assigned")
            },
            "the first two workers did not join"
        )
        try produceSlice(cluster, stream, chunk..<(2 * chunk))

        // The late joiner: a rebalance moves partitions to it while input keeps arriving.
        let late = try WorkerProcess(arguments: arguments, logPath: directory + "/late.log")
        try #require(
            waitUntil(timeout: .seconds(30)) { late.log.contains("partitions assigned") },
            "the late worker did not join: \(late.log.suffix(2_000))"
        )
        try produceSlice(cluster, stream, (2 * chunk)..<(4 * chunk))

        // The leaver: a graceful stop checkpoints and hands its partitions over.
        second.kill(signal: SIGTERM)
        #expect(second.waitForExit(timeout: .seconds(30)) == 0, "\(second.log.suffix(2_000))")
        try produceSlice(cluster, stream, (4 * chunk)..<perPartition)

        let ends = endOffsets(stream)
        let finished = waitUntil(timeout: .seconds(90)) {
            checkpointedOffsets(directory: directory, partitions: partitions) == ends
        }
        try #require(
            finished,
            "not every partition reached its end: \(checkpointedOffsets(directory: directory, partitions: partitions))"
        )
        for worker in [first, late] {
            worker.kill(signal: SIGTERM)
            #expect(worker.waitForExit(timeout: .seconds(30)) == 0, "\(worker.log.suffix(2_000))")
        }
        #expect(late.log.contains("partition restored from checkpoint") || late.log.contains("partitions assigned"))

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
