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
