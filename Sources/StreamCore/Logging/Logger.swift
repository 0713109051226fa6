#if canImport(Glibc)
import Glibc
#endif

/// A structured logger: a label, a minimum level, metadata and a shared ``LogHandler``.
///
/// `Logger` is a value type. Changing the level or metadata of a copy never affects the original,
/// so a component takes the logger it is given, adds its own metadata once and passes copies on.
/// Libraries never make their own logger; they accept one (``Logger/discarding`` when the caller
/// has none).
///
/// Each level has one method. The message and metadata are autoclosures and the level is checked
/// first, so a disabled entry costs one comparison and builds no strings.
///
/// Thread safety: a `Logger` value is `Sendable`; its handler must be thread-safe.
public struct Logger: Sendable {
    /// The name of the component that writes through this logger, for example `memestream.worker`.
    public var label: String
    /// The minimum level this logger passes on; entries below it are dropped before they are built.
    public var logLevel: LogLevel
    /// Metadata attached to every entry this logger writes.
    public var metadata: LogMetadata
    /// The backend shared by every copy of this logger.
    public var handler: any LogHandler

    /// Creates a logger.
    ///
    /// - Parameters:
    ///   - label: The component name printed with every entry.
    ///   - level: The minimum level passed to the handler. Default `info`.
    ///   - metadata: Metadata attached to every entry.
    ///   - handler: The backend; it must be thread-safe.
    public init(
        label: String,
        level: LogLevel = .info,
        metadata: LogMetadata = [:],
        handler: any LogHandler
    ) {
        self.label = label
        self.logLevel = level
        self.metadata = metadata
        self.handler = handler
    }

    /// A logger that drops everything, for callers that have no logger to pass.
    public static var discarding: Logger {
        Logger(label: "discarded", level: .critical, handler: DiscardingLogHandler())
    }

    /// Reads or sets one metadata value that sticks to this logger value.
    public subscript(metadataKey key: String) -> LogValue? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Returns `true` when an entry at `level` would reach the handler.
    @inlinable
    public func isEnabled(_ level: LogLevel) -> Bool {
        level >= logLevel
    }

    /// Writes one entry at `level` when the level is enabled.
    ///
    /// The call's metadata is merged over the logger's own; on equal keys the call wins.
    @inlinable
    public func log(
        level: LogLevel,
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> LogMetadata? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        guard level >= logLevel else { return }
        emit(level: level, message: message(), metadata: metadata(), file: file, line: line)
    }

    @usableFromInline
    func emit(level: LogLevel, message: String, metadata extra: LogMetadata?, file: String, line: UInt) {
        var merged = metadata
        if let extra {
            merged.merge(extra) { _, new in new }
        }
        let entry = LogEntry(
            timestampMilliseconds: Logger.wallClockMilliseconds(),
            level: level,
            label: label,
            message: message,
            metadata: merged,
            file: file,
            line: line
        )
        handler.log(entry)
    }

    /// Reads the wall clock (`CLOCK_REALTIME`) in ms since the Unix epoch.
    public static func wallClockMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }
}

// MARK: - One method per level

extension Logger {
    /// Writes a `trace` entry: detail that may be slow to produce, such as one line per record.
    @inlinable
    public func trace(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> LogMetadata? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        log(level: .trace, message(), metadata: metadata(), file: file, line: line)
    }

    /// Writes a `debug` entry: a lifecycle step or decision.
    @inlinable
    public func debug(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> LogMetadata? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        log(level: .debug, message(), metadata: metadata(), file: file, line: line)
    }

    /// Writes an `info` entry: a failure that cannot be thrown, such as a retry or dropped input.
    @inlinable
    public func info(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> LogMetadata? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        log(level: .info, message(), metadata: metadata(), file: file, line: line)
    }

    /// Writes a `notice` entry: a normal but significant application event, such as startup.
    @inlinable
    public func notice(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> LogMetadata? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        log(level: .notice, message(), metadata: metadata(), file: file, line: line)
    }

    /// Writes a `warning` entry: a condition that may need an operator's attention.
    @inlinable
    public func warning(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> LogMetadata? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        log(level: .warning, message(), metadata: metadata(), file: file, line: line)
    }

    /// Writes an `error` entry: a handled failure that loses work or data.
    @inlinable
    public func error(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> LogMetadata? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        log(level: .error, message(), metadata: metadata(), file: file, line: line)
    }

    /// Writes a `critical` entry: a failure that stops the application.
    @inlinable
    public func critical(
        _ message: @autoclosure () -> String,
        metadata: @autoclosure () -> LogMetadata? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        log(level: .critical, message(), metadata: metadata(), file: file, line: line)
    }
}
