import Foundation
import StreamCore
import Testing

@testable import StreamApp

/// Replay option values that are extreme or conflict with each other.
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

    @Test(arguments: ["output-file", "rejections-file"])
    func otherSpellingOfInputIsUsageError(option: String) throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", "{}\n")
        let otherSpelling = scratch.path + "/./in.jsonl"
        #expect(throws: UsageError.self) {
            try parse(["--input-file", input, "--\(option)", otherSpelling])
        }
    }

    @Test func linkToInputIsUsageError() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", "{}\n")
        let link = scratch.file("link.jsonl")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: input)
        #expect(throws: UsageError.self) {
            try parse(["--input-file", input, "--output-file", link])
        }
    }

    @Test func rejectionsFileIsOutputFileIsUsageError() throws {
        let scratch = try ReplayScratchDirectory()
        let output = try scratch.write("out.jsonl", "")
        #expect(throws: UsageError.self) {
            try parse(["--input-file", "in.jsonl", "--output-file", output, "--rejections-file", output])
        }
    }

    @Test func summaryListsAtMostTenPartitions() {
        let text = ReplayCommand.partitionList(Array(0..<100_000))
        #expect(text == "0,1,2,3,4,5,6,7,8,9 and 99990 more")
    }

    @Test func summaryNamesMissingPartitions() {
        #expect(ReplayCommand.partitionList([]) == "none")
        #expect(ReplayCommand.partitionList([0, 3]) == "0,3")
    }

    /// Collects what a ``ReplayInput`` hands out.
    private struct Collector: ReplayInputHandler {
        var offsets: [Int64] = []
        var badLines: [Int] = []

        mutating func record(_ record: InputRecord, lineNumber: Int?) throws { offsets.append(record.offset) }
        mutating func overlongEvent(partition: Int32, offset: Int64, lineNumber: Int, length: Int) throws {}
        mutating func badEnvelope(lineNumber: Int, reason: String) throws { badLines.append(lineNumber) }
    }

    @Test func repeatedOrBackwardKcatOffsetIsBadEnvelope() throws {
        let scratch = try ReplayScratchDirectory()
        let lines = [(0, 5), (0, 5), (1, 2), (0, 3), (0, 6), (1, 2)].map { partition, offset in
            #"{"partition":\#(partition),"offset":\#(offset),"payload":"{}"}"#
        }
        let path = try scratch.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        let input = try ReplayInput(path: path, format: .kcat, maximumLineBytes: 1 << 20)
        var collector = Collector()
        try input.read(into: &collector) { _ in }
        #expect(collector.offsets == [5, 2, 6])
        #expect(collector.badLines == [2, 4, 6])
    }

    /// A file with 100,000 partition numbers made 100,000 engines (775 MB).
    @Test func extraPartitionsAreBadEnvelopes() throws {
        let scratch = try ReplayScratchDirectory()
        let lines = [(0, 1), (7, 1), (9, 1), (7, 2), (0, 2)].map { partition, offset in
            #"{"partition":\#(partition),"offset":\#(offset),"payload":"{}"}"#
        }
        let path = try scratch.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        let input = try ReplayInput(path: path, format: .kcat, maximumLineBytes: 1 << 20)
        input.maximumPartitions = 2
        var collector = Collector()
        try input.read(into: &collector) { _ in }
        #expect(collector.offsets == [1, 1, 2, 2])
        #expect(collector.badLines == [3])
    }
}

@Suite struct ReplayTimeArgumentUnitTests {
    @Test(arguments: ["1700006400", "1", "999999999999"])
    func epochSecondsAreRejectedWithHint(text: String) {
        #expect(throws: UsageError.self) { _ = try TimeArgument.parse(text, option: "from") }
    }

    @Test(arguments: ["1700006400000000", "10000000000000"])
    func epochMicrosecondsAreRejected(text: String) {
        #expect(throws: UsageError.self) { _ = try TimeArgument.parse(text, option: "to") }
    }

    @Test func toZeroSelectsNothingAndIsRejected() throws {
        let parsed = try ParsedArguments(
            ["--input-file", "in.jsonl", "--to", "0"],
            specs: ReplayOptions.specs,
            command: "replay"
        )
        let error = try #require(throws: UsageError.self) { try ReplayOptions(parsed) }
        #expect(error.message.contains("select no tick"), "\(error)")
    }

    @Test func millisecondsAndZeroAreAccepted() throws {
        #expect(try TimeArgument.parse("1700006400000", option: "from").rawValue == 1_700_006_400_000)
        #expect(try TimeArgument.parse("0", option: "from").rawValue == 0)
    }
}
