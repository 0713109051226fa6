/// One log entry as a ``LogHandler`` receives it: everything a formatter needs, already built.
public struct LogEntry: Sendable, Hashable {
    /// Wall-clock time of the entry in ms since the Unix epoch, UTC.
    public var timestampMilliseconds: Int64
    /// The severity.
    public var level: LogLevel
    /// The label of the logger that wrote the entry, for example `memestream.worker`.
    public var label: String
    /// Constant text; the values that vary are in ``metadata``.
    public var message: String
    /// The logger's metadata merged with the call's (the call wins on equal keys).
    public var metadata: LogMetadata
    /// The source file as `#fileID` gives it, for example `StreamCore/Engine.swift`.
    public var file: String
    /// The source line.
    public var line: UInt

    public init(
        timestampMilliseconds: Int64,
        level: LogLevel,
        label: String,
        message: String,
        metadata: LogMetadata = [:],
        file: String = "",
        line: UInt = 0
    ) {
        self.timestampMilliseconds = timestampMilliseconds
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
        self.file = file
        self.line = line
    }
}
