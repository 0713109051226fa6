import StreamCore

/// A destination for output bytes: a plain or zstd-compressed file or standard output
/// (``LineWriter``), or memory in tests.
protocol ByteOutput {
    /// Appends `bytes` to the output; may buffer.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Writes everything buffered and closes the output. Call it once, after the last write.
    mutating func finish() throws
    /// Writes everything buffered so far, so that a reader of the file gets it; the output stays
    /// open. The default does nothing.
    mutating func flush() throws
}

extension ByteOutput {
    mutating func flush() throws {}
}

extension LineWriter: ByteOutput {
    /// Ends the zstd frame, if any, and closes the file.
    public func finish() throws {
        try close()
    }
}
