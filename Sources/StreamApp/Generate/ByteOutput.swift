#if canImport(Glibc)
import Glibc
#endif

/// A destination for output bytes: a plain file, a zstd-compressed file, or standard output.
protocol ByteOutput {
    /// Appends `bytes` to the output; may buffer.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Writes everything buffered and closes the output. Call it once, after the last write.
    mutating func finish() throws
}

/// An I/O failure of the generator's outputs, naming the path and the system error.
struct OutputError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    /// Makes an error for a failed system call on `path`, with `errno`'s text.
    static func system(_ operation: String, path: String) -> OutputError {
        let code = errno
        let text = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return OutputError("\(operation) '\(path)' failed: \(text)")
    }
}

/// A file (or standard output) written through a 1 MiB buffer with `write(2)`.
///
/// Thread-safety: not thread-safe; one writer.
struct BufferedFileOutput: ByteOutput {
    private let descriptor: Int32
    private let path: String
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private static let capacity = 1 << 20

    /// Creates or truncates the file at `path`; the path `-` means standard output.
    ///
    /// - Throws: ``OutputError`` when the file cannot be opened.
    init(path: String) throws {
        self.path = path
        if path == "-" {
            descriptor = 1
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw OutputError.system("opening", path: path) }
            ownsDescriptor = true
        }
        buffer.reserveCapacity(BufferedFileOutput.capacity)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > BufferedFileOutput.capacity {
            try flush()
        }
        if bytes.count >= BufferedFileOutput.capacity {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    mutating func finish() throws {
        try flush()
        if ownsDescriptor, close(descriptor) != 0 {
            throw OutputError.system("closing", path: path)
        }
    }

    private mutating func flush() throws {
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var remaining = bytes
        // Each round writes at least one byte or throws, so it ends within bytes.count rounds.
        while !remaining.isEmpty {
            let written = Glibc.write(descriptor, remaining.baseAddress, remaining.count)
            if written < 0 {
                if errno == EINTR { continue }
                throw OutputError.system("writing", path: path)
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
        }
    }
}
