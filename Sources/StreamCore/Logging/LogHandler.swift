/// A backend that receives finished log entries and writes or stores them.
///
/// A handler is shared by every copy of a ``Logger`` and may be called from any thread at the
/// same time, so conforming types must be thread-safe. The logger has already checked the level
/// and merged the metadata before it calls ``log(_:)``.
public protocol LogHandler: Sendable {
    /// Writes or stores one entry.
    func log(_ entry: LogEntry)
}

/// A handler that drops every entry: the default for code that was given no logger.
public struct DiscardingLogHandler: LogHandler {
    public init() {}

    public func log(_ entry: LogEntry) {}
}
