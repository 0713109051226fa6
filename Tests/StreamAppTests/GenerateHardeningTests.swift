import Foundation
import Testing

@testable import StreamApp

/// Generator settings that push event time to the end of its valid range.
@Suite struct GenerateHardeningTests {
    @Test(arguments: ["1e-300", "0.0001"])
    func tinyEventRateIsUsageError(rate: String) {
        #expect(throws: UsageError.self) {
            let parsed = try ParsedArguments(
                ["--events-per-second", rate],
                specs: GenerateCommand.options,
                command: "generate"
            )
            _ = try GenerateCommand.configuration(from: parsed)
        }
    }

    /// At 10^8 events per second the gaps (10^-5 ms) are smaller than the spacing of doubles near
    /// an epoch time of 1.7 × 10^12 ms. The generator's clock used to stop there, so a 1 ms run
    /// never ended (and at 10^7 per second a 100 ms run wrote 27% too many events). Event time
    /// now counts from the start, and the run contains about rate × duration events.
    @Test(arguments: [(1e8, Int64(1)), (1e7, 10)])
    func highRateKeepsItsDuration(rate: Double, milliseconds: Int64) throws {
        var configuration = GeneratorConfiguration.testing(events: 0)
        configuration.limit = .duration(milliseconds: milliseconds)
        configuration.eventsPerSecond = rate
        let lines = try generatedBytes(configuration).split(separator: UInt8(ascii: "\n"))
        let expected = rate * Double(milliseconds) / 1_000
        #expect(
            abs(Double(lines.count) - expected) < expected * 0.01,
            "\(lines.count) events, expected about \(expected)"
        )
    }

    /// At `--rate 0.05` (default seed) the first record is due 0.46 s after the start and the
    /// second 7.4 s after it, at their arrival times. SIGTERM during that wait stops the run
    /// without writing the second, though the signal usually reaches another thread than the
    /// sleeping one; before, the sleep ran to its end and the record went out.
    @Test func terminateEndsRateWait() throws {
        let directory = makeTestDirectory("generate-rate-signal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/events.jsonl"
        let process = try WorkerProcess(
            arguments: ["generate", "--rate", "0.05", "--events", "5", "--output-file", output],
            logPath: directory + "/generate.log"
        )
        // The file opens at the start; wait for it (at most 30 s), then past the first record.
        let started = waitUntil(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: output) }
        try #require(started, "no output file: \(process.log)")
        usleep(2_000_000)
        process.kill(signal: SIGTERM)
        let status = process.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "exit status \(String(describing: status)): \(process.log)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
    }

    @Test func generationStopsAtEndOfEventTime() throws {
        var configuration = GeneratorConfiguration.testing(events: 5_000)
        configuration.startMilliseconds = 9_999_999_000_000
        configuration.eventsPerSecond = 1
        configuration.badShare = 0
        configuration.lateShare = 0
        configuration.straggleShare = 0
        let text = String(decoding: try generatedBytes(configuration), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count < 5_000)
        for line in lines {
            let value = line[try #require(line.range(of: "\"ts\":")).upperBound...]
            let ts: Int64?
            if value.hasPrefix("\"") {
                // An RFC 3339 string.
                ts = TimeArgument.parseRFC3339(Array(value.dropFirst().prefix { $0 != "\"" }.utf8))
            } else {
                ts = Int64(value.prefix { $0.isNumber })
            }
            #expect(try #require(ts) < 10_000_000_000_000)
        }
    }

    @Test(arguments: ["bad topic", "..", "a/b", "memes\u{0}"])
    func invalidTopicNameIsUsageError(topic: String) {
        #expect(throws: UsageError.self) {
            let parsed = try ParsedArguments(["--topic", topic], specs: GenerateCommand.options, command: "generate")
            _ = try GenerateCommand.configuration(from: parsed)
        }
    }
}
