import Foundation
import KafkaBridge
import StreamCore
import Testing

/// A mock Kafka cluster owned by the test process with the worker's topics, plus helpers to
/// produce input and read every topic back.
final class WorkerTestCluster {
    let cluster: MockCluster
    let inputPartitions: Int
    static let input = "memes.events"
    static let features = "memes.features"
    static let deadLetters = "memes.events.dlq"
    static let checkpoints = "memestream.checkpoints"

    init(brokers: Int = 1, inputPartitions: Int = 4) throws {
        cluster = try MockCluster(brokers: brokers)
        self.inputPartitions = inputPartitions
        try cluster.createTopic(Self.input, partitions: inputPartitions)
        try cluster.createTopic(Self.features, partitions: 4)
        try cluster.createTopic(Self.deadLetters, partitions: 1)
        try cluster.createTopic(Self.checkpoints, partitions: 1)
    }

    var bootstrapServers: String { cluster.bootstrapServers }

    /// Produces `records` (partition, key, value, optional CreateTime) and waits for delivery.
    func produce(_ records: [(partition: Int32, key: String?, value: [UInt8]?, timestamp: Int64?)]) throws {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: bootstrapServers))
        for record in records {
            try producer.send(
                topic: Self.input,
                partition: KafkaPartition(rawValue: record.partition),
                key: record.key.map { Array($0.utf8) },
                value: record.value,
                timestamp: record.timestamp
            )
        }
        try producer.close(timeout: .seconds(30))
    }

    /// Reads every record of `topic` from the log start to the high watermarks seen at the call.
    func readAll(_ topic: String, partitions: Int) throws -> [KafkaMessage] {
        var configuration = KafkaConfiguration(bootstrapServers: bootstrapServers)
        configuration.consumer.groupID = "test-reader"
        configuration.consumer.fetchWaitMaxMilliseconds = 20
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { try? consumer.close() }
        var remaining: [Int32: Int64] = [:]
        var assignment: [KafkaTopicPartition] = []
        for partition in 0..<Int32(partitions) {
            let (low, high) = try consumer.queryWatermarkOffsets(
                topic: topic,
                partition: KafkaPartition(rawValue: partition),
                timeout: .seconds(10)
            )
            if high.rawValue > low.rawValue {
                remaining[partition] = high.rawValue
                assignment.append(
                    KafkaTopicPartition(
                        topic: topic,
                        partition: KafkaPartition(rawValue: partition),
                        offset: .beginning
                    )
                )
            }
        }
        guard !assignment.isEmpty else { return [] }
        try consumer.assign(assignment)
        var result: [KafkaMessage] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while !remaining.isEmpty, ContinuousClock.now < deadline {
            for message in try consumer.pollMessages(maxMessages: 10_000, timeout: .milliseconds(100)) {
                result.append(message)
                if let end = remaining[message.partition.rawValue], message.offset.rawValue >= end - 1 {
                    remaining[message.partition.rawValue] = nil
                }
            }
        }
        try #require(remaining.isEmpty, "reading \(topic) timed out with partitions \(remaining) unfinished")
        return result
    }
}

/// A `memestream run` child process. It is killed with SIGKILL when the value is released, so a
/// failing test never leaves a worker behind.
final class WorkerProcess {
    let process = Process()
    let logPath: String
    private(set) var exitStatus: Int32?

    /// The `memestream` binary next to the test bundle (`swift build --build-tests` builds both).
    static var binaryPath: String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("memestream").path
    }

    /// Options every test worker uses: fast group protocol and fetches on the mock cluster.
    static func standardArguments(bootstrap: String, checkpointDirectory: String) -> [String] {
        [
            "run", "-b", bootstrap,
            "--checkpoint-store", "dir:\(checkpointDirectory)",
            "--idle-timeout", "0",
            "--checkpoint-interval", "300ms",
            "--shutdown-timeout", "20s",
            "--log-level", "debug",
            "-X", "session.timeout.ms=6000",
            "-X", "heartbeat.interval.ms=300",
            "-X", "fetch.wait.max.ms=20",
            "-X", "topic.metadata.refresh.interval.ms=1000",
        ]
    }

    init(arguments: [String], logPath: String) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binaryPath)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: logPath)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
    }

    /// Starts a worker with ``standardArguments(bootstrap:checkpointDirectory:)`` followed by
    /// `extraArguments`, logging to the file `logName` in the checkpoint directory.
    convenience init(
        bootstrap: String,
        checkpointDirectory: String,
        logName: String = "worker.log",
        extraArguments: [String] = []
    ) throws {
        try self.init(
            arguments: Self.standardArguments(bootstrap: bootstrap, checkpointDirectory: checkpointDirectory)
                + extraArguments,
            logPath: checkpointDirectory + "/" + logName
        )
    }

    deinit {
        kill(signal: SIGKILL)
        if process.isRunning { process.waitUntilExit() }
    }

    var isRunning: Bool { process.isRunning }

    func kill(signal: Int32) {
        if process.isRunning {
            _ = Foundation.kill(process.processIdentifier, signal)
        }
    }

    /// Waits for the process to exit, up to `timeout`; returns its status, or `nil` on timeout.
    @discardableResult
    func waitForExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            usleep(20_000)
        }
        if process.isRunning { return nil }
        exitStatus = process.terminationStatus
        return exitStatus
    }

    var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}

