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

    /// Sleeps until the next record is due, or until SIGINT, SIGTERM or SIGHUP. Sleeps only when
    /// at least 1 ms early, so that high rates release records in small batches instead of calling
    /// the kernel per record.
    mutating func waitForNextRecord() {
        let due = startNanoseconds + UInt64(released * nanosecondsPerRecord)
        released += 1
        let start = WallClockPacer.monotonicNanoseconds()
        guard due > start + 1_000_000 else { return }
        // Slices of at most 100 ms, because the signal usually reaches another thread and does
        // not cut this thread's sleep short. Signals that do cut it add a few passes.
        let passes = Int((due - start) / Self.sliceNanoseconds) + 16
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
