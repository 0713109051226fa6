import CZstd

#if canImport(Glibc)
import Glibc
#endif

/// A buffered, streaming writer of bytes and lines to a plain or zstd-compressed file.
///
/// Bytes are collected in a 256 KiB buffer and written (through zstd's streaming compressor
/// when compressed) when it fills, on ``flush()`` and on ``close()``. A zstd file is complete
/// only after ``close()`` ends the frame. A writer dropped without `close()` closes its file
/// descriptor but leaves a truncated zstd frame, so callers close explicitly and handle the
/// error. Errors are ``FileIOError``s naming the path and the number of bytes written so far.
///
/// The file is created or truncated when the writer opens it; output is not written to a
/// temporary name first. A caller that opens several files can defer the truncation
/// (`truncating: false`) until every file has opened, and then call ``truncate()``.
///
/// Thread-safety: not thread-safe; one thread owns a writer.
public final class LineWriter {
    /// The encoding the writer applies to the bytes it is given.
    public enum Compression: Sendable, Hashable {
        /// Bytes are written as given.
        case none
        /// One zstd frame at the given level (1 fastest … 19 smallest).
        case zstd(level: Int32)

        /// `.zstd` at the default level when `path` ends in `.zst`, `.none` otherwise.
        public static func forPath(_ path: String) -> Compression {
            path.hasSuffix(".zst") ? .zstd(level: Zstd.defaultLevel) : .none
        }
    }

    static let bufferBytes = 256 << 10

    /// The path the writer was opened with; `-` is standard output.
    public let path: String
    /// The encoding of the output.
    public let compression: Compression

    private let descriptor: Int32
    private let buffer: UnsafeMutableRawPointer
    private var buffered = 0
    private var compressor: OpaquePointer?
    private var compressed: UnsafeMutableRawBufferPointer?
    /// Bytes written to the file descriptor so far (compressed bytes for zstd).
    public private(set) var bytesWritten: Int64 = 0
    private var isClosed = false

    /// Creates (or truncates) `path` and opens it for writing; `-` means standard output.
    ///
    /// - Parameters:
    ///   - compression: the encoding; `nil` picks it from the file name (``Compression/forPath(_:)``).
    ///   - truncating: `false` keeps an existing file's bytes until ``truncate()``.
    /// - Throws: ``FileIOError`` when the file cannot be created or zstd cannot start.
    public init(path: String, compression: Compression? = nil, truncating: Bool = true) throws {
        self.path = path
        let compression = compression ?? Compression.forPath(path)
        self.compression = compression
        if path == "-" {
            if let reason = StandardStreamCheck.closedReason(descriptor: 1, name: "standard output") {
                throw FileIOError(path: path, reason: reason)
            }
            descriptor = 1
        } else {
            descriptor = Glibc.open(path, O_WRONLY | O_CREAT | (truncating ? O_TRUNC : 0) | O_CLOEXEC, 0o644)
            if descriptor < 0 {
                throw FileIOError(path: path, reason: "cannot open for writing: \(systemErrorText(errno))")
            }
        }
        buffer = UnsafeMutableRawPointer.allocate(byteCount: LineWriter.bufferBytes, alignment: 16)
        if case .zstd(let level) = compression {
            guard let context = ZSTD_createCCtx() else {
                buffer.deallocate()
                if descriptor > 2 { Glibc.close(descriptor) }
                throw FileIOError(path: path, reason: "cannot create a zstd compression context (out of memory)")
            }
            ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
            compressor = context
            compressed = UnsafeMutableRawBufferPointer.allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
        }
    }

