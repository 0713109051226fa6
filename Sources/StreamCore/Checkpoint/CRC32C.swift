/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum iSCSI, ext4 and Kafka
/// record batches use. The checkpoint container stores it over every byte before the trailer.
///
/// Table-driven, one byte per step: about 1 GB/s is far more than checkpoint sizes need.
/// Thread-safe: the table is an immutable global.
public enum CRC32C {
    private static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 {
                value = (value & 1) != 0 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1
            }
            table[index] = value
        }
        return table
    }()

    /// Returns the CRC-32C of `bytes`, continuing from `initial` (the result of an earlier call
    /// over the preceding bytes, or 0 for a fresh checksum).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing initial: UInt32 = 0) -> UInt32 {
        var crc = ~initial
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return ~crc
    }

    /// Returns the CRC-32C of `bytes`.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { checksum($0) }
    }
}
