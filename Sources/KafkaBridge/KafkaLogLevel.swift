/// The level of a librdkafka log line after mapping its syslog level.
///
/// The mapping is fixed: syslog 0–2 (emergency, alert, critical) → ``critical``, 3 → ``error``,
/// 4 → ``warning``, 5 → ``notice``, 6 → ``info``, 7 and above → ``debug``.
public enum KafkaLogLevel: Int, Comparable, Sendable, CustomStringConvertible {
    case debug = 0
    case info
    case notice
    case warning
    case error
    case critical

    /// Maps a syslog level as librdkafka reports it.
    public init(syslogLevel: Int32) {
        switch syslogLevel {
        case ...2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }

    public static func < (lhs: KafkaLogLevel, rhs: KafkaLogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }
}

/// Receives librdkafka's log lines: the mapped level, the librdkafka facility (for example
/// `FAIL` or `CGRPJOIN`) and the message with secret property values removed.
///
/// Called on librdkafka's internal threads, so it must be thread-safe and must not block.
public typealias KafkaLogHandler = @Sendable (_ level: KafkaLogLevel, _ facility: String, _ message: String) -> Void

/// Receives librdkafka's statistics JSON document every `statistics.interval.ms`.
///
/// Called from the thread that polls the client: the consumer's poll call, or the producer's
/// poll thread.
public typealias KafkaStatisticsHandler = @Sendable (_ json: String) -> Void
