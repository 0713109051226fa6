import Synchronization

/// A value set to the latest reading, such as consumer lag or keys in state.
///
/// Thread safety: `set` is one atomic store of the value's bit pattern, safe from any thread.
public final class Gauge: Sendable {
    private let bits = Atomic<UInt64>(0.0.bitPattern)

    init() {}

    /// Sets the gauge to `value`. NaN is ignored, so a failed computation keeps the last reading.
    public func set(_ value: Double) {
        guard !value.isNaN else { return }
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    /// Sets the gauge to `value`, converted to a double (exact up to 2^53).
    public func set(_ value: Int64) {
        set(Double(value))
    }

    /// The latest reading; 0 before the first `set`.
    public var value: Double {
        Double(bitPattern: bits.load(ordering: .relaxed))
    }
}
