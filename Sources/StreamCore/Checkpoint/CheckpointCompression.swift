import CZstd

/// One-shot zstd compression of checkpoint payloads through libzstd.
enum CheckpointCompression {
    /// zstd level 3 (the library default): checkpoints are written every few seconds, so speed
    /// matters more than the last percent of size.
    static let level: Int32 = 3

    /// Compresses `input` into one zstd frame that records its content size.
    static func compress(_ input: [UInt8]) throws(CheckpointCompressionError) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { source in
                ZSTD_compress(out.baseAddress, bound, source.baseAddress, source.count, level)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw CheckpointCompressionError(message: String(cString: ZSTD_getErrorName(written)))
        }
        output.removeSubrange(written...)
        return output
    }

    /// Decompresses one zstd frame whose content size must equal `expectedSize`.
    static func decompress(
        _ input: ArraySlice<UInt8>,
        expectedSize: Int
    ) throws(CheckpointCompressionError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expectedSize)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { source in
                ZSTD_decompress(out.baseAddress, expectedSize, source.baseAddress, source.count)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw CheckpointCompressionError(message: String(cString: ZSTD_getErrorName(written)))
        }
        guard written == expectedSize else {
            throw CheckpointCompressionError(
                message: "decompressed \(written) bytes where the header declares \(expectedSize)"
            )
        }
        return output
    }
}

/// A libzstd failure, with the library's error name.
struct CheckpointCompressionError: Error {
    var message: String
}
