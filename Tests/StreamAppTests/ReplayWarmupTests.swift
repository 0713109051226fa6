import Aggregators
import Foundation
import StreamCore
import Testing

@testable import StreamApp

/// The default warm-up of topic replay makes window features, and the set of records written,
/// exact from `--from` on.
@Suite struct ReplayWarmupTests {
    @Test func defaultWarmupCoversWindowReachLatenessAndDelay() throws {
        let options = try ReplayOptions(
            ParsedArguments(["--input-topic", "t", "-b", "h:1"], specs: ReplayOptions.specs, command: "replay")
        )
        // 24 h window + 1 h hop + 10 min allowed lateness + 5 s out-of-orderness.
        #expect(options.defaultWarmupMilliseconds(for: .memeV1) == 90_605_000)
    }

    /// A replay of the events from `--from` minus the default warm-up gives the same records as a
    /// replay of every event, except in the three features that depend on earlier history.
    /// `--from` is at half past the hour, so the 24-hour window at `--from` reaches 24.5 hours
    /// back: the warm-up of 24 h 10 min used before missed records and counts there.
    @Test func replayFromWarmupMatchesFullReplay() throws {
        let scratch = try ReplayScratchDirectory()
        let start: Int64 = 1_767_225_600_000
        var random = SplitMix64(seed: 11)
        var events: [(ts: Int64, line: String)] = []
        var time = start
        // About 27.8 hours of events for 40 memes, one every 20 to 40 s.
        for _ in 0..<3_300 {
            time += 20_000 + Int64(random.next() % 20_000)
            let meme = "m\(random.next() % 40)"
            let type = random.next() % 4 == 0 ? "like" : "view"
            events.append((time, #"{"meme_id":"\#(meme)","type":"\#(type)","ts":\#(time)}"#))
        }
        let from = start + 26 * 3_600_000 + 1_800_000
        let to = from + 3_600_000
        let warmup: Int64 = 90_605_000
        let full = try scratch.write("full.jsonl", events.map(\.line).joined(separator: "\n"))
        let cut = try scratch.write(
            "cut.jsonl",
            events.filter { $0.ts >= from - warmup }.map(\.line).joined(separator: "\n")
        )
        var outputs: [[String]] = []
        for input in [full, cut] {
            let output = input + ".out"
            let result = try runMemestream([
                "replay", "--input-file", input, "--output-file", output, "--from", String(from), "--to", String(to),
            ])
            try #require(result.status == 0, "\(result.standardError)")
            outputs.append(try readLines(output).map(Self.withoutHistoryFeatures))
        }
        #expect(outputs[0].count > 100)
        #expect(outputs[0] == outputs[1])
    }

    /// Removes `first_seen_ms`, `age_s` and `trending_score`, which a warm-up cannot make exact.
    private static func withoutHistoryFeatures(_ line: String) -> String {
        var text = line
        for name in ["first_seen_ms", "age_s", "trending_score"] {
            guard let range = text.range(of: "\"\(name)\":") else { continue }
            let end = text[range.upperBound...].firstIndex { $0 == "," || $0 == "}" } ?? text.endIndex
            text.removeSubrange(range.lowerBound..<end)
        }
        return text
    }
}
