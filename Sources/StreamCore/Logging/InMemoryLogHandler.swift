import Synchronization

/// A handler that keeps every entry in memory, for tests.
///
/// Give each test its own instance; there is no global state. Thread safety: entries are
/// appended under a lock, so concurrent loggers may share one handler.
public final class InMemoryLogHandler: LogHandler {
    private let stored = Mutex<[LogEntry]>([])

    public init() {}

    public func log(_ entry: LogEntry) {
        stored.withLock { $0.append(entry) }
    }

    /// Every entry received so far, in arrival order.
    public var entries: [LogEntry] {
        stored.withLock { $0 }
    }

    /// Returns the entries at `level`, in arrival order.
    public func entries(at level: LogLevel) -> [LogEntry] {
        entries.filter { $0.level == level }
    }

    /// Removes every stored entry.
    public func clear() {
        stored.withLock { $0.removeAll() }
    }
}
