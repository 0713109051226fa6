import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A handler that writes one formatted line per entry to a file descriptor (standard error by
/// default).
///
/// Thread safety: a lock serialises writes, so lines from concurrent callers never interleave.
/// Each line goes out in one `write(2)` call when the descriptor accepts it whole.
public final class StreamLogHandler: LogHandler {
    private let formatter: LogLineFormatter
    private let fileDescriptor: Int32
    private let writeLock = Mutex(())

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - formatter: Renders each entry as one line.
    ///   - fileDescriptor: Where lines go; default 2 (standard error). The handler never closes it.
    public init(formatter: LogLineFormatter, fileDescriptor: Int32 = 2) {
        self.formatter = formatter
        self.fileDescriptor = fileDescriptor
    }

    public func log(_ entry: LogEntry) {
        var line = formatter.line(for: entry)
        line.append("\n")
        writeLock.withLock { _ in
            line.withUTF8 { bytes in
                writeAll(UnsafeRawBufferPointer(bytes))
            }
        }
    }

    /// Writes every byte, retrying after `EINTR` and partial writes. A failed write drops the
    /// rest of the line, because a logger has nowhere to report its own failure.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        var remaining = bytes
        // A partial write makes progress, so one retry per byte bounds the loop.
        for _ in 0...bytes.count where !remaining.isEmpty {
            let written = write(fileDescriptor, remaining.baseAddress, remaining.count)
            if written > 0 {
                remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
