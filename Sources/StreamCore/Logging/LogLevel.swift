/// The severity of a log entry, from `trace` (most verbose) to `critical`.
///
/// Levels are ordered: a logger set to `info` passes `info` and everything above it.
/// The raw value is the lowercase name that log lines print and that `--log-level` accepts.
public enum LogLevel: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// Detail that may be slow to produce, such as one line per record.
    case trace
    /// Lifecycle steps and decisions, cheap enough to leave on in production.
    case debug
    /// Failures that cannot be thrown: retries, fallbacks, dropped input.
    case info
    /// Normal but significant events of an application, such as startup.
    case notice
    /// A condition that may need an operator's attention.
    case warning
    /// A failure the application handles but that loses work or data.
    case error
    /// A failure that stops the application.
    case critical

    /// The position in severity order: 0 for `trace`, 6 for `critical`.
    @inlinable
    public var severity: Int {
        switch self {
        case .trace: 0
        case .debug: 1
        case .info: 2
        case .notice: 3
        case .warning: 4
        case .error: 5
        case .critical: 6
        }
    }

    @inlinable
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.severity < rhs.severity
    }

    public var description: String { rawValue }
}
