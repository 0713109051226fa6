import KafkaBridge
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// `memestream bench generate`: records per second of `memestream generate` with default
/// traffic, into memory (generation and formatting only), a plain file, a zstd file, and the
/// mock cluster's topic. Each figure is the median of three runs.
///
/// Besides wall-clock rates it prints records per second of the generating thread's CPU time
/// (user and system), which stays meaningful when other processes share the cores. The topic
/// run has no CPU figure because librdkafka works on its own threads.
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
        print("generate_memory_records_per_second: \(memory.wall)")
        print("generate_memory_records_per_cpu_second: \(memory.cpu)")

        let plainPath = "\(directory)/memestream-bench-generate.jsonl"
        let plain = try median {
            defer { unlink(plainPath) }
            return try GenerateCommand.generate(configuration, to: try LineWriter(path: plainPath))
        }
        print("generate_file_records_per_second: \(plain.wall)")
        print("generate_file_records_per_cpu_second: \(plain.cpu)")

        let zstdPath = "\(directory)/memestream-bench-generate.jsonl.zst"
        let compressed = try median {
            defer { unlink(zstdPath) }
            return try GenerateCommand.generate(configuration, to: try LineWriter(path: zstdPath))
        }
        print("generate_zstd_file_records_per_second: \(compressed.wall)")
        print("generate_zstd_file_records_per_cpu_second: \(compressed.cpu)")

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
        print("generate_mock_topic_records_per_second: \(topic.wall)")

        for compression in ["none", "zstd"] {
            let retainedRecords = try recordsKeptByMockPartition(compression: compression)
            print("generate_mock_partition_records_kept_\(compression): \(retainedRecords)")
        }
    }

    /// Produces 400 000 default records to a one-partition topic of a fresh mock cluster and
    /// returns how many records the partition retained (high minus low watermark), which shows its
    /// retention limit of about 5 MiB.
    private static func recordsKeptByMockPartition(compression: String) throws -> Int64 {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("bench-retention", partitions: 1)
        var configuration = GeneratorConfiguration()
        configuration.limit = .events(400_000)
        configuration.writesToTopic = true
        let kafka = KafkaTopicOutput.configuration(
            bootstrapServers: cluster.bootstrapServers,
            properties: ["compression.type": compression]
        )
        _ = try GenerateCommand.generate(
            configuration,
            into: try KafkaTopicOutput(configuration: kafka, topic: "bench-retention")
        )
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers))
        defer { try? consumer.close() }
        let marks = try consumer.queryWatermarkOffsets(
            topic: "bench-retention",
            partition: KafkaPartition(rawValue: 0),
            timeout: .seconds(10)
        )
        return marks.high.rawValue - marks.low.rawValue
    }

    /// Runs `body` three times and returns the median records per second of wall time and of
    /// the calling thread's CPU time.
    private static func median(_ body: () throws -> GenerationSummary) throws -> (wall: Int, cpu: Int) {
        var wallRates: [Double] = []
        var cpuRates: [Double] = []
        for _ in 0..<3 {
            let cpuStart = threadCPUNanoseconds()
            let summary = try body()
            let cpuSeconds = Double(threadCPUNanoseconds() - cpuStart) / 1e9
            wallRates.append(Double(summary.records) / (Double(summary.elapsedNanoseconds) / 1e9))
            cpuRates.append(Double(summary.records) / cpuSeconds)
        }
        return (Int(wallRates.sorted()[1]), Int(cpuRates.sorted()[1]))
    }

    /// CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`), user and system, in nanoseconds.
    private static func threadCPUNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
