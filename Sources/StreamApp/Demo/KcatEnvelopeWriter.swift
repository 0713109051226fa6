import KafkaBridge

/// Writes a consumed Kafka record as one `kcat -J` envelope line, the form
/// `memestream replay --input-format kcat` reads.
enum KcatEnvelopeWriter {
    /// Replaces `line` with the envelope of `message`, without the newline. A null key or value
    /// is written as JSON `null`; a record without a timestamp gets `"ts":-1`.
    static func write(_ message: KafkaMessage, into line: inout [UInt8]) {
        line.removeAll(keepingCapacity: true)
        line.appendText("{\"topic\":\"")
        line.appendJSONEscaped(message.topic.utf8)
        line.appendText("\",\"partition\":")
        line.appendDecimal(Int64(message.partition.rawValue))
        line.appendText(",\"offset\":")
        line.appendDecimal(message.offset.rawValue)
        line.appendText(",\"tstype\":\"create\",\"ts\":")
        line.appendDecimal(message.timestamp?.milliseconds ?? -1)
        line.appendText(",\"broker\":-1,\"key\":")
        appendStringOrNull(message.key, to: &line)
        line.appendText(",\"payload\":")
        appendStringOrNull(message.value, to: &line)
        line.append(UInt8(ascii: "}"))
    }

    private static func appendStringOrNull(_ bytes: [UInt8]?, to line: inout [UInt8]) {
        guard let bytes else {
            line.appendText("null")
            return
        }
        line.append(UInt8(ascii: "\""))
        line.appendJSONEscaped(bytes)
        line.append(UInt8(ascii: "\""))
    }
}
