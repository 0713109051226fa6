#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock and monotonic time for the worker loop, replaceable in tests.
struct WorkerClock: Sendable {
    /// Milliseconds since the epoch (the live-mode idle rule compares event time with it).
    var wallMilliseconds: @Sendable () -> Int64 = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000 + Int64(spec.tv_nsec) / 1_000_000
    }
    /// Monotonic nanoseconds, for intervals and deadlines.
    var monotonicNanoseconds: @Sendable () -> UInt64 = {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
