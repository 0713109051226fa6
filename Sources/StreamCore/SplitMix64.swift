/// SplitMix64: a small seeded pseudo-random number generator.
///
/// The same seed gives the same sequence on every platform and Swift version, which is what
/// generated test streams, benchmark corpora and fuzz inputs need. Not cryptographically secure.
///
/// Thread-safety: a value type; each copy advances independently.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state.
    public var state: UInt64

    /// Creates a generator whose sequence is a function of `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// Returns the next 64 random bits. O(1), no allocation.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// Returns a value in `0..<bound` by taking the next value modulo `bound`. The slight bias
    /// toward small values does not matter for test data.
    @inlinable
    public mutating func next(below bound: UInt64) -> UInt64 {
        next() % bound
    }
}
