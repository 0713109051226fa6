import Testing

@testable import StreamCore

/// Envelope values that are well formed but would break arithmetic further on.
@Suite struct IOKcatEnvelopeHardeningTests {
    private func parseOffset(_ text: String) throws -> Int64 {
        let parser = KcatEnvelopeParser()
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBytes { raw in
            try parser.parse(UnsafeRawBufferPointer(raw)).offset
        }
    }

    @Test func largestUsableOffsetIsAccepted() throws {
        #expect(try parseOffset(#"{"partition":0,"offset":9223372036854775806,"payload":"x"}"#) == Int64.max - 1)
    }

    @Test func maximumOffsetIsRejected() {
        // The engine stores offset + 1 as the next offset, so Int64.max has no next offset.
        #expect(throws: KcatEnvelopeError.self) {
            try parseOffset(#"{"partition":0,"offset":9223372036854775807,"payload":"x"}"#)
        }
    }

    /// Duplicate member names were found by a linear search, so a line with 160,000 unknown
    /// members took 92 s. From the ninth name on, a set keeps it linear; duplicates are still
    /// caught on both sides of that switch.
    @Test func manyUnknownMembersAreLinearAndDuplicatesAreCaught() throws {
        let members = (0..<100_000).map { "\"x\($0)\":0" }.joined(separator: ",")
        #expect(try parseOffset(#"{"partition":0,"offset":7,"# + members + #","payload":"x"}"#) == 7)
        for repeated in ["x3", "x50000"] {
            let error = try #require(throws: KcatEnvelopeError.self) {
                try parseOffset(#"{"partition":0,"offset":7,"# + members + #","\#(repeated)":1,"payload":"x"}"#)
            }
            #expect(error.reason.contains(repeated), "\(error)")
        }
    }
}
