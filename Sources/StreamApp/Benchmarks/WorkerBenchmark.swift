import Aggregators
import Foundation
import KafkaBridge
import StreamCore
import Synchronization

/// `memestream bench worker`: end-to-end worker throughput on the mock cluster as a ratio to a
/// raw consume of the same topic in the same run, and tick processing latency.
///
/// One mock cluster, one input topic of `--partitions` partitions filled with `--events`
/// generated events (zstd-compressed so they fit the mock's 5 MiB per partition). The raw
/// consume is the plain C librdkafka loop of `scripts/bench-kafka.c` when `--c-tool` is given,
/// else KafkaBridge's batch poll. The worker runs in this process with the real consumer,
/// producer (feature and dead-letter topics on the same cluster) and a directory checkpoint store,
/// until every partition reaches its end and a final checkpoint round (flush, save, commit) is
/// done. Both rates count from record N/10 to the end, leaving out group join and start-up.
/// `--repeats` pairs of raw consume and worker run alternate, each worker in a new group. Single
/// runs vary by up to a fifth, so the printed rates and ratio are medians.
///
/// Tick latency: for each input record that closes ticks, the wall time from handing the record to
/// the engine to the point where every record of those ticks is in the producer's queue.
enum WorkerBenchmark: Benchmark {
    static let name = "worker"
    static let summary = "End-to-end worker throughput vs a raw consume, and tick processing latency."

    static var options: [OptionSpec] {
        [
            .value("events", valueName: "N", help: "Events produced to the input topic. Default: 400000."),
            .value("partitions", valueName: "N", help: "Partitions of the input topic. Default: 8."),
            .value("memes", valueName: "N", help: "Distinct memes in the generated events. Default: 5000."),
            .value(
                "c-tool",
                valueName: "PATH",
                help: "The C consume loop built from scripts/bench-kafka.c; without it KafkaBridge is the baseline."
            ),
            .value(
                "engine-threads",
                valueName: "N",
                help: "Engine threads of the worker (0 runs the engines on the polling thread). Default: 2."
            ),
            .value(
                "property",
                short: "X",
                valueName: "KEY=VALUE",
                repeatable: true,
                help: "librdkafka property for the worker's consumer and producer, applied after the worker's defaults."
            ),
            .value(
                "repeats",
                valueName: "N",
                help: "Pairs of raw consume and worker run, alternating. Rates and the ratio are medians. Default: 3."
            ),
            .flag(
                "breakdown",
                help: "Also print the worker thread's wall time by activity (adds two clock reads per record)."
            ),
        ]
    }

