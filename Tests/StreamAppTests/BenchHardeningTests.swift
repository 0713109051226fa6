import Foundation
import Testing

@testable import StreamApp

/// Benchmark options and output files: bad values exit with status 2, files are written in place.
@Suite struct BenchHardeningTests {
    @Test(arguments: [
        (["--repeats", "0"], "--repeats"),
        (["--repeats", "21"], "--repeats"),
        (["--repeats", "abc"], "--repeats"),
        (["--repeats", "-1"], "--repeats"),
        (["--memes", "0"], "--memes"),
        (["--events", "10"], "--events"),
        (["--engine-threads", "-1"], "--engine-threads"),
        (["-X", "bogus"], "-X"),
        // An option of another benchmark.
        (["--keys", "5"], "--keys"),
    ])
    func workerBenchRejectsBadValue(arguments: [String], option: String) throws {
        // Values are checked before the benchmark starts a cluster, so each run ends at once.
        let result = try runMemestream(["bench", "worker"] + arguments, timeoutSeconds: 60)
        #expect(result.status == 2, "stderr: \(result.standardError)")
        #expect(result.standardError.contains(option), "stderr: \(result.standardError)")
    }

    @Test func helpListsOnlyNamedBenchmarkOptions() {
        let help = BenchCommand.helpText(for: ["worker", "--help"])
        #expect(help.contains("usage: memestream bench worker"))
        #expect(help.contains("--repeats"))
        #expect(!help.contains("--keys"))
        #expect(!help.contains("--write-corpus"))
        // Without a benchmark name, help lists every benchmark.
        #expect(BenchCommand.helpText(for: ["--help"]).contains("Benchmarks:"))
    }

    @Test func corpusWrittenThroughLinkKeepsLink() throws {
        let scratch = try ReplayScratchDirectory()
        let target = try scratch.write("target.jsonl", "")
        let link = scratch.file("link.jsonl")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let corpus = DecodeCorpus(eventCount: 3, seed: 1)
        try corpus.writeLines(to: link)
        // A write that replaces the path (a temporary file renamed over it) would also replace
        // a device such as /dev/full; writing in place keeps the link and fills its target.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        let written = try String(contentsOfFile: target, encoding: .utf8)
        #expect(written.split(separator: "\n").count == 3)
    }
}
