import Foundation
import StreamCore
import Testing

@testable import StreamApp

/// A stand-in engine: emits every record as `{"p":P,"o":O}` at tick 1000 × offset, rejects
/// values that start with `bad`, and emits `{"end":P}` at the watermark it is advanced to.
private final class EchoEngine: ReplayPartitionEngine {
    let partition: Int32
    var keyCount: Int { 1 }
    var peakKeyCount: Int { 1 }

    init(partition: Int32) {
        self.partition = partition
    }

    func process(_ record: InputRecord, into output: ReplayOutput) {
        if record.value.starts(with: "bad".utf8) {
            output.reject(partition: record.partition, offset: record.offset, reason: "malformed_json", detail: "bad")
            return
        }
        let line = Array("{\"p\":\(record.partition),\"o\":\(record.offset)}".utf8)
        line.withUnsafeBytes { bytes in
            output.emit(tick: EventTime(milliseconds: record.offset * 1000), isTombstone: false, value: bytes)
        }
    }

    func advanceWatermark(to watermark: EventTime, into output: ReplayOutput) {
        let line = Array("{\"end\":\(partition)}".utf8)
        line.withUnsafeBytes { bytes in
            output.emit(tick: watermark, isTombstone: true, value: bytes)
        }
    }
}

@Suite struct ReplayRunnerTests {
    private func run(
        _ options: ReplayOptions,
        badLines: inout [String]
    ) throws -> ReplayRunner.Summary {
        var collected: [String] = []
        var runner = ReplayRunner(options: options, makeEngine: { EchoEngine(partition: $0) })
        runner.reportBadLine = { collected.append($0) }
        var summary = ReplayRunner.Summary()
        defer { badLines = collected }
        try runner.run(summary: &summary)
        return summary
    }

