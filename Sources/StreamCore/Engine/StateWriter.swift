/// Appends the fixed-width little-endian fields of the engine's state format to a byte array.
///
/// Used for checkpoints: every state type writes itself with these verbs and reads itself back
/// with ``StateReader`` in the same order.
public struct StateWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    public init() {}

    /// Writes one byte.
    public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    /// Writes a 32-bit unsigned integer, little-endian.
    public mutating func writeUInt32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes a 64-bit signed integer, little-endian.
    public mutating func writeInt64(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes a 128-bit signed integer as its low then its high 64 bits, each little-endian.
    public mutating func writeInt128(_ value: Int128) {
        writeInt64(Int64(truncatingIfNeeded: value))
        writeInt64(Int64(truncatingIfNeeded: value >> 64))
    }

    /// Writes a double as its IEEE bit pattern, so that it restores bit for bit.
    public mutating func writeDouble(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes a Boolean as one byte (0 or 1).
    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// Writes an optional 64-bit integer as a presence byte and, when present, the value.
    public mutating func writeOptionalInt64(_ value: Int64?) {
        writeBool(value != nil)
        if let value { writeInt64(value) }
    }

    /// Writes a UTF-8 string as a 32-bit byte count and the bytes.
    public mutating func writeString(_ value: String) {
        writeUInt32(UInt32(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// Writes raw bytes as a 32-bit count and the bytes.
    public mutating func writeBytes(_ value: [UInt8]) {
        writeUInt32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a feature value as a tag byte (0 null, 1 integer, 2 float) and its payload.
    public mutating func writeFeatureValue(_ value: FeatureValue) {
        switch value {
        case .null: writeUInt8(0)
        case .integer(let integer):
            writeUInt8(1)
            writeInt64(integer)
        case .float(let double):
            writeUInt8(2)
            writeDouble(double)
        }
    }
}
