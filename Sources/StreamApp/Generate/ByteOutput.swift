import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// A destination for output bytes: a plain or zstd-compressed file or standard output
/// (``LineWriter``), or memory in tests.
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

extension LineWriter: ByteOutput {
    /// Ends the zstd frame, if any, and closes the file.
    public func finish() throws {
        try close()
    }
}
