import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// The receiver of ``ReplayInput``'s records and of the lines that cannot become records.
protocol ReplayInputHandler {
    /// One input record; its bytes are borrowed for the call only.
    mutating func record(_ record: InputRecord, lineNumber: Int?) throws
    /// An `events` line longer than the reader's line limit: a record at this offset whose
    /// value is too large to keep.
    mutating func overlongEvent(partition: Int32, offset: Int64, lineNumber: Int, length: Int) throws
    /// A `kcat` line that is not a valid envelope.
    mutating func badEnvelope(lineNumber: Int, reason: String) throws
    /// The value of a record a few records after the next one, for a look-ahead hint. Its bytes
    /// are borrowed for the call only, and they may end before the line does.
    mutating func upcomingValue(_ value: UnsafeRawBufferPointer, partition: Int32)
}

extension ReplayInputHandler {
    mutating func upcomingValue(_ value: UnsafeRawBufferPointer, partition: Int32) {}
}

/// Reads a replay input file line by line and turns each line into an ``InputRecord``.
///
/// `events` format: every non-blank line is one event value in partition 0, at the next offset
/// counted from 0. Blank (empty or whitespace-only) lines are skipped and take no offset. Records
/// have no key and no record timestamp. `kcat` format: every non-blank line is a `kcat -J`
/// envelope, and an invalid one, or one whose offset is not larger than the previous offset of
/// its partition, is reported to the handler and skipped.
///
/// Thread-safety: not thread-safe; one thread owns it.
final class ReplayInput: ReplayRecordSource {
    let path: String
    let format: ReplayOptions.InputFormat
    private let reader: LineReader
    private let parser = KcatEnvelopeParser()

    /// Lines read so far, blank ones included.
    private(set) var linesRead = 0
    /// Blank lines skipped.
    private(set) var blankLines = 0
    /// Records read: lines with an offset, overlong `events` lines included.
    private(set) var recordCount = 0
    /// The offset of the last record handed out per partition, in `kcat` format.
    private var lastOffsets: [Int32: Int64] = [:]
    /// The maximum number of partitions in one `kcat` file. Each partition gets its own engine of a few
    /// kilobytes, so a file with millions of partition numbers would exhaust memory; Kafka topics
    /// have at most some thousands. Records of further partitions are rejected as `bad_envelope`.
    var maximumPartitions = 65_536

    /// Opens the input file.
    ///
    /// - Throws: ``FileIOError`` when it cannot be opened.
    init(path: String, format: ReplayOptions.InputFormat, maximumLineBytes: Int) throws {
        self.path = path
        self.format = format
        self.reader = try LineReader(path: path, maximumLineBytes: maximumLineBytes)
    }

    /// Does nothing: the file was opened by the initializer, so a missing one has failed already.
    func prepare(reportNotice: (String) -> Void) throws {}