    static func run(_ arguments: ParsedArguments) async throws {
        let events = Int(
            try arguments.value("events").map {
                try OptionValues.integer($0, option: "events", range: 1_000...5_000_000)
            } ?? 400_000
        )
        let partitions = Int(
            try arguments.value("partitions").map { try OptionValues.integer($0, option: "partitions", range: 1...256) }
                ?? 8
        )
        let memes = Int(
            try arguments.value("memes").map { try OptionValues.integer($0, option: "memes", range: 1...10_000_000) }
                ?? 5_000
        )
        let repeats = Int(
            try arguments.value("repeats").map { try OptionValues.integer($0, option: "repeats", range: 1...20) } ?? 3
        )
        let cTool = arguments.value("c-tool")
        if let cTool, !FileManager.default.isExecutableFile(atPath: cTool) {
            throw UsageError(
                "invalid value '\(cTool)' for --c-tool: not an executable file; build it with scripts/bench-kafka.sh"
            )
        }

        let properties = try GenerateCommand.kafkaProperties(from: arguments)
        let engineThreads = Int(
            try arguments.value("engine-threads").map {
                try OptionValues.integer($0, option: "engine-threads", range: 0...64)
            } ?? 2
        )

        let cluster = try MockCluster(brokers: 1)
        let input = "bench-worker.events"
        try cluster.createTopic(input, partitions: partitions)
        try cluster.createTopic("bench-worker.features", partitions: partitions)
        try cluster.createTopic("bench-worker.dlq", partitions: 1)
        let generated = generateEvents(partitions: partitions, events: events, memes: memes)
        try produceEvents(cluster, topic: input, events: generated)
        let engineRate = runEngineOnly(generated)

        let baseline = cTool == nil ? "KafkaBridge batch poll" : "C librdkafka loop"
        let breakdown = arguments.isSet("breakdown") ? WorkerTimeBreakdown() : nil
        // Raw consume and worker run alternate, so a change in machine load during the run moves
        // both sides of each pair alike.
        var rawRates: [Double] = []
        var workerRates: [Double] = []
        var ratios: [Double] = []
        var latencies: [UInt64] = []
        var checkpointMilliseconds: [Int] = []
        var workerSeconds = 0.0
        var otherProcessesSeconds: Double? = 0
        for round in 0..<repeats {
            let rawRate: Double
            if let cTool {
                rawRate = try runCConsume(cTool, cluster: cluster, topic: input, partitions: partitions, events: events)
            } else {
                rawRate = try consumeWithBridge(cluster, topic: input, partitions: partitions, events: events)
            }
            breakdown?.reset()
            let cpuBefore = MachineCPUSample.read()
            let workerStarted = ContinuousClock.now
            let run = try runWorker(
                cluster,
                topic: input,
                group: "bench-worker-\(round)",
                events: events,
                properties: properties,
                engineThreads: engineThreads,
                breakdown: breakdown
            )
            let elapsed = seconds(ContinuousClock.now - workerStarted)
            workerSeconds += elapsed
            if let cpuBefore, let cpuAfter = MachineCPUSample.read(), let sum = otherProcessesSeconds {
                otherProcessesSeconds = sum + cpuAfter.otherProcessesSeconds(since: cpuBefore)
            } else {
                otherProcessesSeconds = nil
            }
            rawRates.append(rawRate)
            workerRates.append(run.rate)
            ratios.append(run.rate / rawRate)
            latencies += run.latencies
            checkpointMilliseconds.append(run.checkpointMilliseconds)
        }
        let rawRate = median(rawRates)
        let workerRate = median(workerRates)

        let sorted = latencies.sorted()
        func quantile(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            return Double(sorted[min(sorted.count - 1, Int(q * Double(sorted.count - 1)))]) / 1_000_000
        }
        print("events: \(events) in \(partitions) partitions, \(memes) memes, \(repeats) repeats (medians)")
        print("raw consume (\(baseline)): \(Int(rawRate)) records/s \(range(rawRates, format: "%.0f"))")
        print("worker end to end: \(Int(workerRate)) records/s \(range(workerRates, format: "%.0f"))")
        print("ratio worker/raw: \(String(format: "%.3f", median(ratios))) \(range(ratios, format: "%.3f"))")
        print(
            "engine alone, no Kafka: \(Int(engineRate)) records/s (worker/engine \(String(format: "%.3f", workerRate / engineRate)))"
        )
        print("tick processing latency p50: \(String(format: "%.3f", quantile(0.5))) ms")
        print("tick processing latency p99: \(String(format: "%.3f", quantile(0.99))) ms")
        print(
            "tick processing latency max: \(String(format: "%.3f", quantile(1.0))) ms (\(sorted.count) closing records)"
        )
        print("final checkpoint round: \(Int(median(checkpointMilliseconds.map(Double.init)))) ms")
        if let otherProcessesSeconds {
            // Load from other processes moves every rate here, so the run records it.
            print(
                "other processes during the worker runs: \(String(format: "%.2f", otherProcessesSeconds / workerSeconds)) cores busy"
            )
        }
        if let breakdown {
            // The breakdown covers the last repeat only.
            breakdown.report(
                total: UInt64(Double(events - events / 10) / workerRates.last! * 1e9),
                enginesOnLanes: engineThreads > 0
            )
        }
    }

    /// One generated input record.
    private struct BenchEvent {
        var key: [UInt8]
        var value: [UInt8]
        var timestamp: Int64
    }

    /// Generates `events` JSON events per partition, keyed by meme id. Event time advances 50 ms
    /// per event per partition, so ticks close regularly, and meme popularity is skewed (squared
    /// uniform index). Seeded, so every run measures the same stream.
    private static func generateEvents(partitions: Int, events: Int, memes: Int) -> [[BenchEvent]] {
        var random = SplitMix64(seed: 2_026)
        var clocks = [Int64](repeating: 1_700_000_000_000, count: partitions)
        var result = [[BenchEvent]](repeating: [], count: partitions)
        for index in 0..<events {
            let uniform = Double(random.next() >> 11) / Double(1 << 53)
            let meme = Int(uniform * uniform * Double(memes))
            let partition = meme % partitions
            clocks[partition] += 50
            let type = index % 10 == 0 ? "like" : "view"
            let value =
                #"{"meme_id":"meme-\#(meme)","type":"\#(type)","ts":\#(clocks[partition]),"user_id":"u\#(index % 9_973)","dwell_ms":\#(index % 40_000)}"#
            result[partition].append(
                BenchEvent(key: Array("meme-\(meme)".utf8), value: Array(value.utf8), timestamp: clocks[partition])
            )
        }
        return result
    }

