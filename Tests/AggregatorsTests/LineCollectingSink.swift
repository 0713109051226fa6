import Aggregators
import StreamCore

/// An emission sink that keeps every record and rejection as one line of text, for tests that
/// compare two runs' whole output.
struct LineCollectingSink: EmissionSink {
    var lines: [String] = []

    mutating func emit(memeID: String, tick: EventTime, isTombstone: Bool, value: UnsafeRawBufferPointer) {
        lines.append("\(tick.rawValue) \(isTombstone) \(String(decoding: value, as: UTF8.self))")
    }

    mutating func reject(_ record: InputRecord, rejection: Rejection) {
        lines.append("rejected \(record.offset) \(rejection.reason)")
    }
}

extension PartitionEngine {
    /// Processes `json` as the value of the record at `offset` of partition 0, without key or
    /// record timestamp.
    func process(json: String, offset: Int, into sink: inout LineCollectingSink) {
        Array(json.utf8).withUnsafeBytes { value in
            let record = InputRecord(partition: 0, offset: Int64(offset), recordTimestamp: nil, key: nil, value: value)
            process(record, into: &sink)
        }
    }
}
