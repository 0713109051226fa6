import Foundation
import Testing

@testable import StreamApp

/// Replays a day of real KuaiRand traffic and checks the features of its most-interacted video
/// against values worked out by hand from the TSV rows.
@Suite struct KuaiRandReplayTests {
    static var dataFile: String {
        ReplayTestPaths.sharedDirectory + "/data/kuairand/kuairand27k_like_hate_kcore15.tsv"
    }

    /// The checked tick: 2022-04-11T13:30:00Z.
    static let tick: Int64 = 1_649_683_800_000

    @Test func importMapsRowsToEventPairs() throws {
        let rows = try ImportKuaiRandCommand.readRows(path: Self.dataFile) { line, reason in
            Issue.record("line \(line): \(reason)")
        }
        // The file has 41,828 data rows: 33,745 likes (label 1) and 8,083 hates (label 0).
        #expect(rows.count == 41_828)
        #expect(rows.filter(\.isLike).count == 33_745)
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.timeMilliseconds <= $1.timeMilliseconds })

        let scratch = try ReplayScratchDirectory()
        let output = scratch.file("events.jsonl")
        #expect(try ImportKuaiRandCommand.writeEvents(Array(rows.prefix(2)), path: output) == 4)
        let lines = try readLines(output)
        #expect(lines.count == 4)
        #expect(lines[0].contains(#""type":"view""#))
        #expect(lines[0].contains(#""dwell_ms":"#))
        #expect(lines[1].contains(rows[0].isLike ? #""type":"like""# : #""type":"dislike""#))
    }

    @Test func importSkipsBadRowsAndSortsByTime() throws {
        let scratch = try ReplayScratchDirectory()
        let tsv = [
            "video_id\tuser_id\ttime_ms\tplay_time_ms\tlabel",
            "7\t1\t1649000002000\t500\t0",
            "8\t2\tsoon\t500\t1",
            "9\t3\t1649000001000\t-1\t1",
            "10\t4\t1649000001000\t250\t2",
            "11\t5",
            "12\t6\t1649000001000\t900\t1",
        ].joined(separator: "\n")
        let input = try scratch.write("sample.tsv", tsv)
        var badLines: [Int] = []
        let rows = try ImportKuaiRandCommand.readRows(path: input) { line, _ in badLines.append(line) }

        #expect(badLines == [3, 4, 5, 6])
        #expect(rows.map(\.videoID) == [12, 7])
        let output = scratch.file("events.jsonl.zst")
        #expect(try ImportKuaiRandCommand.writeEvents(rows, path: output) == 4)
        let replayed = try runMemestream(["replay", "--input-file", output, "--output-file", scratch.file("out.jsonl")])
        #expect(replayed.status == 0)
        #expect(replayed.standardError.contains("read 4 lines"))
    }

    @Test func replayedFeaturesMatchHandComputedValues() throws {
        // Warm up from 25 hours before the tick, so every window of the tick, and every event of
        // video 3381812 (first seen 2.4 hours earlier), lies inside the replayed input.
        let rows = try ImportKuaiRandCommand.readRows(path: Self.dataFile) { _, _ in }
            .filter { $0.timeMilliseconds >= Self.tick - 25 * 3_600_000 && $0.timeMilliseconds < Self.tick + 60_000 }
        let scratch = try ReplayScratchDirectory()
        let events = scratch.file("events.jsonl")
        _ = try ImportKuaiRandCommand.writeEvents(rows, path: events)
        let output = scratch.file("features.jsonl")
        let result = try runMemestream([
            "replay", "--input-file", events, "--output-file", output,
            "--from", String(Self.tick), "--to", String(Self.tick + 10_000),
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")

        let record = try #require(
            try readLines(output).map { try JSONTestValue.parse($0) }.first {
                $0["meme_id"] == .string("v3381812")
            }
        )
        #expect(record["tick"] == .integer(Self.tick))
        let features = try #require(record["features"])

        // 1 h window (hop 60 s): T_H = T, events in [T − 3600 s, T) = [1649680200000, 1649683800000).
        // The TSV has 21 rows of video 3381812 in it, from 1649680342019 to 1649683781577, all label 1.
        #expect(features["views_1h"] == .integer(21))
        #expect(features["likes_1h"] == .integer(21))
        // like_rate_1h = (21 + 1) / (21 + 20) = 22 / 41.
        #expect(features["like_rate_1h"]?.differences(from: .number(22.0 / 41.0)) == [])
        // dwell_ms_avg_1h: the 21 play_time_ms values sum to 880099, and 880099 / 21 = 41909.476…
        #expect(features["dwell_ms_avg_1h"]?.differences(from: .number(880_099.0 / 21.0)) == [])
        // 24 h window (hop 1 h): T_H = floor(T / 3600 s) × 3600 s = 1649682000000, and 16 rows are
        // earlier (the last at 1649681805491).
        #expect(features["views_24h"] == .integer(16))
        // 5 min window: [1649683500000, T) contains 1649683636928, 1649683677054 and 1649683781577.
        #expect(features["views_5m"] == .integer(3))
        #expect(features["view_velocity_5m"]?.differences(from: .number(3.0 / 5.0)) == [])
        // 1 min window: [1649683740000, T) contains only 1649683781577.
        #expect(features["views_1m"] == .integer(1))
        // Acceleration: A = 3 (above), B = views in [T − 600 s, T − 300 s) = {1649683359784} = 1,
        // so (3 − 1) / 5 = 0.4.
        #expect(features["view_acceleration_5m"]?.differences(from: .number(0.4)) == [])
        // First and last of the 27 rows before T.
        #expect(features["first_seen_ms"] == .integer(1_649_675_205_918))
        #expect(features["last_event_ms"] == .integer(1_649_683_781_577))
        // No published_at in this data, so age_s = (T − first_seen_ms) / 1000 = 8594082 / 1000.
        #expect(features["published_at_ms"] == .null)
        #expect(features["age_s"]?.differences(from: .number(8_594.082)) == [])
        // trending_score = Σ 2^(−(T − ts) / 3600 s) over the 27 views before T, summed separately
        // from the TSV: 17.809605942546064.
        #expect(features["trending_score"]?.differences(from: .number(17.809_605_942_546_064)) == [])
    }
}
