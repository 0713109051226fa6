import KafkaBridge
import StreamCore

/// Sends the engine's output to Kafka: feature records and tombstones to the feature topic, and
/// rejected input records to the dead-letter topic.
///
/// The engine's callbacks cannot throw, so the first produce error is kept in ``failure`` and the
/// worker checks it after each engine call. Owned by the thread that runs the engines it serves:
/// the worker thread, or one engine lane.
final class WorkerOutput {
    let producer: any WorkerProducer
    let featureTopic: String
    let dlqTopic: String
    let inputTopic: String
    /// How much of a rejected record fits into its dead-letter copy.
    let deadLetterSizeLimit: DeadLetterSizeLimit
    /// The headers of every feature record and tombstone, built once.
    let featureHeaders: [KafkaHeader]
    let metrics: WorkerMetrics
    let logger: Logger

    /// The monotonic clock in nanoseconds that ``markTicksClosing()`` reads.
    let monotonicNanoseconds: @Sendable () -> UInt64
    /// The monotonic time in ns at which the engine last started processing closed ticks, or 0
    /// when it has not since the owner last reset it. Set by ``markTicksClosing()``.
    var tickStartNanoseconds: UInt64 = 0

    /// The first error the producer raised, or `nil`.
    var failure: (any Error)?
    /// Records and tombstones produced since the last ``publishCounts()``. Counting here and
    /// adding to the shared counters once per batch keeps the lanes from contending for the
    /// counters' memory on every output record.
    private var unpublishedRecords: Int64 = 0
    private var unpublishedTombstones: Int64 = 0

    init(
        producer: any WorkerProducer,
        settings: WorkerSettings,
        engines: WorkerEngineFactory,
        metrics: WorkerMetrics,
        logger: Logger,
        clock: WorkerClock
    ) {
        self.producer = producer
        self.monotonicNanoseconds = clock.monotonicNanoseconds
        self.featureTopic = settings.featureTopic
        self.dlqTopic = settings.dlqTopic
        self.inputTopic = settings.inputTopic
        self.deadLetterSizeLimit = DeadLetterSizeLimit(messageMaxBytes: settings.messageMaxBytes)
        self.featureHeaders = [
            KafkaHeader(name: "feature_set", value: Array(engines.featureSetName.utf8)),
            KafkaHeader(name: "schema_version", value: Array(String(engines.featureSetVersion).utf8)),
        ]
        self.metrics = metrics
        self.logger = logger
    }

    private init(sameAs other: WorkerOutput) {
        producer = other.producer
        monotonicNanoseconds = other.monotonicNanoseconds
        featureTopic = other.featureTopic
        dlqTopic = other.dlqTopic
        inputTopic = other.inputTopic
        deadLetterSizeLimit = other.deadLetterSizeLimit
        featureHeaders = other.featureHeaders
        metrics = other.metrics
        logger = other.logger
    }

    /// Returns a new output to the same producer, topics, metrics and logger, with no failure
    /// and nothing counted: one for each engine lane.
    func makeSibling() -> WorkerOutput {
        WorkerOutput(sameAs: self)
    }

    /// Records the start of tick processing: the engine has closed at least one tick and is about
    /// to emit its records.
    func markTicksClosing() {
        tickStartNanoseconds = monotonicNanoseconds()
    }

    /// Produces one feature record, or a tombstone (null value) when `isTombstone` is `true`.
    /// `value` is borrowed for the call.
    func emit(memeID: String, tick: EventTime, isTombstone: Bool, value: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        var key = memeID
        key.withUTF8 { keyBytes in
            let record = OutgoingRecord(
                topic: featureTopic,
                key: UnsafeRawBufferPointer(keyBytes),
                value: isTombstone ? nil : value,
                timestamp: tick.rawValue,
                headers: featureHeaders
            )
            do {
                try producer.produce(record)
            } catch {
                failure = error
            }
        }
        if isTombstone {
            unpublishedTombstones += 1
        } else {
            unpublishedRecords += 1
        }
    }

    /// Adds the records and tombstones produced since the last call to the shared counters.
    func publishCounts() {
        if unpublishedRecords > 0 {
            metrics.recordsEmitted.increment(by: unpublishedRecords)
            unpublishedRecords = 0
        }
        if unpublishedTombstones > 0 {
            metrics.tombstonesEmitted.increment(by: unpublishedTombstones)
            unpublishedTombstones = 0
        }
    }

