import StreamCore

/// The compact byte form in which the engine remembers each key's last emitted comparable vector.
///
/// Per value: a tag byte (0 null, 1 integer, 2 float), then for an integer its ZigZag LEB128
/// varint and for a float its 8 IEEE bytes, little-endian. Equal vectors give equal bytes, so the
/// engine keeps the ``VectorDigest`` of these bytes, and checkpoint format versions 1 and 2 hold
/// the bytes themselves.
enum ComparableVectorCoding {
    /// The maximum number of bytes of one value: a tag and a 10-byte varint.
    static let maximumValueBytes = 11

    /// Writes `value` at `target`, which has room for ``maximumValueBytes``, and returns the
    /// number of bytes written.
    @inline(__always)
    static func write(_ value: FeatureValue, to target: UnsafeMutablePointer<UInt8>) -> Int {
        switch value {
        case .null:
            target[0] = 0
            return 1
        case .integer(let integer):
            target[0] = 1
            var zigzag = UInt64(bitPattern: (integer << 1) ^ (integer >> 63))
            var count = 1
            while zigzag >= 0x80 {
                target[count] = UInt8(truncatingIfNeeded: zigzag) | 0x80
                zigzag >>= 7
                count += 1
            }
            target[count] = UInt8(zigzag)
            return count + 1
        case .float(let double):
            target[0] = 2
            UnsafeMutableRawPointer(target + 1).storeBytes(of: double.bitPattern.littleEndian, as: UInt64.self)
            return 9
        }
    }
}
