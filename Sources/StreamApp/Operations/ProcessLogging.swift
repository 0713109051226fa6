import StreamCore

/// Builds the process's root logger: formatted lines on standard error, behind a rate limiter.
enum ProcessLogging {
    /// Entries per message and interval that pass the rate limiter before it summarises.
    static let rateLimit = 10
    /// The rate limiter's window in ms.
    static let rateLimitIntervalMilliseconds: Int64 = 10_000

    /// Returns the root logger and the rate limiter, whose ``RateLimitingLogHandler/flush()``
    /// the caller runs at shutdown so that the last suppression counts are written.
    ///
    /// - Parameters:
    ///   - format: `logfmt` or `json` (`--log-format`).
    ///   - level: The minimum level (`--log-level`).
    ///   - label: The root label, default `memestream`.
    static func makeLogger(
        format: LogFormat,
        level: LogLevel,
        label: String = "memestream"
    ) -> (logger: Logger, rateLimiter: RateLimitingLogHandler) {
        let stream = StreamLogHandler(formatter: LogLineFormatter(format: format, includesSource: level <= .debug))
        let limiter = RateLimitingLogHandler(
            wrapping: stream,
            limit: rateLimit,
            intervalMilliseconds: rateLimitIntervalMilliseconds
        )
        return (Logger(label: label, level: level, handler: limiter), limiter)
    }
}
