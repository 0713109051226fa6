import CXXHash

/// A 64-bit digest of a comparable vector in ``ComparableVectorCoding`` bytes, which a key keeps
/// in place of its last emitted vector: the low 64 bits of the vector's XXH3-128 hash.
///
/// The emission rule only checks whether the vector changed, so the engine compares digests: one
/// word per key instead of the vector's bytes (about 70 for meme_v1). Two different vectors get
/// the same digest with a probability of about 2^-64 per comparison. At a million comparisons a
/// second, that is one missed change in about 580,000 years. docs/engine.md ("Decisions")
/// explains the choice. The low half of the 128-bit hash is used, rather than XXH3-64, so that
/// state of format version 3, which stores the whole 128-bit hash, converts without the vector.
///
/// Computing a digest takes O(n) time for n bytes and allocates nothing. Values are immutable and
/// safe to share between threads.
struct VectorDigest: Equatable {
    /// The digest.
    var value: UInt64

    /// The words a digest takes in a key's block.
    static let words = 1

    init(value: UInt64) {
        self.value = value
    }

    /// Computes the digest of `count` bytes at `bytes`.
    @inline(__always)
    init(bytes: UnsafeRawPointer, count: Int) {
        var low: UInt64 = 0
        var high: UInt64 = 0
        memestream_xxh3_128(bytes, count, &low, &high)
        self.init(value: low)
    }

    /// Computes the digest of `bytes`, for vectors read from a checkpoint of format version 1 or 2.
    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { buffer in
            // An empty buffer may have no address, and XXH3 reads nothing for a length of 0.
            VectorDigest(bytes: buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: buffer.count)
        }
    }
}
