import Aggregators
import Foundation
import StreamCore

/// `memestream bench engine`: feeds a heavy-tailed meme_v1 stream through one partition engine
/// on one core, then jumps the watermark three days ahead. It reports events/s, state bytes per
/// key and the cost of the jump.
///
/// The stream is built in memory before timing starts. Meme ranks follow `floor(keys × u^3)`
/// for uniform u, so a few memes take most of the traffic and most memes see a handful of
/// events; about 70 % of events are views, 15 % likes, the rest shares, and 60 % of views carry
/// `dwell_ms`. Event time advances by 0–2× the mean gap per event, with up to 4 s of jitter.
enum EngineBenchmark: Benchmark {
    static let name = "engine"
    static let summary = "Run meme_v1 over a heavy-tailed stream on one core; print events/s and bytes per key."

    static var options: [OptionSpec] {
        [
            .value("events", valueName: "N", help: "Number of events (default 1000000)."),
            .value("keys", valueName: "N", help: "Number of distinct memes to draw from (default 200000)."),
            .value("span-minutes", valueName: "N", help: "Event-time span of the stream in minutes (default 60)."),
            .value("seed", valueName: "N", help: "Seed of the stream generator (default 1)."),
        ]
    }

    /// Counts what the engine emits and drops the bytes.
    private struct CountingSink: EmissionSink {
        var records = 0
        var tombstones = 0
        var rejections = 0
        var bytes = 0

        mutating func emit(memeID: String, tick: EventTime, isTombstone: Bool, value: UnsafeRawBufferPointer) {
            if isTombstone { tombstones += 1 } else { records += 1 }
            bytes += value.count
        }

        mutating func reject(_ record: InputRecord, rejection: Rejection) { rejections += 1 }
    }

