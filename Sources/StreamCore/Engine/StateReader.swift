/// Reads the fields that ``StateWriter`` wrote, in the same order, checking every bound.
public struct StateReader: Sendable {
    private let bytes: [UInt8]
    /// The format version of the blob, set by its owner once it has read the header, so that
    /// state decoders can read layouts of earlier versions. 0 until set.
    public var formatVersion: UInt32 = 0
    /// The offset of the next byte to read.
    public private(set) var position: Int = 0

    /// Creates a reader over a complete state blob.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// `true` when every byte has been read.
    public var isAtEnd: Bool { position == bytes.count }

    private mutating func take(_ count: Int, for field: String) throws(StateDecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.count - position >= count else {
            throw StateDecodingError(
                "state ends at byte \(bytes.count) but \(field) needs \(count) bytes from byte \(position); "
                    + "the checkpoint is truncated or was written by another format version"
            )
        }
        let slice = bytes[position..<(position + count)]
        position += count
        return slice
    }

    /// Reads one byte.
    public mutating func readUInt8(_ field: String = "a byte") throws(StateDecodingError) -> UInt8 {
        try take(1, for: field).first!
    }

    /// Reads a little-endian 32-bit unsigned integer.
    public mutating func readUInt32(_ field: String = "a 32-bit integer") throws(StateDecodingError) -> UInt32 {
        var value: UInt32 = 0
        for (shift, byte) in try take(4, for: field).enumerated() { value |= UInt32(byte) << (8 * shift) }
        return value
    }

    /// Reads a little-endian 64-bit signed integer.
    public mutating func readInt64(_ field: String = "a 64-bit integer") throws(StateDecodingError) -> Int64 {
        var value: UInt64 = 0
        for (shift, byte) in try take(8, for: field).enumerated() { value |= UInt64(byte) << (8 * shift) }
        return Int64(bitPattern: value)
    }

    /// Reads a 128-bit signed integer written by ``StateWriter/writeInt128(_:)``.
    public mutating func readInt128(_ field: String = "a 128-bit integer") throws(StateDecodingError) -> Int128 {
        let low = UInt64(bitPattern: try readInt64(field))
        let high = try readInt64(field)
        return Int128(high) << 64 | Int128(low)
    }

    /// Reads a double from its IEEE bit pattern.
    public mutating func readDouble(_ field: String = "a double") throws(StateDecodingError) -> Double {
        Double(bitPattern: UInt64(bitPattern: try readInt64(field)))
    }

    /// Reads a Boolean byte; any value other than 0 or 1 is an error.
    public mutating func readBool(_ field: String = "a Boolean") throws(StateDecodingError) -> Bool {
        let byte = try readUInt8(field)
        guard byte <= 1 else {
            throw StateDecodingError("\(field) at byte \(position - 1) is \(byte), expected 0 or 1")
        }
        return byte == 1
    }

    /// Reads an optional 64-bit integer written by ``StateWriter/writeOptionalInt64(_:)``.
    public mutating func readOptionalInt64(
        _ field: String = "an optional integer"
    ) throws(StateDecodingError)
        -> Int64?
    {
        try readBool(field) ? try readInt64(field) : nil
    }

    /// Reads a length-prefixed UTF-8 string.
    public mutating func readString(_ field: String = "a string") throws(StateDecodingError) -> String {
        let count = Int(try readUInt32(field))
        let slice = try take(count, for: field)
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw StateDecodingError("\(field) ending at byte \(position) is not valid UTF-8")
        }
        return text
    }

    /// Reads length-prefixed raw bytes.
    public mutating func readBytes(_ field: String = "a byte string") throws(StateDecodingError) -> [UInt8] {
        let count = Int(try readUInt32(field))
        return Array(try take(count, for: field))
    }

    /// Reads a feature value written by ``StateWriter/writeFeatureValue(_:)``.
    public mutating func readFeatureValue(
        _ field: String = "a feature value"
    ) throws(StateDecodingError)
        -> FeatureValue
    {
        switch try readUInt8(field) {
        case 0: return .null
        case 1: return .integer(try readInt64(field))
        case 2: return .float(try readDouble(field))
        case let tag: throw StateDecodingError("\(field) at byte \(position - 1) has tag \(tag), expected 0, 1 or 2")
        }
    }
}

/// A state blob that cannot be decoded: truncated, of an unknown version, or inconsistent with
/// the feature set it is restored for.
public struct StateDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problem, with the offending value and position.
    public var message: String
    /// `true` when a newer build wrote the state in a format version this build cannot read: the
    /// state is not damaged, and a newer build restores it.
    public var isNewerFormat: Bool
    /// `true` when the state is intact but was written for another definition of the feature
    /// set under the same name and version.
    public var isOtherFeatureSet: Bool

    /// Creates an error with a message that names the value and position.
    public init(_ message: String, isNewerFormat: Bool = false, isOtherFeatureSet: Bool = false) {
        self.message = message
        self.isNewerFormat = isNewerFormat
        self.isOtherFeatureSet = isOtherFeatureSet
    }

    public var description: String { message }
}
