#if canImport(Glibc)
import Glibc
#endif

/// Holds output to the wall clock with `--rate`, so that event time follows it.
///
/// A record is released when the wall clock has advanced as far past the start as its arrival
/// time has past `--start`, scaled by `--events-per-second / --rate` (1 unless both are given).
/// Pacing by arrival time rather than by count keeps event time in step with the wall clock.
/// Records the generator holds back as stragglers or late deliveries advance event time without
/// being released. So a count-based pace drifted ahead by about the held share times the mean
/// delay (2 to 3 s at the default shares).
///
/// Once the generator has drawn its last event, the records still held back (late deliveries
/// whose arrival can lie minutes ahead) go out at `--rate` records per second instead of at
/// their arrival times. After a stall (a slow disk or broker) overdue records go out at once.
struct WallClockPacer {
    private let startNanoseconds: UInt64
    private let startEventMilliseconds: Int64
    /// Wall nanoseconds per millisecond of arrival time.
    private let wallNanosecondsPerMillisecond: Double
    private let nanosecondsPerRecord: Double
    /// The due time, relative to the start, of the first record released after the last draw.
    private var tailStartNanoseconds: Double?
    private var tailReleased: Double = 0
    private var lastDueNanoseconds: Double = 0

    /// - Parameters:
    ///   - recordsPerSecond: `--rate`; must be positive.
    ///   - eventsPerSecond: `--events-per-second`, events per second of event time; positive.
    ///   - startEventMilliseconds: `--start`, the event time that the moment of creation stands for.
    init(recordsPerSecond: Double, eventsPerSecond: Double, startEventMilliseconds: Int64) {
        nanosecondsPerRecord = 1e9 / recordsPerSecond
        wallNanosecondsPerMillisecond = 1e6 * eventsPerSecond / recordsPerSecond
        self.startEventMilliseconds = startEventMilliseconds
        startNanoseconds = WallClockPacer.monotonicNanoseconds()
    }

    /// Returns when a record is due, in nanoseconds after the start, and records the release.
    ///
    /// - Parameters:
    ///   - arrivalMilliseconds: The record's arrival time (its record timestamp).
    ///   - drawingFinished: `true` once the generator draws no more events.
    mutating func release(arrivalMilliseconds: Int64, drawingFinished: Bool) -> Double {
        let byArrival = max(0, Double(arrivalMilliseconds - startEventMilliseconds)) * wallNanosecondsPerMillisecond
        var due = byArrival
        if drawingFinished {
            let tailStart = tailStartNanoseconds ?? lastDueNanoseconds
            tailStartNanoseconds = tailStart
            due = min(byArrival, tailStart + tailReleased * nanosecondsPerRecord)
            tailReleased += 1
        }
        // Records are released in arrival order, so only the tail's cap can make a due time
        // earlier than the one before; never go back.
        due = max(due, lastDueNanoseconds)
        lastDueNanoseconds = due
        return due
    }

    /// The time the last released record went out, as a time on the generator's clock in epoch
    /// ms: `--start` plus the wall time since the start, scaled back to event time.
    var lastReleaseMilliseconds: Int64 {
        startEventMilliseconds + Int64(lastDueNanoseconds / wallNanosecondsPerMillisecond)
    }

    /// Sleeps until the record is due (see ``release(arrivalMilliseconds:drawingFinished:)``), or
    /// until SIGINT, SIGTERM or SIGHUP. Sleeps only when at least 1 ms early, so that high rates
    /// release records in small batches instead of calling the kernel per record.
    ///
    /// - Parameter beforeSleeping: Called once before a sleep, with the sleep's length in ns.
    mutating func waitForRecord(
        arrivalMilliseconds: Int64,
        drawingFinished: Bool,
        beforeSleeping: (UInt64) throws -> Void = { _ in }
    ) rethrows {
        let offset = release(arrivalMilliseconds: arrivalMilliseconds, drawingFinished: drawingFinished)
        let due = startNanoseconds &+ UInt64(min(offset, 1e18))
        let start = WallClockPacer.monotonicNanoseconds()
        guard due > start + 1_000_000 else { return }
        try beforeSleeping(due - start)
        // Slices of at most 100 ms, because the signal usually reaches another thread and does
        // not cut this thread's sleep short. Signals that do cut it add a few passes.
        let passes = Int(min((due - start) / Self.sliceNanoseconds, 1 << 40)) + 16
        for _ in 0..<passes {
            let now = WallClockPacer.monotonicNanoseconds()
            guard due > now, !InterruptFlag().isRaised else { return }
            let slice = min(due - now, Self.sliceNanoseconds)
            var request = timespec(tv_sec: Int(slice / 1_000_000_000), tv_nsec: Int(slice % 1_000_000_000))
            nanosleep(&request, nil)
        }
    }

    private static let sliceNanoseconds: UInt64 = 100_000_000

    /// Nanoseconds on `CLOCK_MONOTONIC`.
    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
