import KafkaBridge

/// Reads every partition of one topic from its first offset, without a consumer group, for the
/// demo's view and the round-trip check.
///
/// Allocates a copy per record, so it suits tools and tests, not the worker's hot path.
/// Not thread-safe: one thread calls all methods.
final class TopicReader {
    let topic: String
    let partitionCount: Int32
    private let consumer: KafkaConsumer
    /// The next offset to read, by partition.
    private var nextOffsets: [Int64]

    /// Creates the consumer and assigns partitions `0..<partitionCount` at their log start.
    ///
    /// - Throws: a ``KafkaBridgeError`` when the consumer cannot be created or assigned.
    init(bootstrapServers: String, topic: String, partitionCount: Int32) throws {
        var configuration = KafkaConfiguration(bootstrapServers: bootstrapServers)
        configuration.clientID = "memestream-topic-reader"
        configuration.consumer.groupID = "memestream-topic-reader"
        configuration.consumer.enableAutoCommit = false
        configuration.consumer.autoOffsetReset = .earliest
        // On the mock cluster the offset queries of readToEnd waited behind fetches held for
        // fetch.wait.max.ms (500 ms by default): the demo's stop took about 4 s, and with 20 ms
        // about 0.4 s.
        configuration.consumer.fetchWaitMaxMilliseconds = 20
        consumer = try KafkaConsumer(configuration: configuration)
        self.topic = topic
        self.partitionCount = partitionCount
        nextOffsets = Array(repeating: 0, count: Int(partitionCount))
        let partitions = (0..<partitionCount).map {
            KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: $0), offset: .beginning)
        }
        try consumer.assign(partitions)
    }

    /// Polls once, waiting up to `timeout` for the first record, and returns up to
    /// `maxRecords` records in fetch order.
    func poll(timeout: Duration, maxRecords: Int = 10_000) throws -> [KafkaMessage] {
        let messages = try consumer.pollMessages(maxMessages: maxRecords, timeout: timeout)
        for message in messages {
            let index = Int(message.partition.rawValue)
            if index < nextOffsets.count {
                nextOffsets[index] = max(nextOffsets[index], message.offset.rawValue + 1)
            }
        }
        return messages
    }

    /// Reads until every partition reaches the log end offset it had when the call began.
    ///
    /// - Parameters:
    ///   - timeout: The bound for the whole call.
    ///   - requireWholeLog: `true` to fail when retention has removed records from the start
    ///     of any partition, because the caller needs every record ever written.
    /// - Returns: The records read, in fetch order (ordered by offset within each partition).
    /// - Throws: ``DemoError`` naming the partitions still behind when `timeout` passes, or the
    ///   partitions whose log no longer starts at offset 0.
    func readToEnd(timeout: Duration, requireWholeLog: Bool = false) throws -> [KafkaMessage] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var ends: [Int64] = []
        var truncated: [String] = []
        for partition in 0..<partitionCount {
            let (low, high) = try consumer.queryWatermarkOffsets(
                topic: topic,
                partition: KafkaPartition(rawValue: partition),
                timeout: .seconds(10)
            )
            ends.append(high.rawValue)
            if low.rawValue > 0 { truncated.append("\(topic)[\(partition)] starts at \(low.rawValue)") }
        }
        if requireWholeLog && !truncated.isEmpty {
            throw DemoError(
                "retention removed records: \(truncated.joined(separator: ", ")); the embedded cluster keeps "
                    + "about 5 MiB per partition, so use more partitions"
            )
        }
        var result: [KafkaMessage] = []
        while (0..<Int(partitionCount)).contains(where: { nextOffsets[$0] < ends[$0] }) {
            guard clock.now < deadline else {
                let behind = (0..<Int(partitionCount)).filter { nextOffsets[$0] < ends[$0] }
                    .map { "\(topic)[\($0)] at \(nextOffsets[$0]) of \(ends[$0])" }
                throw DemoError("reading topic '\(topic)' timed out; behind: \(behind.joined(separator: ", "))")
            }
            result += try poll(timeout: .milliseconds(200))
        }
        return result
    }

    /// Stops fetching and releases the consumer.
    func close() {
        try? consumer.close()
    }
}
