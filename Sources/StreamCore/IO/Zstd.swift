import CZstd

/// One-shot zstd compression and decompression of whole byte arrays, for small payloads such
/// as checkpoints. Streams go through ``LineReader`` and ``LineWriter`` instead.
///
/// Thread-safety: every call uses its own zstd context, so calls may run concurrently.
public enum Zstd {
    /// The four bytes every zstd frame starts with (0xFD2FB528, little-endian).
    public static let frameMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// The default compression level: zstd's own default, a good speed/ratio balance.
    public static let defaultLevel: Int32 = 3

    /// Returns `true` when `bytes` starts with the zstd frame magic number.
    public static func hasFrameMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 4 else { return false }
        return bytes[0] == 0x28 && bytes[1] == 0xB5 && bytes[2] == 0x2F && bytes[3] == 0xFD
    }

    /// `true` when `bytes` starts with the magic number of a zstd skippable frame (0x184D2A50 to
    /// 0x184D2A5F, little-endian), which may come before the first data frame.
    public static func hasSkippableFrameMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 4 else { return false }
        return bytes[0] & 0xF0 == 0x50 && bytes[1] == 0x2A && bytes[2] == 0x4D && bytes[3] == 0x18
    }

    /// Compresses `bytes` into one zstd frame that records its content size.
    ///
    /// - Parameter level: a zstd level, 1 (fastest) to 19 (smallest); negative levels are faster still.
    /// - Throws: ``FileIOError`` (with path `<memory>`) when zstd reports an error.
    /// - Complexity: O(n) time; allocates the compressed result once at its bound size.
    public static func compress(_ bytes: [UInt8], level: Int32 = defaultLevel) throws -> [UInt8] {
        let bound = ZSTD_compressBound(bytes.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in
                ZSTD_compress(destination.baseAddress, bound, source.baseAddress, source.count, level)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw FileIOError(path: "<memory>", reason: "zstd compression failed: \(errorName(written))")
        }
        output.removeSubrange(written...)
        return output
    }

    /// Decompresses every frame in `bytes` and returns the concatenated content.
    ///
    /// Works whether or not the frames record their content size. An empty input returns an
    /// empty result.
    ///
    /// - Parameter maximumSize: the largest result accepted, in bytes; guards against a
    ///   corrupt or hostile input that would expand without limit.
    /// - Throws: ``FileIOError`` (with path `<memory>` and the compressed byte offset) when the
    ///   input is corrupt or truncated, or the result would exceed `maximumSize`.
    public static func decompress(_ bytes: [UInt8], maximumSize: Int = 1 << 30) throws -> [UInt8] {
        if bytes.isEmpty { return [] }
        guard let stream = ZSTD_createDStream() else {
            throw FileIOError(path: "<memory>", reason: "cannot create a zstd decompression context (out of memory)")
        }
        defer { ZSTD_freeDStream(stream) }

        var result: [UInt8] = []
        result.reserveCapacity(min(maximumSize, max(64, bytes.count * 4)))
        let chunkSize = ZSTD_DStreamOutSize()
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var lastStatus = 0

        try bytes.withUnsafeBytes { source in
            var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            // Each pass consumes input or produces output, so the pass count is bounded by the
            // input size plus the output limit divided by the chunk size.
            let maximumPasses = source.count + maximumSize / chunkSize + 2
            var passes = 0
            while passes < maximumPasses {
                passes += 1
                var produced = 0
                let status = chunk.withUnsafeMutableBytes { destination in
                    var output = ZSTD_outBuffer(dst: destination.baseAddress, size: chunkSize, pos: 0)
                    let status = ZSTD_decompressStream(stream, &output, &input)
                    produced = output.pos
                    return status
                }
                if ZSTD_isError(status) != 0 {
                    throw FileIOError(
                        path: "<memory>",
                        byteOffset: Int64(input.pos),
                        reason: "corrupt zstd data: \(errorName(status))"
                    )
                }
                lastStatus = status
                if result.count + produced > maximumSize {
                    throw FileIOError(
                        path: "<memory>",
                        reason: "zstd content exceeds the limit of \(maximumSize) bytes"
                    )
                }
                result.append(contentsOf: chunk[0..<produced])
                if input.pos == input.size && produced < chunkSize { break }
            }
            if input.pos < input.size {
                throw FileIOError(path: "<memory>", byteOffset: Int64(input.pos), reason: "zstd input was not consumed")
            }
        }
        if lastStatus != 0 {
            throw FileIOError(
                path: "<memory>",
                byteOffset: Int64(bytes.count),
                reason: "truncated zstd data: the last frame is incomplete"
            )
        }
        return result
    }

    /// Returns the zstd library's name for an error code.
    static func errorName(_ code: Int) -> String {
        guard let name = ZSTD_getErrorName(code) else { return "error \(code)" }
        return String(cString: name)
    }
}
