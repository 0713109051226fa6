/// Kafka's key-hash partitioning: 32-bit MurmurHash2 with seed 0x9747B28C, as the Java client's
/// default partitioner and librdkafka's `murmur2_random` partitioner compute it.
enum Murmur2Partitioner {
    /// Computes the MurmurHash2 of `key` as the Java client does (4-byte little-endian blocks, the
    /// tail folded in byte by byte), returned as a signed 32-bit value.
    static func hash<Bytes: Collection>(_ key: Bytes) -> Int32 where Bytes.Element == UInt8, Bytes.Index == Int {
        let multiplier: UInt32 = 0x5BD1_E995
        let shift: UInt32 = 24
        var h: UInt32 = 0x9747_B28C ^ UInt32(truncatingIfNeeded: key.count)

        let blockCount = key.count / 4
        var index = key.startIndex
        for _ in 0..<blockCount {
            var k =
                UInt32(key[index]) | UInt32(key[index + 1]) << 8 | UInt32(key[index + 2]) << 16
                | UInt32(key[index + 3]) << 24
            k &*= multiplier
            k ^= k >> shift
            k &*= multiplier
            h &*= multiplier
            h ^= k
            index += 4
        }

        let tail = key.count % 4
        if tail >= 3 { h ^= UInt32(key[index + 2]) << 16 }
        if tail >= 2 { h ^= UInt32(key[index + 1]) << 8 }
        if tail >= 1 {
            h ^= UInt32(key[index])
            h &*= multiplier
        }

        h ^= h >> 13
        h &*= multiplier
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// Computes the partition in [0, partitionCount) for `key`: the hash with its sign bit cleared,
    /// modulo the partition count. `partitionCount` must be positive.
    static func partition<Bytes: Collection>(forKey key: Bytes, partitionCount: Int32) -> Int32
    where Bytes.Element == UInt8, Bytes.Index == Int {
        (hash(key) & 0x7FFF_FFFF) % partitionCount
    }
}
