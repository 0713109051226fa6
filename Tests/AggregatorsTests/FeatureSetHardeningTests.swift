import Aggregators
import StreamCore
import Testing

/// Feature set documents with extreme but well-formed window sizes.
@Suite struct FeatureSetHardeningTests {
    private static func countWindow(sizeMilliseconds: Int64) -> [UInt8] {
        let text = """
            {"name":"x","version":1,"features":[{"name":"a","kind":"window","aggregator":"count",\
            "size_ms":\(sizeMilliseconds),"hop_ms":10000}]}
            """
        return Array(text.utf8)
    }

    @Test(arguments: [Int64(9_223_372_036_854_770_000), 10_000_000_010_000])
    func hugeWindowIsRejected(sizeMilliseconds: Int64) {
        #expect(throws: FeatureSetError.self) {
            try FeatureSet.load(jsonBytes: Self.countWindow(sizeMilliseconds: sizeMilliseconds))
        }
    }

    @Test func largestWindowIsAccepted() throws {
        let set = try FeatureSet.load(jsonBytes: Self.countWindow(sizeMilliseconds: 10_000_000_000_000))
        #expect(set.largestWindowMilliseconds == 10_000_000_000_000)
    }
}