    static func run(_ arguments: ParsedArguments) async throws {
        let eventCount = Int(
            try arguments.value("events").map { try OptionValues.integer($0, option: "events", range: 1...50_000_000) }
                ?? 1_000_000
        )
        let keyCount = Int(
            try arguments.value("keys").map { try OptionValues.integer($0, option: "keys", range: 1...10_000_000) }
                ?? 200_000
        )
        let spanMinutes =
            try arguments.value("span-minutes").map {
                try OptionValues.integer($0, option: "span-minutes", range: 1...100_000)
            } ?? 60
        let seed = UInt64(
            try arguments.value("seed").map { try OptionValues.integer($0, option: "seed", range: 0...Int64.max) } ?? 1
        )

        // The stream reserves 90 bytes and an 8-byte offset per event; the engine's state adds less
        // than 1 KB per key.
        try MemoryBudget.check(bytes: eventCount * 98 + keyCount * 1_024, option: "events", value: eventCount)
        let stream = makeStream(events: eventCount, keys: keyCount, spanMilliseconds: spanMinutes * 60_000, seed: seed)
        let residentBefore = residentMegabytes()
        let engine = PartitionEngine(partition: 0, featureSet: .memeV1, configuration: EngineConfiguration())
        var sink = CountingSink()
        let clock = ContinuousClock()
        let cpuStart = threadCPUSeconds()
        let start = clock.now
        stream.bytes.withUnsafeBytes { all in
            for index in 0..<(stream.offsets.count - 1) {
                let value = UnsafeRawBufferPointer(rebasing: all[stream.offsets[index]..<stream.offsets[index + 1]])
                let record = InputRecord(
                    partition: 0,
                    offset: Int64(index),
                    recordTimestamp: nil,
                    key: nil,
                    value: value
                )
                engine.process(record, into: &sink)
            }
        }
        let wall = seconds(clock.now - start)
        let cpu = threadCPUSeconds() - cpuStart
        let keys = engine.keyCount
        let stateBytes = engine.estimatedStateBytes()
        let encodeStart = clock.now
        let encoded = engine.encodeState()
        let encodeSeconds = seconds(clock.now - encodeStart)

        print("events: \(eventCount)")
        print("records: \(sink.records)")
        print("tombstones: \(sink.tombstones)")
        print("rejected: \(sink.rejections)")
        print("wall_seconds: \(formatted(wall, digits: 3))")
        print("events_per_second: \(formatted(Double(eventCount) / wall, digits: 0))")
        print("events_per_cpu_second: \(formatted(Double(eventCount) / cpu, digits: 0))")
        // Output records are part of the cost: a stream where each event causes several records
        // measures record writing more than event handling.
        print("records_per_event: \(formatted(Double(sink.records) / Double(eventCount), digits: 2))")
        print("records_per_cpu_second: \(formatted(Double(sink.records) / cpu, digits: 0))")
        print("keys_in_state: \(keys)")
        print("estimated_state_bytes_per_key: \(stateBytes / max(1, keys))")
        for part in engine.estimatedStateBytesByPart() {
            print("state_bytes_per_key[\(part.part)]: \(part.bytes / max(1, keys))")
        }
        print("encoded_state_bytes_per_key: \(encoded.count / max(1, keys))")
        print("encode_state_seconds: \(formatted(encodeSeconds, digits: 3))")
        let residentAfter = residentMegabytes()
        print("resident_megabytes: \(formatted(residentAfter, digits: 1))")
        // The stream is built before the engine starts, so the growth is the engine's state and
        // the allocator's overhead for it. The allocator may reuse memory freed after the stream
        // was built, and then the resident set shrinks and the growth is no measure of the state.
        let growth = Int((residentAfter - residentBefore) * 1_048_576)
        if growth >= 0 {
            print("resident_growth_bytes_per_key: \(growth / max(1, keys))")
        } else {
            print(
                "resident_growth_bytes_per_key: not measurable (the resident set shrank by "
                    + "\(formatted(Double(-growth) / 1_048_576, digits: 1)) MB, because the allocator reused memory "
                    + "freed after the stream was built; see estimated_state_bytes_per_key, or the replay benchmark's "
                    + "peak_rss_growth_per_active_meme)"
            )
        }

        // A three-day jump: every key must close its windows and be dropped.
        let before = sink
        let jumpStart = clock.now
        engine.advanceWatermark(to: EventTime(rawValue: engine.watermark!.rawValue + 3 * 86_400_000), into: &sink)
        let jumpSeconds = seconds(clock.now - jumpStart)
        print("jump_3_days_seconds: \(formatted(jumpSeconds, digits: 3))")
        print("jump_records: \(sink.records - before.records)")
        print("jump_tombstones: \(sink.tombstones - before.tombstones)")
        print("keys_after_jump: \(engine.keyCount)")
    }

    private static func makeStream(
        events: Int,
        keys: Int,
        spanMilliseconds: Int64,
        seed: UInt64
    ) -> (
        bytes: [UInt8], offsets: [Int]
    ) {
        var random = SplitMix64(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        var bytes: [UInt8] = []
        var offsets = [0]
        bytes.reserveCapacity(events * 90)
        let meanGap = Double(spanMilliseconds) / Double(events)
        var time = 1_700_000_000_000.0
        for _ in 0..<events {
            time += 2 * meanGap * uniform()
            let u = uniform()
            let rank = Int(Double(keys) * u * u * u)
            let roll = uniform()
            var type = "share"
            if roll < 0.7 {
                type = "view"
            } else if roll < 0.85 {
                type = "like"
            }
            let ts = Int64(time) - Int64(uniform() * 4_000)
            var text =
                #"{"meme_id":"meme-\#(rank)","type":"\#(type)","ts":\#(ts),"user_id":"u\#(random.next() % 100_000)""#
            if type == "view", uniform() < 0.6 { text += #","dwell_ms":\#(random.next() % 30_000)"# }
            text += "}"
            bytes.append(contentsOf: text.utf8)
            offsets.append(bytes.count)
        }
        return (bytes, offsets)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Returns the resident set size from /proc/self/statm, or 0 where it is unavailable.
    private static func residentMegabytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    private static func formatted(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
