/// A failure to read or write a file, naming the path and, where known, the byte offset.
///
/// Raised by ``LineReader``, ``LineWriter`` and ``Zstd``. The description is one sentence a
/// person can act on, for example
/// `cannot open 'events.jsonl' for reading: No such file or directory (errno 2)`.
public struct FileIOError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file involved, as given by the caller; `-` means standard input or output.
    public var path: String
    /// The byte offset in the file where the failure was noticed, when it is known. For a zstd
    /// file this counts compressed bytes.
    public var byteOffset: Int64?
    /// The failure and, where known, the fix.
    public var reason: String

    public init(path: String, byteOffset: Int64? = nil, reason: String) {
        self.path = path
        self.byteOffset = byteOffset
        self.reason = reason
    }

    public var description: String {
        if let byteOffset {
            return "'\(path)' at byte offset \(byteOffset): \(reason)"
        }
        return "'\(path)': \(reason)"
    }
}
