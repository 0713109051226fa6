import KafkaBridge
import StreamCore

/// Reads the records of a Kafka topic for replay, with a manual assignment and no committed
/// offsets. Each partition is read from the offset of `--from` minus the warm-up (or from the log
/// start) up to the log end offset seen when the replay starts.
///
/// Where the broker cannot resolve the start time to an offset, the partition starts at its log
/// start and a notice says so. Event-time filtering on the output keeps the result correct, but
/// the replay reads more.
///
/// Thread-safety: not thread-safe; one thread owns it.
final class ReplayTopicInput: ReplayRecordSource {
    let topic: String
    private let consumer: KafkaConsumer
    /// The offsets to read per partition, found by ``prepare(reportNotice:)``.
    private var preparedRanges: [PartitionRange]?
    private let configuration: KafkaConfiguration
    private let startTime: EventTime?
    /// The maximum time replay waits without any partition making progress.
    private let stallTimeout: Duration

    private(set) var linesRead = 0
    private(set) var blankLines = 0
    private(set) var recordCount = 0

    /// Creates the consumer (it connects lazily).
    ///
    /// - Parameters:
    ///   - startTime: The earliest event time needed (`--from` minus the warm-up), or `nil` to
    ///     read every partition from its log start.
    /// - Throws: ``KafkaBridgeError`` naming an invalid client property.
    init(
        configuration: KafkaConfiguration,
        topic: String,
        startTime: EventTime?,
        stallTimeout: Duration = .seconds(60)
    ) throws {
        self.topic = topic
        self.configuration = configuration
        self.startTime = startTime
        self.stallTimeout = stallTimeout
        consumer = try KafkaConsumer(configuration: configuration)
    }

    deinit {
        try? consumer.close()
    }

    /// Looks up each partition's offsets to read, once. Notices (such as a start time the broker
    /// cannot resolve) go to `reportNotice`.
    ///
    /// - Throws: ``KafkaBridgeError`` or ``ReplayTopicError`` when the topic does not exist or
    ///   the cluster cannot be reached.
    func prepare(reportNotice: (String) -> Void) throws {
        if preparedRanges == nil { preparedRanges = try partitionRanges(reportNotice: reportNotice) }
    }

    /// Reads every partition from its start offset to the log end offset taken at the start and
    /// hands each record to `handler`.
    ///
    /// - Throws: what ``prepare(reportNotice:)`` throws, ``ReplayTopicError`` when no partition
    ///   makes progress for the stall timeout, and any error the handler throws.
    func read(into handler: inout some ReplayInputHandler, reportNotice: (String) -> Void) throws {
        try prepare(reportNotice: reportNotice)
        let ranges = preparedRanges ?? []
        var remaining: [Int32: (next: Int64, end: Int64)] = [:]
        var assignment: [KafkaTopicPartition] = []
        for range in ranges where range.start < range.end {
            remaining[range.partition] = (range.start, range.end)
            assignment.append(
                KafkaTopicPartition(
                    topic: topic,
                    partition: KafkaPartition(rawValue: range.partition),
                    offset: KafkaOffset(rawValue: range.start)
                )
            )
        }
        guard !assignment.isEmpty else { return }
        try consumer.assign(assignment)

        var lastProgress = ContinuousClock.now
        // Each pass waits at most 100 ms, and the stall timeout ends a run without progress.
        while !remaining.isEmpty {
            if InterruptFlag().isRaised { throw ReplayInterrupted() }
            let before = recordCount
            try consumer.poll(maxMessages: 1_000, timeout: .milliseconds(100)) { batch in
                if let error = batch.errors.first { throw error }
                for message in batch {
                    let partition = message.partition.rawValue
                    let offset = message.offset.rawValue
                    guard let range = remaining[partition], offset < range.end else { continue }
                    recordCount += 1
                    linesRead += 1
                    let record = InputRecord(
                        partition: partition,
                        offset: offset,
                        recordTimestamp: message.timestamp?.milliseconds,
                        key: message.key,
                        value: message.value
                    )
                    try handler.record(record, lineNumber: nil)
                    if offset + 1 >= range.end {
                        remaining[partition] = nil
                    } else {
                        remaining[partition] = (offset + 1, range.end)
                    }
                }
            }
            let now = ContinuousClock.now
            if recordCount == before {
                try dropPartitionsPastEnd(&remaining)
            }
            if recordCount > before {
                lastProgress = now
            } else if remaining.isEmpty {
                break
            } else if now - lastProgress > stallTimeout {
                let waiting = remaining.keys.sorted().map { "\($0) at offset \(remaining[$0]!.next)" }
                throw ReplayTopicError(
                    message: "timed out after \(stallTimeout) without records from topic \(topic), "
                        + "partitions \(waiting.joined(separator: ", ")); check that the brokers are reachable"
                )
            }
        }
    }

