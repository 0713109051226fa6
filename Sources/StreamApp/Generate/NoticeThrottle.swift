import Synchronization

/// A gate that opens at most once per interval, for lines that would otherwise repeat per retry.
/// Thread-safety: ``allows(_:)`` takes a lock, so it may be called from any thread.
final class NoticeThrottle: Sendable {
    private let intervalNanoseconds: Int64
    private let nextAllowed = Mutex<Int64>(0)

    init(intervalNanoseconds: Int64) {
        self.intervalNanoseconds = intervalNanoseconds
    }

    /// Returns `true` when `now` (monotonic ns) is at or after the end of the last open interval,
    /// and starts a new interval.
    func allows(_ now: Int64) -> Bool {
        nextAllowed.withLock { next in
            guard now >= next else { return false }
            next = now + intervalNanoseconds
            return true
        }
    }
}
