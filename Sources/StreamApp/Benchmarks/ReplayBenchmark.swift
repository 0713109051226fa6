import Aggregators
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// `memestream bench replay`: generates a heavy-tailed synthetic event file, replays it from
/// file to file on one thread, and reports throughput and peak memory per active meme.
enum ReplayBenchmark: Benchmark {
    static let name = "replay"
    static let summary = "Replay a synthetic heavy-tailed event file to a feature file; events/s and bytes per meme."

    static let options: [OptionSpec] = [
        .value("events", valueName: "N", help: "Events to generate and replay. Default 10000000."),
        .value("memes", valueName: "N", help: "Memes in the Zipf popularity pool. Default 200000."),
        .value("rate", valueName: "N", help: "Events per second of event time. Default 10000."),
        .value("directory", valueName: "DIR", help: "Where the event and feature files go. Default /tmp."),
        .flag("keep", help: "Keep the generated event and feature files."),
    ]

    static func run(_ arguments: ParsedArguments) async throws {
        let eventCount = Int(
            try OptionValues.integer(
                arguments.value("events") ?? "10000000",
                option: "events",
                range: 1...1_000_000_000
            )
        )
        let memeCount = Int(
            try OptionValues.integer(arguments.value("memes") ?? "200000", option: "memes", range: 1...100_000_000)
        )
        let rate = Int(
            try OptionValues.integer(arguments.value("rate") ?? "10000", option: "rate", range: 1...1_000_000)
        )
        let directory = arguments.value("directory") ?? "/tmp"
        let inputPath = directory + "/memestream-bench-replay-events.jsonl"
        let outputPath = directory + "/memestream-bench-replay-features.jsonl"

        let stream = SyntheticEventStream(eventCount: eventCount, memeCount: memeCount, eventsPerSecond: rate)
        let generationStart = ContinuousClock.now
        try stream.write(to: inputPath)
        let generationSeconds = seconds(ContinuousClock.now - generationStart)
        print("generated_events: \(eventCount) events")
        print("generate_seconds: \(format(generationSeconds)) s")
        print("input_bytes: \(fileSize(inputPath)) bytes")

        var options = ReplayOptions(inputFile: inputPath)
        options.outputFile = outputPath
        let factory = try ReplayEngineBinding.engineFactory(for: options)
        // Kept to report the state by part after the replay.
        final class EngineList { var engines: [any ReplayPartitionEngine] = [] }
        let created = EngineList()
        let makeEngine: ReplayRunner.EngineFactory = { partition in
            let engine = try factory(partition)
            created.engines.append(engine)
            return engine
        }
        let residentBefore = memoryStatusKilobytes("VmRSS") * 1024
        let cpuBefore = processCPUSeconds()
        let runner = ReplayRunner(options: options, makeEngine: makeEngine)
        var summary = ReplayRunner.Summary()
        try runner.run(summary: &summary)
        let peakResident = memoryStatusKilobytes("VmHWM") * 1024
        let endResident = memoryStatusKilobytes("VmRSS") * 1024
        let cpuSeconds = processCPUSeconds() - cpuBefore

        let eventsPerSecond = Double(summary.records) / summary.elapsedSeconds
        let growth = max(0, peakResident - residentBefore)
        print("replay_seconds: \(format(summary.elapsedSeconds)) s")
        print("replay_throughput: \(Int(eventsPerSecond)) events/s")
        // CPU time is the fairer figure on a shared machine, where wall time includes waiting.
        print("replay_cpu_seconds: \(format(cpuSeconds)) s")
        if cpuSeconds > 0 {
            print("replay_throughput_per_cpu_second: \(Int(Double(summary.records) / cpuSeconds)) events/s")
        }
        print("records_written: \(summary.recordsWritten) records")
        print("tombstones_written: \(summary.tombstonesWritten) records")
        print("rejected: \(summary.rejectionCounts.values.reduce(0, +)) records")
        print("output_bytes: \(fileSize(outputPath)) bytes")
        print("peak_keys_in_state: \(summary.peakKeyCount) keys")
        print("rss_before_replay: \(residentBefore) bytes")
        print("peak_rss: \(peakResident) bytes")
        if summary.peakKeyCount > 0 {
            print("peak_rss_growth_per_active_meme: \(growth / summary.peakKeyCount) bytes")
            // What stays resident after the input, with the state kept: the peak minus this is
            // what passed, such as the buffers of one large tick.
            let endGrowth = max(0, endResident - residentBefore)
            print("end_rss_growth_per_active_meme: \(endGrowth / summary.peakKeyCount) bytes")
        }
        // The estimate of the state left at the end of the input, per key, by part.
        for case let engine as PartitionEngine in created.engines where engine.keyCount > 0 {
            print("end_keys_in_state: \(engine.keyCount) keys")
            print("state_compactions: \(engine.compactionCount)")
            print("state_compaction_seconds: \(format(Double(engine.compactionNanoseconds) / 1e9)) s")
            let longest = engine.longestCompaction
            print(
                "state_compaction_longest: \(format(Double(longest.nanoseconds) / 1e6)) ms "
                    + "moving \(longest.liveBytes / 1_048_576) MiB"
            )
            print("end_estimated_state_bytes_per_key: \(engine.estimatedStateBytes() / engine.keyCount) bytes")
            for part in engine.estimatedStateBytesByPart() {
                print("end_state_bytes_per_key[\(part.part)]: \(part.bytes / engine.keyCount)")
            }
        }

        if !arguments.isSet("keep") {
            unlink(inputPath)
            unlink(outputPath)
        }
    }

    /// Returns a `/proc/self/status` memory field (such as `VmHWM`, the peak resident set) in
    /// kilobytes, or 0 when it cannot be read.
    static func memoryStatusKilobytes(_ field: String) -> Int {
        guard let reader = try? LineReader(path: "/proc/self/status") else { return 0 }
        let prefix = field + ":"
        // /proc/self/status has about 60 lines.
        for _ in 0..<1000 {
            guard let line = try? reader.nextLine() else { return 0 }
            let text = String(decoding: line.bytes, as: UTF8.self)
            guard text.hasPrefix(prefix) else { continue }
            let digits = text.dropFirst(prefix.count).filter { $0.isNumber }
            return Int(digits) ?? 0
        }
        return 0
    }

    /// Returns the user plus system CPU time this process has used, in seconds.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    private static func fileSize(_ path: String) -> Int64 {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func format(_ value: Double) -> String {
        String((value * 1000).rounded() / 1000)
    }
}
