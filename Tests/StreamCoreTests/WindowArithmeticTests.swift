import Testing

@testable import StreamCore

@Suite struct WindowArithmeticTests {
    @Test(arguments: [
        (Int64(1_700_000_012_345), Int64(10_000), Int64(1_700_000_010_000)),
        (1_700_000_010_000, 10_000, 1_700_000_010_000),
        (-1, 10_000, -10_000),
        (-10_000, 10_000, -10_000),
        (59_999, 60_000, 0),
    ])
    func floorAlignsToStep(time: Int64, step: Int64, expected: Int64) {
        #expect(TickArithmetic.floor(time, to: step) == expected)
    }

    @Test func nextMultipleIsStrictlyAfter() {
        #expect(TickArithmetic.nextMultiple(after: 10_000, of: 10_000) == 20_000)
        #expect(TickArithmetic.nextMultiple(after: 9_999, of: 10_000) == 10_000)
    }

    @Test func clockClosesTicksAtWatermark() {
        var clock = PartitionClock(configuration: EngineConfiguration())
        #expect(clock.lastClosedTick == nil)
        #expect(!clock.isLate(EventTime(rawValue: 1_000_000_000_000)))
        clock.observe(EventTime(rawValue: 1_700_000_015_000))
        #expect(clock.watermark == EventTime(rawValue: 1_700_000_010_000))
        #expect(clock.lastClosedTick == EventTime(rawValue: 1_700_000_010_000))
        clock.observe(EventTime(rawValue: 1_700_000_001_000))
        #expect(clock.maxEventTime == EventTime(rawValue: 1_700_000_015_000), "max_ts never decreases")
    }

    @Test func lateRuleUsesWatermarkMinusLateness() {
        var clock = PartitionClock(configuration: EngineConfiguration())
        clock.observe(EventTime(rawValue: 1_700_000_605_000))  // W = 1_700_000_600_000
        #expect(!clock.isLate(EventTime(rawValue: 1_700_000_000_000)), "exactly W − lateness is accepted")
        #expect(clock.isLate(EventTime(rawValue: 1_699_999_999_999)))
    }

    @Test func advanceNeverMovesWatermarkBackwards() {
        var clock = PartitionClock(configuration: EngineConfiguration())
        clock.advance(to: EventTime(rawValue: 1_700_000_000_000))
        clock.advance(to: EventTime(rawValue: 1_600_000_000_000))
        #expect(clock.watermark == EventTime(rawValue: 1_700_000_000_000))
    }
}
