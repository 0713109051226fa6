import Synchronization

/// Observations counted into fixed buckets, with their sum and count, such as tick processing
/// latency.
///
/// Thread safety: observations are recorded under a lock that belongs to this histogram only.
/// Recording costs a binary search over the bucket bounds plus one uncontended lock.
public final class Histogram: Sendable {
    /// A consistent copy of a histogram's counts.
    public struct Snapshot: Sendable, Hashable {
        /// Bucket upper bounds, without `+Inf`.
        public var bounds: [Double]
        /// Observations per bucket, not cumulative; one more element than `bounds` (the last is
        /// the `+Inf` bucket).
        public var counts: [UInt64]
        /// Sum of every observation, in the family's unit.
        public var sum: Double
        /// Number of observations.
        public var count: UInt64

        /// Cumulative counts as Prometheus `_bucket` series print them; the last is `count`.
        public var cumulativeCounts: [UInt64] {
            var running: UInt64 = 0
            return counts.map { count in
                running &+= count
                return running
            }
        }
    }

    private struct State {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    /// Bucket upper bounds, without `+Inf`.
    public let bounds: [Double]
    private let state: Mutex<State>

    init(bounds: [Double]) {
        self.bounds = bounds
        self.state = Mutex(State(counts: Array(repeating: 0, count: bounds.count + 1)))
    }

    /// Records one observation in the family's unit. NaN is ignored.
    public func record(_ value: Double) {
        guard !value.isNaN else { return }
        let bucket = bucketIndex(of: value)
        state.withLock { state in
            state.counts[bucket] &+= 1
            state.sum += value
            state.count &+= 1
        }
    }

    /// Records a duration given in nanoseconds into a family measured in seconds.
    public func recordNanoseconds(_ nanoseconds: Int64) {
        record(Double(nanoseconds) / 1_000_000_000)
    }

    /// Records a duration into a family measured in seconds.
    public func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        record(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Copies the counts, sum and count under the lock, so they agree with each other.
    public func snapshot() -> Snapshot {
        state.withLock { state in
            Snapshot(bounds: bounds, counts: state.counts, sum: state.sum, count: state.count)
        }
    }

    /// Returns the index of the first bucket whose upper bound is ≥ `value` (bounds are inclusive, as in
    /// Prometheus), or `bounds.count` for the `+Inf` bucket.
    private func bucketIndex(of value: Double) -> Int {
        var low = 0
        var high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if value <= bounds[middle] {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }
}
