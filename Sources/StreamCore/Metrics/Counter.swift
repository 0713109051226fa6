import Synchronization

/// A monotonically increasing count, such as events consumed.
///
/// Thread safety: increments are lock-free atomic adds, safe from any thread. Fetch a counter from
/// the ``MetricsRegistry`` once and keep the reference; `increment` then costs one atomic add.
public final class Counter: Sendable {
    private let storage = Atomic<UInt64>(0)

    init() {}

    /// Adds one.
    @inlinable
    public func increment() {
        increment(by: 1)
    }

    /// Adds `amount`. A negative amount is ignored, because a counter never goes down.
    /// The count wraps after 2^64 − 1, which no realistic process reaches.
    public func increment(by amount: Int64) {
        guard amount > 0 else { return }
        storage.wrappingAdd(UInt64(amount), ordering: .relaxed)
    }

    /// The current count.
    public var value: UInt64 {
        storage.load(ordering: .relaxed)
    }
}
