import CXXHash

/// The 128-bit XXH3 digest of a comparable vector in ``ComparableVectorCoding`` bytes, which a
/// key keeps in place of its last emitted vector.
///
/// The emission rule only checks whether the vector changed, so the engine compares digests: two
/// words per key instead of the vector's bytes (about 70 for meme_v1). Two different vectors get
/// the same digest with a probability of about 2^-128 per comparison. At a million comparisons a
/// second, that is one missed change in about 10^25 years. docs/engine.md ("Decisions") explains
/// the choice.
///
/// Computing a digest takes O(n) time for n bytes and allocates nothing. Values are immutable and
/// safe to share between threads.
struct VectorDigest: Equatable {
    /// The low 64 bits of the digest.
    var low: UInt64
    /// The high 64 bits of the digest.
    var high: UInt64

    /// The words a digest takes in a key's block.
    static let words = 2

    init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// Computes the digest of `count` bytes at `bytes`.
    @inline(__always)
    init(bytes: UnsafeRawPointer, count: Int) {
        var low: UInt64 = 0
        var high: UInt64 = 0
        memestream_xxh3_128(bytes, count, &low, &high)
        self.init(low: low, high: high)
    }

    /// Computes the digest of `bytes`, for vectors read from a checkpoint of format version 1 or 2.
    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { buffer in
            // An empty buffer may have no address, and XXH3 reads nothing for a length of 0.
            VectorDigest(bytes: buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: buffer.count)
        }
    }
}
