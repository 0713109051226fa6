import Foundation
import KafkaBridge
import StreamCore
import Testing

@Suite(.serialized) struct WorkerDeadLetterTests {
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
        let worker = try WorkerProcess(bootstrap: cluster.bootstrapServers, checkpointDirectory: directory)
        let done = waitUntil(timeout: .seconds(60)) {
            !worker.isRunning || checkpointedOffsets(directory: directory, partitions: 1)[0] == Int64(records.count)
        }
        try #require(done && worker.isRunning, "the worker did not reach the end: \(worker.log.suffix(3_000))")
        worker.kill(signal: SIGTERM)
        #expect(worker.waitForExit(timeout: .seconds(30)) == 0)

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
}
