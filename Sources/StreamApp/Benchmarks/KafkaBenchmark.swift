import Foundation
import KafkaBridge
import Synchronization

/// `memestream bench kafka`: produce and consume rates through KafkaBridge against a plain C
/// librdkafka loop, on one mock cluster and the same topic in the same run.
///
/// The mock cluster runs in this process. Both clients run as child processes with the same
/// command shape, so neither shares a process (and its scheduling) with the cluster. The C
/// side is the tool from `--c-tool`, and the KafkaBridge side is this executable with
/// `--client`. Each repeat creates a topic. Each side produces `--records` records to it, in
/// alternating order, and then each consumes all of them from the beginning with a fixed
/// assignment. Consume rates count from record N/10 to the last record, which leaves out
/// connection and start-up time.
///
/// Each client also reports the CPU time (user plus system, from `getrusage`) its process spent
/// after start-up, and
/// records per CPU second compare the clients' own cost even when the cluster, not the
/// client, limits the wall-clock rate. Figures are medians over `--repeats`.
enum KafkaBenchmark: Benchmark {
    static let name = "kafka"
    static let summary = "Produce and consume rates through KafkaBridge vs a plain C librdkafka loop."

    static var options: [OptionSpec] {
        [
            .value("records", valueName: "N", help: "Records each side produces per repeat. Default: 200000."),
            .value("partitions", valueName: "N", help: "Partitions of the benchmark topic. Default: 32."),
            .value("value-bytes", valueName: "BYTES", help: "Size of each record value in bytes. Default: 150."),
            .value("repeats", valueName: "N", help: "Repeats; figures are medians. Default: 5."),
            .value(
                "c-tool",
                valueName: "PATH",
                help: "The C loop built from scripts/bench-kafka.c; without it only KafkaBridge rates are printed."
            ),
            .value(
                "client",
                valueName: "ROLE",
                help: "Internal: run one KafkaBridge side (produce or consume) against --bootstrap and print its rate."
            ),
            .value("bootstrap", valueName: "SERVERS", help: "Internal: the bootstrap servers for --client."),
            .value("topic", valueName: "NAME", help: "Internal: the topic for --client."),
        ]
    }

    static func run(_ arguments: ParsedArguments) async throws {
        let records = Int(
            try arguments.value("records").map {
                try OptionValues.integer($0, option: "records", range: 1...10_000_000)
            } ?? 200_000
        )
        let partitions = Int(
            try arguments.value("partitions").map {
                try OptionValues.integer($0, option: "partitions", range: 1...1_000)
            } ?? 32
        )
        let valueBytes = Int(
            try arguments.value("value-bytes").map {
                try OptionValues.integer($0, option: "value-bytes", range: 1...100_000)
            } ?? 150
        )
        if let role = arguments.value("client") {
            try runClient(role, arguments, records: records, partitions: partitions, valueBytes: valueBytes)
            return
        }
        let repeats = Int(
            try arguments.value("repeats").map { try OptionValues.integer($0, option: "repeats", range: 1...100) } ?? 5
        )
        let cTool = arguments.value("c-tool")
        if let cTool, !FileManager.default.isExecutableFile(atPath: cTool) {
            throw UsageError(
                "invalid value '\(cTool)' for --c-tool: not an executable file; build it with scripts/bench-kafka.sh"
            )
        }

        let cluster = try MockCluster(brokers: 1)
        let bootstrap = cluster.bootstrapServers
        var rates: [String: [Double]] = [:]
        for repeatIndex in 0..<repeats {
            let topic = "bench-kafka-\(repeatIndex)"
            try cluster.createTopic(topic, partitions: partitions)
            // Alternate the order, so neither side always runs on a fresher cluster.
            var sides = ["bridge", "c"]
            if repeatIndex % 2 == 1 { sides.reverse() }
            if cTool == nil { sides = ["bridge"] }

            for side in sides {
                let produce = ["produce", bootstrap, topic, String(records), String(valueBytes)]
                let result = try runSide(side, produce, cTool: cTool)
                rates["produce.\(side)", default: []].append(result.rate)
                rates["produce.\(side).cpu", default: []].append(Double(records) / result.cpuSeconds)
            }
            let total = records * sides.count
            for side in sides {
                let consume = ["consume", bootstrap, topic, String(partitions), String(total)]
                let result = try runSide(side, consume, cTool: cTool)
                rates["consume.\(side)", default: []].append(result.rate)
                rates["consume.\(side).cpu", default: []].append(Double(total) / result.cpuSeconds)
            }
        }

        print("kafka.records_per_side: \(records) records")
        print("kafka.partitions: \(partitions) partitions")
        print("kafka.value_bytes: \(valueBytes) bytes")
        print("kafka.repeats: \(repeats) repeats")
        for operation in ["produce", "consume"] {
            report(operation, rates["\(operation).bridge"], rates["\(operation).c"], unit: "msg/s")
            report(operation + ".cpu", rates["\(operation).bridge.cpu"], rates["\(operation).c.cpu"], unit: "msg/cpu-s")
        }
    }

