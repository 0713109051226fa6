import Testing

@testable import StreamApp

@Suite struct GenerateOptionTests {
    static func configuration(_ arguments: [String]) throws -> GeneratorConfiguration {
        let parsed = try ParsedArguments(arguments, specs: GenerateCommand.options, command: "generate")
        return try GenerateCommand.configuration(from: parsed)
    }

    @Test(arguments: [
        (["--bad-share", "1.5"], "--bad-share"),
        (["--bad-share", "x"], "--bad-share"),
        (["--late-share", "-0.1"], "--late-share"),
        (["--straggler-share", "2"], "--straggler-share"),
        (["--late-share", "0.6", "--straggler-share", "0.6"], "--straggler-share"),
        (["--key-mismatch-share", "nan"], "--key-mismatch-share"),
        (["--events", "0"], "--events"),
        (["--events", "ten"], "--events"),
        (["--events", "10", "--duration", "1h"], "--duration"),
        (["--duration", "0s"], "--duration"),
        (["--duration", "soon"], "--duration"),
        (["--start", "1767225600"], "--start"),
        (["--start", "2026-13-01T00:00:00Z"], "--start"),
        (["--rate", "0"], "--rate"),
        (["--events-per-second", "-5"], "--events-per-second"),
        (["--memes", "-1"], "--memes"),
        (["--birth-rate", "inf"], "--birth-rate"),
        (["--users", "0"], "--users"),
        (["--seed", "-1"], "--seed"),
        (["--output-format", "csv"], "--output-format"),
        (["--partitions", "0"], "--partitions"),
        (["--topic", ""], "--topic"),
    ])
    func invalidValueNamesTheFlag(arguments: [String], flag: String) {
        do {
            _ = try Self.configuration(arguments)
            Issue.record("\(arguments) was accepted")
        } catch let error as UsageError {
            #expect(error.message.contains(flag), "message: \(error.message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func missingOutputFileIsUsageError() async {
        await #expect(throws: UsageError.self) {
            let parsed = try ParsedArguments(["--events", "5"], specs: GenerateCommand.options, command: "generate")
            _ = try await GenerateCommand.run(parsed)
        }
    }

    @Test func defaultsAreDocumentedValues() throws {
        let configuration = try Self.configuration([])
        #expect(configuration.seed == 1)
        #expect(configuration.limit == .events(1_000_000))
        #expect(configuration.startMilliseconds == 1_767_225_600_000)
        #expect(configuration.wallClockRate == nil)
        #expect(configuration.eventsPerSecond == 1_000)
        #expect(configuration.badShare == 0.01)
        #expect(configuration.lateShare == 0.002)
        #expect(configuration.outputFormat == .events)
    }

    @Test func rateSetsEventTimeSpeed() throws {
        let configuration = try Self.configuration(["--rate", "250"])
        #expect(configuration.wallClockRate == 250)
        #expect(configuration.eventsPerSecond == 250)
    }

    @Test(arguments: [
        ("1767225600000", Int64(1_767_225_600_000)),
        ("2026-01-01T00:00:00Z", Int64(1_767_225_600_000)),
        ("2026-01-01t02:00:00.5+02:00", Int64(1_767_225_600_500)),
        ("2025-12-31T23:59:59.9999z", Int64(1_767_225_599_999)),
    ])
    func startAcceptsMillisecondsAndRFC3339(text: String, expected: Int64) throws {
        let configuration = try Self.configuration(["--start", text])
        #expect(configuration.startMilliseconds == expected)
    }
}

@Suite struct GenerateExitStatusTests {
    @Test(arguments: [
        (["generate", "--bad-share", "2", "--output-file", "/dev/null"], "--bad-share"),
        (["generate", "--events", "5"], "--output-file"),
        (["generate", "--output-format", "xml", "--output-file", "/dev/null"], "--output-format"),
        (["generate", "--no-such-flag"], "--no-such-flag"),
    ])
    func badOptionExitsWithStatus2(arguments: [String], flag: String) throws {
        let result = try runMemestream(arguments)
        #expect(result.status == 2)
        #expect(result.standardError.contains(flag), "standard error: \(result.standardError)")
    }

    @Test func validRunExitsWithStatus0() throws {
        let result = try runMemestream(["generate", "--events", "100", "--output-file", "/dev/null"])
        #expect(result.status == 0)
        #expect(result.standardError.contains("wrote 100 records"))
    }
}
