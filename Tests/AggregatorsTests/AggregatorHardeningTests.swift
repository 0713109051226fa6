import Aggregators
import StreamCore
import Testing

/// Built-in aggregators fed with the largest values the event format allows.
@Suite struct AggregatorHardeningTests {
    private static func view(dwellMilliseconds: Int64) -> Event {
        Event(
            memeID: "m1",
            type: "view",
            eventTime: EventTime(milliseconds: 1_700_000_000_000),
            dwellMilliseconds: dwellMilliseconds
        )
    }

    @Test func meanOfMaximumDwellsIsNotWrapped() {
        let mean = MeanAggregator(field: .dwellMilliseconds)
        var state = mean.emptyState
        for dwell in [Int64.max, Int64.max, 5] {
            mean.update(&state, with: Self.view(dwellMilliseconds: dwell))
        }
        let expected = (2 * Double(Int64.max) + 5) / 3
        #expect(mean.evaluate(state, at: 1_700_000_010_000) == .float(expected))
    }

    /// Dwell values and the `sum` they evaluate to.
    private static let wideSums: [([Int64], Int64)] = [
        ([Int64.max, Int64.max], Int64.max),
        ([Int64.min, Int64.min], Int64.min),
        ([Int64.max, Int64.max, Int64.min, Int64.min, 7], 5),
    ]

    @Test(arguments: wideSums)
    func wideSumIsClamped(dwells: [Int64], expected: Int64) {
        let sum = SumAggregator(field: .dwellMilliseconds)
        var state = sum.emptyState
        for dwell in dwells { sum.update(&state, with: Self.view(dwellMilliseconds: dwell)) }
        #expect(sum.evaluate(state, at: 1_700_000_010_000) == .integer(expected))
    }

    @Test func wideSumSurvivesMergeAndEncoding() throws {
        let sum = SumAggregator(field: .dwellMilliseconds)
        var left = sum.emptyState
        var right = sum.emptyState
        sum.update(&left, with: Self.view(dwellMilliseconds: Int64.max))
        sum.update(&right, with: Self.view(dwellMilliseconds: Int64.max))
        sum.merge(&left, with: right)
        #expect(left.sum == 2 * Int128(Int64.max))
        var writer = StateWriter()
        sum.encode(left, into: &writer)
        var reader = StateReader(writer.bytes)
        reader.formatVersion = PartitionEngine.stateFormatVersion
        #expect(try sum.decode(from: &reader) == left)
        #expect(reader.isAtEnd)
    }

    @Test func versionOneSumStateDecodes() throws {
        var writer = StateWriter()
        writer.writeInt64(-42)
        writer.writeInt64(3)
        var reader = StateReader(writer.bytes)
        reader.formatVersion = 1
        let state = try SumAggregator(field: .dwellMilliseconds).decode(from: &reader)
        #expect(state == FieldTotal(sum: -42, count: 3))
        #expect(reader.isAtEnd)
    }
}