    /// Removes the partitions whose consumer position reached their end offset though their last
    /// records never arrived: offsets that hold no record for a consumer, such as a transaction
    /// marker. librdkafka moves the position past a marker without returning it.
    private func dropPartitionsPastEnd(_ remaining: inout [Int32: (next: Int64, end: Int64)]) throws {
        guard !remaining.isEmpty else { return }
        let partitions = remaining.keys.map {
            KafkaTopicPartition(topic: topic, partition: KafkaPartition(rawValue: $0), offset: .invalid)
        }
        for position in try consumer.position(partitions) {
            let partition = position.partition.rawValue
            if let range = remaining[partition], position.offset.isConcrete, position.offset.rawValue >= range.end {
                remaining[partition] = nil
            }
        }
    }

    /// One partition's offsets to read: `start..<end`.
    struct PartitionRange {
        var partition: Int32
        var start: Int64
        var end: Int64
    }

    private func partitionRanges(reportNotice: (String) -> Void) throws -> [PartitionRange] {
        let admin = try KafkaAdmin(configuration: configuration)
        guard let count = try admin.partitionCount(topic: topic), count > 0 else {
            throw ReplayTopicError(
                message: "topic \(topic) does not exist on \(configuration.bootstrapServers); check the name "
                    + "(kafka-topics.sh --bootstrap-server \(configuration.bootstrapServers) --list lists them) "
                    + "and the brokers given to -b"
            )
        }
        var ranges: [PartitionRange] = []
        var unresolved: [(partition: Int32, logStart: Int64)] = []
        for partition in 0..<Int32(count) {
            let (low, high) = try consumer.queryWatermarkOffsets(
                topic: topic,
                partition: KafkaPartition(rawValue: partition),
                timeout: .seconds(10)
            )
            var start = low.rawValue
            if let startTime {
                let request = KafkaTopicPartition(
                    topic: topic,
                    partition: KafkaPartition(rawValue: partition),
                    offset: KafkaOffset(rawValue: startTime.rawValue)
                )
                // NOTE: only the unresolved branch is tested, because the mock cluster returns -1 for
                // every time look-up.
                // A result of -1 (no offset) is treated as unresolved, not as "nothing that
                // late", because brokers that cannot look times up return the same value.
                let found = try? consumer.offsets(forTimes: [request], timeout: .seconds(10)).first?.offset
                if let found, found.isConcrete {
                    start = max(low.rawValue, found.rawValue)
                } else {
                    unresolved.append((partition, low.rawValue))
                }
            }
            // NOTE: each partition is read to its end offset even when its records are far past
            // --to; the output stays correct, but a long tail after the range costs reading time.
            ranges.append(PartitionRange(partition: partition, start: start, end: high.rawValue))
        }
        if let startTime, !unresolved.isEmpty {
            reportNotice(Self.unresolvedNotice(unresolved, startTime: startTime))
        }
        return ranges
    }

    /// Returns one notice for every partition whose start time the broker could not resolve,
    /// naming at most the first ten with their log start offsets.
    static func unresolvedNotice(_ unresolved: [(partition: Int32, logStart: Int64)], startTime: EventTime) -> String {
        let listed = unresolved.prefix(10).map { "\($0.partition) (offset \($0.logStart))" }
        let more = unresolved.count > 10 ? " and \(unresolved.count - 10) more" : ""
        let subject = unresolved.count == 1 ? "partition" : "\(unresolved.count) partitions"
        return "the broker could not resolve time \(startTime.rawValue) to an offset for \(subject) "
            + "\(listed.joined(separator: ", "))\(more), so replay starts \(unresolved.count == 1 ? "it" : "them") at the "
            + "log start; event-time filtering keeps the output correct"
    }
}

/// A failure to read the input topic.
struct ReplayTopicError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