    /// Produces a rejected input record to the dead-letter topic with its original key, value and
    /// timestamp, and headers naming the reason and the source position.
    ///
    /// A copy larger than the producer's `message.max.bytes` goes out with its value cut to fit
    /// (the key too, when it alone does not fit) and a header giving each original length. The
    /// same happens when librdkafka rejects the copy as too large, so a rejected record never
    /// stops its partition.
    func reject(_ record: InputRecord, rejection: Rejection) {
        metrics.countRejection(rejection.reason)
        // The rate-limiting log handler collapses repeats of this constant message.
        logger.info(
            "input record rejected",
            metadata: [
                LogKey.kafkaPartition: .integer(Int64(record.partition)),
                LogKey.kafkaOffset: .integer(record.offset),
                LogKey.rejectionReason: .string(rejection.reason.rawValue),
                LogKey.rejectionDetail: .string(rejection.detail),
            ]
        )
        guard failure == nil else { return }
        let headers = [
            KafkaHeader(name: "error", value: Array(rejection.reason.rawValue.utf8)),
            KafkaHeader(name: "error_detail", value: Array(rejection.detail.utf8)),
            KafkaHeader(name: "source_topic", value: Array(inputTopic.utf8)),
            KafkaHeader(name: "source_partition", value: Array(String(record.partition).utf8)),
            KafkaHeader(name: "source_offset", value: Array(String(record.offset).utf8)),
        ]
        let keyLength = record.key?.count ?? 0
        let fit = deadLetterSizeLimit.fit(
            keyLength: keyLength,
            valueLength: record.value.count,
            headerBytes: DeadLetterSizeLimit.serializedBytes(headers)
        )
        do {
            try produceDeadLetter(record, headers: headers, fit: fit)
        } catch let error as DeliveryFailure where error.isRecordTooLarge && fit.valueLength > 0 {
            // The estimate fell short of librdkafka's count, so the copy goes without its value.
            do {
                try produceDeadLetter(record, headers: headers, fit: .init(keyLength: fit.keyLength, valueLength: 0))
            } catch {
                failure = error
            }
        } catch {
            failure = error
        }
    }

    /// Produces the dead-letter copy of `record` with the first `fit.keyLength` bytes of its key
    /// and `fit.valueLength` bytes of its value, adding a truncation header for each cut part.
    private func produceDeadLetter(_ record: InputRecord, headers: [KafkaHeader], fit: DeadLetterSizeLimit.Fit) throws {
        var headers = headers
        var key = record.key
        // A null input value (no base address) stays null in the copy.
        var value: UnsafeRawBufferPointer? = record.value.baseAddress == nil ? nil : record.value
        if fit.valueLength < record.value.count {
            headers.append(
                KafkaHeader(
                    name: DeadLetterSizeLimit.valueTruncatedHeader,
                    value: Array(String(record.value.count).utf8)
                )
            )
            value = fit.valueLength > 0 ? UnsafeRawBufferPointer(rebasing: record.value[..<fit.valueLength]) : nil
        }
        if let originalKey = record.key, fit.keyLength < originalKey.count {
            headers.append(
                KafkaHeader(name: DeadLetterSizeLimit.keyTruncatedHeader, value: Array(String(originalKey.count).utf8))
            )
            key = fit.keyLength > 0 ? UnsafeRawBufferPointer(rebasing: originalKey[..<fit.keyLength]) : nil
        }
        if fit.valueLength < record.value.count || key?.count != record.key?.count {
            logger.warning(
                "dead-letter copy cut to fit message.max.bytes",
                metadata: [
                    LogKey.kafkaPartition: .integer(Int64(record.partition)),
                    LogKey.kafkaOffset: .integer(record.offset),
                    "value.bytes": .integer(Int64(record.value.count)),
                    "sent.value.bytes": .integer(Int64(value?.count ?? 0)),
                    "key.bytes": .integer(Int64(record.key?.count ?? 0)),
                    "sent.key.bytes": .integer(Int64(key?.count ?? 0)),
                    "message.max.bytes": .integer(Int64(deadLetterSizeLimit.messageMaxBytes)),
                ]
            )
        }
        let outgoing = OutgoingRecord(
            topic: dlqTopic,
            key: key,
            value: value,
            timestamp: record.recordTimestamp,
            headers: headers
        )
        try producer.produce(outgoing)
    }
}
