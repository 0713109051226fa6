import Glibc

/// The `--bootstrap-file` of a running dev-cluster, open and locked (`flock`) for the cluster's
/// lifetime, so that a second cluster started at the same moment cannot take the same file.
///
/// The servers are written in place, so the lock stays on the file that readers see. The lock
/// ends when the process exits, even by SIGKILL. Thread-safety: use from one thread.
final class BootstrapFile {
    let path: String
    private let descriptor: Int32
    /// `false` until ``write(_:)`` succeeds. A cluster that failed to start removes the file again.
    private var hasServers = false

    /// Opens `path`, creating it when missing, and locks it.
    ///
    /// - Throws: ``UsageError`` when the file cannot be opened for writing, or when another
    ///   process holds its lock.
    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw UsageError(
                "cannot open --bootstrap-file '\(path)' for writing: \(String(cString: strerror(errno))); "
                    + "give a path you can write"
            )
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EWOULDBLOCK {
                throw UsageError(
                    "--bootstrap-file '\(path)' is held by another running dev-cluster; stop that cluster, or give "
                        + "another --bootstrap-file"
                )
            }
            throw UsageError("cannot lock --bootstrap-file '\(path)': \(String(cString: strerror(reason)))")
        }
        self.descriptor = descriptor
    }

    deinit {
        if !hasServers { unlink(path) }
        close(descriptor)
    }

    /// Replaces the file's content with `servers` and a line feed.
    ///
    /// - Throws: ``UsageError`` naming the path when the write fails.
    func write(_ servers: String) throws {
        let bytes = Array((servers + "\n").utf8)
        guard ftruncate(descriptor, 0) == 0 else { throw failure("truncate") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes {
                pwrite(descriptor, $0.baseAddress! + written, $0.count - written, off_t(written))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("write")
            }
            written += result
        }
        hasServers = true
    }

    private func failure(_ operation: String) -> UsageError {
        UsageError("cannot \(operation) --bootstrap-file '\(path)': \(String(cString: strerror(errno)))")
    }
}
