import Foundation
import Testing

@testable import StreamApp

/// KuaiRand rows and options that would lose data or write events no consumer accepts.
@Suite struct ImportKuaiRandHardeningTests {
    private static let header = "user_id\tvideo_id\ttime_ms\tplay_time_ms\tlabel\n"

    @Test(arguments: ["-1700000000000", "999999999999", "10000000000000", "9223372036854775807"])
    func timeOutsideEventRangeIsBadRow(time: String) throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.tsv", Self.header + "1\t2\t\(time)\t5\t1\n1\t2\t1700000000000\t5\t1\n")
        var badLines: [Int] = []
        let rows = try ImportKuaiRandCommand.readRows(path: input) { line, _ in badLines.append(line) }
        #expect(rows.count == 1)
        #expect(badLines == [2])
    }

    @Test func outputThatIsInputIsUsageError() async throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.tsv", Self.header + "1\t2\t1700000000000\t5\t1\n")
        await #expect(throws: UsageError.self) {
            let parsed = try ParsedArguments(
                ["--input", input, "--output", scratch.path + "/./in.tsv"],
                specs: ImportKuaiRandCommand.options,
                command: "import-kuairand"
            )
            _ = try await ImportKuaiRandCommand.run(parsed)
        }
        #expect(try String(contentsOfFile: input, encoding: .utf8).hasPrefix("user_id"))
    }
}
