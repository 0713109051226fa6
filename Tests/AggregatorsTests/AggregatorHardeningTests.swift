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
        // NOTE: the running sum is an Int64 that wraps, so two dwell_ms of Int64.max average to
        // about 1. An exact sum needs a wider state, which changes the checkpoint layout and so
        // needs a new state format version in the engine.
        withKnownIssue("the sum and mean state wraps at Int64.max") {
            #expect(mean.evaluate(state, at: 1_700_000_010_000) == .float(expected))
        }
    }
}
