#if canImport(Glibc)
import Glibc
#endif

/// Reads a file that is loaded whole: a configuration or properties file, a feature set, a
/// checkpoint.
///
/// Only regular files are read. A FIFO would block the open until a writer appears, and a
/// device such as `/dev/zero` never ends, so both are rejected before any byte is read. The
/// file is opened without blocking, and its size is checked against a limit first.
///
/// Thread-safety: stateless; each call uses its own descriptor.
public enum SmallFile {
    /// Why a file could not be read, as a phrase that follows the path: "is a FIFO, not a
    /// regular file".
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The `errno` of a failed system call, or `nil` for a file of the wrong kind or size.
        public var code: Int32?
        public var description: String
    }

    /// An open regular file and its size in bytes.
    public struct OpenFile: ~Copyable {
        public let descriptor: Int32
        public let size: Int

        deinit { close(descriptor) }

        /// Reads `count` bytes from the current position, fewer only at the end of the file.
        public func read(count: Int) throws(Failure) -> [UInt8] {
            var bytes: [UInt8] = []
            try append(count: count, to: &bytes)
            return bytes
        }

        /// Appends up to `count` bytes from the current position to `bytes`, fewer only at the
        /// end of the file. Appends in place, so the file's bytes are in memory once.
        public func append(count: Int, to bytes: inout [UInt8]) throws(Failure) {
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: count))
            var filled = 0
            // Each pass reads at least one byte or stops, so at most `count` passes.
            while filled < count {
                let result = bytes.withUnsafeMutableBytes { buffer in
                    Glibc.read(descriptor, buffer.baseAddress! + start + filled, count - filled)
                }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw Failure(code: errno, description: "read failed: \(systemErrorText(errno))")
                }
                if result == 0 { break }
                filled += result
            }
            bytes.removeLast(count - filled)
        }
    }

    /// Opens `path` for reading if it is a regular file of at most `limit` bytes.
    /// - Throws: ``Failure`` when it is missing, unreadable, not a regular file, or too large.
    public static func open(path: String, limit: Int) throws(Failure) -> OpenFile {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            // Opening a socket fails with ENXIO before its kind can be read from the descriptor.
            var status = stat()
            if code == ENXIO, stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
                throw Failure(code: code, description: "is \(describe(status.st_mode & S_IFMT)), not a regular file")
            }
            throw Failure(code: code, description: "open failed: \(systemErrorText(code))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let failure = Failure(code: errno, description: "stat failed: \(systemErrorText(errno))")
            close(descriptor)
            throw failure
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            close(descriptor)
            throw Failure(code: nil, description: "is \(describe(kind)), not a regular file")
        }
        guard status.st_size <= limit else {
            close(descriptor)
            throw Failure(code: nil, description: "is \(status.st_size) bytes, larger than the limit of \(limit)")
        }
        return OpenFile(descriptor: descriptor, size: Int(status.st_size))
    }

    /// Returns the bytes of `path`, a regular file of at most `limit` bytes.
    /// - Throws: ``Failure`` as ``open(path:limit:)`` does, or when a read fails.
    public static func read(path: String, limit: Int) throws(Failure) -> [UInt8] {
        let file = try open(path: path, limit: limit)
        // `fstat` gives 0 for files such as those in /proc, and a file can grow after it, so read
        // to the end, up to one byte past the limit.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(file.size + 1)
        while bytes.count <= limit {
            let before = bytes.count
            try file.append(count: min(limit + 1 - before, max(file.size + 1, 1 << 16)), to: &bytes)
            if bytes.count == before { break }
        }
        guard bytes.count <= limit else {
            throw Failure(code: nil, description: "is larger than the limit of \(limit) bytes")
        }
        return bytes
    }

    private static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }
}
