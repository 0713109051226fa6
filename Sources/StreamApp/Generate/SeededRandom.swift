import StreamCore

/// A seeded xoshiro256** pseudo-random number generator (Blackman and Vigna, 2018).
///
/// The state is expanded from a 64-bit seed with SplitMix64, so the same seed gives the same
/// sequence on every platform and Swift version. It never reads the system random source, which
/// is what makes `memestream generate` reproducible. Not cryptographically secure.
///
/// Thread-safety: a value type; each copy advances independently.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose whole sequence is a function of `seed`.
    init(seed: UInt64) {
        var expansion = SplitMix64(seed: seed)
        s0 = expansion.next()
        s1 = expansion.next()
        s2 = expansion.next()
        s3 = expansion.next()
    }

    /// Returns the next 64 random bits. O(1), no allocation.
    @inline(__always)
    mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    @inline(__always)
    private func rotateLeft(_ value: UInt64, by count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
