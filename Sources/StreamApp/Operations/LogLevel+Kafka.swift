import KafkaBridge
import StreamCore

extension LogLevel {
    /// Maps the level of a librdkafka log line to the app's level of the same severity.
    ///
    /// Broker connection failures arrive as librdkafka errors. Writing them at their own level
    /// keeps them visible when the app logs at `warning` or above.
    init(_ level: KafkaLogLevel) {
        switch level {
        case .debug: self = .debug
        case .info: self = .info
        case .notice: self = .notice
        case .warning: self = .warning
        case .error: self = .error
        case .critical: self = .critical
        }
    }
}
