import StreamCore

/// The destination of a replay's results: feature records inside the `[from, to)` tick range to the
/// output file, rejected records to the optional rejections file, and per-reason counts for
/// the summary.
///
/// The engine calls it synchronously through ``ReplayPartitionEngine``. Because emission cannot
/// throw, the first write failure is kept in ``writeError`` and later writes are skipped; the
/// runner checks it after every record.
///
/// Thread-safety: not thread-safe; the replay thread owns it.
final class ReplayOutput {
    private let writer: LineWriter
    private let rejectionsWriter: LineWriter?
    private let from: EventTime?
    private let to: EventTime?

    /// The first write failure, after which nothing more is written.
    private(set) var writeError: (any Error)?
    /// The input line being processed, written to rejection entries; `nil` for topic input.
    var currentLine: Int?

    private(set) var recordsWritten = 0
    private(set) var tombstonesWritten = 0
    /// Records and tombstones the engine emitted for ticks before `from` (the warm-up).
    private(set) var recordsBeforeFrom = 0
    /// Records and tombstones the engine emitted for ticks at or after `to`: advancing the
    /// watermark to `to` closes the tick at `to` too, and the range ends before it.
    private(set) var recordsFromTo = 0
    /// Records and tombstones the engine emitted for ticks outside `[from, to)`.
    var recordsOutsideRange: Int { recordsBeforeFrom + recordsFromTo }
    /// Rejected records per reason code, including `bad_envelope` for unreadable kcat lines.
    private(set) var rejectionCounts: [String: Int] = [:]

    /// The reason code for a kcat line that is not a valid envelope; the line has no partition
    /// or offset.
    static let badEnvelopeReason = "bad_envelope"

    init(writer: LineWriter, rejectionsWriter: LineWriter?, from: EventTime?, to: EventTime?) {
        self.writer = writer
        self.rejectionsWriter = rejectionsWriter
        self.from = from
        self.to = to
    }

    /// Total rejected records and bad envelope lines.
    var rejectedCount: Int {
        rejectionCounts.values.reduce(0, +)
    }

    /// Writes one feature record or tombstone value as a line, when its tick is in range.
    func emit(tick: EventTime, isTombstone: Bool, value: UnsafeRawBufferPointer) {
        if let from, tick < from {
            recordsBeforeFrom += 1
            return
        }
        if let to, tick >= to {
            recordsFromTo += 1
            return
        }
        guard writeError == nil else { return }
        do {
            try writer.writeLine(value)
            if isTombstone { tombstonesWritten += 1 } else { recordsWritten += 1 }
        } catch {
            writeError = error
        }
    }

    /// Counts a rejected record and writes its rejection entry.
    func reject(partition: Int32, offset: Int64, reason: String, detail: String) {
        rejectionCounts[reason, default: 0] += 1
        writeRejection(partition: String(partition), offset: String(offset), reason: reason, detail: detail)
    }

    /// Counts a kcat line that is not a valid envelope and writes its rejection entry, with
    /// null partition and offset.
    func rejectBadEnvelope(detail: String) {
        rejectionCounts[ReplayOutput.badEnvelopeReason, default: 0] += 1
        writeRejection(partition: "null", offset: "null", reason: ReplayOutput.badEnvelopeReason, detail: detail)
    }

    private func writeRejection(partition: String, offset: String, reason: String, detail: String) {
        guard let rejectionsWriter, writeError == nil else { return }
        let lineText = currentLine.map(String.init) ?? "null"
        var line = "{\"partition\":\(partition),\"offset\":\(offset),\"line\":\(lineText),\"reason\":"
        JSONText.appendString(reason, to: &line)
        line += ",\"detail\":"
        JSONText.appendString(detail, to: &line)
        line += "}"
        do {
            try rejectionsWriter.writeLine(line)
        } catch {
            writeError = error
        }
    }

    /// Closes the output and rejections files, reporting the first failure.
    func close() throws {
        var firstError = writeError
        do { try writer.close() } catch { firstError = firstError ?? error }
        if let rejectionsWriter {
            do { try rejectionsWriter.close() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}

/// Escaping of text into JSON string literals.
enum JSONText {
    /// Appends `text` as a JSON string literal (with quotes), escaping `"`, `\` and control
    /// characters.
    static func appendString(_ text: String, to output: inout String) {
        output.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output.append("\"")
    }
}
