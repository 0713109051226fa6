#if canImport(Glibc)
import Glibc
#endif

/// The monotonic clock (`CLOCK_MONOTONIC`), for intervals that must not jump with wall-clock changes.
public enum MonotonicClock {
    /// Milliseconds since an arbitrary fixed point (boot on Linux).
    @Sendable
    public static func milliseconds() -> Int64 {
        nanoseconds() / 1_000_000
    }

    /// Nanoseconds since an arbitrary fixed point (boot on Linux).
    @Sendable
    public static func nanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
