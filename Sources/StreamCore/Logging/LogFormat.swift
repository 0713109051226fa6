/// The line format of ``StreamLogHandler``.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `key=value` pairs: `ts=2026-01-02T03:04:05.678Z level=info logger=memestream msg="..." kafka.partition=3`.
    case logfmt
    /// One JSON object per line with the same fields as logfmt; metadata members sit beside them.
    case json
}
