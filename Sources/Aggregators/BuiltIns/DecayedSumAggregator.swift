import StreamCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sum of weights `2^((ts − reference) / half_life)` kept relative to a reference time.
public struct DecayedTotal: Sendable, Hashable {
    /// The reference time in ms.
    public var reference: Int64
    /// Σ 2^((ts − reference) / half_life) over the events added.
    public var sum: Double

    /// Creates a total.
    public init(reference: Int64, sum: Double) {
        self.reference = reference
        self.sum = sum
    }
}

/// `decayed_sum`: Σ over the events of `2^(−(T − ts) / half_life)` at tick `T`, as a float.
///
/// The state stores the sum relative to a reference time, so an update costs one `exp2` and the
/// evaluation at any tick one more. When an event is more than ``rebaseHalfLives`` half-lives
/// after the reference, the sum is rescaled to the event's time first, so stored terms stay below
/// 2^64 and never overflow, however long the key lives. Every term and every rescale is one
/// rounded `exp2` and one rounded multiply or add of positive numbers, so the relative error of
/// the value is below (2n + 4) × 2^−53 for n events and rebases (about 1e-12 for 10^3 events).
public struct DecayedSumAggregator: Aggregator {
    /// The half-life in ms.
    public let halfLifeMilliseconds: Int64

    /// How far an event may lie past the reference, in half-lives, before the sum is rebased.
    public static let rebaseHalfLives: Double = 64

    /// Creates the aggregator. - Precondition: `halfLifeMilliseconds > 0`.
    public init(halfLifeMilliseconds: Int64) {
        precondition(halfLifeMilliseconds > 0, "half_life_ms must be positive, got \(halfLifeMilliseconds)")
        self.halfLifeMilliseconds = halfLifeMilliseconds
    }

    public var emptyState: DecayedTotal { DecayedTotal(reference: 0, sum: 0) }

    private func weight(from reference: Int64, to time: Int64) -> Double {
        exp2(Double(time - reference) / Double(halfLifeMilliseconds))
    }

    private func rebased(_ state: DecayedTotal, to reference: Int64) -> DecayedTotal {
        DecayedTotal(reference: reference, sum: state.sum * weight(from: reference, to: state.reference))
    }

    public func update(_ state: inout DecayedTotal, with event: Event) {
        let time = event.eventTime.rawValue
        merge(&state, with: DecayedTotal(reference: time, sum: 1))
    }

    public func merge(_ state: inout DecayedTotal, with other: DecayedTotal) {
        if other.sum == 0 { return }
        if state.sum == 0 {
            state = other
            return
        }
        // 1. Keep the earlier reference while the later one is at most rebaseHalfLives away.
        //    Past that, move to the later reference, so no stored term exceeds 2^rebaseHalfLives.
        let early = state.reference <= other.reference ? state : other
        let late = state.reference <= other.reference ? other : state
        let distance = Double(late.reference - early.reference) / Double(halfLifeMilliseconds)
        let reference = distance > Self.rebaseHalfLives ? late.reference : early.reference
        // 2. Add the two rescaled sums.
        state = DecayedTotal(
            reference: reference,
            sum: rebased(early, to: reference).sum + rebased(late, to: reference).sum
        )
    }

    public func isEmpty(_ state: DecayedTotal) -> Bool { state.sum == 0 }

    /// The value decays between events, so only a clock feature may use it.
    public var readsTick: Bool { true }

    public func evaluate(_ state: DecayedTotal, at tick: Int64) -> FeatureValue {
        if state.sum == 0 { return .float(0) }
        return .float(state.sum * weight(from: tick, to: state.reference))
    }

    public func encode(_ state: DecayedTotal, into writer: inout StateWriter) {
        writer.writeInt64(state.reference)
        writer.writeDouble(state.sum)
    }

    public func decode(from reader: inout StateReader) throws(StateDecodingError) -> DecayedTotal {
        DecayedTotal(
            reference: try reader.readInt64("decayed sum reference"),
            sum: try reader.readDouble("decayed sum")
        )
    }
}
