import StreamCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HyperLogLog registers, stored sparsely while few are set.
///
/// Sparse form: sorted `(register index << 8) | rank` words, one per set register. It switches
/// to the dense form (one byte per register) once the sparse words would take more bytes.
public struct HyperLogLogSketch: Sendable, Hashable {
    /// Sorted `(index << 8) | rank` words while sparse; empty when dense.
    public fileprivate(set) var sparse: [UInt32] = []
    /// One rank per register when dense; empty while sparse.
    public fileprivate(set) var dense: [UInt8] = []

    /// Creates an empty sketch.
    public init() {}

    /// `true` when no value has been added.
    public var isEmpty: Bool { sparse.isEmpty && dense.isEmpty }
}

/// `distinct_users`: an estimate of the number of distinct `user_id`s, as an integer.
///
/// HyperLogLog with 2^12 registers (6-bit ranks from a 64-bit hash of the UTF-8 bytes). The
/// estimate is the improved raw estimator of O. Ertl, "New cardinality estimation algorithms for
/// HyperLogLog sketches" (arXiv:1702.01284, 2017), computed from the histogram of register
/// values. It has no bias over the whole range and needs no switch to linear counting, which
/// overcounted by about 2 % between 10,000 and 12,000 values. The standard error is about
/// 1.04 / √4096 ≈ 1.6 %, and smaller for small sets. Events without `user_id` are not counted. A
/// sketch takes 4 bytes per distinct register while sparse and at most 4096 bytes.
public struct DistinctUsersAggregator: Aggregator {
    /// log2 of the register count.
    public static let precision = 12
    private static let registerCount = 1 << precision

    /// Creates the aggregator; it has no parameters.
    public init() {}

    public var emptyState: HyperLogLogSketch { HyperLogLogSketch() }

