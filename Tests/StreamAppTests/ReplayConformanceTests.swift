import Foundation
import Testing

/// Every conformance case replayed through the built `memestream replay` binary with default
/// settings: the records must equal `expected.jsonl` after sorting by tick then meme_id
/// (integers exact, floats within 1e-9 relative), and the rejections must match `rejected.json`.
@Suite struct ReplayConformanceTests {
    static var casesDirectory: String { ReplayTestPaths.sharedDirectory + "/cases" }

    static var caseNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: casesDirectory)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: casesDirectory + "/" + $0 + "/expected.jsonl")
        }.sorted()
    }

    @Test func casesArePresent() {
        #expect(!Self.caseNames.isEmpty, "no conformance cases under \(Self.casesDirectory); set MEMESTREAM_SHARED_DIR")
    }

    @Test(arguments: caseNames)
    func caseMatchesExpected(name: String) throws {
        let caseDirectory = Self.casesDirectory + "/" + name
        let description = try JSONTestValue.parse(String(contentsOfFile: caseDirectory + "/case.json", encoding: .utf8))
        guard case .string(let format) = try #require(description["input_format"]) else {
            Issue.record("case.json of \(name) has no input_format string")
            return
        }
        let scratch = try ReplayScratchDirectory()
        let output = scratch.file("out.jsonl")
        let rejections = scratch.file("rejected.jsonl")
        let result = try runMemestream([
            "replay", "--input-file", caseDirectory + "/input.jsonl", "--input-format", format,
            "--output-file", output, "--rejections-file", rejections,
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")

        try Self.expectCaseOutput(caseDirectory: caseDirectory, output: output, rejections: rejections)
    }

    /// Checks a replay's output and rejections file against a case's expected files.
    static func expectCaseOutput(caseDirectory: String, output: String, rejections: String) throws {
        let name = URL(fileURLWithPath: caseDirectory).lastPathComponent
        let actual = try Self.sortedRecords(readLines(output))
        let expected = try Self.sortedRecords(readLines(caseDirectory + "/expected.jsonl"))
        #expect(actual.count == expected.count, "record count")
        for (actualRecord, expectedRecord) in zip(actual, expected) {
            let differences = actualRecord.differences(from: expectedRecord)
            #expect(differences.isEmpty, "\(name): \(differences.joined(separator: "; "))")
        }

        let expectedRejections = try JSONTestValue.parse(
            String(contentsOfFile: caseDirectory + "/rejected.json", encoding: .utf8)
        )
        var expectedTriples: [String] = []
        if case .array(let entries) = expectedRejections["rejected"] {
            expectedTriples = entries.map { "\($0["partition"]!)/\($0["offset"]!)/\($0["reason"]!)" }
        }
        var actualTriples: [String] = []
        var actualCounts: [String: Int64] = [:]
        for line in try readLines(rejections) {
            let entry = try JSONTestValue.parse(line)
            actualTriples.append("\(entry["partition"]!)/\(entry["offset"]!)/\(entry["reason"]!)")
            if case .string(let reason) = entry["reason"] { actualCounts[reason, default: 0] += 1 }
        }
        #expect(actualTriples.sorted() == expectedTriples.sorted())
        var expectedCounts: [String: Int64] = [:]
        if case .object(let members) = expectedRejections["reasons"] {
            for (reason, count) in members {
                if case .integer(let value) = count { expectedCounts[reason] = value }
            }
        }
        #expect(actualCounts == expectedCounts)
    }

    /// Parses records and sorts them by tick, then meme_id.
    private static func sortedRecords(_ lines: [String]) throws -> [JSONTestValue] {
        let records = try lines.map { try JSONTestValue.parse($0) }
        return records.sorted { left, right in
            guard case .integer(let leftTick) = left["tick"], case .integer(let rightTick) = right["tick"],
                case .string(let leftMeme) = left["meme_id"], case .string(let rightMeme) = right["meme_id"]
            else { return false }
            return leftTick != rightTick
                ? leftTick < rightTick : Array(leftMeme.utf8).lexicographicallyPrecedes(Array(rightMeme.utf8))
        }
    }
}
