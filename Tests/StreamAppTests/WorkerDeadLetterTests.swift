import Foundation
import KafkaBridge
import StreamCore
import Testing

@Suite(.serialized) struct WorkerDeadLetterTests {
    /// Runs a worker on the one-partition input until its checkpoint covers `records` records,
    /// then stops it with SIGTERM and expects a clean exit.
    private func runWorkerToEnd(
        _ cluster: WorkerTestCluster,
        directory: String,
        records: Int,
        extraArguments: [String] = []
    ) throws {
        let worker = try WorkerProcess(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory,
            extraArguments: extraArguments
        )
        let done = waitUntil(timeout: .seconds(60)) {
            !worker.isRunning || checkpointedOffsets(directory: directory, partitions: 1)[0] == Int64(records)
        }
        try #require(done && worker.isRunning, "the worker did not reach the end: \(worker.log.suffix(3_000))")
        worker.kill(signal: SIGTERM)
        #expect(worker.waitForExit(timeout: .seconds(30)) == 0)
    }

    /// One record per rejection reason between valid events: each lands in the dead-letter topic
    /// with its original key, value and timestamp and the reason headers, and the partition keeps
    /// producing features after them.
    @Test func everyReasonReachesDeadLetterTopic() throws {
        let base: Int64 = 1_700_000_000_000
        let padding = String(repeating: "a", count: 70_000)
        let records: [(key: String?, value: String, timestamp: Int64, reason: RejectionReason?)] = [
            ("good", #"{"meme_id":"good","type":"view","ts":\#(base)}"#, base, nil),
            ("x", #"{"meme_id":"x","type":"view","ts":\#(base),"pad":"\#(padding)"}"#, base, .tooLarge),
            ("x", #"{"meme_id":"#, base, .malformedJSON),
            (nil, #"{"type":"view","ts":\#(base + 1_000)}"#, base, .missingField),
            ("x", #"{"meme_id":"x","type":"View","ts":\#(base + 1_000)}"#, base, .invalidField),
            ("x", #"{"meme_id":"x","type":"view","ts":1700000001}"#, base, .invalidTimestamp),
            ("x", #"{"meme_id":"x","type":"view","ts":\#(base + 200_000)}"#, base + 1_000, .futureTimestamp),
            ("good", #"{"meme_id":"good","type":"view","ts":\#(base + 1_200_000)}"#, base + 1_200_000, nil),
            ("x", #"{"meme_id":"x","type":"view","ts":\#(base)}"#, base + 1_200_000, .late),
            ("good", #"{"meme_id":"good","type":"like","ts":\#(base + 1_210_000)}"#, base + 1_210_000, nil),
            // Closes the ticks after the valid view at base + 1 200 000, which must show up.
            ("good", #"{"meme_id":"good","type":"view","ts":\#(base + 2_000_000)}"#, base + 2_000_000, nil),
        ]
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        try cluster.produce(records.map { (0, $0.key, Array($0.value.utf8), $0.timestamp) })

        let directory = makeTestDirectory("worker-dlq")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try runWorkerToEnd(cluster, directory: directory, records: records.count)

        let deadLetters = try cluster.readAll(WorkerTestCluster.deadLetters, partitions: 1)
        let rejected = records.enumerated().filter { $0.element.reason != nil }
        let reasons = deadLetters.map { message in
            message.headers.first { $0.name == "error" }.map { String(decoding: $0.value ?? [], as: UTF8.self) } ?? "?"
        }
        try #require(deadLetters.count == rejected.count, "dead-letter reasons: \(reasons)")
        for (message, (offset, record)) in zip(deadLetters, rejected) {
            let headers = Dictionary(
                uniqueKeysWithValues: message.headers.map { ($0.name, String(decoding: $0.value ?? [], as: UTF8.self)) }
            )
            #expect(headers["error"] == record.reason?.rawValue, "offset \(offset)")
            #expect(headers["error_detail"]?.isEmpty == false, "offset \(offset)")
            #expect(headers["source_topic"] == WorkerTestCluster.input)
            #expect(headers["source_partition"] == "0")
            #expect(headers["source_offset"] == String(offset))
            #expect(message.key.map { String(decoding: $0, as: UTF8.self) } == record.key, "offset \(offset)")
            #expect(message.value == Array(record.value.utf8), "offset \(offset)")
            #expect(message.timestamp?.milliseconds == record.timestamp, "offset \(offset)")
        }

        let features = try cluster.readAll(WorkerTestCluster.features, partitions: 4)
        let memes = Set(features.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } })
        #expect(memes == ["good"])
        let ticks = features.compactMap { $0.timestamp?.milliseconds }
        #expect(ticks.contains { $0 > base + 1_200_000 }, "no feature record after the rejected records")
    }

    /// A null input value and an empty one are both rejected as malformed JSON; their dead-letter
    /// copies keep the difference, through the engine lanes (the default) and without them.
    /// The lanes used to copy a null value into their buffer, and it reached the topic empty.
    @Test(arguments: [nil, "0"])
    func nullValueStaysNullInDeadLetterCopy(engineThreads: String?) throws {
        let base: Int64 = 1_700_000_000_000
        let good = #"{"meme_id":"good","type":"view","ts":\#(base)}"#
        let records: [(partition: Int32, key: String?, value: [UInt8]?, timestamp: Int64?)] = [
            (0, "good", Array(good.utf8), base),
            (0, "null", nil, base),
            (0, "empty", [], base),
            (0, "good", Array(good.utf8), base),
        ]
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        try cluster.produce(records)
        let directory = makeTestDirectory("worker-dlq-null")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let extra = engineThreads.map { ["--engine-threads", $0] } ?? []
        try runWorkerToEnd(cluster, directory: directory, records: records.count, extraArguments: extra)

        let deadLetters = try cluster.readAll(WorkerTestCluster.deadLetters, partitions: 1)
        try #require(deadLetters.count == 2)
        let byKey = Dictionary(
            uniqueKeysWithValues: deadLetters.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0.value) }
        )
        #expect(byKey["null"] == .some(nil), "a null value must stay null")
        #expect(byKey["empty"] == .some([]), "an empty value must stay empty")
    }

    /// Dead-letter copies larger than the producer's `message.max.bytes` go out cut to fit, with
    /// headers giving the original lengths, and the partition keeps producing features after
    /// them instead of failing with MSG_SIZE_TOO_LARGE.
    @Test func oversizedCopyIsCutToFit() throws {
        let base: Int64 = 1_700_000_000_000
        let messageMaxBytes = 20_000
        let padding = String(repeating: "a", count: 70_000)
        let largeValue = #"{"meme_id":"x","type":"view","ts":\#(base),"pad":"\#(padding)"}"#
        let largeKey = String(repeating: "k", count: 30_000)
        let malformedValue = #"{"meme_id":"#
        let records: [(key: String?, value: String, timestamp: Int64)] = [
            ("good", #"{"meme_id":"good","type":"view","ts":\#(base)}"#, base),
            // Rejected as too_large: only the value is cut.
            ("x", largeValue, base),
            // Rejected as malformed_json: the key alone does not fit, so it is cut and the value dropped.
            (largeKey, malformedValue, base),
            // Closes the ticks after the first view.
            ("good", #"{"meme_id":"good","type":"view","ts":\#(base + 2_000_000)}"#, base + 2_000_000),
        ]
        let cluster = try WorkerTestCluster(inputPartitions: 1)
        try cluster.produce(records.map { (0, $0.key, Array($0.value.utf8), $0.timestamp) })

        let directory = makeTestDirectory("worker-dlq-cut")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let worker = try WorkerProcess(
            bootstrap: cluster.bootstrapServers,
            checkpointDirectory: directory,
            extraArguments: ["-X", "message.max.bytes=\(messageMaxBytes)"]
        )
        let done = waitUntil(timeout: .seconds(60)) {
            !worker.isRunning || checkpointedOffsets(directory: directory, partitions: 1)[0] == Int64(records.count)
        }
        try #require(done && worker.isRunning, "the worker did not reach the end: \(worker.log.suffix(3_000))")
        worker.kill(signal: SIGTERM)
        #expect(worker.waitForExit(timeout: .seconds(30)) == 0)
        #expect(worker.log.contains("dead-letter copy cut to fit message.max.bytes"))

        let deadLetters = try cluster.readAll(WorkerTestCluster.deadLetters, partitions: 1)
        try #require(deadLetters.count == 2)
        func headers(_ message: KafkaMessage) -> [String: String] {
            Dictionary(
                uniqueKeysWithValues: message.headers.map { ($0.name, String(decoding: $0.value ?? [], as: UTF8.self)) }
            )
        }
        func wireBytes(_ message: KafkaMessage) -> Int {
            let headerBytes = message.headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) }
            return (message.key?.count ?? 0) + (message.value?.count ?? 0) + headerBytes
        }

        let valueCut = deadLetters[0]
        let valueCutHeaders = headers(valueCut)
        #expect(valueCutHeaders["error"] == RejectionReason.tooLarge.rawValue)
        #expect(valueCutHeaders["source_offset"] == "1")
        #expect(valueCutHeaders["value_truncated_from_length"] == String(largeValue.utf8.count))
        #expect(valueCutHeaders["key_truncated_from_length"] == nil)
        #expect(valueCut.key == Array("x".utf8))
        let cutValue = valueCut.value ?? []
        #expect(cutValue.count > messageMaxBytes / 2, "the cut value kept only \(cutValue.count) bytes")
        #expect(cutValue == Array(Array(largeValue.utf8).prefix(cutValue.count)))
        #expect(wireBytes(valueCut) < messageMaxBytes)
        #expect(valueCut.timestamp?.milliseconds == base)

        let keyCut = deadLetters[1]
        let keyCutHeaders = headers(keyCut)
        #expect(keyCutHeaders["error"] == RejectionReason.malformedJSON.rawValue)
        #expect(keyCutHeaders["source_offset"] == "2")
        #expect(keyCutHeaders["key_truncated_from_length"] == String(largeKey.utf8.count))
        #expect(keyCutHeaders["value_truncated_from_length"] == String(malformedValue.utf8.count))
        let cutKey = keyCut.key ?? []
        #expect(cutKey.count > messageMaxBytes / 2, "the cut key kept only \(cutKey.count) bytes")
        #expect(cutKey == Array(Array(largeKey.utf8).prefix(cutKey.count)))
        #expect(keyCut.value == nil)
        #expect(wireBytes(keyCut) < messageMaxBytes)

        let features = try cluster.readAll(WorkerTestCluster.features, partitions: 4)
        let ticks = features.compactMap { $0.timestamp?.milliseconds }
        #expect(ticks.contains { $0 > base }, "no feature record after the rejected records")
    }
}
