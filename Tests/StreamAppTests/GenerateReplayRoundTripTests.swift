import Foundation
import StreamCore
import Testing

@testable import StreamApp

/// Runs the `memestream` binary: `generate` writes kcat envelopes and `replay --input-format
/// kcat` reads them back, so the envelope format and every injected defect meet the real
/// replay path.
@Suite(.serialized) struct GenerateReplayRoundTripTests {
    /// Parses `reason=count` pairs from the line of replay's summary that starts with
    /// `memestream replay: rejected`.
    static func rejectionCounts(in standardError: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in standardError.split(separator: "\n") where line.hasPrefix("memestream replay: rejected") {
            for word in line.split(separator: " ") {
                let parts = word.split(separator: "=")
                if parts.count == 2, let count = Int(parts[1]) {
                    counts[String(parts[0])] = count
                }
            }
        }
        return counts
    }

    @Test func replayRejectsEachInjectedReason() throws {
        let scratch = try ReplayScratchDirectory()
        let eventsPath = scratch.file("generated.kcat.jsonl.zst")
        let generate = try runMemestream([
            "generate", "--events", "30000", "--events-per-second", "5", "--output-format", "kcat",
            "--partitions", "2", "--bad-share", "0.1", "--late-share", "0.01", "--output-file", eventsPath,
        ])
        #expect(generate.status == 0, "\(generate.standardError)")

        let replay = try runMemestream([
            "replay", "--input-file", eventsPath, "--input-format", "kcat", "--output-file",
            scratch.file("features.jsonl"),
        ])
        #expect(replay.status == 0, "\(replay.standardError)")
        let observed = Self.rejectionCounts(in: replay.standardError)

        // The same options in process give the intended reason of every record.
        var configuration = GeneratorConfiguration()
        configuration.limit = .events(30_000)
        configuration.eventsPerSecond = 5
        configuration.outputFormat = .kcat
        configuration.partitions = 2
        configuration.badShare = 0.1
        configuration.lateShare = 0.01
        let sample = GeneratedSample(configuration)
        var intended: [String: Int] = [:]
        var deliveredLate = 0
        for record in sample.records {
            if let reason = record.intendedRejection { intended[reason.rawValue, default: 0] += 1 }
            if record.delayKind == .late { deliveredLate += 1 }
        }

        for reason in RejectionReason.allCases where reason != .late {
            #expect(intended[reason.rawValue, default: 0] > 0, "\(reason.rawValue) never generated")
            #expect(observed[reason.rawValue] == intended[reason.rawValue], "\(reason.rawValue)")
        }
        // 30 000 events at 5 per second span 100 minutes. Late arrivals for events of the last
        // ~10 minutes reach their partition after its traffic ends and can still be accepted.
        let late = observed["late", default: 0]
        #expect(late <= deliveredLate)
        #expect(Double(late) >= 0.75 * Double(deliveredLate))
    }
}
