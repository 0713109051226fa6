import CRdKafka
import Synchronization

/// A Kafka consumer in a consumer group, over librdkafka's high-level consumer.
///
/// Usage:
/// 1. Create it with a ``KafkaConfiguration`` and, to checkpoint on rebalance, a
///    ``KafkaRebalanceHandler``.
/// 2. ``subscribe(topics:)`` (or ``assign(_:)`` for a fixed assignment).
/// 3. Call ``poll(maxMessages:timeout:_:)`` in a loop from one thread; rebalance events, commit
///    results, statistics and errors are delivered from inside that call.
/// 4. ``storeOffsets(_:)`` or ``commit(_:)`` the next offsets to read after processing.
/// 5. ``close()`` to leave the group (this delivers the final revocation).
///
/// Thread safety: every method may be called from any thread, because librdkafka's handle is
/// thread-safe, but ``poll(maxMessages:timeout:_:)`` must not run on two threads at once (a
/// precondition checks it).
public final class KafkaConsumer: @unchecked Sendable {
    private let client: RDKafkaClient
    private let relay: RebalanceRelay
    /// Reused array of message pointers for one batch; only the polling thread touches it.
    private var batchStorage: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>>
    private let isPolling = Atomic<Bool>(false)
    private let isClosed = Atomic<Bool>(false)
    /// `true` when the group uses the cooperative-sticky assignor (``close()`` explains why it matters).
    private let usesCooperativeSticky: Bool

    /// Creates a consumer. It joins no group until ``subscribe(topics:)``.
    ///
    /// - Parameters:
    ///   - configuration: Client settings; ``KafkaConfiguration/consumer`` applies.
    ///   - rebalanceHandler: Receives assignment changes; `nil` to only apply them.
    ///   - commitHandler: Receives results of ``commitAsync(_:)``.
    ///   - errorHandler: Receives errors librdkafka raises outside any call.
    /// - Throws: A ``KafkaBridgeError`` naming an unknown or invalid property.
    public init(
        configuration: KafkaConfiguration,
        rebalanceHandler: KafkaRebalanceHandler? = nil,
        commitHandler: KafkaCommitHandler? = nil,
        errorHandler: KafkaErrorHandler? = nil
    ) throws {
        let relay = RebalanceRelay(handler: rebalanceHandler)
        let callbacks = RDKafkaCallbacks(
            configuration: configuration,
            errorHandler: errorHandler,
            rebalance: { client, code, list in relay.handle(client: client, code: code, list: list) },
            commitResult: commitHandler ?? { _ in }
        )
        let properties = configuration.renderedProperties(for: .consumer)
        usesCooperativeSticky =
            properties.last { $0.key == "partition.assignment.strategy" }?.value
            .contains("cooperative-sticky") ?? false
        client = try RDKafkaClient(
            type: RD_KAFKA_CONSUMER,
            properties: properties,
            callbacks: callbacks
        )
        self.relay = relay
        batchStorage = .allocate(capacity: 0)
        // Route the main queue (errors, statistics, commit results) to the consumer queue, so
        // one poll call serves all of them.
        rd_kafka_poll_set_consumer(client.handle)
        relay.consumer.withLock { $0.value = self }
    }

    deinit {
        if !isClosed.load(ordering: .acquiring) {
            rd_kafka_consumer_close(client.handle)
            keepHandleIfDestroyWouldAbort()
        }
        batchStorage.deallocate()
    }

    // MARK: - Subscription and assignment

