import Foundation
import StreamCore

/// `memestream bench decode`: decode and validate a generated corpus of realistic events on one
/// core, and report events/s and MB/s.
///
/// The corpus is built once in memory, before timing starts, as one contiguous buffer. Each
/// round decodes every event once. The best of `--rounds` rounds is reported, because it is
/// the one least disturbed by other work on the machine.
enum DecodeBenchmark: Benchmark {
    static let name = "decode"
    static let summary = "Decode and validate generated events on one core; print events/s and MB/s."

    static var options: [OptionSpec] {
        [
            .value("events", valueName: "N", help: "Number of events in the corpus (default 1000000)."),
            .value("rounds", valueName: "N", help: "Timed passes over the corpus; the best is reported (default 5)."),
            .value("seed", valueName: "N", help: "Seed of the corpus generator (default 1)."),
            .value(
                "write-corpus",
                valueName: "FILE",
                help: "Also write the corpus to FILE, one event per line, for other decoders to read."
            ),
        ]
    }

    static func run(_ arguments: ParsedArguments) async throws {
        let eventCount = Int(
            try arguments.value("events").map { try OptionValues.integer($0, option: "events", range: 1...100_000_000) }
                ?? 1_000_000
        )
        let rounds = Int(
            try arguments.value("rounds").map { try OptionValues.integer($0, option: "rounds", range: 1...1_000) } ?? 5
        )
        let seed = UInt64(
            try arguments.value("seed").map { try OptionValues.integer($0, option: "seed", range: 0...Int64.max) } ?? 1
        )

        // The corpus reserves 170 bytes and an 8-byte offset per event.
        try MemoryBudget.check(bytes: eventCount * 178, option: "events", value: eventCount)
        let corpus = DecodeCorpus(eventCount: eventCount, seed: seed)
        print("corpus_events: \(corpus.offsets.count - 1)")
        print("corpus_bytes: \(corpus.bytes.count)")
        print("mean_event_bytes: \(corpus.bytes.count / max(1, corpus.offsets.count - 1))")
        if let path = arguments.value("write-corpus") {
            try corpus.writeLines(to: path)
            print("corpus_file: \(path)")
        }

        let decoder = EventDecoder()
        var bestWall = Double.infinity
        var bestCPU = Double.infinity
        var accepted = 0
        var rejected = 0
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            let cpuStart = threadCPUSeconds()
            let start = clock.now
            let counts = decodeAll(corpus, with: decoder)
            let elapsed = clock.now - start
            bestCPU = min(bestCPU, threadCPUSeconds() - cpuStart)
            bestWall = min(
                bestWall,
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            )
            accepted = counts.accepted
            rejected = counts.rejected
        }

        let events = Double(corpus.offsets.count - 1)
        let megabytes = Double(corpus.bytes.count) / 1e6
        print("accepted: \(accepted)")
        print("rejected: \(rejected)")
        print("best_round_wall_seconds: \(formatted(bestWall, digits: 4))")
        print("best_round_cpu_seconds: \(formatted(bestCPU, digits: 4))")
        print("events_per_second: \(formatted(events / bestWall, digits: 0))")
        print("megabytes_per_second: \(formatted(megabytes / bestWall, digits: 1))")
        // Thread CPU time leaves out the time other processes hold the core, so it is the
        // steadier figure on a shared machine.
        print("events_per_cpu_second: \(formatted(events / bestCPU, digits: 0))")
        print("megabytes_per_cpu_second: \(formatted(megabytes / bestCPU, digits: 1))")
    }

    /// Returns the CPU time the calling thread has used, in seconds.
    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Decodes every event of the corpus once and counts the outcomes.
    private static func decodeAll(_ corpus: DecodeCorpus, with decoder: EventDecoder) -> (accepted: Int, rejected: Int)
    {
        var accepted = 0
        var rejected = 0
        corpus.bytes.withUnsafeBytes { all in
            for index in 0..<(corpus.offsets.count - 1) {
                let start = corpus.offsets[index]
                let value = UnsafeRawBufferPointer(rebasing: all[start..<corpus.offsets[index + 1]])
                switch decoder.decode(value, recordTimestamp: nil) {
                case .accepted: accepted += 1
                case .rejected: rejected += 1
                }
            }
        }
        return (accepted, rejected)
    }

    private static func formatted(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}

/// Writing the `--write-corpus` file failed: a runtime failure (exit status 1), not a usage error.
struct CorpusWriteError: Error, CustomStringConvertible {
    var path: String
    var reason: String

    var description: String {
        "cannot write the corpus to '\(path)' (--write-corpus): \(reason); check that its folder exists and is writable"
    }
}

/// A seeded corpus of realistic event values, 120–200 bytes each, stored back to back.
///
/// The mix: 30 % of meme ids are UUID-shaped and the rest short. About 70 % of events are
/// views, 15 % likes and the rest other types. About 80 % carry a `user_id`, 30 % a
/// `published_at`, and 60 % of views a `dwell_ms`. About 15 % write `ts` as an RFC 3339 string
/// (half of them with an offset), and 5 % of ids contain JSON escapes. Unknown members
/// (`client`, `app_version`, `session`, `trace`) pad each event to a random length from 120 to
/// 200 bytes. Every event is valid, so the benchmark times the accepting path.
struct DecodeCorpus {
    /// Every event's bytes, back to back, without separators.
    var bytes: [UInt8] = []
    /// Event `i` is `bytes[offsets[i]..<offsets[i + 1]]`.
    var offsets: [Int] = [0]

