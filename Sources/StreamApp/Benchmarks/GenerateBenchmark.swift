import KafkaBridge

#if canImport(Glibc)
import Glibc
#endif

/// `memestream bench generate`: records per second of `memestream generate` with default
/// traffic, into memory (generation and formatting only), a plain file, a zstd file, and the
/// mock cluster's topic. Each figure is the median of three runs.
enum GenerateBenchmark: Benchmark {
    static let name = "generate"
    static let summary = "Records/s of the traffic generator to memory, a file, a zstd file and a mock topic."

    static var options: [OptionSpec] {
        [
            .value("records", valueName: "N", help: "generate: records per run. Default 2000000."),
            .value(
                "directory",
                valueName: "DIR",
                help: "generate: directory for the output files, deleted after each run. Default /tmp."
            ),
        ]
    }

    /// A sink that only counts bytes, so the figure is generation and formatting alone.
    struct DiscardingOutput: ByteOutput {
        var byteCount = 0
        mutating func write(_ bytes: UnsafeRawBufferPointer) throws { byteCount += bytes.count }
        mutating func finish() throws {}
    }

    static func run(_ arguments: ParsedArguments) async throws {
        let records = Int(
            try OptionValues.integer(
                arguments.value("records") ?? "2000000",
                option: "records",
                range: 1...Int64(Int32.max)
            )
        )
        let directory = arguments.value("directory") ?? "/tmp"
        var configuration = GeneratorConfiguration()
        configuration.limit = .events(records)

        let memory = try median { try GenerateCommand.generate(configuration, to: DiscardingOutput()) }
        print("generate_memory_records_per_second: \(memory)")

        let plainPath = "\(directory)/memestream-bench-generate.jsonl"
        let plain = try median {
            defer { unlink(plainPath) }
            return try GenerateCommand.generate(configuration, to: try BufferedFileOutput(path: plainPath))
        }
        print("generate_file_records_per_second: \(plain)")

        let zstdPath = "\(directory)/memestream-bench-generate.jsonl.zst"
        let compressed = try median {
            defer { unlink(zstdPath) }
            return try GenerateCommand.generate(configuration, to: try ZstdFileOutput(path: zstdPath))
        }
        print("generate_zstd_file_records_per_second: \(compressed)")

        // The mock cluster keeps only about 5 MiB per partition, so this run does not check what
        // the broker retained. It measures how fast records are produced and acknowledged.
        var topicConfiguration = configuration
        topicConfiguration.writesToTopic = true
        let topic = try median {
            let cluster = try MockCluster(brokers: 1)
            try cluster.createTopic("bench-generate", partitions: 8)
            let kafka = KafkaTopicOutput.configuration(bootstrapServers: cluster.bootstrapServers, properties: [:])
            return try GenerateCommand.generate(
                topicConfiguration,
                into: try KafkaTopicOutput(configuration: kafka, topic: "bench-generate")
            )
        }
        print("generate_mock_topic_records_per_second: \(topic)")
    }

    /// Runs `body` three times and returns the median records per second.
    private static func median(_ body: () throws -> GenerationSummary) throws -> Int {
        var rates: [Double] = []
        for _ in 0..<3 {
            let summary = try body()
            rates.append(Double(summary.records) / (Double(summary.elapsedNanoseconds) / 1e9))
        }
        return Int(rates.sorted()[1])
    }
}