    @Test func eventsFormatSkipsBlankLines() throws {
        let directory = try ReplayScratchDirectory()
        var options = ReplayOptions(inputFile: try directory.write("in.jsonl", "a\n\n   \nb\nbad\nc"))
        options.outputFile = directory.file("out.jsonl")
        options.rejectionsFile = directory.file("rejected.jsonl")
        var badLines: [String] = []
        let summary = try run(options, badLines: &badLines)

        #expect(
            try readLines(directory.file("out.jsonl")) == [#"{"p":0,"o":0}"#, #"{"p":0,"o":1}"#, #"{"p":0,"o":3}"#]
        )
        #expect(summary.blankLines == 2)
        #expect(summary.records == 4)
        #expect(summary.rejectionCounts == ["malformed_json": 1])
        #expect(
            try readLines(directory.file("rejected.jsonl")) == [
                #"{"partition":0,"offset":2,"line":5,"reason":"malformed_json","detail":"bad"}"#
            ]
        )
        #expect(badLines.isEmpty)
    }

    @Test func kcatGarbageLinesAreCountedAndSkipped() throws {
        let directory = try ReplayScratchDirectory()
        let input = [
            #"{"partition":1,"offset":7,"ts":1700000000000,"key":"m1","payload":"x"}"#,
            "garbage",
            #"{"partition":0,"offset":3,"ts":-1,"key":null,"payload":"y"}"#,
            #"{"partition":1,"offset":8,"payload":"z""#,
            #"{"partition":1,"offset":9,"ts":-1,"key":null,"payload":"w"}"#,
        ].joined(separator: "\n")
        var options = ReplayOptions(inputFile: try directory.write("in.jsonl", input))
        options.inputFormat = .kcat
        options.outputFile = directory.file("out.jsonl")
        options.rejectionsFile = directory.file("rejected.jsonl")
        var badLines: [String] = []
        let summary = try run(options, badLines: &badLines)

        #expect(
            try readLines(directory.file("out.jsonl")) == [
                #"{"p":1,"o":7}"#, #"{"p":0,"o":3}"#, #"{"p":1,"o":9}"#,
            ]
        )
        #expect(summary.partitions == [0, 1])
        #expect(summary.rejectionCounts == ["bad_envelope": 2])
        #expect(badLines.count == 2)
        #expect(badLines[0].hasPrefix("line 2: invalid kcat envelope"))
        #expect(badLines[1].hasPrefix("line 4: invalid kcat envelope"))
        let rejected = try readLines(directory.file("rejected.jsonl"))
        #expect(rejected.count == 2)
        #expect(rejected[0].hasPrefix(#"{"partition":null,"offset":null,"line":2,"reason":"bad_envelope","detail":"#))
    }

    @Test func ticksOutsideFromToAreNotWritten() throws {
        let directory = try ReplayScratchDirectory()
        var options = ReplayOptions(inputFile: try directory.write("in.jsonl", "a\nb\nc\nd\ne\n"))
        options.outputFile = directory.file("out.jsonl")
        options.from = EventTime(milliseconds: 1000)
        options.to = EventTime(milliseconds: 4000)
        var badLines: [String] = []
        let summary = try run(options, badLines: &badLines)

        // Ticks 0 and 4000 are outside; the watermark advance to 4000 emits at 4000, also outside.
        #expect(
            try readLines(directory.file("out.jsonl")) == [#"{"p":0,"o":1}"#, #"{"p":0,"o":2}"#, #"{"p":0,"o":3}"#]
        )
        #expect(summary.recordsOutsideRange == 3)
    }

    @Test func toAdvancesEveryPartitionAtEnd() throws {
        let directory = try ReplayScratchDirectory()
        let input = [
            #"{"partition":2,"offset":0,"payload":"x"}"#,
            #"{"partition":0,"offset":0,"payload":"y"}"#,
        ].joined(separator: "\n")
        var options = ReplayOptions(inputFile: try directory.write("in.jsonl", input))
        options.inputFormat = .kcat
        options.outputFile = directory.file("out.jsonl.zst")
        options.to = EventTime(milliseconds: 1)
        options.from = EventTime(milliseconds: 0)
        var badLines: [String] = []
        _ = try run(options, badLines: &badLines)

        // Tick 1 is outside [0, 1), so only the two records at tick 0 remain.
        #expect(
            try readLines(zstdDecompressedCopy(directory.file("out.jsonl.zst"))) == [
                #"{"p":2,"o":0}"#, #"{"p":0,"o":0}"#,
            ]
        )
    }

    @Test func truncatedZstdKeepsGoodRecordsThenFails() throws {
        let directory = try ReplayScratchDirectory()
        let text = (0..<20_000).map { "event \($0) " + String(repeating: "v", count: $0 % 40) }.joined(separator: "\n")
        let compressed = try Zstd.compress(Array(text.utf8))
        let inputPath = try directory.write("in.jsonl.zst", bytes: Array(compressed.prefix(compressed.count * 2 / 3)))
        var options = ReplayOptions(inputFile: inputPath)
        options.outputFile = directory.file("out.jsonl")
        var badLines: [String] = []

        let error = try #require(throws: FileIOError.self) { try run(options, badLines: &badLines) }
        #expect(error.path == inputPath)
        #expect(error.byteOffset != nil)
        let written = try readLines(directory.file("out.jsonl"))
        #expect(written.count > 1000)
        #expect(written.first == #"{"p":0,"o":0}"#)
        #expect(written.last == "{\"p\":0,\"o\":\(written.count - 1)}")
    }

    @Test func overlongEventLineIsTooLarge() throws {
        let directory = try ReplayScratchDirectory()
        let long = String(repeating: "x", count: 17 << 20)
        var options = ReplayOptions(inputFile: try directory.write("in.jsonl", "a\n\(long)\nb\n"))
        options.outputFile = directory.file("out.jsonl")
        options.rejectionsFile = directory.file("rejected.jsonl")
        var badLines: [String] = []
        let summary = try run(options, badLines: &badLines)

        #expect(try readLines(directory.file("out.jsonl")) == [#"{"p":0,"o":0}"#, #"{"p":0,"o":2}"#])
        #expect(summary.rejectionCounts == ["too_large": 1])
        #expect(summary.records == 3, "the overlong line has an offset, so it counts as a record")
        let rejected = try readLines(directory.file("rejected.jsonl"))
        #expect(rejected.first?.hasPrefix(#"{"partition":0,"offset":1,"line":2,"reason":"too_large""#) == true)
    }

    @Test func missingInputFileNamesPath() throws {
        let directory = try ReplayScratchDirectory()
        let options = ReplayOptions(inputFile: directory.file("absent.jsonl"))
        var badLines: [String] = []
        let error = try #require(throws: FileIOError.self) { try run(options, badLines: &badLines) }
        #expect(error.path == directory.file("absent.jsonl"))
    }

    /// Decompresses a zstd file into a plain sibling file and returns its path.
    private func zstdDecompressedCopy(_ path: String) throws -> String {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let plain = path + ".plain"
        try Data(try Zstd.decompress(bytes)).write(to: URL(fileURLWithPath: plain))
        return plain
    }
}
