/// Writes generated records as lines: bare values (`events`) or kcat `-J` envelopes (`kcat`).
///
/// A kcat envelope has the members that kcat 1.7.1 (Debian 12) prints with `-J`, in its order and
/// without spaces (a test compares the two on the mock cluster):
/// `{"topic":T,"partition":P,"offset":O,"tstype":"create","ts":MS,"broker":-1,"key":K,"payload":V}`.
/// The partition is murmur2 of the key modulo ``GeneratorConfiguration/partitions``, offsets
/// count from 0 per partition, `ts` is the record timestamp (arrival time), and `broker` is −1
/// because no broker served the record.
///
/// Thread-safety: not thread-safe; one writer.
struct RecordLineWriter<Output: ByteOutput> {
    private(set) var output: Output
    private let format: GeneratorConfiguration.OutputFormat
    private let topicJSON: [UInt8]
    private let partitionCount: Int32
    private var nextOffsets: [Int64]
    private var line: [UInt8] = []

    init(output: Output, format: GeneratorConfiguration.OutputFormat, topic: String, partitionCount: Int32) {
        self.output = output
        self.format = format
        var topicJSON: [UInt8] = []
        topicJSON.appendJSONEscaped(topic.utf8)
        self.topicJSON = topicJSON
        self.partitionCount = partitionCount
        self.nextOffsets = Array(repeating: 0, count: Int(partitionCount))
        line.reserveCapacity(1 << 17)
    }

    /// Appends one record as one line.
    mutating func write(_ record: GeneratedRecord) throws {
        line.removeAll(keepingCapacity: true)
        switch format {
        case .events:
            line.append(contentsOf: record.value)
        case .kcat:
            let partition = Murmur2Partitioner.partition(forKey: record.partitionKey, partitionCount: partitionCount)
            let offset = nextOffsets[Int(partition)]
            nextOffsets[Int(partition)] = offset + 1
            line.appendText("{\"topic\":\"")
            line.append(contentsOf: topicJSON)
            line.appendText("\",\"partition\":")
            line.appendDecimal(Int64(partition))
            line.appendText(",\"offset\":")
            line.appendDecimal(offset)
            line.appendText(",\"tstype\":\"create\",\"ts\":")
            line.appendDecimal(record.timestampMilliseconds)
            line.appendText(",\"broker\":-1,\"key\":\"")
            line.appendJSONEscaped(record.key)
            line.appendText("\",\"payload\":\"")
            line.appendJSONEscaped(record.value)
            line.append(UInt8(ascii: "\""))
            line.append(UInt8(ascii: "}"))
        }
        line.append(UInt8(ascii: "\n"))
        try line.withUnsafeBytes { try output.write($0) }
    }

    /// Flushes and closes the output.
    mutating func finish() throws {
        try output.finish()
    }

    /// Writes the buffered lines to the output, for a reader that follows the file.
    mutating func flush() throws {
        try output.flush()
    }
}
