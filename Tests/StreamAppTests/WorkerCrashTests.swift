import Aggregators
import Foundation
import KafkaBridge
import StreamCore
import Testing

/// One generated input record.
struct CrashTestRecord {
    var partition: Int32
    var key: String
    var value: String
    var timestamp: Int64
}

/// Generates `perPartition` events for each of `partitions` partitions: 40 memes, views and likes,
/// event time advancing about 1 s per event with up to 3 s of disorder, and about 1 % malformed.
func generateStream(seed: UInt64, partitions: Int, perPartition: Int) -> [[CrashTestRecord]] {
    var random = SplitMix64(seed: seed)
    var result: [[CrashTestRecord]] = []
    for partition in 0..<partitions {
        var clock: Int64 = 1_700_000_000_000
        var records: [CrashTestRecord] = []
        for _ in 0..<perPartition {
            clock += Int64.random(in: 0...2_000, using: &random)
            let meme = "m\(partition)-\(Int.random(in: 0..<10, using: &random))"
            let ts = clock - Int64.random(in: 0...3_000, using: &random)
            let type = Int.random(in: 0..<10, using: &random) < 8 ? "view" : "like"
            let value: String
            if Int.random(in: 0..<100, using: &random) == 0 {
                value = #"{"meme_id":"\#(meme)","type":"view","ts":"#
            } else {
                value =
                    #"{"meme_id":"\#(meme)","type":"\#(type)","ts":\#(ts),"dwell_ms":\#(Int.random(in: 0...60_000, using: &random))}"#
            }
            records.append(CrashTestRecord(partition: Int32(partition), key: meme, value: value, timestamp: clock))
        }
        result.append(records)
    }
    return result
}

/// Records the engine's feature output as (key, tick, value) triples; tombstones have a nil value.
struct CollectingSink: EmissionSink {
    var records: [FeatureTriple] = []

    mutating func emit(memeID: String, tick: EventTime, isTombstone: Bool, value: UnsafeRawBufferPointer) {
        records.append(FeatureTriple(key: memeID, tick: tick.rawValue, value: isTombstone ? nil : Array(value)))
    }

    mutating func reject(_ record: InputRecord, rejection: Rejection) {}
}

/// A feature record reduced to what byte-identity compares.
struct FeatureTriple: Hashable {
    var key: String
    var tick: Int64
    var value: [UInt8]?
}

/// Runs each partition's records through a fresh engine, as a worker that never crashes would.
func referenceRun(
    _ stream: [[CrashTestRecord]],
    featureSet: FeatureSet = .memeV1
) -> (output: Set<FeatureTriple>, states: [Int32: [UInt8]]) {
    var output: Set<FeatureTriple> = []
    var states: [Int32: [UInt8]] = [:]
    for (partition, records) in stream.enumerated() {
        let engine = PartitionEngine(
            partition: Int32(partition),
            featureSet: featureSet,
            configuration: EngineConfiguration()
        )
        var sink = CollectingSink()
        for (offset, record) in records.enumerated() {
            let key = Array(record.key.utf8)
            let value = Array(record.value.utf8)
            key.withUnsafeBytes { keyBytes in
                value.withUnsafeBytes { valueBytes in
                    let input = InputRecord(
                        partition: Int32(partition),
                        offset: Int64(offset),
                        recordTimestamp: record.timestamp,
                        key: keyBytes,
                        value: valueBytes
                    )
                    engine.process(input, into: &sink)
                }
            }
        }
        output.formUnion(sink.records)
        states[Int32(partition)] = engine.encodeState()
    }
    return (output, states)
}

@Suite(.serialized) struct WorkerCrashTests {
    /// SIGKILL at six seeded points while input keeps arriving, restarting each time: the feature
    /// topic contains exactly the no-crash output (re-emits byte-identical), and the final
    /// checkpoints contain exactly the no-crash state, so no input record is missing or counted twice.
    @Test func killedWorkerRecoversExactly() throws {
        let partitions = 4
        let stream = generateStream(seed: 42, partitions: partitions, perPartition: 2_000)
        let reference = referenceRun(stream)
        let cluster = try WorkerTestCluster(inputPartitions: partitions)
        let directory = makeTestDirectory("worker-crash")
        defer {
            if ProcessInfo.processInfo.environment["MEMESTREAM_KEEP_TEST_LOGS"] == nil {
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
        let arguments = WorkerProcess.standardArguments(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory
        )

        // Produce the stream in chunks, killing a worker in the middle of each of the first six.
        var random = SplitMix64(seed: 7)
        let chunks = 8
        let chunkSize = 2_000 / chunks
        for chunk in 0..<chunks {
            let slice = stream.flatMap { $0[(chunk * chunkSize)..<((chunk + 1) * chunkSize)] }
            try cluster.produce(slice.map { ($0.partition, $0.key, Array($0.value.utf8), $0.timestamp) })
            guard chunk < 6 else { continue }
            let worker = try WorkerProcess(arguments: arguments, logPath: directory + "/worker-\(chunk).log")
            let assigned = waitUntil(timeout: .seconds(30)) {
                !worker.isRunning || worker.log.contains("partitions assigned")
            }
            try #require(assigned && worker.isRunning, "worker \(chunk) did not join: \(worker.log.suffix(2_000))")
            usleep(UInt32.random(in: 20_000...1_500_000, using: &random))
            worker.kill(signal: SIGKILL)
            #expect(worker.waitForExit(timeout: .seconds(10)) != nil)
        }

        // A final worker runs to the end and stops gracefully.
        let final = try WorkerProcess(arguments: arguments, logPath: directory + "/worker-final.log")
        let ends = Dictionary(uniqueKeysWithValues: (0..<partitions).map { (Int32($0), Int64(stream[$0].count)) })
        let finished = waitUntil(timeout: .seconds(90)) {
            !final.isRunning || checkpointedOffsets(directory: directory, partitions: partitions) == ends
        }
        try #require(finished && final.isRunning, "the final worker did not finish: \(final.log.suffix(2_000))")
        final.kill(signal: SIGTERM)
        #expect(final.waitForExit(timeout: .seconds(30)) == 0)

        let produced = try cluster.readAll(WorkerTestCluster.features, partitions: 4)
        let actual = Set(
            produced.map {
                FeatureTriple(
                    key: String(decoding: $0.key ?? [], as: UTF8.self),
                    tick: $0.timestamp?.milliseconds ?? -1,
                    value: $0.value
                )
            }
        )
        print(
            "crash test: \(produced.count) feature records, \(actual.count) distinct, \(reference.output.count) expected"
        )
        #expect(
            actual.subtracting(reference.output).isEmpty,
            "\(actual.subtracting(reference.output).count) records differ from the no-crash run"
        )
        #expect(
            reference.output.subtracting(actual).isEmpty,
            "\(reference.output.subtracting(actual).count) records of the no-crash run are missing"
        )

        let store = try DirectoryCheckpointStore(root: directory)
        for partition in 0..<Int32(partitions) {
            let checkpoint = try store.load(
                CheckpointKey(group: "memestream", topic: WorkerTestCluster.input, partition: partition)
            )
            #expect(checkpoint?.state == reference.states[partition], "partition \(partition) state differs")
        }
    }
}
