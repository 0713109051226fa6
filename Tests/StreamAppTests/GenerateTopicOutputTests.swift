import Foundation
import KafkaBridge
import Synchronization
import Testing

@testable import StreamApp

@Suite(.serialized) struct GenerateTopicOutputTests {
    /// Consumes every partition of `topic` from the beginning until `count` records arrived or
    /// 30 s passed. Each poll waits at most 50 ms.
    static func consumeAll(
        _ cluster: MockCluster,
        topic: String,
        partitions: Int32,
        count: Int
    ) throws -> [KafkaMessage] {
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.consumer.groupID = "generate-test"
        configuration.consumer.fetchWaitMaxMilliseconds = 20
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign(
            (0..<partitions).map {
                KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: $0), offset: .beginning)
            }
        )
        var messages: [KafkaMessage] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while messages.count < count, ContinuousClock.now < deadline {
            messages += try consumer.pollMessages(maxMessages: 1_000, timeout: .milliseconds(50))
        }
        try consumer.close()
        return messages
    }

    @Test func producedRecordsMatchKcatEnvelopes() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = "generate-topic-output"
        try cluster.createTopic(topic, partitions: 4)

        var configuration = GeneratorConfiguration.testing(events: 3_000)
        configuration.topic = topic
        configuration.partitions = 4
        configuration.badShare = 0.05
        configuration.keyMismatchShare = 0.05
        configuration.writesToTopic = true
        let kafkaConfiguration = KafkaTopicOutput.configuration(
            bootstrapServers: cluster.bootstrapServers,
            properties: ["linger.ms": "5"]
        )
        let output = try KafkaTopicOutput(configuration: kafkaConfiguration, topic: topic)
        let summary = try GenerateCommand.generate(configuration, into: output)
        #expect(summary.records == 3_000)

        // The same records as kcat envelopes: partition and offset computed by the generator.
        // A record keyed by another id goes to its meme's partition.
        configuration.outputFormat = .kcat
        let sample = GeneratedSample(configuration)
        var expected: [String: GeneratedRecord] = [:]
        var nextOffsets = [Int64](repeating: 0, count: 4)
        for record in sample.records {
            let partition = Murmur2Partitioner.partition(forKey: record.partitionKey, partitionCount: 4)
            expected["\(partition)/\(nextOffsets[Int(partition)])"] = record
            nextOffsets[Int(partition)] += 1
        }

        let messages = try Self.consumeAll(cluster, topic: topic, partitions: 4, count: 3_000)
        #expect(messages.count == 3_000)
        for message in messages {
            let record = try #require(expected["\(message.partition.rawValue)/\(message.offset.rawValue)"])
            #expect(message.key == record.key)
            #expect(message.value == record.value)
            #expect(message.timestamp == KafkaTimestamp(milliseconds: record.timestampMilliseconds, kind: .createTime))
        }
        #expect(sample.records.contains { $0.intendedRejection == .futureTimestamp })
        #expect(sample.records.contains { $0.hasMismatchedKey })
    }

    @Test func topicConfigurationUsesZstdAndMurmur2() {
        let configuration = KafkaTopicOutput.configuration(bootstrapServers: "127.0.0.1:9092", properties: [:])
        let rendered = Dictionary(
            configuration.renderedProperties(for: .producer).map { ($0.key, $0.value) },
            uniquingKeysWith: { $1 }
        )
        #expect(rendered["compression.type"] == "zstd")
        #expect(rendered["partitioner"] == "murmur2_random")
    }

    @Test func propertyOverridesDefault() throws {
        let parsed = try ParsedArguments(
            ["-b", "127.0.0.1:1", "-X", "compression.type=lz4", "-X", "linger.ms=50"],
            specs: GenerateCommand.options,
            command: "generate"
        )
        let properties = try GenerateCommand.kafkaProperties(from: parsed)
        let configuration = KafkaTopicOutput.configuration(bootstrapServers: "127.0.0.1:1", properties: properties)
        let rendered = configuration.renderedProperties(for: .producer)
        #expect(rendered.last { $0.key == "compression.type" }?.value == "lz4")
        #expect(rendered.last { $0.key == "linger.ms" }?.value == "50")
    }

    @Test(arguments: [["-X", "novalue"], ["-X", "=x"], ["-F", "/nonexistent/generate.properties"]])
    func malformedPropertyNamesTheFlag(arguments: [String]) throws {
        let parsed = try ParsedArguments(
            ["-b", "127.0.0.1:1"] + arguments,
            specs: GenerateCommand.options,
            command: "generate"
        )
        do {
            _ = try GenerateCommand.kafkaProperties(from: parsed)
            Issue.record("\(arguments) was accepted")
        } catch let error as UsageError {
            #expect(error.message.contains(arguments[0]), "message: \(error.message)")
        }
    }

    @Test func fileAndTopicTogetherIsUsageError() async throws {
        let parsed = try ParsedArguments(
            ["-b", "127.0.0.1:1", "--output-file", "-"],
            specs: GenerateCommand.options,
            command: "generate"
        )
        await #expect(throws: UsageError.self) {
            _ = try await GenerateCommand.run(parsed)
        }
    }
}

