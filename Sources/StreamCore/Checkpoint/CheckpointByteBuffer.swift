/// Little-endian writer for the checkpoint container; grows a byte array.
struct CheckpointByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func writeInteger<T: FixedWidthInteger>(_ value: T) {
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { bytes.append(contentsOf: $0) }
    }

    mutating func writeBytes(_ data: some Collection<UInt8>) {
        bytes.append(contentsOf: data)
    }

    /// Writes a UTF-8 string prefixed by its byte length as a `UInt16`.
    /// - Precondition: the string is at most 65 535 bytes (group and topic names are far shorter).
    mutating func writeShortString(_ string: String) {
        let utf8 = Array(string.utf8)
        precondition(utf8.count <= Int(UInt16.max), "string of \(utf8.count) bytes is too long for a checkpoint header")
        writeInteger(UInt16(utf8.count))
        bytes.append(contentsOf: utf8)
    }
}

/// Little-endian reader over a byte array; every read checks bounds and returns `nil` past the end.
struct CheckpointByteReader {
    let bytes: [UInt8]
    private(set) var readerIndex: Int

    init(_ bytes: [UInt8], at index: Int = 0) {
        self.bytes = bytes
        self.readerIndex = index
    }

    var readableBytes: Int { bytes.count - readerIndex }

    mutating func readInteger<T: FixedWidthInteger>(as type: T.Type = T.self) -> T? {
        let size = MemoryLayout<T>.size
        guard readableBytes >= size else { return nil }
        var value: T = 0
        for shift in 0..<size {
            value |= T(truncatingIfNeeded: bytes[readerIndex + shift]) << (8 * shift)
        }
        readerIndex += size
        return value
    }

    mutating func readBytes(count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, readableBytes >= count else { return nil }
        let slice = bytes[readerIndex..<(readerIndex + count)]
        readerIndex += count
        return slice
    }

    /// Reads a string written by ``CheckpointByteWriter/writeShortString(_:)``; `nil` when the bytes
    /// run out or are not valid UTF-8.
    mutating func readShortString() -> String? {
        guard let length = readInteger(as: UInt16.self), let data = readBytes(count: Int(length)) else { return nil }
        return String(validating: data, as: UTF8.self)
    }
}