    /// Prints the medians of one figure for both sides and their ratio.
    private static func report(_ figure: String, _ bridge: [Double]?, _ c: [Double]?, unit: String) {
        let bridgeMedian = median(bridge ?? [])
        print("kafka.\(figure).bridge: \(Int(bridgeMedian)) \(unit)")
        guard let c else { return }
        let cMedian = median(c)
        print("kafka.\(figure).c: \(Int(cMedian)) \(unit)")
        print("kafka.\(figure).ratio: " + String(format: "%.3f", bridgeMedian / cMedian) + " bridge/c")
    }

    /// Runs one side as a child process with `command` (`produce BOOTSTRAP TOPIC COUNT BYTES`
    /// or `consume BOOTSTRAP TOPIC PARTITIONS COUNT`) and returns its rate and CPU time.
    private static func runSide(
        _ side: String,
        _ command: [String],
        cTool: String?
    ) throws -> (rate: Double, cpuSeconds: Double) {
        if side == "c", let cTool {
            return try runChild(cTool, command)
        }
        var arguments = ["bench", "kafka", "--client", command[0], "--bootstrap", command[1], "--topic", command[2]]
        if command[0] == "produce" {
            arguments += ["--records", command[3], "--value-bytes", command[4]]
        } else {
            arguments += ["--partitions", command[3], "--records", command[4]]
        }
        // /proc/self/exe is this executable, wherever it was started from.
        return try runChild("/proc/self/exe", arguments)
    }

    /// Runs a child process and returns the figures from its `rate N` and `cpu SECONDS` lines.
    private static func runChild(_ path: String, _ arguments: [String]) throws -> (rate: Double, cpuSeconds: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        func figure(_ name: String) -> Double? {
            let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            return line.flatMap { Double($0.dropFirst(name.count + 1)) }
        }
        guard process.terminationStatus == 0, let rate = figure("rate"), let cpu = figure("cpu"), cpu > 0 else {
            throw KafkaBenchmarkError(
                "benchmark client '\(path) \(arguments.joined(separator: " "))' failed with status \(process.terminationStatus): \(text)"
            )
        }
        return (rate, cpu)
    }

    /// Runs one KafkaBridge side in this process and prints `rate N` and `cpu SECONDS`.
    private static func runClient(
        _ role: String,
        _ arguments: ParsedArguments,
        records: Int,
        partitions: Int,
        valueBytes: Int
    ) throws {
        guard let bootstrap = arguments.value("bootstrap"), let topic = arguments.value("topic") else {
            throw UsageError("--client needs --bootstrap and --topic")
        }
        // Process start-up (loading the Swift runtime and Foundation) is not client cost.
        let startCPU = processCPUSeconds()
        let rate: Double
        switch role {
        case "produce":
            rate = try produceWithBridge(bootstrap, topic: topic, records: records, valueBytes: valueBytes)
        case "consume":
            rate = try consumeWithBridge(bootstrap, topic: topic, partitions: partitions, records: records)
        default:
            throw UsageError("invalid value '\(role)' for --client: expected produce or consume")
        }
        print("rate \(Int(rate))")
        print("cpu \(processCPUSeconds() - startCPU)")
    }

    /// Returns the user plus system CPU time of this process so far, in seconds.
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// Produces `records` keyed records and returns records per second, from the first send to
    /// the last delivery report.
    private static func produceWithBridge(
        _ bootstrap: String,
        topic: String,
        records: Int,
        valueBytes: Int
    ) throws -> Double {
        var configuration = KafkaConfiguration(bootstrapServers: bootstrap)
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
        _ bootstrap: String,
        topic: String,
        partitions: Int,
        records: Int
    ) throws -> Double {
        var configuration = KafkaConfiguration(bootstrapServers: bootstrap)
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
        guard seen >= records, checksum != 0 else {
            throw KafkaBenchmarkError("KafkaBridge consumed \(seen) of \(records) records within 120 s")
        }
        return Double(records - records / 10) / seconds(elapsed)
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
