import Foundation
import KafkaBridge
import Synchronization

/// `memestream bench kafka`: produce and consume rates through KafkaBridge against a plain C
/// librdkafka loop, on one mock cluster and the same topic in the same run.
///
/// Each repeat creates a topic; KafkaBridge and the C tool each produce `--records` records to
/// it (alternating which goes first), then each consumes all of them from the beginning with a
/// fixed assignment. Consume rates count from record N/10 to the last record, which leaves out
/// connection and start-up time. Figures are medians over `--repeats`.
enum KafkaBenchmark: Benchmark {
    static let name = "kafka"
    static let summary = "Produce and consume rates through KafkaBridge vs a plain C librdkafka loop."

    static var options: [OptionSpec] {
        [
            .value("records", valueName: "N", help: "Records each side produces per repeat. Default: 100000."),
            .value("partitions", valueName: "N", help: "Partitions of the benchmark topic. Default: 16."),
            .value("value-bytes", valueName: "BYTES", help: "Size of each record value in bytes. Default: 150."),
            .value("repeats", valueName: "N", help: "Repeats; figures are medians. Default: 3."),
            .value(
                "c-tool",
                valueName: "PATH",
                help: "The C loop built from scripts/bench-kafka.c; without it only KafkaBridge rates are printed."
            ),
        ]
    }

    static func run(_ arguments: ParsedArguments) async throws {
        let records = Int(
            try arguments.value("records").map {
                try OptionValues.integer($0, option: "records", range: 1...10_000_000)
            } ?? 100_000
        )
        let partitions = Int(
            try arguments.value("partitions").map {
                try OptionValues.integer($0, option: "partitions", range: 1...1_000)
            } ?? 16
        )
        let valueBytes = Int(
            try arguments.value("value-bytes").map {
                try OptionValues.integer($0, option: "value-bytes", range: 1...100_000)
            } ?? 150
        )
        let repeats = Int(
            try arguments.value("repeats").map { try OptionValues.integer($0, option: "repeats", range: 1...100) } ?? 3
        )
        let cTool = arguments.value("c-tool")
        if let cTool, !FileManager.default.isExecutableFile(atPath: cTool) {
            throw UsageError(
                "invalid value '\(cTool)' for --c-tool: not an executable file; build it with scripts/bench-kafka.sh"
            )
        }

        let cluster = try MockCluster(brokers: 1)
        var swiftProduce: [Double] = []
        var cProduce: [Double] = []
        var swiftConsume: [Double] = []
        var cConsume: [Double] = []
        for repeatIndex in 0..<repeats {
            let topic = "bench-kafka-\(repeatIndex)"
            try cluster.createTopic(topic, partitions: partitions)
            let swiftFirst = repeatIndex % 2 == 0
            for side in swiftFirst ? [true, false] : [false, true] {
                if side {
                    swiftProduce.append(
                        try produceWithBridge(cluster, topic: topic, records: records, valueBytes: valueBytes)
                    )
                } else if let cTool {
                    cProduce.append(
                        try runCTool(
                            cTool,
                            ["produce", cluster.bootstrapServers, topic, String(records), String(valueBytes)]
                        )
                    )
                }
            }
            let total = cTool == nil ? records : 2 * records
            for side in swiftFirst ? [true, false] : [false, true] {
                if side {
                    swiftConsume.append(
                        try consumeWithBridge(cluster, topic: topic, partitions: partitions, records: total)
                    )
                } else if let cTool {
                    cConsume.append(
                        try runCTool(
                            cTool,
                            ["consume", cluster.bootstrapServers, topic, String(partitions), String(total)]
                        )
                    )
                }
            }
        }

        print("kafka.records_per_side: \(records) records")
        print("kafka.partitions: \(partitions) partitions")
        print("kafka.value_bytes: \(valueBytes) bytes")
        report("produce", swift: swiftProduce, c: cProduce)
        report("consume", swift: swiftConsume, c: cConsume)
    }

    private static func report(_ operation: String, swift: [Double], c: [Double]) {
        let swiftRate = median(swift)
        print("kafka.\(operation).bridge: \(Int(swiftRate)) msg/s")
        guard !c.isEmpty else { return }
        let cRate = median(c)
        print("kafka.\(operation).c: \(Int(cRate)) msg/s")
        print("kafka.\(operation).ratio: " + String(format: "%.3f", swiftRate / cRate) + " bridge/c")
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// Produces `records` keyed records and returns records per second, from the first send to
    /// the last delivery report.
    private static func produceWithBridge(
        _ cluster: MockCluster,
        topic: String,
        records: Int,
        valueBytes: Int
    ) throws -> Double {
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.producer.lingerMilliseconds = 5
        let delivered = Counter()
        let producer = try KafkaProducer(
            configuration: configuration,
            deliveryHandler: { report in
                if report.error == nil { delivered.increment() }
            }
        )
        let keys = (0..<1_000).map { Array("meme-\($0)".utf8) }
        let value = [UInt8](repeating: UInt8(ascii: "x"), count: valueBytes)

        let start = ContinuousClock.now
        try value.withUnsafeBytes { valueBuffer in
            for index in 0..<records {
                try keys[index % keys.count].withUnsafeBytes { keyBuffer in
                    try producer.send(topic: topic, key: keyBuffer, value: valueBuffer)
                }
            }
        }
        try producer.close(timeout: .seconds(60))
        let elapsed = ContinuousClock.now - start
        guard delivered.value == records else {
            throw KafkaBenchmarkError("KafkaBridge delivered \(delivered.value) of \(records) records")
        }
        return Double(records) / seconds(elapsed)
    }

    /// Consumes `records` records from the beginning of every partition and returns records per
    /// second from record `records / 10` to the last.
    private static func consumeWithBridge(
        _ cluster: MockCluster,
        topic: String,
        partitions: Int,
        records: Int
    ) throws -> Double {
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.consumer.groupID = "bench-kafka-bridge"
        configuration.consumer.queuedMinMessages = 1_000_000
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign(
            (0..<partitions).map {
                KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: Int32($0)), offset: .beginning)
            }
        )
        var seen = 0
        var checksum = 0
        var start: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + .seconds(120)
        while seen < records, ContinuousClock.now < deadline {
            try consumer.poll(maxMessages: 1_000, timeout: .milliseconds(100)) { batch in
                for message in batch {
                    if seen == records / 10 { start = ContinuousClock.now }
                    seen += 1
                    checksum &+= Int(message.value.first ?? 0)
                }
            }
        }
        let elapsed = ContinuousClock.now - (start ?? ContinuousClock.now)
        try consumer.close()
        guard seen >= records else {
            throw KafkaBenchmarkError("KafkaBridge consumed \(seen) of \(records) records within 120 s")
        }
        _ = checksum
        return Double(records - records / 10) / seconds(elapsed)
    }

    /// Runs the C tool and returns the rate from its `rate N` line.
    private static func runCTool(_ path: String, _ arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0,
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("rate ") }),
            let rate = Double(line.dropFirst("rate ".count))
        else {
            throw KafkaBenchmarkError(
                "C tool '\(path) \(arguments[0])' failed with status \(process.terminationStatus): \(text)"
            )
        }
        return rate
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) / 1e18
    }
}

/// A benchmark run that could not produce figures.
struct KafkaBenchmarkError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A thread-safe counter for delivery reports.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .relaxed) }

    var value: Int { count.load(ordering: .relaxed) }
}
