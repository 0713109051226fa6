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

    /// An in-memory input larger than the address-space limit is a usage error, not an abort.
    @Test(arguments: [
        ["decode", "--events", "100000000", "--rounds", "1"],
        // Input alone just under the limit: the process's own size and the margin push it over.
        ["decode", "--events", "17200000", "--rounds", "1"],
        ["engine", "--events", "50000000"],
    ])
    func inputOverMemoryLimitExitsTwo(arguments: [String]) throws {
        let binary = ReplayTestPaths.binary
        let command = "ulimit -v 3000000 && exec '\(binary)' bench " + arguments.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let standardError = String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2, "stderr: \(standardError)")
        #expect(standardError.contains("exceeds the address-space limit (ulimit -v)"), "stderr: \(standardError)")
    }

    @Test func helpListsOnlyNamedBenchmarkOptions() {
        let help = BenchCommand.helpText(for: ["worker", "--help"])
        #expect(help.contains("usage: memestream bench worker"))
        #expect(help.contains("--repeats"))
        #expect(!help.contains("--keys"))
        #expect(!help.contains("--write-corpus"))
        // Without a benchmark name, help lists every benchmark and no benchmark's options.
        let overview = BenchCommand.helpText(for: ["--help"])
        #expect(overview.contains("Benchmarks:"))
        #expect(overview.contains("memestream bench NAME --help"))
        #expect(!overview.contains("--events"))
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

    /// Runs `scripts/compare-replay.sh` with `arguments` and returns its status and both outputs.
    private func runCompareScript(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [ReplayTestPaths.packageRoot + "/scripts/compare-replay.sh"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func compareScriptRejectsBadArguments() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", #"{"meme_id":"m1","type":"view","ts":1700006401000}"#)
        let binary = ReplayTestPaths.binary
        let cases: [([String], String)] = [
            ([binary, binary], "usage:"),
            ([binary, binary, scratch.file("absent.jsonl")], "cannot read"),
            ([binary, input, input], "is not an executable file"),
            ([binary, binary, input, "x"], "RUNS is x"),
            ([binary, binary, input, "0"], "RUNS is 0"),
        ]
        for (arguments, message) in cases {
            let result = try runCompareScript(arguments)
            #expect(result.status == 2, "\(arguments): \(result.output)")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
        }
    }

    @Test func compareScriptReportsIdenticalOutputs() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", #"{"meme_id":"m1","type":"view","ts":1700006401000}"#)
        let result = try runCompareScript([ReplayTestPaths.binary, ReplayTestPaths.binary, input, "1"])
        #expect(result.status == 0, "output: \(result.output)")
        #expect(result.output.contains("outputs: identical"), "output: \(result.output)")
    }
}
