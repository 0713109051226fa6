/// A source of replay input records: a file (``ReplayInput``) or a topic (``ReplayTopicInput``).
protocol ReplayRecordSource: AnyObject {
    /// Lines read so far (records from a topic count as lines), blank ones included.
    var linesRead: Int { get }
    /// Blank lines skipped.
    var blankLines: Int { get }
    /// Records handed to the handler.
    var recordCount: Int { get }

    /// Checks what can fail before any output is opened: a topic that does not exist or a
    /// cluster that cannot be reached. An existing output file is then left as it is.
    func prepare(reportNotice: (String) -> Void) throws
    /// Reads to the end of the input and hands every record to `handler`.
    func read(into handler: inout some ReplayInputHandler, reportNotice: (String) -> Void) throws
}
