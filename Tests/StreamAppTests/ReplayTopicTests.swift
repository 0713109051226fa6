import Foundation
import KafkaBridge
import StreamCore
import Testing

@testable import StreamApp

/// `memestream replay --input-topic` against librdkafka's mock cluster on loopback: the kcat
/// conformance cases are produced to a topic with their partitions, keys and record timestamps,
/// and the replayed records must equal the expected ones.
@Suite struct ReplayTopicTests {
    static let kcatCases = ["future-timestamp", "partitions-independent"]

    @Test(arguments: kcatCases)
    func topicReplayMatchesCase(name: String) throws {
        let caseDirectory = ReplayConformanceTests.casesDirectory + "/" + name
        let cluster = try MockCluster(brokers: 1)
        let topic = "memes.events"
        let envelopes = try readLines(caseDirectory + "/input.jsonl")
        let parser = KcatEnvelopeParser()
        var partitionCount: Int32 = 1
        var records: [(partition: Int32, key: [UInt8]?, value: [UInt8]?, timestamp: Int64?)] = []
        for line in envelopes {
            var bytes = Array(line.utf8)
            let envelope = try bytes.withUnsafeMutableBytes { try parser.parse(UnsafeRawBufferPointer($0)) }
            partitionCount = max(partitionCount, envelope.partition + 1)
            records.append(
                (
                    envelope.partition, envelope.key.map { Array($0) }, envelope.payload.map { Array($0) },
                    envelope.timestamp
                )
            )
        }
        try cluster.createTopic(topic, partitions: Int(partitionCount))

        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.producer.lingerMilliseconds = 1
        let producer = try KafkaProducer(configuration: configuration)
        for record in records {
            try producer.send(
                topic: topic,
                partition: KafkaPartition(rawValue: record.partition),
                key: record.key,
                value: record.value,
                timestamp: record.timestamp
            )
        }
        try producer.flush(timeout: .seconds(30))
        try producer.close(timeout: .seconds(10))

        let scratch = try ReplayScratchDirectory()
        let output = scratch.file("out.jsonl")
        let rejections = scratch.file("rejected.jsonl")
        let result = try runMemestream([
            "replay", "--bootstrap-servers", cluster.bootstrapServers, "--input-topic", topic,
            "--output-file", output, "--rejections-file", rejections,
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(
            result.standardError.contains("read \(records.count) records from topic \(topic)"),
            "stderr: \(result.standardError)"
        )
        #expect(!result.standardError.contains(" lines"), "stderr: \(result.standardError)")
        try ReplayConformanceTests.expectCaseOutput(
            caseDirectory: caseDirectory,
            output: output,
            rejections: rejections
        )
    }

    @Test func unresolvableStartTimeStartsAtLogStart() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = "memes.events"
        try cluster.createTopic(topic, partitions: 1)
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.producer.lingerMilliseconds = 1
        let producer = try KafkaProducer(configuration: configuration)
        for second in 0..<30 {
            let value = Array(
                "{\"meme_id\":\"m1\",\"type\":\"view\",\"ts\":\(1_700_006_400_000 + Int64(second) * 1000)}".utf8
            )
            try producer.send(
                topic: topic,
                key: Array("m1".utf8),
                value: value,
                timestamp: 1_700_006_400_000 + Int64(second) * 1000
            )
        }
        try producer.flush(timeout: .seconds(30))
        try producer.close(timeout: .seconds(10))

        let scratch = try ReplayScratchDirectory()
        let output = scratch.file("out.jsonl")
        let result = try runMemestream([
            "replay", "-b", cluster.bootstrapServers, "--input-topic", topic, "--output-file", output,
            "--from", "1700006420000", "--to", "1700006440000",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        // The mock cluster cannot look offsets up by time, so replay reads from the log start.
        #expect(result.standardError.contains("starts it at the log start"), "stderr: \(result.standardError)")
        let ticks = try readLines(output).compactMap { line -> Int64? in
            guard case .integer(let tick) = try JSONTestValue.parse(line)["tick"] else { return nil }
            return tick
        }
        #expect(ticks == [1_700_006_420_000, 1_700_006_430_000])
    }

    /// A transactional producer's commit marker takes the last offset of a partition, and the
    /// consumer never receives it. Replay used to wait for it, then stop after 60 s with exit 1;
    /// it now ends when the consumer's position passes the end offset.
    @Test func partitionEndingInTransactionMarkerFinishes() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = "memes.events"
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers))
        for second in 0..<20 {
            let time = 1_700_006_400_000 + Int64(second) * 1000
            let value = Array(#"{"meme_id":"m1","type":"view","ts":\#(time)}"#.utf8)
            try producer.send(topic: topic, key: Array("m1".utf8), value: value, timestamp: time)
        }
        try producer.flush(timeout: .seconds(30))
        try producer.close(timeout: .seconds(10))
        try TransactionMarkerWriter.appendCommitMarker(
            address: cluster.bootstrapServers,
            topic: topic,
            partition: 0,
            timestamp: 1_700_006_420_000
        )

        let scratch = try ReplayScratchDirectory()
        let output = scratch.file("out.jsonl")
        let result = try runMemestream(
            ["replay", "-b", cluster.bootstrapServers, "--input-topic", topic, "--output-file", output],
            timeoutSeconds: 50
        )
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardError.contains("read 20 records"), "stderr: \(result.standardError)")
        #expect(try readLines(output).count > 0)
    }

    /// One notice names every partition the broker could not resolve, not one line per partition
    /// (a 2,000-partition topic printed 2,000 lines).
    @Test func unresolvedPartitionsShareOneNotice() {
        let partitions = (0..<12).map { (partition: Int32($0), logStart: Int64($0) * 100) }
        let notice = ReplayTopicInput.unresolvedNotice(
            partitions,
            startTime: EventTime(milliseconds: 1_700_000_000_000)
        )
        #expect(notice.contains("for 12 partitions 0 (offset 0), 1 (offset 100), "), "\(notice)")
        #expect(notice.contains("9 (offset 900) and 2 more, so replay starts them at the log start"), "\(notice)")
    }

    @Test func invalidTopicNameIsUsageError() throws {
        let result = try runMemestream(["replay", "-b", "127.0.0.1:1", "--input-topic", "bad topic"])
        #expect(result.status == 2)
        #expect(
            result.standardError.contains("invalid topic name 'bad topic' for --input-topic"),
            "\(result.standardError)"
        )
    }

    /// The topic is checked before the output is opened, so an earlier output file survives.
    @Test func missingTopicExitsOne() throws {
        let cluster = try MockCluster(brokers: 1)
        let scratch = try ReplayScratchDirectory()
        let output = try scratch.write("out.jsonl", "earlier output\n")
        let result = try runMemestream([
            "replay", "-b", cluster.bootstrapServers, "--input-topic", "no.such.topic",
            "--output-file", output,
        ])
        #expect(result.status == 1)
        #expect(result.standardError.contains("no.such.topic"), "stderr: \(result.standardError)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "earlier output\n")
        #expect(!result.standardError.contains("wrote 0 records"), "stderr: \(result.standardError)")
    }

    @Test func topicWithoutBootstrapServersIsUsageError() throws {
        let result = try runMemestream(["replay", "--input-topic", "memes.events"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--bootstrap-servers"))
    }
}
