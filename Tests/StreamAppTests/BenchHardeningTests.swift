import Foundation
import Testing

@testable import StreamApp

/// Benchmark output files that must be written in place, never replaced.
@Suite struct BenchHardeningTests {
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
