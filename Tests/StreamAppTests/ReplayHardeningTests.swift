import StreamCore
import Testing

@testable import StreamApp

/// Option values at the edge of what the engine's arithmetic can hold.
@Suite struct ReplayHardeningTests {
    private func parse(_ arguments: [String]) throws -> ReplayOptions {
        try ReplayOptions(ParsedArguments(arguments, specs: ReplayOptions.specs, command: "replay"))
    }

    @Test(arguments: ["allowed-lateness", "out-of-orderness", "max-future-skew", "warmup"])
    func hugeDurationIsUsageError(option: String) {
        #expect(throws: UsageError.self) {
            try parse(["--input-file", "in.jsonl", "--\(option)", "9223372036854775807"])
        }
        #expect(throws: UsageError.self) {
            try parse(["--input-file", "in.jsonl", "--\(option)", "200000d"])
        }
    }

    @Test func longDurationIsAccepted() throws {
        let options = try parse(["--input-file", "in.jsonl", "--allowed-lateness", "115000d"])
        #expect(options.allowedLatenessMilliseconds == 115_000 * 86_400_000)
    }
}