    init(eventCount: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        bytes.reserveCapacity(eventCount * 170)
        offsets.reserveCapacity(eventCount + 1)
        var time: Int64 = 1_700_000_000_000
        for _ in 0..<eventCount {
            time += Int64(random.next(below: 40))
            let event = Self.makeEvent(time: time, random: &random)
            bytes.append(contentsOf: event.utf8)
            offsets.append(bytes.count)
        }
    }

    /// Writes the corpus to `path`, one event per line.
    func writeLines(to path: String) throws {
        // Writes in place: a temporary file renamed over the path would replace a device such as
        // /dev/full or a symbolic link.
        do {
            let writer = try LineWriter(path: path)
            for index in 0..<(offsets.count - 1) {
                try bytes[offsets[index]..<offsets[index + 1]].withUnsafeBytes { try writer.writeLine($0) }
            }
            try writer.close()
        } catch {
            throw CorpusWriteError(path: path, reason: "\(error)")
        }
    }

    private static let types = ["view", "like", "share", "save", "dislike", "comment"]
    private static let clients = ["ios", "android", "web", "android_tv"]

    private static func makeEvent(time: Int64, random: inout SplitMix64) -> String {
        let roll = random.next(below: 100)
        let type: String
        if roll < 70 {
            type = types[0]
        } else if roll < 85 {
            type = types[1]
        } else {
            type = types[2 + Int(random.next(below: 4))]
        }

        // Short ids fit in a Swift small string; UUID-shaped ones (30 %) need a heap allocation.
        var memeID: String
        if random.next(below: 100) < 30 {
            let hex = String(random.next() | 1 << 63, radix: 16) + String(random.next() | 1 << 63, radix: 16)
            let characters = Array(hex)
            memeID = String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-" + String(characters[12..<16])
            memeID += "-" + String(characters[16..<20]) + "-" + String(characters[20..<32])
        } else {
            memeID = "meme_" + String(random.next(below: 5_000_000), radix: 36)
        }
        if random.next(below: 100) < 5 {
            memeID += #"\u00e9\/"# + String(random.next(below: 1000))
        }
        var json = #"{"meme_id":""# + memeID + #"","type":""# + type + #"","ts":"#
        if random.next(below: 100) < 15 {
            json += "\"" + rfc3339(time, withOffset: random.next(below: 2) == 0, random: &random) + "\""
        } else {
            json += String(time)
        }
        if random.next(below: 100) < 80 {
            json += #","user_id":"u"# + String(random.next(below: 100_000_000)) + "\""
        }
        if random.next(below: 100) < 30 {
            json += #","published_at":"# + String(time - Int64(random.next(below: 86_400_000)))
        }
        if type == "view" && random.next(below: 100) < 60 {
            json += #","dwell_ms":"# + String(random.next(below: 60_000))
        }

        // Unknown members, as real producers add them, up to a target length of 120–200 bytes.
        let targetLength = 120 + Int(random.next(below: 81))
        let padding = [
            #","client":""# + clients[Int(random.next(below: 4))] + "\"",
            #","app_version":"5."# + String(random.next(below: 40)) + "." + String(random.next(below: 10)) + "\"",
            #","session":""# + String(random.next(below: UInt64(1) << 48), radix: 16) + "\"",
        ]
        for member in padding where json.utf8.count + member.utf8.count < targetLength {
            json += member
        }
        let missing = targetLength - 1 - json.utf8.count
        if missing >= 12 {
            json += #","trace":""# + String(repeating: "a", count: missing - 11) + "\""
        } else if missing > 0 {
            json += String(repeating: " ", count: missing)
        }
        return json + "}"
    }

    /// Formats epoch milliseconds as RFC 3339 with a millisecond fraction, in UTC or at +02:00.
    private static func rfc3339(_ milliseconds: Int64, withOffset: Bool, random: inout SplitMix64) -> String {
        let offsetMinutes: Int64 = withOffset ? 120 : 0
        let local = milliseconds + offsetMinutes * 60_000
        let days = local / 86_400_000
        let millisecondOfDay = local % 86_400_000
        let (year, month, day) = civil(fromDays: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = String(millisecondOfDay % 1000 + 1000).dropFirst()
        var text = "\(year)-\(two(month))-\(two(day))T\(two(millisecondOfDay / 3_600_000)):"
        text += "\(two(millisecondOfDay / 60_000 % 60)):\(two(millisecondOfDay / 1000 % 60)).\(fraction)"
        return text + (withOffset ? "+02:00" : "Z")
    }

    /// Converts days since 1970-01-01 to a (year, month, day) date, for days after the epoch.
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        var year: Int64 = 1970
        var remaining = days
        // Bounded by the years the generator can reach; the corpus starts in 2023.
        for _ in 0..<10_000 {
            let length: Int64 = isLeapYear(year) ? 366 : 365
            if remaining < length {
                break
            }
            remaining -= length
            year += 1
        }
        let monthLengths: [Int64] = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var month: Int64 = 1
        for length in monthLengths {
            if remaining < length {
                break
            }
            remaining -= length
            month += 1
        }
        return (year, month, remaining + 1)
    }

    private static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }
}