    /// Subscribes to topics; the group assigns partitions on a later poll.
    ///
    /// - Throws: A ``KafkaBridgeError`` naming the topics when librdkafka rejects the request.
    public func subscribe(topics: [String]) throws {
        let list = RDKafkaPartitionList(topics.map { KafkaTopicPartition(topic: $0, partition: .unassigned) })
        let code = rd_kafka_subscribe(client.handle, list.pointer)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "subscribe to topics \(topics) failed")
        }
    }

    /// Leaves the subscription; the current assignment is revoked on a later poll.
    public func unsubscribe() throws {
        let code = rd_kafka_unsubscribe(client.handle)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "unsubscribe failed")
        }
    }

    /// Assigns partitions by hand, without group management; an empty list clears the
    /// assignment. Each partition starts at its offset (``KafkaOffset/stored`` for the committed
    /// one).
    public func assign(_ partitions: [KafkaTopicPartition]) throws {
        let list = RDKafkaPartitionList(partitions)
        let code = rd_kafka_assign(client.handle, partitions.isEmpty ? nil : list.pointer)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "assign \(partitions) failed")
        }
    }

    /// Sets where partitions of the assignment being handled start, instead of their committed
    /// offsets. Call it only from the rebalance handler for an `.assigned` event, which runs
    /// before the assignment is applied. Each partition starts at its offset: a concrete one,
    /// ``KafkaOffset/beginning`` or ``KafkaOffset/end``. Partitions not in the assignment are
    /// ignored.
    ///
    /// - Throws: ``KafkaBridgeError`` with code `.kafka` (librdkafka's erroneous-state code)
    ///   outside an assignment's handler.
    public func setStartOffsets(_ partitions: [KafkaTopicPartition]) throws {
        guard relay.isHandlingAssignment.load(ordering: .relaxed) else {
            throw KafkaBridgeError.kafka(
                RD_KAFKA_RESP_ERR__STATE,
                "setStartOffsets was called outside the rebalance handler of an assignment; use seek instead"
            )
        }
        relay.startOffsets.withLock { offsets in
            for partition in partitions {
                offsets[partition.topic, default: [:]][partition.partition.rawValue] = partition.offset.rawValue
            }
        }
    }

    /// Returns the current assignment.
    public func assignment() throws -> [KafkaTopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let code = rd_kafka_assignment(client.handle, &list)
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "reading the assignment failed")
        }
        return RDKafkaPartitionList.read(list)
    }

    // MARK: - Polling

    /// Waits up to `timeout` for records and hands up to `maxMessages` of them to `body`
    /// without copying their bytes.
    ///
    /// The first wait blocks up to `timeout`; once a record arrives, the batch is filled with
    /// records that are already fetched, without further waiting. Rebalance events, commit
    /// results, statistics and client errors are delivered from inside this call.
    ///
    /// Complexity: O(n) in the records returned, with no allocation per record.
    ///
    /// - Important: The messages are destroyed when `body` returns; pointers from the batch
    ///   must not escape it.
    /// - Throws: The fatal error once librdkafka raised one, or ``KafkaBridgeError/Code/closed``
    ///   after ``close()``; errors thrown by `body` pass through after the batch is released.
    public func poll<Result>(
        maxMessages: Int,
        timeout: Duration,
        _ body: (KafkaMessageBatch) throws -> Result
    ) throws -> Result {
        precondition(maxMessages > 0, "maxMessages must be at least 1, got \(maxMessages)")
        guard !isClosed.load(ordering: .acquiring) else {
            throw KafkaBridgeError.closed("poll called on a closed consumer; create a new consumer")
        }
        let (exchanged, _) = isPolling.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
        precondition(exchanged, "KafkaConsumer.poll called from two threads at once; poll from one thread only")
        defer { isPolling.store(false, ordering: .releasing) }

        if let fatal = client.fatalError { throw fatal }
        if batchStorage.count < maxMessages {
            batchStorage.deallocate()
            batchStorage = .allocate(capacity: maxMessages)
        }

        // Gather the batch: good records are compacted to the front of batchStorage; EOF markers
        // and per-partition errors are copied out and destroyed at once.
        var count = 0
        var eofs: [KafkaTopicPartition] = []
        var errors: [KafkaBridgeError] = []
        var waitMilliseconds = Int32(timeout.kafkaMilliseconds)
        var attempts = 0
        while count < maxMessages, attempts < maxMessages {
            attempts += 1
            guard let message = rd_kafka_consumer_poll(client.handle, waitMilliseconds) else { break }
            waitMilliseconds = 0
            let code = message.pointee.err
            if code == RD_KAFKA_RESP_ERR_NO_ERROR {
                batchStorage[count] = message
                count += 1
                continue
            }
            let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
            if code == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                eofs.append(
                    KafkaTopicPartition(
                        topic: topic,
                        partition: KafkaPartition(rawValue: max(message.pointee.partition, -1)),
                        offset: KafkaOffset(rawValue: message.pointee.offset)
                    )
                )
            } else {
                let detail = message.pointee.payload.map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: message.pointee.len), as: UTF8.self)
                }
                errors.append(
                    .kafka(
                        code,
                        "consuming \(topic)[\(message.pointee.partition)] at offset \(message.pointee.offset) failed"
                            + (detail.map { " (\($0))" } ?? "")
                    )
                )
            }
            rd_kafka_message_destroy(message)
        }

        let messages = UnsafeBufferPointer(rebasing: batchStorage[0..<count])
        defer {
            for message in messages {
                rd_kafka_message_destroy(message)
            }
        }
        return try body(KafkaMessageBatch(messages: messages, partitionEOFs: eofs, errors: errors))
    }

    /// Polls like ``poll(maxMessages:timeout:_:)`` and returns owned copies of the records.
    /// Allocates per record; meant for tests and tools, not the hot path.
    public func pollMessages(maxMessages: Int, timeout: Duration) throws -> [KafkaMessage] {
        try poll(maxMessages: maxMessages, timeout: timeout) { batch in batch.map { $0.copy() } }
    }

    // MARK: - Offsets

    /// Stores offsets for the next commit (automatic or ``commit(_:)`` without arguments).
    ///
    /// Each offset is the next record to read, that is the last processed offset + 1.
    ///
    /// - Warning: Needs ``KafkaConsumerSettings/enableAutoOffsetStore`` `false` (the default).
    /// - Throws: A ``KafkaBridgeError`` naming the partition when it is not assigned.
    public func storeOffsets(_ offsets: [KafkaTopicPartition]) throws {
        let list = RDKafkaPartitionList(offsets)
        let code = rd_kafka_offsets_store(client.handle, list.pointer)
        if let error = list.firstError("storing the offset") { throw error }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "storing offsets \(offsets) failed")
        }
    }

    /// Commits offsets and waits for the group coordinator's response.
    ///
    /// - Parameter offsets: The next offsets to read per partition, or `nil` to commit the
    ///   offsets stored with ``storeOffsets(_:)``.
    /// - Returns: The partitions and offsets the group coordinator accepted; empty when
    ///   `offsets` is `nil` and nothing was stored since the last commit.
    /// - Throws: A ``KafkaBridgeError`` naming the first partition and offset that failed.
    @discardableResult
    public func commit(_ offsets: [KafkaTopicPartition]? = nil) throws -> [KafkaTopicPartition] {
        let list = offsets.map { RDKafkaPartitionList($0) }
        let outcome = CommitOutcome()
        // With a NULL queue, rd_kafka_commit_queue blocks and calls the callback before it returns.
        let code = rd_kafka_commit_queue(
            client.handle,
            list?.pointer,
            nil,
            { _, code, offsets, opaque in
                let outcome = Unmanaged<CommitOutcome>.fromOpaque(opaque!).takeUnretainedValue()
                outcome.code = code
                outcome.partitions = RDKafkaPartitionList.read(offsets)
            },
            Unmanaged.passUnretained(outcome).toOpaque()
        )
        let finalCode = outcome.code ?? code
        if finalCode == RD_KAFKA_RESP_ERR__NO_OFFSET { return [] }
        if let failed = outcome.partitions.first(where: { $0.rdKafkaCode != nil }) {
            throw KafkaBridgeError.kafka(
                rd_kafka_resp_err_t(failed.rdKafkaCode!),
                "commit of \(failed.topic)[\(failed.partition)] at offset \(failed.offset) failed"
            )
        }
        if finalCode != RD_KAFKA_RESP_ERR_NO_ERROR {
            let names = (offsets ?? outcome.partitions).map(\.description).joined(separator: ", ")
            throw KafkaBridgeError.kafka(finalCode, "commit of [\(names)] failed")
        }
        return outcome.partitions
    }

    /// Starts a commit and returns at once; the result reaches the consumer's
    /// ``KafkaCommitHandler`` from a later ``poll(maxMessages:timeout:_:)``.
    ///
    /// - Parameter offsets: The next offsets to read, or `nil` for the stored offsets.
    public func commitAsync(_ offsets: [KafkaTopicPartition]? = nil) throws {
        let list = offsets.map { RDKafkaPartitionList($0) }
        let code = rd_kafka_commit(client.handle, list?.pointer, 1)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(
                code,
                "starting the commit of \(offsets.map { "\($0)" } ?? "stored offsets") failed"
            )
        }
    }

    /// Reads the group's committed offsets for `partitions` from the coordinator.
    /// ``KafkaOffset/invalid`` means nothing is committed.
    public func committed(_ partitions: [KafkaTopicPartition], timeout: Duration) throws -> [KafkaTopicPartition] {
        let list = RDKafkaPartitionList(partitions)
        let code = rd_kafka_committed(client.handle, list.pointer, timeout.kafkaMilliseconds)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "reading committed offsets of \(partitions) failed")
        }
        return list.partitions
    }

    /// The consumer's position per partition: the offset of the next record it will return,
    /// or ``KafkaOffset/invalid`` before the first record.
    public func position(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition] {
        let list = RDKafkaPartitionList(partitions)
        let code = rd_kafka_position(client.handle, list.pointer)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "reading positions of \(partitions) failed")
        }
        return list.partitions
    }

    /// Moves the position of assigned partitions to the given offsets; the next poll returns
    /// records from there.
    ///
    /// - Throws: A ``KafkaBridgeError`` naming the partition and offset that failed (for example
    ///   a partition that is not assigned).
    public func seek(_ partitions: [KafkaTopicPartition], timeout: Duration) throws {
        let list = RDKafkaPartitionList(partitions)
        if let error = rd_kafka_seek_partitions(client.handle, list.pointer, timeout.kafkaMilliseconds) {
            throw KafkaBridgeError.consuming(error, "seek to \(partitions) failed")
        }
        if let error = list.firstError("seek") { throw error }
    }

    /// Stops fetching from partitions until ``resume(_:)``; the assignment is kept.
    public func pause(_ partitions: [KafkaTopicPartition]) throws {
        let list = RDKafkaPartitionList(partitions)
        let code = rd_kafka_pause_partitions(client.handle, list.pointer)
        if let error = list.firstError("pause") { throw error }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaBridgeError.kafka(code, "pause of \(partitions) failed") }
    }

    /// Restarts fetching from paused partitions.
    public func resume(_ partitions: [KafkaTopicPartition]) throws {
        let list = RDKafkaPartitionList(partitions)
        let code = rd_kafka_resume_partitions(client.handle, list.pointer)
        if let error = list.firstError("resume") { throw error }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaBridgeError.kafka(code, "resume of \(partitions) failed") }
    }

    /// Looks up, per partition, the first offset whose timestamp is at or after the given time.
    ///
    /// - Parameter timestamps: Partitions whose ``KafkaTopicPartition/offset`` contains a time in
    ///   milliseconds since the Unix epoch.
    /// - Returns: The same partitions with the found offsets; ``KafkaOffset/end`` when no record
    ///   is that late.
    ///
    /// NOTE: Untested against a broker: librdkafka 2.0.2's mock cluster returns offset -1 for
    /// every timestamp look-up.
    public func offsets(forTimes timestamps: [KafkaTopicPartition], timeout: Duration) throws -> [KafkaTopicPartition] {
        let list = RDKafkaPartitionList(timestamps)
        let code = rd_kafka_offsets_for_times(client.handle, list.pointer, timeout.kafkaMilliseconds)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "looking up offsets for times \(timestamps) failed")
        }
        if let error = list.firstError("offset look-up by time") { throw error }
        return list.partitions
    }

    /// Returns the cluster id the brokers report in their metadata, or `nil` when they report none
    /// or no metadata arrives within `timeout`. Once the client has metadata, as it does after
    /// joining a group, the call returns at once from its cache.
    public func clusterID(timeout: Duration) -> String? {
        guard let pointer = rd_kafka_clusterid(client.handle, timeout.kafkaMilliseconds) else { return nil }
        defer { rd_kafka_mem_free(client.handle, pointer) }
        return String(cString: pointer)
    }

    /// Asks the partition leader for the low (log start) and high (next offset) watermarks.
    public func queryWatermarkOffsets(
        topic: String,
        partition: KafkaPartition,
        timeout: Duration
    ) throws -> (low: KafkaOffset, high: KafkaOffset) {
        var low: Int64 = -1
        var high: Int64 = -1
        let code = rd_kafka_query_watermark_offsets(
            client.handle,
            topic,
            partition.rawValue,
            &low,
            &high,
            timeout.kafkaMilliseconds
        )
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "querying watermark offsets of \(topic)[\(partition)] failed")
        }
        return (KafkaOffset(rawValue: low), KafkaOffset(rawValue: high))
    }

    /// Returns the high watermark (the offset of the next record to be written) of a partition
    /// as librdkafka last cached it, or `nil` while it has none. librdkafka updates the value
    /// from every fetch response for the partition, so it is known only for a partition this
    /// consumer fetches. Sends no request and takes only a short client lock
    /// (`rd_kafka_get_watermark_offsets`), so it is safe to call in a poll loop.
    public func cachedHighWatermark(topic: String, partition: KafkaPartition) -> KafkaOffset? {
        cachedWatermarks(topic: topic, partition: partition)?.high
    }

    /// Returns the low watermark (log start offset) of a partition as librdkafka last cached it
    /// from fetch responses, or `nil` while it has none. Sends no request, like
    /// ``cachedHighWatermark(topic:partition:)``.
    public func cachedLowWatermark(topic: String, partition: KafkaPartition) -> KafkaOffset? {
        cachedWatermarks(topic: topic, partition: partition)?.low
    }

    /// Reads both cached watermarks; a side librdkafka does not know yet is `nil`.
    private func cachedWatermarks(topic: String, partition: KafkaPartition) -> (low: KafkaOffset?, high: KafkaOffset?)?
    {
        var low: Int64 = -1
        var high: Int64 = -1
        let code = rd_kafka_get_watermark_offsets(client.handle, topic, partition.rawValue, &low, &high)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return (low >= 0 ? KafkaOffset(rawValue: low) : nil, high >= 0 ? KafkaOffset(rawValue: high) : nil)
    }

    /// Watermarks and lag for each partition, by default the current assignment.
    ///
    /// The lag is counted from the position, else from the committed offset, else from the low
    /// watermark. One watermark request per partition.
    public func lag(for partitions: [KafkaTopicPartition]? = nil, timeout: Duration) throws -> [KafkaPartitionLag] {
        let targets = try partitions ?? assignment()
        let positions = try position(targets)
        let committedOffsets = try committed(targets, timeout: timeout)
        var result: [KafkaPartitionLag] = []
        for (index, target) in targets.enumerated() {
            let (low, high) = try queryWatermarkOffsets(
                topic: target.topic,
                partition: target.partition,
                timeout: timeout
            )
            let position = positions[index].offset
            let start =
                position.isConcrete
                ? position : committedOffsets[index].offset.isConcrete ? committedOffsets[index].offset : low
            result.append(
                KafkaPartitionLag(
                    topic: target.topic,
                    partition: target.partition,
                    low: low,
                    high: high,
                    position: position,
                    lag: max(0, high.rawValue - max(start.rawValue, low.rawValue))
                )
            )
        }
        return result
    }

    // MARK: - Closing

    /// Leaves the group and stops fetching. The final revocation reaches the rebalance handler
    /// from inside this call, so the owner can commit. Later calls do nothing.
    ///
    /// librdkafka before 2.3.0 aborts the process (`Assertion 'assignor_state' failed`) when it
    /// destroys a cooperative-sticky consumer that never received an assignment. Such a
    /// consumer's closed handle is therefore kept until the process exits instead of destroyed.
    ///
    /// - Throws: A ``KafkaBridgeError`` when librdkafka reports a close failure.
    public func close() throws {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let code = rd_kafka_consumer_close(client.handle)
        keepHandleIfDestroyWouldAbort()
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "closing the consumer failed")
        }
    }

    /// The fatal error librdkafka raised, if any; the consumer must then be recreated.
    public var fatalError: KafkaBridgeError? { client.fatalError }

    /// The first librdkafka version whose cooperative-sticky assignor survives being destroyed
    /// before its first assignment.
    static let fixedAssignorStateVersion: Int32 = 0x0203_00FF

    /// The linked librdkafka's version, as `rd_kafka_version()` gives it (0xMMmmrrpp).
    static var librdkafkaVersion: Int32 { rd_kafka_version() }

    /// `true` when destroying the handle now would hit librdkafka's assignor-state assertion.
    var destroyWouldAbort: Bool {
        usesCooperativeSticky && Self.librdkafkaVersion < Self.fixedAssignorStateVersion
            && !relay.hasReceivedAssignment.load(ordering: .acquiring)
    }

    private func keepHandleIfDestroyWouldAbort() {
        if destroyWouldAbort { client.keepHandleUntilExit() }
    }
}

/// The result slot of one synchronous commit, filled by the commit callback.
private final class CommitOutcome {
    var code: rd_kafka_resp_err_t?
    var partitions: [KafkaTopicPartition] = []
}
