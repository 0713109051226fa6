import StreamCore

/// The compact byte form in which the engine remembers each key's last emitted comparable vector.
///
/// Per value: a tag byte (0 null, 1 integer, 2 float), then for an integer its ZigZag LEB128
/// varint and for a float its 8 IEEE bytes, little-endian. Equal vectors give equal bytes, so the
/// emission rule compares bytes. A meme_v1 vector takes about 80 bytes instead of 240 as
/// `[FeatureValue]`.
enum ComparableVectorCoding {
    /// Appends `value` to `bytes`.
    static func append(_ value: FeatureValue, to bytes: inout [UInt8]) {
        switch value {
        case .null:
            bytes.append(0)
        case .integer(let integer):
            bytes.append(1)
            var zigzag = UInt64(bitPattern: (integer << 1) ^ (integer >> 63))
            while zigzag >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: zigzag) | 0x80)
                zigzag >>= 7
            }
            bytes.append(UInt8(zigzag))
        case .float(let double):
            bytes.append(2)
            var bits = double.bitPattern
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
        }
    }
}