/// Polls `condition` every 50 ms until it is true or `timeout` passes, and returns its last value.
@discardableResult
func waitUntil(timeout: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// Creates a fresh directory under the system temporary directory.
func makeTestDirectory(_ prefix: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The conformance cases shipped with the specification.
enum ConformanceCase {
    /// `cases` of the shared directory: `MEMESTREAM_SHARED_DIR`, or `../shared` beside the checkout.
    static var root: String { ReplayTestPaths.sharedDirectory + "/cases" }

    static func lines(_ name: String, _ file: String) throws -> [String] {
        let text = try String(contentsOfFile: "\(root)/\(name)/\(file)", encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}

/// Returns the next offset stored in each partition's checkpoint, leaving out partitions without one.
func checkpointedOffsets(directory: String, partitions: Int) -> [Int32: Int64] {
    guard let store = try? DirectoryCheckpointStore(root: directory) else { return [:] }
    var result: [Int32: Int64] = [:]
    for partition in 0..<Int32(partitions) {
        let key = CheckpointKey(group: "memestream", topic: WorkerTestCluster.input, partition: partition)
        if let checkpoint = try? store.load(key) {
            result[partition] = checkpoint.nextOffset
        }
    }
    return result
}

/// Compares feature record values as the conformance cases require: integers and strings
/// exactly, floats to 1e-9 relative. Returns up to `limit` differences, keyed by meme and tick.
func featureDifferences(actual: [String], expected: [String], limit: Int = 5) -> [String] {
    func index(_ lines: [String]) -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                result["unparsable \(result.count)"] = ["line": line]
                continue
            }
            result["\(object["meme_id"] ?? "?")@\(object["tick"] ?? "?")"] = object
        }
        return result
    }
    func same(_ left: Any?, _ right: Any?) -> Bool {
        switch (left, right) {
        case (nil, nil): return true
        case (is NSNull, is NSNull): return true
        case (let l as [String: Any], let r as [String: Any]):
            return Set(l.keys) == Set(r.keys) && l.keys.allSatisfy { same(l[$0], r[$0]) }
        case (let l as NSNumber, let r as NSNumber):
            let a = l.doubleValue
            let b = r.doubleValue
            return a == b || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
        case (let l as String, let r as String): return l == r
        default: return false
        }
    }
    let actualIndex = index(actual)
    let expectedIndex = index(expected)
    var differences: [String] = []
    if actual.count != expected.count {
        differences.append("\(actual.count) records, expected \(expected.count)")
    }
    for key in Set(actualIndex.keys).union(expectedIndex.keys).sorted() where differences.count < limit {
        if !same(actualIndex[key], expectedIndex[key]) {
            let got = actualIndex[key].map { "\($0)" } ?? "missing"
            let want = expectedIndex[key].map { "\($0)" } ?? "missing"
            differences.append("\(key): got \(got.prefix(300)), expected \(want.prefix(300))")
        }
    }
    return differences
}

/// Reads the feature topic back as distinct (key, tick, value) triples.
func distinctFeatures(_ cluster: WorkerTestCluster) throws -> (records: Int, distinct: Set<FeatureTriple>) {
    let produced = try cluster.readAll(WorkerTestCluster.features, partitions: 4)
    let distinct = Set(
        produced.map {
            FeatureTriple(
                key: String(decoding: $0.key ?? [], as: UTF8.self),
                tick: $0.timestamp?.milliseconds ?? -1,
                value: $0.value
            )
        }
    )
    return (produced.count, distinct)
}

/// Produces a generated stream's records `range` of every partition.
func produceSlice(_ cluster: WorkerTestCluster, _ stream: [[CrashTestRecord]], _ range: Range<Int>) throws {
    let slice = stream.flatMap { $0[range] }
    try cluster.produce(slice.map { ($0.partition, $0.key, Array($0.value.utf8), $0.timestamp) })
}

/// Returns each partition's record count, the offset its final checkpoint reaches.
func endOffsets(_ stream: [[CrashTestRecord]]) -> [Int32: Int64] {
    Dictionary(uniqueKeysWithValues: stream.indices.map { (Int32($0), Int64(stream[$0].count)) })
}

/// Expects the directory store's checkpoints to hold exactly the reference states.
func expectStates(directory: String, partitions: Int, reference: [Int32: [UInt8]]) throws {
    let store = try DirectoryCheckpointStore(root: directory)
    for partition in 0..<Int32(partitions) {
        let checkpoint = try store.load(
            CheckpointKey(group: "memestream", topic: WorkerTestCluster.input, partition: partition)
        )
        #expect(checkpoint?.state == reference[partition], "partition \(partition) state differs")
    }
}
