import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// A seeded, heavy-tailed synthetic event stream for the replay benchmark.
///
/// Meme popularity follows a Zipf law with exponent 1: the meme of rank r (1-based) is drawn with
/// probability proportional to 1/r, by sampling r = ⌊N^u⌋ for a uniform u. Event time moves
/// forward at ``eventsPerSecond``. Two percent of events are shifted back by up to 30 s (out of
/// order, some of them behind the watermark), and one in ten thousand by 15 minutes, which the
/// engine rejects as late. Types: 80 % view (half with `dwell_ms`), 12 % like, 5 % dislike, 3 % share.
struct SyntheticEventStream {
    var eventCount: Int
    var memeCount: Int
    var eventsPerSecond: Int
    var seed: UInt64 = 0x5EED_0001
    /// The event time of the first event (2023-11-14T22:13:20Z).
    var startMilliseconds: Int64 = 1_700_000_000_000

    /// Writes the stream to `path` (JSONL, or JSONL.zst when it ends in `.zst`).
    ///
    /// - Throws: ``FileIOError`` when the file cannot be written.
    /// - Complexity: O(eventCount) time, O(1) memory.
    func write(to path: String) throws {
        let writer = try LineWriter(path: path)
        var random = SplitMix64(seed: seed)
        let logMemes = log(Double(memeCount))
        var line: [UInt8] = []
        line.reserveCapacity(160)

        for index in 0..<eventCount {
            var ts = startMilliseconds + Int64(index) * 1_000 / Int64(eventsPerSecond)
            let disorder = random.next() % 10_000
            if disorder == 0 {
                ts -= 900_000
            } else if disorder < 200 {
                ts -= Int64(random.next() % 30_000)
            }
            let rank = min(memeCount, max(1, Int(exp(Double(random.next() >> 11) * 0x1.0p-53 * logMemes))))
            let typeDraw = random.next() % 100
            let user = random.next() % 1_000_000

            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: #"{"meme_id":"m"#.utf8)
            appendDecimal(Int64(rank), to: &line)
            line.append(contentsOf: #"","type":""#.utf8)
            switch typeDraw {
            case 0..<80: line.append(contentsOf: "view".utf8)
            case 80..<92: line.append(contentsOf: "like".utf8)
            case 92..<97: line.append(contentsOf: "dislike".utf8)
            default: line.append(contentsOf: "share".utf8)
            }
            line.append(contentsOf: #"","ts":"#.utf8)
            appendDecimal(ts, to: &line)
            line.append(contentsOf: #","user_id":"u"#.utf8)
            appendDecimal(Int64(user), to: &line)
            line.append(0x22)
            if typeDraw < 40 {
                line.append(contentsOf: #","dwell_ms":"#.utf8)
                appendDecimal(Int64(random.next() % 60_000), to: &line)
            }
            line.append(0x7D)
            try line.withUnsafeBytes { try writer.writeLine($0) }
        }
        try writer.close()
    }

    private func appendDecimal(_ value: Int64, to line: inout [UInt8]) {
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var remaining = UInt64(value)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(remaining % 10) + 0x30
                remaining /= 10
                count += 1
            } while remaining > 0 && count < 20
            line.append(contentsOf: buffer[(20 - count)...])
        }
    }
}
