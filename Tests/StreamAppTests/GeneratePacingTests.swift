import Testing

@testable import StreamApp

/// `--rate` paces records by their arrival time. The schedule is checked without sleeping:
/// ``WallClockPacer/release(arrivalMilliseconds:drawingFinished:)`` returns each record's due time.
@Suite struct GeneratePacingTests {
    /// Event times used to run ahead of the wall clock. Records held back as stragglers or late
    /// deliveries advanced event time but took no release slot, so a count-based pace drifted
    /// ahead by seconds within minutes.
    @Test func eventTimeFollowsWallClock() throws {
        var configuration = GeneratorConfiguration.testing(events: 60_000)
        configuration.wallClockRate = 200
        var generator = TrafficGenerator(configuration: configuration)
        var pacer = WallClockPacer(
            recordsPerSecond: 200,
            eventsPerSecond: configuration.eventsPerSecond,
            startEventMilliseconds: configuration.startMilliseconds
        )
        var record = GeneratedRecord()
        var largestLeadMilliseconds = Double(-Int.max)
        var previousDue = 0.0
        var releasedWhileDrawing = 0
        for _ in 0..<100_000 {
            guard generator.next(into: &record) else { break }
            let finished = generator.isDrawingFinished
            let due = pacer.release(arrivalMilliseconds: record.timestampMilliseconds, drawingFinished: finished)
            #expect(due >= previousDue)
            previousDue = due
            guard !finished, record.intendedRejection != .futureTimestamp else { continue }
            releasedWhileDrawing += 1
            let eventOffset = Double(record.eventMilliseconds - configuration.startMilliseconds)
            largestLeadMilliseconds = max(largestLeadMilliseconds, eventOffset - due / 1e6)
        }
        #expect(releasedWhileDrawing > 50_000)
        // An event is never released before the wall clock reaches its event time.
        #expect(largestLeadMilliseconds <= 0, "event time ran \(largestLeadMilliseconds) ms ahead")
        // 60,000 records at 200 per second take about 300 s; the held-back tail adds little.
        #expect(previousDue / 1e9 > 290, "\(previousDue / 1e9) s")
        #expect(previousDue / 1e9 < 330, "\(previousDue / 1e9) s")
    }

    /// With `--events-per-second` five times `--rate`, one second of event time takes five
    /// seconds of wall time, so that records still go out at `--rate`.
    @Test func eventRateScalesTheSchedule() {
        var pacer = WallClockPacer(recordsPerSecond: 200, eventsPerSecond: 1_000, startEventMilliseconds: 1_000)
        #expect(pacer.release(arrivalMilliseconds: 1_000, drawingFinished: false) == 0)
        #expect(pacer.release(arrivalMilliseconds: 2_000, drawingFinished: false) == 5e9)
    }

    /// After the last draw, records held back for minutes go out at the rate, not at their
    /// arrival times.
    @Test func heldBackTailGoesOutAtTheRate() {
        var pacer = WallClockPacer(recordsPerSecond: 100, eventsPerSecond: 100, startEventMilliseconds: 0)
        #expect(pacer.release(arrivalMilliseconds: 10_000, drawingFinished: false) == 10e9)
        #expect(pacer.release(arrivalMilliseconds: 600_000, drawingFinished: true) == 10e9)
        #expect(pacer.release(arrivalMilliseconds: 700_000, drawingFinished: true) == 10.01e9)
        #expect(pacer.release(arrivalMilliseconds: 10_005, drawingFinished: true) == 10.01e9)
        // Those records are stamped with the time they go out, 10.01 s after the start.
        #expect(pacer.lastReleaseMilliseconds == 10_010)
    }
}