    /// Produces the events zstd-compressed, so they fit the mock's 5 MiB per partition.
    private static func produceEvents(_ cluster: MockCluster, topic: String, events: [[BenchEvent]]) throws {
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.producer.compression = .zstd
        configuration.producer.lingerMilliseconds = 20
        let producer = try KafkaProducer(configuration: configuration)
        for (partition, records) in events.enumerated() {
            for record in records {
                try producer.send(
                    topic: topic,
                    partition: KafkaPartition(rawValue: Int32(partition)),
                    key: record.key,
                    value: record.value,
                    timestamp: record.timestamp,
                    context: 0
                )
            }
        }
        try producer.close(timeout: .seconds(120))
    }

    /// Runs the events through one engine per partition with a sink that drops the output: the
    /// ceiling the worker could reach with free Kafka I/O.
    private static func runEngineOnly(_ events: [[BenchEvent]]) -> Double {
        struct DiscardingSink: EmissionSink {
            var emitted = 0
            mutating func emit(memeID: String, tick: EventTime, isTombstone: Bool, value: UnsafeRawBufferPointer) {
                emitted += 1
            }
            mutating func reject(_ record: InputRecord, rejection: Rejection) {}
        }
        // Like the Kafka rates, the first tenth of each partition is left out as warm-up.
        var sink = DiscardingSink()
        var measured = Duration.zero
        var total = 0
        for (partition, records) in events.enumerated() {
            let engine = PartitionEngine(
                partition: Int32(partition),
                featureSet: .memeV1,
                configuration: EngineConfiguration()
            )
            let warmUp = records.count / 10
            var started = ContinuousClock.now
            for (offset, record) in records.enumerated() {
                if offset == warmUp { started = .now }
                record.key.withUnsafeBytes { key in
                    record.value.withUnsafeBytes { value in
                        let input = InputRecord(
                            partition: Int32(partition),
                            offset: Int64(offset),
                            recordTimestamp: record.timestamp,
                            key: key,
                            value: value
                        )
                        engine.process(input, into: &sink)
                    }
                }
            }
            measured += ContinuousClock.now - started
            total += records.count - warmUp
        }
        return Double(total) / seconds(measured)
    }

