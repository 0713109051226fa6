import CZstd

#if canImport(Glibc)
import Glibc
#endif

/// A sequential source of bytes that ``LineReader`` fills its buffer from.
protocol ByteSource: AnyObject {
    /// Copies up to `buffer.count` bytes into `buffer` and returns how many; 0 means the end.
    ///
    /// - Throws: ``FileIOError`` naming the path and byte offset. Bytes returned by earlier
    ///   calls stay valid.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Raw bytes from an open file descriptor, which it closes on deinit unless it is standard input.
final class FileDescriptorSource: ByteSource {
    let path: String
    private let descriptor: Int32
    /// Bytes returned so far, which is the file offset of the next byte.
    private(set) var bytesRead: Int64 = 0

    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        if descriptor > 2 { Glibc.close(descriptor) }
    }

    /// Opens `path` for reading; `-` is standard input.
    static func open(path: String) throws -> FileDescriptorSource {
        if path == "-" {
            if let reason = StandardStreamCheck.closedReason(descriptor: 0, name: "standard input") {
                throw FileIOError(path: path, reason: reason)
            }
            return FileDescriptorSource(path: path, descriptor: 0)
        }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            throw FileIOError(path: path, reason: "cannot open for reading: \(systemErrorText(errno))")
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(descriptor)
            throw FileIOError(path: path, reason: "cannot read a directory; give a file")
        }
        return FileDescriptorSource(path: path, descriptor: descriptor)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !buffer.isEmpty else { return 0 }
        // Retries only reads interrupted by a signal; a run of more than 1000 is treated as an error.
        for _ in 0..<1000 {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                bytesRead += Int64(count)
                return count
            }
            if errno != EINTR { break }
        }
        throw FileIOError(path: path, byteOffset: bytesRead, reason: "read failed: \(systemErrorText(errno))")
    }
}

/// Decompressed bytes of a zstd file, through libzstd's streaming API.
///
/// Memory: one compressed input chunk (`ZSTD_DStreamInSize()`, about 128 KiB) plus the
/// decompression context, whatever the file size.
final class ZstdSource: ByteSource {
    private let file: PrefixedSource
    private let stream: OpaquePointer
    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var fileEnded = false
    /// The last return value of `ZSTD_decompressStream`: 0 when a frame is complete.
    private var frameStatus = 0
    private var pendingError: FileIOError?

    init(file: PrefixedSource) throws {
        guard let stream = ZSTD_createDStream() else {
            throw FileIOError(path: file.path, reason: "cannot create a zstd decompression context (out of memory)")
        }
        self.file = file
        self.stream = stream
        self.input = UnsafeMutableRawBufferPointer.allocate(byteCount: ZSTD_DStreamInSize(), alignment: 16)
    }

    deinit {
        ZSTD_freeDStream(stream)
        input.deallocate()
    }

    /// The compressed offset of the next input byte that zstd has not consumed.
    private var compressedOffset: Int64 {
        file.bytesRead - Int64(inputEnd - inputStart)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let pendingError {
            throw pendingError
        }
        var output = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
        // Every pass either consumes compressed input, reads more of the file or produces
        // output, so a file of n bytes needs at most about n / chunk + output / chunk passes.
        var passes = 0
        while output.pos == 0 && passes < 1 << 30 {
            passes += 1
            if inputStart == inputEnd {
                if fileEnded {
                    if frameStatus != 0 {
                        throw FileIOError(
                            path: file.path,
                            byteOffset: file.bytesRead,
                            reason: "truncated zstd file: the stream ends inside a frame; the file is incomplete"
                        )
                    }
                    return 0
                }
                let count = try file.read(into: input)
                inputStart = 0
                inputEnd = count
                if count == 0 { fileEnded = true }
                continue
            }
            var source = ZSTD_inBuffer(src: input.baseAddress! + inputStart, size: inputEnd - inputStart, pos: 0)
            let status = ZSTD_decompressStream(stream, &output, &source)
            inputStart += source.pos
            if ZSTD_isError(status) != 0 {
                let error = FileIOError(
                    path: file.path,
                    byteOffset: compressedOffset,
                    reason: "corrupt zstd data (\(Zstd.errorName(status)))"
                )
                if output.pos > 0 {
                    pendingError = error
                    return output.pos
                }
                throw error
            }
            frameStatus = status
        }
        return output.pos
    }
}

/// Returns the C library's message for an `errno` value, followed by the number.
func systemErrorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: text)) (errno \(code))"
}