    /// Reads every line to the end of the file and hands each to `handler`. When the first
    /// non-blank line suggests the other input format, `reportNotice` receives one hint (see
    /// ``ReplayInputFormatHint``); the lines are processed as `format` either way.
    ///
    /// - Throws: ``FileIOError`` when the file cannot be read to its end, after every line
    ///   before the failure was handed out, and any error the handler throws.
    func read(into handler: inout some ReplayInputHandler, reportNotice: (String) -> Void) throws {
        var nextOffset: Int64 = 0
        var checkedFormat = false
        // One pass per line; the reader returns nil at the end of the file.
        while let line = try reader.nextLine() {
            linesRead += 1
            // Only the first non-blank line is checked, and an overlong one is not checked.
            if !checkedFormat, !isBlank(line.bytes) {
                checkedFormat = true
                if !line.isTruncated,
                    let notice = ReplayInputFormatHint.notice(firstLine: line.bytes, format: format)
                {
                    reportNotice(notice)
                }
            }
            switch format {
            case .events:
                if isBlank(line.bytes) {
                    blankLines += 1
                    continue
                }
                let offset = nextOffset
                nextOffset += 1
                // An overlong line is a record too: it has an offset and a `too_large` rejection.
                recordCount += 1
                if line.isTruncated {
                    try handler.overlongEvent(
                        partition: 0,
                        offset: offset,
                        lineNumber: line.number,
                        length: line.length
                    )
                    continue
                }
                if let upcoming = nextUpcomingLine() {
                    handler.upcomingValue(upcoming, partition: 0)
                }
                let record = InputRecord(
                    partition: 0,
                    offset: offset,
                    recordTimestamp: nil,
                    key: nil,
                    value: line.bytes
                )
                try handler.record(record, lineNumber: line.number)

            case .kcat:
                if line.isTruncated {
                    try handler.badEnvelope(
                        lineNumber: line.number,
                        reason: "line of \(line.length) bytes exceeds the limit of \(reader.maximumLineBytes) bytes"
                    )
                    continue
                }
                if isBlank(line.bytes) {
                    blankLines += 1
                    continue
                }
                let envelope: KcatEnvelope
                do {
                    envelope = try parser.parse(line.bytes)
                } catch {
                    try handler.badEnvelope(lineNumber: line.number, reason: "invalid kcat envelope: \(error)")
                    continue
                }
                // Kafka gives each record of a partition a larger offset than the one before, so a
                // repeated or earlier offset means duplicated input (overlapping dumps
                // concatenated, for example), which would count events twice.
                if let previous = lastOffsets[envelope.partition], envelope.offset <= previous {
                    try handler.badEnvelope(
                        lineNumber: line.number,
                        reason: "offset \(envelope.offset) of partition \(envelope.partition) is not after the "
                            + "previous offset \(previous); remove repeated records or sort each partition by offset"
                    )
                    continue
                }
                if lastOffsets[envelope.partition] == nil, lastOffsets.count >= maximumPartitions {
                    try handler.badEnvelope(
                        lineNumber: line.number,
                        reason: "partition \(envelope.partition) would be partition number \(maximumPartitions + 1) of "
                            + "the file, and replay takes at most \(maximumPartitions), each with its own engine; check "
                            + "the partition column, or split the file by partition"
                    )
                    continue
                }
                lastOffsets[envelope.partition] = envelope.offset
                recordCount += 1
                // A null payload (an input tombstone) becomes an empty value, which the
                // engine rejects as malformed JSON.
                let value = envelope.payload ?? UnsafeRawBufferPointer(start: nil, count: 0)
                let record = InputRecord(
                    partition: envelope.partition,
                    offset: envelope.offset,
                    recordTimestamp: envelope.timestamp,
                    key: envelope.key,
                    value: value
                )
                try handler.record(record, lineNumber: line.number)
            }
        }
    }

    /// How many lines after the current one the look-ahead hint is given for: the engine's
    /// prefetch has three stages, one per record (`PartitionEngine.prefetchState(forValue:)`).
    static let lookAheadLines = 3

    /// The stream position of the line after the last one ``nextUpcomingLine()`` returned.
    private var upcomingPosition: Int64 = -1

    /// Returns the buffered line ``lookAheadLines`` after the current one, up to its newline or
    /// the end of the buffer, or `nil` when the buffer ends sooner. One call per record keeps
    /// the distance: each call returns the line after the previous call's, which costs one
    /// newline search, and starts again from the current line when that line is not buffered.
    private func nextUpcomingLine() -> UnsafeRawBufferPointer? {
        let buffered = reader.bufferedBytes
        guard let base = buffered.baseAddress else { return nil }
        var start = Int(truncatingIfNeeded: upcomingPosition - reader.bufferedPosition)
        if start < 0 || start > buffered.count {
            // The first record, or the reader skipped bytes: count the lines again.
            start = 0
            for _ in 0..<(Self.lookAheadLines - 1) {
                guard start < buffered.count, let newline = memchr(base + start, 0x0A, buffered.count - start)
                else { return nil }
                start = base.distance(to: UnsafeRawPointer(newline)) + 1
            }
        }
        guard start < buffered.count, let newline = memchr(base + start, 0x0A, buffered.count - start) else {
            return nil
        }
        let end = base.distance(to: UnsafeRawPointer(newline))
        upcomingPosition = reader.bufferedPosition + Int64(end + 1)
        return UnsafeRawBufferPointer(rebasing: buffered[start..<end])
    }

    private func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte != 0x20 && byte != 0x09 && byte != 0x0D {
            return false
        }
        return true
    }
}