    /// Empties the file when it is a regular file: the step a writer opened with `truncating:
    /// false` left out. Devices, pipes and standard output are left as they are.
    ///
    /// - Throws: ``FileIOError`` when the file cannot be truncated.
    public func truncate() throws {
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return }
        if ftruncate(descriptor, 0) != 0 {
            throw FileIOError(path: path, reason: "cannot truncate: \(systemErrorText(errno))")
        }
    }

    deinit {
        if !isClosed && descriptor > 2 { Glibc.close(descriptor) }
        buffer.deallocate()
        if let compressor { ZSTD_freeCCtx(compressor) }
        compressed?.deallocate()
    }

    /// Appends `bytes` to the output.
    ///
    /// - Throws: ``FileIOError`` when a write fails or the writer is closed.
    /// - Complexity: O(n); copies into the buffer, and writes when it fills.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if isClosed { throw closedError() }
        guard !bytes.isEmpty else { return }
        if buffered + bytes.count <= LineWriter.bufferBytes {
            (buffer + buffered).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            buffered += bytes.count
            return
        }
        try writeBuffer()
        if bytes.count <= LineWriter.bufferBytes {
            buffer.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            buffered = bytes.count
        } else {
            try encode(bytes, directive: ZSTD_e_continue)
        }
    }

    /// Appends `bytes` followed by `\n`.
    public func writeLine(_ bytes: UnsafeRawBufferPointer) throws {
        if isClosed { throw closedError() }
        if buffered + bytes.count + 1 <= LineWriter.bufferBytes {
            if !bytes.isEmpty {
                (buffer + buffered).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            }
            buffer.storeBytes(of: 0x0A, toByteOffset: buffered + bytes.count, as: UInt8.self)
            buffered += bytes.count + 1
            return
        }
        try write(bytes)
        var newline: UInt8 = 0x0A
        try withUnsafeBytes(of: &newline) { try write($0) }
    }

    /// Appends the UTF-8 bytes of `text` followed by `\n`.
    public func writeLine(_ text: String) throws {
        var text = text
        try text.withUTF8 { try writeLine(UnsafeRawBufferPointer($0)) }
    }

    /// Writes everything buffered so far to the file. For zstd it also flushes the compressor,
    /// so a reader sees every byte given so far while the frame stays open.
    public func flush() throws {
        if isClosed { throw closedError() }
        try writeBuffer()
        if compressor != nil {
            try encode(UnsafeRawBufferPointer(start: nil, count: 0), directive: ZSTD_e_flush)
        }
    }

    /// Writes everything buffered, ends the zstd frame and closes the file. Standard output is
    /// flushed but stays open. Calling `close()` again does nothing.
    ///
    /// - Throws: ``FileIOError`` when a write or the close fails; the output is then incomplete.
    public func close() throws {
        guard !isClosed else { return }
        isClosed = true
        try writeBuffer()
        if compressor != nil {
            try encode(UnsafeRawBufferPointer(start: nil, count: 0), directive: ZSTD_e_end)
        }
        if descriptor > 2 && Glibc.close(descriptor) != 0 {
            throw FileIOError(path: path, byteOffset: bytesWritten, reason: "close failed: \(systemErrorText(errno))")
        }
    }

    private func closedError() -> FileIOError {
        FileIOError(path: path, byteOffset: bytesWritten, reason: "write after close; the writer is already closed")
    }

    private func writeBuffer() throws {
        guard buffered > 0 else { return }
        let count = buffered
        buffered = 0
        try encode(UnsafeRawBufferPointer(start: buffer, count: count), directive: ZSTD_e_continue)
    }

    /// Writes `bytes` as is, or compresses them with `directive` and writes the result.
    private func encode(_ bytes: UnsafeRawBufferPointer, directive: ZSTD_EndDirective) throws {
        guard let compressor, let compressed else {
            try writeAll(bytes)
            return
        }
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        // Each pass consumes input or drains compressed output; bounded generously by size.
        var passes = 0
        let maximumPasses = 4 + bytes.count / 1024 + (1 << 20)
        while passes < maximumPasses {
            passes += 1
            var output = ZSTD_outBuffer(dst: compressed.baseAddress, size: compressed.count, pos: 0)
            let remaining = ZSTD_compressStream2(compressor, &output, &input, directive)
            if ZSTD_isError(remaining) != 0 {
                throw FileIOError(
                    path: path,
                    byteOffset: bytesWritten,
                    reason: "zstd compression failed (\(Zstd.errorName(remaining)))"
                )
            }
            try writeAll(UnsafeRawBufferPointer(start: compressed.baseAddress, count: output.pos))
            let finished = directive == ZSTD_e_continue ? input.pos == input.size : remaining == 0
            if finished { return }
        }
        throw FileIOError(path: path, byteOffset: bytesWritten, reason: "zstd compressor made no progress")
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var remaining = bytes
        // A write of zero bytes or a run of interruptions beyond the pass bound is an error.
        var passes = 0
        while !remaining.isEmpty && passes < 1 << 20 {
            passes += 1
            let count = Glibc.write(descriptor, remaining.baseAddress, remaining.count)
            if count > 0 {
                bytesWritten += Int64(count)
                remaining = UnsafeRawBufferPointer(rebasing: remaining[count...])
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                let text = count < 0 ? systemErrorText(errno) : "no bytes written"
                throw FileIOError(path: path, byteOffset: bytesWritten, reason: "write failed: \(text)")
            }
        }
        if !remaining.isEmpty {
            throw FileIOError(path: path, byteOffset: bytesWritten, reason: "write made no progress")
        }
    }
}