    private static func runCConsume(
        _ tool: String,
        cluster: MockCluster,
        topic: String,
        partitions: Int,
        events: Int
    ) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["consume", cluster.bootstrapServers, topic, String(partitions), String(events)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self)
        guard process.terminationStatus == 0,
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("rate ") }),
            let rate = Double(line.dropFirst(5))
        else {
            let printed = text.isEmpty ? "nothing" : "'\(text.prefix(200))'"
            throw BenchmarkFailure(
                description: "the C consume loop \(tool) exited with status \(process.terminationStatus) and printed "
                    + "\(printed) instead of a 'rate N' line; pass the tool that scripts/bench-kafka.sh builds "
                    + "(.build/bench-kafka-c)"
            )
        }
        return rate
    }

    private static func consumeWithBridge(
        _ cluster: MockCluster,
        topic: String,
        partitions: Int,
        events: Int
    ) throws -> Double {
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.consumer.groupID = "bench-worker-raw"
        configuration.consumer.queuedMinMessages = 1_000_000
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { try? consumer.close() }
        try consumer.assign(
            (0..<partitions).map {
                KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: Int32($0)), offset: .beginning)
            }
        )
        var seen = 0
        var started: ContinuousClock.Instant?
        var checksum = 0
        let deadline = ContinuousClock.now + .seconds(300)
        while seen < events, ContinuousClock.now < deadline {
            try consumer.poll(maxMessages: 10_000, timeout: .milliseconds(100)) { batch in
                for message in batch {
                    checksum &+= Int(message.value.first ?? 0)
                    seen += 1
                    if seen == events / 10 { started = .now }
                }
            }
        }
        guard seen >= events, let started else {
            throw BenchmarkFailure(description: "raw consume read \(seen) of \(events) records before the deadline")
        }
        if checksum == 0 { print("note: every value starts with byte 0") }
        return Double(events - events / 10) / seconds(ContinuousClock.now - started)
    }

    private static func runWorker(
        _ cluster: MockCluster,
        topic: String,
        group: String,
        events: Int,
        properties: [String: String],
        engineThreads: Int,
        breakdown: WorkerTimeBreakdown?
    ) throws -> (rate: Double, latencies: [UInt64], checkpointMilliseconds: Int) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bench-worker-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = WorkerSettings()
        settings.group = group
        settings.inputTopic = topic
        settings.featureTopic = "bench-worker.features"
        settings.dlqTopic = "bench-worker.dlq"
        settings.idleTimeoutMilliseconds = 0
        settings.engineThreads = engineThreads
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.consumer.groupID = settings.group
        configuration.consumer.sessionTimeoutMilliseconds = 6_000
        configuration.consumer.heartbeatIntervalMilliseconds = 500
        configuration.consumer.fetchWaitMaxMilliseconds = 20
        configuration.consumer.queuedMinMessages = 1_000_000
        configuration.producer.lingerMilliseconds = 5
        configuration.producer.deliveryReportOnlyErrors = true
        configuration.properties = properties

        let engineConfiguration = EngineConfiguration()
        var consumer: any WorkerConsumer = try KafkaWorkerConsumer(
            configuration: configuration,
            topic: topic,
            logger: .discarding
        )
        var producer: any WorkerProducer = try KafkaWorkerProducer(configuration: configuration)
        var store: any CheckpointStore = try DirectoryCheckpointStore(root: directory)
        var engines = WorkerEngineBinding.factory(featureSet: .memeV1, configuration: engineConfiguration)
        if let breakdown {
            consumer = TimingWorkerConsumer(consumer, breakdown: breakdown, enginesRunInBody: engineThreads == 0)
            producer = TimingWorkerProducer(producer, breakdown: breakdown)
            store = TimingCheckpointStore(store, breakdown: breakdown)
            engines = engines.timed(by: breakdown)
        }
        let worker = StreamWorker(
            settings: settings,
            consumer: consumer,
            producer: producer,
            store: store,
            engines: engines,
            logger: .discarding,
            metrics: WorkerMetrics(registry: MetricsRegistry()),
            health: HealthMonitor(livenessTimeoutMilliseconds: 60_000)
        )
        // Engine lanes report from their own threads.
        let latencies = Mutex<[UInt64]>([])
        latencies.withLock { $0.reserveCapacity(100_000) }
        worker.tickLatencyObserver = { latency in latencies.withLock { $0.append(latency) } }

        worker.prepareOutput()
        var started: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + .seconds(600)
        var processed = 0
        var pollOnceNanoseconds: UInt64 = 0
        while processed < events, ContinuousClock.now < deadline {
            let pollStarted = breakdown?.now() ?? 0
            try worker.pollOnce()
            if let breakdown { pollOnceNanoseconds += breakdown.now() - pollStarted }
            let positions = worker.positions
            processed = positions.isEmpty ? 0 : positions.values.reduce(0) { $0 + Int($1) }
            if started == nil, processed >= events / 10 {
                started = .now
                if let breakdown {
                    breakdown.reset()
                    pollOnceNanoseconds = 0
                }
            }
        }
        guard processed >= events, let started else {
            throw BenchmarkFailure(
                description: "the worker processed \(processed) of \(events) records before the deadline"
            )
        }
        if let breakdown {
            let inPollOnce =
                breakdown.consumerPoll + breakdown.recordBookkeeping + breakdown.engine + breakdown.produce
                + breakdown.producerFlush + breakdown.checkpointSave + breakdown.offsetCommit
            breakdown.loopOther = pollOnceNanoseconds > inPollOnce ? pollOnceNanoseconds - inPollOnce : 0
        }
        let checkpointStart = ContinuousClock.now
        try worker.checkpoint(worker.assignedPartitions, reason: "benchmark")
        let finished = ContinuousClock.now
        let rate = Double(events - events / 10) / seconds(finished - started)
        return (rate, latencies.withLock { $0 }, Int(seconds(finished - checkpointStart) * 1_000))
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Formats the smallest and largest of `values` as "(low–high)", or "" for one value.
    private static func range(_ values: [Double], format: String) -> String {
        guard values.count > 1, let low = values.min(), let high = values.max() else { return "" }
        return "(\(String(format: format, low))–\(String(format: format, high)))"
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}

/// A benchmark that could not complete, with the reason.
struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}