    /// Hashes bytes with 64-bit FNV-1a followed by the SplitMix64 finalizer. Stable across processes,
    /// unlike `Hasher`, so checkpoints restore to the same registers.
    static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }

    private func set(_ sketch: inout HyperLogLogSketch, index: Int, rank: UInt8) {
        if !sketch.dense.isEmpty {
            sketch.dense[index] = Swift.max(sketch.dense[index], rank)
            return
        }
        let word = UInt32(index) << 8 | UInt32(rank)
        // Binary search for the first word whose register index is ≥ index.
        var low = 0
        var high = sketch.sparse.count
        while low < high {
            let middle = (low + high) / 2
            if Int(sketch.sparse[middle] >> 8) < index { low = middle + 1 } else { high = middle }
        }
        if low < sketch.sparse.count, Int(sketch.sparse[low] >> 8) == index {
            sketch.sparse[low] = Swift.max(sketch.sparse[low], word)
        } else {
            sketch.sparse.insert(word, at: low)
        }
        if sketch.sparse.count * 4 > Self.registerCount {
            var dense = [UInt8](repeating: 0, count: Self.registerCount)
            for word in sketch.sparse { dense[Int(word >> 8)] = UInt8(word & 0xFF) }
            sketch = HyperLogLogSketch()
            sketch.dense = dense
        }
    }

    public func update(_ state: inout HyperLogLogSketch, with event: Event) {
        guard let userID = event.userID else { return }
        let hash = Self.hash(userID.utf8)
        let index = Int(hash >> UInt64(64 - Self.precision))
        let remaining = hash << UInt64(Self.precision)
        let rank = UInt8(Swift.min(remaining.leadingZeroBitCount, 64 - Self.precision) + 1)
        set(&state, index: index, rank: rank)
    }

    public func merge(_ state: inout HyperLogLogSketch, with other: HyperLogLogSketch) {
        for word in other.sparse { set(&state, index: Int(word >> 8), rank: UInt8(word & 0xFF)) }
        for (index, rank) in other.dense.enumerated() where rank > 0 { set(&state, index: index, rank: rank) }
    }

    public func isEmpty(_ state: HyperLogLogSketch) -> Bool { state.isEmpty }

    public func evaluate(_ state: HyperLogLogSketch, at tick: Int64) -> FeatureValue {
        // How many registers hold each value, 0 (unset) to q + 1, where q = 64 − precision.
        let q = 64 - Self.precision
        // On the stack: evaluation runs at every visit of a key, so it allocates nothing.
        let estimate = withUnsafeTemporaryAllocation(of: Int.self, capacity: q + 2) { histogram in
            histogram.initialize(repeating: 0)
            if state.dense.isEmpty {
                histogram[0] = Self.registerCount - state.sparse.count
                for word in state.sparse { histogram[Int(word & 0xFF)] += 1 }
            } else {
                for rank in state.dense { histogram[Int(rank)] += 1 }
            }
            let registers = Double(Self.registerCount)
            var z = registers * Self.tau(1 - Double(histogram[q + 1]) / registers)
            for value in stride(from: q, through: 1, by: -1) {
                z = 0.5 * (z + Double(histogram[value]))
            }
            z += registers * Self.sigma(Double(histogram[0]) / registers)
            // An empty sketch makes sigma infinite, and the estimate 0.
            return registers * registers / (2 * log(2.0) * z)
        }
        return .integer(Int64(estimate.rounded()))
    }

    /// Returns the series x + Σ x^(2^k) · 2^(k−1) for k ≥ 1, for the share x of unset registers,
    /// or infinity at 1. The terms fall below the sum's precision within about 70 steps for x < 1.
    static func sigma(_ share: Double) -> Double {
        guard share < 1 else { return .infinity }
        var x = share
        var y = 1.0
        var sum = share
        for _ in 0..<128 {
            x *= x
            let previous = sum
            sum += x * y
            y += y
            if sum == previous { break }
        }
        return sum
    }

    /// Returns the series (1 − x − Σ (1 − x^(2^−k))² · 2^−k) / 3 for k ≥ 1, for the share x of
    /// registers below the largest value, or 0 at 0 and 1.
    static func tau(_ share: Double) -> Double {
        guard share > 0, share < 1 else { return 0 }
        var x = share
        var y = 1.0
        var sum = 1 - share
        for _ in 0..<128 {
            x = x.squareRoot()
            let previous = sum
            y *= 0.5
            sum -= (1 - x) * (1 - x) * y
            if sum == previous { break }
        }
        return sum / 3
    }

    public func encode(_ state: HyperLogLogSketch, into writer: inout StateWriter) {
        writer.writeBool(!state.dense.isEmpty)
        if state.dense.isEmpty {
            writer.writeUInt32(UInt32(state.sparse.count))
            for word in state.sparse { writer.writeUInt32(word) }
        } else {
            writer.writeBytes(state.dense)
        }
    }

    public func decode(from reader: inout StateReader) throws(StateDecodingError) -> HyperLogLogSketch {
        var sketch = HyperLogLogSketch()
        if try reader.readBool("distinct_users form") {
            sketch.dense = try reader.readBytes("distinct_users registers")
            guard sketch.dense.count == Self.registerCount else {
                throw StateDecodingError(
                    "distinct_users has \(sketch.dense.count) dense registers, expected \(Self.registerCount)"
                )
            }
        } else {
            let count = Int(try reader.readUInt32("distinct_users sparse count"))
            guard count <= Self.registerCount else {
                throw StateDecodingError(
                    "distinct_users has \(count) sparse registers, at most \(Self.registerCount) fit"
                )
            }
            for _ in 0..<count { sketch.sparse.append(try reader.readUInt32("distinct_users sparse word")) }
        }
        return sketch
    }

    public func memoryBytes(of state: HyperLogLogSketch) -> Int {
        MemoryLayout<HyperLogLogSketch>.size + state.sparse.capacity * 4 + state.dense.capacity
    }
}
