import CZstd

/// A zstd-compressed file written by streaming compression (one zstd frame, level 3).
///
/// NOTE: a stand-in until the shared zstd file writer of StreamCore exists; keep its interface
/// small so the swap touches only ``GenerateCommand``.
///
/// Thread-safety: not thread-safe; one writer.
struct ZstdFileOutput: ByteOutput {
    private var file: BufferedFileOutput
    private let path: String
    private let context: OpaquePointer
    private var compressed: [UInt8]

    /// Creates or truncates the file at `path`.
    ///
    /// - Throws: ``OutputError`` when the file cannot be opened or zstd cannot be initialized.
    init(path: String) throws {
        self.path = path
        file = try BufferedFileOutput(path: path)
        guard let context = ZSTD_createCCtx() else {
            throw OutputError("creating a zstd compression context for '\(path)' failed")
        }
        self.context = context
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 3)
        compressed = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        try compress(bytes, directive: ZSTD_e_continue)
    }

    mutating func finish() throws {
        try compress(UnsafeRawBufferPointer(start: nil, count: 0), directive: ZSTD_e_end)
        ZSTD_freeCCtx(context)
        try file.finish()
    }

    private mutating func compress(_ bytes: UnsafeRawBufferPointer, directive: ZSTD_EndDirective) throws {
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        // zstd consumes input or emits output on every call, so the input and output sizes bound
        // the rounds. The explicit cap guards against a library fault.
        for _ in 0..<(1 + bytes.count + (1 << 20)) {
            let capacity = compressed.count
            let (remaining, produced) = compressed.withUnsafeMutableBytes { buffer in
                var output = ZSTD_outBuffer(dst: buffer.baseAddress, size: capacity, pos: 0)
                let remaining = ZSTD_compressStream2(context, &output, &input, directive)
                return (remaining, output.pos)
            }
            if ZSTD_isError(remaining) != 0 {
                let name = String(cString: ZSTD_getErrorName(remaining))
                throw OutputError("zstd compression of '\(path)' failed: \(name)")
            }
            if produced > 0 {
                try compressed.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0[..<produced])) }
            }
            let isDone = directive == ZSTD_e_end ? remaining == 0 : input.pos == input.size
            if isDone { return }
        }
        throw OutputError("zstd compression of '\(path)' did not finish")
    }
}