@Suite(.serialized) struct GenerateKcatCompatibilityTests {
    static let kcatPath = "/usr/bin/kcat"

    /// Produces kcat-format traffic to the mock cluster, reads it back with the real `kcat -J`,
    /// and compares each line with the generator's own envelope (apart from the broker id).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: kcatPath), "needs kcat at /usr/bin/kcat"))
    func kcatPrintsTheSameEnvelopes() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = "generate-kcat-compatibility"
        try cluster.createTopic(topic, partitions: 3)

        var configuration = GeneratorConfiguration.testing(events: 2_000)
        configuration.topic = topic
        configuration.partitions = 3
        configuration.outputFormat = .kcat
        configuration.badShare = 0.1
        let kafkaConfiguration = KafkaTopicOutput.configuration(
            bootstrapServers: cluster.bootstrapServers,
            properties: [:]
        )
        _ = try GenerateCommand.generate(
            configuration,
            into: try KafkaTopicOutput(configuration: kafkaConfiguration, topic: topic)
        )
        let ownLines = String(decoding: try generatedBytes(configuration), as: UTF8.self)
            .split(separator: "\n").map { $0.replacingOccurrences(of: "\"broker\":-1,", with: "") }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.kcatPath)
        process.arguments = ["-C", "-J", "-e", "-q", "-b", cluster.bootstrapServers, "-t", topic]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        // kcat prints the id of the broker that served the fetch; drop it before comparing.
        let kcatLines = String(decoding: output, as: UTF8.self).split(separator: "\n")
            .map { $0.replacingOccurrences(of: #""broker":[0-9]+,"#, with: "", options: .regularExpression) }
        #expect(kcatLines.count == ownLines.count)
        #expect(Set(kcatLines) == Set(ownLines))
    }
}

@Suite struct GenerateTopicFailureTests {
    /// Nothing listens on 127.0.0.1:1, so every record times out after one second.
    @Test func undeliveredRecordsFailTheRun() throws {
        let configuration = GeneratorConfiguration.testing(events: 20)
        let kafka = KafkaTopicOutput.configuration(
            bootstrapServers: "127.0.0.1:1",
            properties: ["message.timeout.ms": "1000", "log_level": "0"]
        )
        let output = try KafkaTopicOutput(configuration: kafka, topic: "unreachable")
        #expect(throws: TopicDeliveryError.self) {
            _ = try GenerateCommand.generate(configuration, into: output)
        }
    }

    /// With the brokers stopped under `generate`, it printed nothing, and after
    /// Ctrl-C it waited 60 s in silence for the queued records.
    @Test func unreachableBrokersAreReported() throws {
        let lines = Mutex<[String]>([])
        let kafka = KafkaTopicOutput.configuration(
            bootstrapServers: "127.0.0.1:1",
            properties: ["message.timeout.ms": "3000", "log_level": "0"]
        )
        let output = try KafkaTopicOutput(configuration: kafka, topic: "unreachable") { line in
            lines.withLock { $0.append(line) }
        }
        #expect(throws: TopicDeliveryError.self) {
            _ = try GenerateCommand.generate(GeneratorConfiguration.testing(events: 20), into: output)
        }
        let printed = lines.withLock { $0 }
        #expect(printed.contains { $0.contains("delivering 20 queued records to topic 'unreachable'") }, "\(printed)")
        let warning = printed.first { $0.contains("warning:") }
        #expect(warning?.contains("127.0.0.1:1") == true, "\(printed)")
    }

    @Test func throttleOpensOncePerInterval() {
        let throttle = NoticeThrottle(intervalNanoseconds: 10)
        #expect(throttle.allows(100))
        #expect(!throttle.allows(105))
        #expect(throttle.allows(110))
    }
}

@Suite(.serialized) struct GenerateTopicPreparationTests {
    @Test func existingTopicKeepsItsPartitions() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("prepared", partitions: 4)
        let kafka = KafkaTopicOutput.configuration(bootstrapServers: cluster.bootstrapServers, properties: [:])

        let unrequested = try KafkaTopicOutput.prepareTopic(
            configuration: kafka,
            topic: "prepared",
            requestedPartitions: nil
        )
        #expect(unrequested.isEmpty)
        let matching = try KafkaTopicOutput.prepareTopic(
            configuration: kafka,
            topic: "prepared",
            requestedPartitions: 4
        )
        #expect(matching.isEmpty)
        let differing = try KafkaTopicOutput.prepareTopic(
            configuration: kafka,
            topic: "prepared",
            requestedPartitions: 8
        )
        #expect(differing.count == 1)
        #expect(differing.first?.contains("already has 4 partitions") == true)
    }

    /// The mock cluster has no controller, so creation times out after 5 s and yields a note.
    @Test func missingTopicOnMockClusterGivesNote() throws {
        let cluster = try MockCluster(brokers: 1)
        let kafka = KafkaTopicOutput.configuration(bootstrapServers: cluster.bootstrapServers, properties: [:])
        let notes = try KafkaTopicOutput.prepareTopic(
            configuration: kafka,
            topic: "not-yet-there",
            requestedPartitions: 3
        )
        #expect(notes.count == 1)
        #expect(notes.first?.contains("creating topic 'not-yet-there' with 3 partitions failed") == true)
    }
}
