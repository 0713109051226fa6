import KafkaBridge
import StreamCore

extension LogLevel {
    /// The level at which the app writes a librdkafka log line of `level`.
    ///
    /// Broker connection failures arrive as librdkafka errors; writing them at their own level
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
