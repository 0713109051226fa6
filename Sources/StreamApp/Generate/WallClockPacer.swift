#if canImport(Glibc)
import Glibc
#endif

/// Holds output to a fixed number of records per second of wall time (`--rate`).
///
/// Record n (from 0) is released no earlier than `start + n / rate` on the monotonic clock.
/// After a stall (a slow disk or broker) the overdue records go out at once to get back on
/// schedule.
struct WallClockPacer {
    private let nanosecondsPerRecord: Double
    private let startNanoseconds: UInt64
    private var released: Double = 0

    /// - Parameter recordsPerSecond: the target rate; must be positive.
    init(recordsPerSecond: Double) {
        nanosecondsPerRecord = 1e9 / recordsPerSecond
        startNanoseconds = WallClockPacer.monotonicNanoseconds()
    }

    /// Sleeps until the next record is due. Sleeps only when at least 1 ms early, so that high
    /// rates release records in small batches instead of calling the kernel per record.
    mutating func waitForNextRecord() {
        let due = startNanoseconds + UInt64(released * nanosecondsPerRecord)
        released += 1
        let now = WallClockPacer.monotonicNanoseconds()
        guard due > now + 1_000_000 else { return }
        let wait = due - now
        var request = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
        var remaining = timespec()
        // A sleep ends early only when a signal arrives. Stop on SIGINT or SIGTERM, and resume
        // after any other signal (a handful of retries covers that).
        for _ in 0..<8 {
            guard nanosleep(&request, &remaining) != 0, !InterruptFlag().isRaised else { break }
            request = remaining
        }
    }

    /// Nanoseconds on `CLOCK_MONOTONIC`.
    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
