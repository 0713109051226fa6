import StreamCore

/// The streaming worker's main loop: poll a batch, run each record through its partition's
/// engine, send output and rejections to Kafka, apply the live-mode idle rule, and checkpoint
/// periodically, on revocation and at shutdown.
///
/// Delivery order for a checkpoint: every record produced so far is acknowledged by the broker
/// (producer flush), then the checkpoint is durable in the store, then the input offset is
/// committed to the group. A crash between any two steps re-emits byte-identical records and never
/// counts an input record twice in state.
///
/// Threads: one thread (the worker thread) runs ``run(shouldStop:)`` and every rebalance callback
/// (librdkafka calls them inside poll, on that thread). With `engineThreads` > 0 the engines run
/// on ``EngineLanes`` instead: the worker thread polls, filters and hands records over, and drains
/// the lanes before it reads engine state. With 0 the worker thread runs the engines itself.
final class StreamWorker: WorkerRebalanceHandler {
    let settings: WorkerSettings
    let consumer: any WorkerConsumer
    let producer: any WorkerProducer
    let store: any CheckpointStore
    let engines: WorkerEngineFactory
    let logger: Logger
    let metrics: WorkerMetrics
    let clock: WorkerClock
    let health: HealthMonitor

    private var tasks: [Int32: PartitionTask] = [:] {
        didSet { recentTask = nil }
    }
    /// The task of the last record's partition, unretained, so that a run of records of one
    /// partition looks it up and counts its reference once. `tasks` owns it; cleared whenever
    /// `tasks` changes.
    private var recentTask: (partition: Int32, task: Unmanaged<PartitionTask>)?
    private let output: WorkerOutput
    private var step: EngineStep
    /// The engine threads, started at the first assignment when `engineThreads` > 0.
    private var lanes: EngineLanes?
    /// Wall time of the first record of the current poll, or `nil` before it.
    private var pollWallMilliseconds: Int64?
    /// The wall time of the idle rule's last run, and the consumer's error count then.
    private var idleCheckWallMilliseconds: Int64?
    private var idleCheckErrorCount = 0
    /// The consume errors already added to the `memestream_consume_errors_total` counter.
    private var publishedConsumeErrors = 0
    /// When the consumer-lag gauges are next refreshed, on the monotonic clock.
    private var nextLagUpdateNanoseconds: UInt64 = 0
    private var nextCheckpointNanoseconds: UInt64 = 0
    private var reportedMismatchTotal = 0
    /// A failure raised inside a rebalance callback, rethrown by the main loop.
    private var callbackFailure: (any Error)?
    /// The cluster id the consumer returned, once requested: `.some(nil)` when it had none.
    private var cachedClusterID: String??
    /// The longest wait for metadata of the first cluster id request, in ms.
    static let clusterIDTimeoutMilliseconds = 5_000

    init(
        settings: WorkerSettings,
        consumer: any WorkerConsumer,
        producer: any WorkerProducer,
        store: any CheckpointStore,
        engines: WorkerEngineFactory,
        logger: Logger,
        metrics: WorkerMetrics,
        health: HealthMonitor,
        clock: WorkerClock = WorkerClock()
    ) {
        self.settings = settings
        self.consumer = consumer
        self.producer = producer
        self.store = store
        self.engines = engines
        var logger = logger
        logger[metadataKey: LogKey.kafkaGroup] = .string(settings.group)
        logger[metadataKey: LogKey.kafkaTopic] = .string(settings.inputTopic)
        self.logger = logger
        self.metrics = metrics
        self.health = health
        self.clock = clock
        self.output = WorkerOutput(
            producer: producer,
            settings: settings,
            engines: engines,
            metrics: metrics,
            logger: logger,
            clock: clock
        )
        self.step = EngineStep(metrics: metrics, logger: logger, clock: clock, tickLatencyObserver: nil)
        self.startNanoseconds = clock.monotonicNanoseconds()
        self.nextCheckpointNanoseconds = clock.monotonicNanoseconds() + intervalNanoseconds
        self.assignmentWaitDeadline = startNanoseconds + Self.assignmentWaitNoticeSeconds[0] * 1_000_000_000
    }

    /// The monotonic time (ns) at which the worker was created.
    private let startNanoseconds: UInt64
    /// The monotonic time (ns) after which a missing first assignment is logged next, or `nil` once
    /// every notice was logged or partitions were assigned.
    private var assignmentWaitDeadline: UInt64?
    /// How many of ``assignmentWaitNoticeSeconds`` were logged.
    private var assignmentWaitNotices = 0
    /// The waits for a first assignment, in s, after which the worker logs why it can take long.
    static let assignmentWaitNoticeSeconds: [UInt64] = [10, 60]

    /// The partitions this worker currently owns, in ascending order.
    var assignedPartitions: [Int32] { tasks.keys.sorted() }

    /// The next input offset of each owned partition that has started reading.
    var positions: [Int32: Int64] { tasks.compactMapValues { $0.expectedOffset } }

    deinit {
        lanes?.stop()
    }

    /// Receives the wall time in ns that each record which closed ticks took to process, including
    /// handing the ticks' records to the producer. `nil` unless a benchmark sets it. Called on the
    /// thread that ran the engine, so with engine lanes it must be thread-safe. Set it before the
    /// first poll, because lanes started earlier keep the old value.
    var tickLatencyObserver: ((UInt64) -> Void)? {
        didSet {
            step = EngineStep(metrics: metrics, logger: logger, clock: clock, tickLatencyObserver: tickLatencyObserver)
        }
    }

    // MARK: - Main loop

    /// Runs until `shouldStop` returns `true`, then shuts down gracefully: finishes the current
    /// batch, flushes, checkpoints, commits and leaves the group.
    ///
    /// - Throws: the first unrecoverable failure (delivery failure, checkpoint store failure,
    ///   unusable checkpoint). Nothing is committed past the failing point.
    func run(shouldStop: () -> Bool) throws {
        logger.notice(
            "worker started",
            metadata: [
                "feature.topic": .string(settings.featureTopic),
                "dlq.topic": .string(settings.dlqTopic),
                LogKey.checkpointStore: .string(store.location),
            ]
        )
        prepareOutput()
        nextCheckpointNanoseconds = clock.monotonicNanoseconds() + intervalNanoseconds
        while !shouldStop() {
            try pollOnce()
            health.reportAlive()
        }
        try shutdown()
    }

    /// Loads the output topics' metadata into the producer. A failure is logged, not thrown: the
    /// producer then learns the metadata by itself, up to a second after the first record.
    func prepareOutput() {
        let topics = [settings.featureTopic, settings.dlqTopic]
        do {
            try producer.prepare(topics: topics, timeoutMilliseconds: Self.metadataTimeoutMilliseconds)
        } catch {
            logger.warning(
                "loading the output topics' metadata failed; the first output records may wait up to a second",
                metadata: ["topics": .string(topics.joined(separator: ",")), LogKey.error: .string(errorText(error))]
            )
        }
    }

    static let metadataTimeoutMilliseconds = 5_000

    /// Polls one batch and does the periodic work once. Exposed for tests that step the loop.
    func pollOnce() throws {
        pollWallMilliseconds = nil
        try consumer.poll(
            maxRecords: settings.maxPollRecords,
            timeoutMilliseconds: settings.pollTimeoutMilliseconds,
            handler: self
        ) { record in
            try process(record)
        }
        lanes?.submitAll()
        if let failure = callbackFailure {
            callbackFailure = nil
            throw failure
        }
        if let failure = lanes?.failure() {
            throw failure
        }
        for task in tasks.values {
            task.publishConsumedCount()
            if task.positioning == .seekIssued {
                task.positioning = .afterSeek
            }
        }
        producer.poll()
        noteLateFirstAssignment()
        applyIdleRule()
        updateGauges()
        if clock.monotonicNanoseconds() >= nextCheckpointNanoseconds {
            try checkpoint(assignedPartitions, reason: "interval")
            nextCheckpointNanoseconds = clock.monotonicNanoseconds() + intervalNanoseconds
        }
    }

    /// Logs when no partition was assigned 10 s and 60 s after the start, because nothing else
    /// shows an operator why a restarted worker sits idle.
    private func noteLateFirstAssignment() {
        guard let deadline = assignmentWaitDeadline, clock.monotonicNanoseconds() >= deadline else { return }
        let notices = Self.assignmentWaitNoticeSeconds
        assignmentWaitNotices += 1
        assignmentWaitDeadline =
            assignmentWaitNotices < notices.count
            ? startNanoseconds + notices[assignmentWaitNotices] * 1_000_000_000 : nil
        guard tasks.isEmpty else { return }
        if consumer.consumeErrorCount > 0 {
            logger.warning(
                "no partition assigned after \(notices[assignmentWaitNotices - 1]) s, and the consumer reported "
                    + "errors (the \"librdkafka:\" and \"consume failed\" lines): check --bootstrap-servers and that the brokers are "
                    + "reachable from this host",
                metadata: ["consume.errors": .integer(Int64(consumer.consumeErrorCount))]
            )
            return
        }
        if assignmentWaitNotices == 1 {
            logger.notice(
                "no partition assigned after \(notices[0]) s: the group coordinator can wait for an earlier member's "
                    + "session to time out (session.timeout.ms, 45 s by default), and the dev cluster's mock waits "
                    + "so even after a clean stop; a rebalance among running members also takes a few seconds",
                metadata: [:]
            )
        } else {
            logger.notice(
                "no partition assigned after \(notices[1]) s: if an earlier member had a longer session.timeout.ms "
                    + "than this worker, librdkafka can take about 5 minutes to join the group; give every worker "
                    + "of a group the same session.timeout.ms",
                metadata: [:]
            )
        }
    }

    private var intervalNanoseconds: UInt64 {
        UInt64(max(1, settings.checkpointIntervalMilliseconds)) * 1_000_000
    }

    private func process(_ record: InputRecord) throws {
        let reference: Unmanaged<PartitionTask>
        if let recent = recentTask, recent.partition == record.partition {
            reference = recent.task
        } else {
            guard let task = tasks[record.partition] else {
                // A record fetched before a revocation completed; its new owner processes it.
                return
            }
            reference = Unmanaged.passUnretained(task)
            recentTask = (record.partition, reference)
        }
        // `tasks` keeps the task alive. It changes only in rebalance callbacks, which librdkafka runs
        // inside its poll or close, never while the batch's records are handed over.
        try reference._withUnsafeGuaranteedRef { task in
            try process(record, task: task)
        }
    }

    private func process(_ record: InputRecord, task: PartitionTask) throws {
        if task.positioning == .positioned {
            if let expected = task.expectedOffset {
                if record.offset < expected { return }
                if record.offset > expected { noteGap(task, from: expected, to: record.offset) }
            }
        } else {
            guard try position(task, at: record) else { return }
        }
        task.expectedOffset = record.offset + 1
        task.lastRecord = RecordFingerprint(record)
        task.lastRecordOffset = record.offset
        // One clock read per poll: the idle rule counts in seconds, far above a poll's length.
        let now = pollWallMilliseconds ?? clock.wallMilliseconds()
        pollWallMilliseconds = now
        task.lastRecordWallMilliseconds = now
        task.countConsumed()

        if let lane = task.lane {
            // `lanes` keeps the lane alive, and the worker never replaces it.
            lane._withUnsafeGuaranteedRef { $0.append(record, task: task) }
        } else {
            try step.process(record, handle: task.handle, output: output)
        }
    }

    /// Counts and logs the offsets before `offset` that a running partition skipped because
    /// retention removed them first (librdkafka then resets the position to the log start).
    /// Gaps inside the log (transaction markers, aborted records) are not counted.
    private func noteGap(_ task: PartitionTask, from expected: Int64, to offset: Int64) {
        guard let logStart = consumer.logStartOffset(partition: task.partition), logStart > expected else { return }
        metrics.countSkippedOffsets(offset - expected, partition: task.partition)
        logger.error(
            "input records are missing: retention removed them before the worker read them",
            metadata: [
                LogKey.kafkaPartition: .integer(Int64(task.partition)),
                LogKey.kafkaOffset: .integer(expected),
                "kafka.offset.first_available": .integer(offset),
                "kafka.offsets.skipped": .integer(offset - expected),
            ]
        )
    }

    /// Handles a record of a partition that has not reached its start position yet. Returns
    /// `true` when processing starts with this record.
    private func position(_ task: PartitionTask, at record: InputRecord) throws -> Bool {
        let offset = record.offset
        switch task.positioning {
        case .positioned:
            return true
        case .seekIssued:
            return false
        case .awaitingFirstRecord:
            let isAtStart: Bool
            switch task.seekTarget {
            case .offset(let start): isAtStart = offset == start
            case .beginning: isAtStart = offset == 0
            case .end: isAtStart = false
            }
            if isAtStart {
                task.positioning = .positioned
                return try verify(task, with: record)
            }
            logger.debug(
                "seeking partition to its start position",
                metadata: [
                    LogKey.kafkaPartition: .integer(Int64(task.partition)),
                    "start.position": .string("\(task.seekTarget)"),
                    "kafka.offset.fetched": .integer(offset),
                ]
            )
            try consumer.seek(partition: task.partition, to: task.seekTarget)
            task.positioning = .seekIssued
            return false
        case .afterSeek:
            task.positioning = .positioned
            if case .offset(let target) = task.seekTarget, offset == target, task.verification != nil {
                return try verify(task, with: record)
            }
            if task.verification != nil {
                // The record before the checkpoint's offset was not delivered: retention or
                // compaction removed it, or it is a transaction marker. Nothing to compare.
                task.verification = nil
                logger.debug(
                    "the record before the checkpoint's offset is not in the log; the log was not compared",
                    metadata: [LogKey.kafkaPartition: .integer(Int64(task.partition))]
                )
            }
            if case .offset(let start) = task.start, offset != start {
                if offset < start {
                    // librdkafka found the checkpointed offset out of range and reset the position
                    // to the log start. Applying these records to the restored state would mix two
                    // logs, so the worker stops.
                    throw CheckpointError(
                        code: .aheadOfLog,
                        key: checkpointKey(task.partition),
                        nextOffset: start,
                        source: store.location(of: checkpointKey(task.partition)),
                        detail: "the input partition's log restarts below it: after the seek to offset \(start) "
                            + "the first record has offset \(offset), so the topic was recreated or truncated "
                            + "and the checkpoint belongs to another log"
                    )
                }
                let metadata: [String: LogValue] = [
                    LogKey.kafkaPartition: .integer(Int64(task.partition)),
                    LogKey.kafkaOffset: .integer(start),
                    "kafka.offset.first_available": .integer(offset),
                ]
                // When the log still starts at or before the checkpoint, the offsets in between
                // contain no record for a consumer (transaction markers, aborted records).
                // Otherwise retention removed the records between the checkpoint and the log start.
                if let logStart = consumer.logStartOffset(partition: task.partition), logStart <= start {
                    logger.debug(
                        "offsets between the checkpoint and the first record contain no records, such as transaction markers",
                        metadata: metadata
                    )
                } else {
                    metrics.countSkippedOffsets(offset - start, partition: task.partition)
                    logger.error(
                        "input records are missing: the log starts after the checkpointed offset",
                        metadata: metadata.merging(["kafka.offsets.skipped": .integer(offset - start)]) { $1 }
                    )
                }
            }
            return true
        }
    }

    /// Compares the record at the offset before a restored checkpoint's offset with the
    /// fingerprint the checkpoint stored, and returns `false`: the state already includes it.
    /// Returns `true` when nothing was to be compared and the record is the first to process.
    ///
    /// - Throws: ``CheckpointError`` with code ``CheckpointError/Code/aheadOfLog`` when they differ:
    ///   the topic was created anew, and the checkpoint belongs to the old log.
    private func verify(_ task: PartitionTask, with record: InputRecord) throws -> Bool {
        guard let expected = task.verification, case .offset(let start) = task.start else { return true }
        task.verification = nil
        let found = RecordFingerprint(record)
        guard found == expected else {
            throw CheckpointError(
                code: .aheadOfLog,
                key: checkpointKey(task.partition),
                nextOffset: start,
                source: store.location(of: checkpointKey(task.partition)),
                detail: "the record before it (offset \(record.offset)) has \(found), but the state was built from a "
                    + "record with \(expected), so the topic was created anew and the checkpoint belongs to the old log"
            )
        }
        logger.debug(
            "the record before the checkpoint's offset matches the checkpoint",
            metadata: [LogKey.kafkaPartition: .integer(Int64(task.partition)), LogKey.kafkaOffset: .integer(start)]
        )
        return false
    }

    // MARK: - Live-mode idle rule

    /// Closes windows of partitions whose traffic stopped. A partition qualifies when it is caught
    /// up (its next offset equals the high watermark reported with the last fetch) and has received
    /// no record for `idle_timeout` of wall time. It then advances its watermark as if an event with
    /// `ts = now − idle_timeout` had arrived. A partition that is merely behind never qualifies.
    ///
    /// The cached high watermarks are only as fresh as the last fetch response. After a pause of
    /// the loop (the process was stopped or starved of CPU) or a consume error, every partition's
    /// idle time starts again, so that fetches refresh them before a behind partition could pass
    /// for caught up. A shorter pause is harmless: the records it hides are newer than
    /// `now − (idle_timeout + out_of_orderness) / 2`, so the watermark the rule sets,
    /// `now − idle_timeout − out_of_orderness`, does not make them late.
    private func applyIdleRule() {
        guard settings.idleTimeoutMilliseconds > 0 else { return }
        let now = clock.wallMilliseconds()
        let pause = idleCheckWallMilliseconds.map { now - $0 } ?? 0
        let pauseLimit = (settings.idleTimeoutMilliseconds + engines.outOfOrdernessMilliseconds) / 2
        let errorCount = consumer.consumeErrorCount
        idleCheckWallMilliseconds = now
        if pause > pauseLimit || errorCount != idleCheckErrorCount {
            for task in tasks.values {
                task.lastRecordWallMilliseconds = max(task.lastRecordWallMilliseconds, now)
            }
            if pause > pauseLimit {
                logger.notice(
                    "the worker loop paused; the idle rule waits a full --idle-timeout again, so that fetches "
                        + "refresh the high watermarks first",
                    metadata: ["pause.ms": .integer(pause), "pause.limit.ms": .integer(pauseLimit)]
                )
            }
            idleCheckErrorCount = errorCount
            return
        }
        for task in tasks.values {
            guard now - task.lastRecordWallMilliseconds >= settings.idleTimeoutMilliseconds,
                let end = consumer.highWatermark(partition: task.partition),
                let position = passedOffset(task, end: end)
            else { continue }
            switch task.positioning {
            case .positioned:
                guard position >= end else { continue }
            case .afterSeek:
                // Restored at the log end and no record since: caught up. A log that ends below
                // the checkpoint belongs to another log, so its state must not emit anything.
                guard position == end else { continue }
            case .awaitingFirstRecord, .seekIssued:
                continue
            }
            let eventTime = now - settings.idleTimeoutMilliseconds
            let watermark = EventTime(rawValue: eventTime - engines.outOfOrdernessMilliseconds)
            // The checks on engine state run where the engine runs: on its lane, after the
            // records handed over before this advance.
            if let lanes {
                lanes.appendIdleAdvance(task, to: watermark)
            } else {
                step.advanceIdle(task.handle, to: watermark, output: output)
            }
        }
        lanes?.submitAll()
    }

    /// Sets the consumer lag and the watermark lag. The engine state they need comes from this
    /// thread's engines, or with lanes from what each lane published after its last batch, so a
    /// stalled partition's watermark lag keeps growing.
    private func updateGauges() {
        if lanes == nil {
            output.publishCounts()
        }
        metrics.assignedPartitions.set(Int64(tasks.count))
        let errorCount = consumer.consumeErrorCount
        if errorCount > publishedConsumeErrors {
            metrics.consumeErrors.increment(by: Int64(errorCount - publishedConsumeErrors))
            publishedConsumeErrors = errorCount
        }
        let now = clock.wallMilliseconds()
        // The consumer lag may ask librdkafka for each lagging partition's position, so it is
        // refreshed at most once a second, where the other gauges follow every poll.
        let refreshesLag = clock.monotonicNanoseconds() >= nextLagUpdateNanoseconds
        if refreshesLag {
            nextLagUpdateNanoseconds = clock.monotonicNanoseconds() + 1_000_000_000
        }
        for task in tasks.values {
            if lanes == nil {
                step.publishEngineState(task.handle)
            }
            let watermark = task.handle.publishedWatermark.load(ordering: .relaxed)
            if watermark != EngineHandle.noWatermark {
                task.metrics.watermarkLag.set(Double(now - watermark) / 1_000)
            }
            guard refreshesLag else { continue }
            if let end = consumer.highWatermark(partition: task.partition), let position = passedOffset(task, end: end)
            {
                task.metrics.consumerLag.set(max(0, end - position))
            }
        }
    }

    /// Returns the offset after everything of the partition read so far, or `nil` before the first
    /// record: the next expected record's offset, or the client's position when that is further.
    /// The position is needed because the last offsets of a log can contain no record (a
    /// transactional producer's commit marker), and only the position moves past them.
    private func passedOffset(_ task: PartitionTask, end: Int64) -> Int64? {
        guard let expected = task.expectedOffset else { return nil }
        guard expected < end, let passed = consumer.position(partition: task.partition), passed > expected else {
            return expected
        }
        return passed
    }

    // MARK: - Checkpoints

    /// Checkpoints `partitions` in the order flush → save → commit. Partitions without changes
    /// since their last checkpoint are skipped.
    func checkpoint(_ partitions: [Int32], reason: String) throws {
        // Engine state is read below, so every record handed to the lanes must be processed.
        try lanes?.drain()
        let changed = partitions.compactMap { tasks[$0] }.filter { $0.hasUncheckpointedChanges }
        guard !changed.isEmpty else { return }

        try producer.flush(timeoutMilliseconds: settings.flushTimeoutMilliseconds)
        if let failure = output.failure {
            throw failure
        }

        var offsets: [Int32: Int64] = [:]
        for task in changed {
            let started = clock.monotonicNanoseconds()
            guard let nextOffset = task.engine.nextOffset ?? task.expectedOffset else { continue }
            let checkpoint = Checkpoint(
                key: checkpointKey(task.partition),
                nextOffset: nextOffset,
                maxEventTime: task.engine.maxEventTime,
                lastTick: task.engine.lastProcessedTick,
                createdAtMilliseconds: clock.wallMilliseconds(),
                state: task.engine.encodeState(),
                clusterID: clusterID(),
                lastRecord: task.lastRecordOffset == nextOffset - 1 ? task.lastRecord : nil
            )
            try store.save(checkpoint)
            task.checkpointedOffset = task.engine.nextOffset
            task.checkpointedWatermark = task.engine.watermark
            task.checkpointedTick = task.engine.lastProcessedTick
            offsets[task.partition] = nextOffset
            let elapsed = clock.monotonicNanoseconds() - started
            metrics.checkpointDuration.recordNanoseconds(Int64(elapsed))
            task.metrics.checkpointSize.set(Int64(checkpoint.state.count))
            logger.debug(
                "checkpoint written",
                metadata: [
                    LogKey.kafkaPartition: .integer(Int64(task.partition)),
                    LogKey.kafkaOffset: .integer(nextOffset),
                    LogKey.checkpointBytes: .integer(Int64(checkpoint.state.count)),
                    LogKey.durationMilliseconds: .integer(Int64(elapsed / 1_000_000)),
                    "reason": .string(reason),
                ]
            )
        }
        do {
            try consumer.commit(offsets)
        } catch {
            // Positions come from checkpoints, so a failed commit (for example during a
            // rebalance) only delays lag monitoring; the next round commits again.
            logger.warning(
                "offset commit failed; the checkpoint is durable and positions come from it",
                metadata: [
                    LogKey.kafkaPartitions: .string(offsets.keys.sorted().map(String.init).joined(separator: ",")),
                    LogKey.error: .string(errorText(error)),
                ]
            )
        }
    }

    private func checkpointKey(_ partition: Int32) -> CheckpointKey {
        CheckpointKey(group: settings.group, topic: settings.inputTopic, partition: partition)
    }

    // MARK: - Rebalance callbacks

    func partitionsAssigned(_ partitions: [Int32]) throws {
        assignmentWaitDeadline = nil
        metrics.countRebalance("assign")
        health.assign(partitions)
        if lanes == nil, settings.engineThreads > 0 {
            lanes = EngineLanes(count: settings.engineThreads, step: step) { output.makeSibling() }
        }
        for partition in partitions where tasks[partition] == nil {
            let task = try restore(partition)
            // The assignment is applied after this handler, starting the partition at the task's
            // start, so its first record shows whether the log still contains that offset.
            try consumer.setStart(partition: partition, to: task.seekTarget)
            task.positioning = .afterSeek
            // No lane runs this engine yet, so this thread may read it.
            step.publishEngineState(task.handle)
            lanes?.assign(task)
            tasks[partition] = task
            health.markRestored(partition)
        }
        logger.info(
            "partitions assigned",
            metadata: [LogKey.kafkaPartitions: .string(partitions.map(String.init).joined(separator: ","))]
        )
    }

    /// Returns the id of the cluster the consumer reads from, requested once. At the first
    /// assignment the client already has the cluster's metadata, so the call returns at once.
    /// `nil` when the cluster reported none: checkpoints then store none, and restores skip the check.
    private func clusterID() -> String? {
        if let cached = cachedClusterID { return cached }
        let answer = consumer.clusterID(timeoutMilliseconds: Self.clusterIDTimeoutMilliseconds)
        cachedClusterID = .some(answer)
        if answer == nil {
            logger.warning(
                "the Kafka cluster reported no cluster id; checkpoints will not record it, so a restore cannot "
                    + "tell a checkpoint of another cluster apart",
                metadata: [:]
            )
        }
        return answer
    }

    private func restore(_ partition: Int32) throws -> PartitionTask {
        let now = clock.wallMilliseconds()
        let key = checkpointKey(partition)
        if let checkpoint = try store.load(key) {
            // Offsets mean nothing in another cluster's log, so check before restoring anything.
            if let written = checkpoint.clusterID, let current = clusterID(), written != current {
                throw CheckpointError(
                    code: .otherCluster,
                    key: key,
                    nextOffset: checkpoint.nextOffset,
                    source: store.location(of: key),
                    detail: "it was written against Kafka cluster \(written), and this worker reads from cluster "
                        + "\(current)"
                )
            }
            let engine: any WorkerPartitionEngine
            do {
                engine = try engines.restoreEngine(checkpoint.state)
            } catch {
                let isNewer = (error as? StateDecodingError)?.isNewerFormat ?? false
                if let decoding = error as? StateDecodingError, decoding.isOtherFeatureSet {
                    throw CheckpointError(
                        code: .otherFeatureSet,
                        key: key,
                        nextOffset: checkpoint.nextOffset,
                        source: store.location(of: key),
                        detail: "the engine rejected the state: \(decoding)"
                    )
                }
                throw CheckpointError(
                    code: isNewer ? .newerStateFormat : .invalidHeader,
                    key: key,
                    nextOffset: checkpoint.nextOffset,
                    source: store.location(of: key),
                    detail: isNewer
                        ? "the engine rejected the state: \(error)"
                        : "the engine rejected the state: \(error). The file may be damaged, or the feature set's "
                            + "windows or aggregators changed while its name and version stayed the same: give a "
                            + "changed set a new version, or run the definition the checkpoint was written with"
                )
            }
            // The header and the state were written from the same engine, so they must agree. The
            // checksum cannot catch a file assembled from two checkpoints.
            let stateOffset = engine.nextOffset
            if (stateOffset != nil && stateOffset != checkpoint.nextOffset)
                || engine.maxEventTime != checkpoint.maxEventTime
            {
                let describe = { (time: EventTime?) in time.map { String($0.rawValue) } ?? "none" }
                throw CheckpointError(
                    code: .invalidHeader,
                    key: key,
                    nextOffset: checkpoint.nextOffset,
                    source: store.location(of: key),
                    detail: "the header and the state disagree: next offset \(checkpoint.nextOffset) and max ts "
                        + "\(describe(checkpoint.maxEventTime)) in the header, next offset "
                        + "\(stateOffset.map(String.init) ?? "none") and max ts \(describe(engine.maxEventTime)) "
                        + "in the state"
                )
            }
            let task = PartitionTask(
                partition: partition,
                engine: engine,
                metrics: metrics.partition(partition),
                start: .offset(checkpoint.nextOffset),
                now: now
            )
            // The record before the checkpoint's offset is read again and compared, so that a
            // topic created anew with a log as long as the old one is not taken for it.
            if let lastRecord = checkpoint.lastRecord, checkpoint.nextOffset > 0 {
                task.verification = lastRecord
                task.lastRecord = lastRecord
                task.lastRecordOffset = checkpoint.nextOffset - 1
            }
            logger.info(
                "partition restored from checkpoint",
                metadata: [
                    LogKey.kafkaPartition: .integer(Int64(partition)),
                    LogKey.kafkaOffset: .integer(checkpoint.nextOffset),
                    LogKey.watermark: .string(engine.watermark.map { String($0.rawValue) } ?? "none"),
                ]
            )
            return task
        }

        let start = try startTarget(partition, now: now)
        let task = PartitionTask(
            partition: partition,
            engine: engines.makeEngine(partition),
            metrics: metrics.partition(partition),
            start: start,
            now: now
        )
        logger.info(
            "partition has no checkpoint; starting per --start-from",
            metadata: [
                LogKey.kafkaPartition: .integer(Int64(partition)),
                "start.position": .string("\(start)"),
                "start.from": .string(settings.startFrom.rawValue),
            ]
        )
        return task
    }

    /// Resolves `--start-from`: the log start, the log end, or the offset of
    /// `now − largest window − allowed lateness` (the log start when the broker cannot resolve it).
    private func startTarget(_ partition: Int32, now: Int64) throws -> SeekTarget {
        switch settings.startFrom {
        case .earliest:
            return .beginning
        case .latest:
            return .end
        case .warmup:
            let timestamp = now - engines.largestWindowMilliseconds - engines.allowedLatenessMilliseconds
            if let offset = try consumer.offset(forTimestamp: timestamp, partition: partition), offset >= 0 {
                return .offset(offset)
            }
            logger.warning(
                "the broker cannot resolve the warm-up timestamp to an offset; starting at the log start",
                metadata: [LogKey.kafkaPartition: .integer(Int64(partition)), "timestamp": .integer(timestamp)]
            )
            return .beginning
        }
    }

    func partitionsRevoked(_ partitions: [Int32]) throws {
        metrics.countRebalance("revoke")
        do {
            try checkpoint(partitions, reason: "revocation")
        } catch {
            callbackFailure = callbackFailure ?? error
            throw error
        }
        release(partitions)
        logger.info(
            "partitions revoked after checkpoint",
            metadata: [LogKey.kafkaPartitions: .string(partitions.map(String.init).joined(separator: ","))]
        )
    }

    func partitionsLost(_ partitions: [Int32]) {
        metrics.countRebalance("lost")
        do {
            // The lanes may still hold records of these partitions; their tasks must outlive them.
            try lanes?.drain()
        } catch {
            callbackFailure = callbackFailure ?? error
        }
        release(partitions)
        logger.warning(
            "partitions lost; state dropped without a checkpoint or commit",
            metadata: [LogKey.kafkaPartitions: .string(partitions.map(String.init).joined(separator: ","))]
        )
    }

    private func release(_ partitions: [Int32]) {
        for partition in partitions {
            if let task = tasks.removeValue(forKey: partition) {
                lanes?.unassign(task)
            }
            metrics.removePartition(partition)
        }
        health.revoke(partitions)
    }

    // MARK: - Shutdown

    private func shutdown() throws {
        logger.notice("shutdown requested; checkpointing and leaving the group")
        try checkpoint(assignedPartitions, reason: "shutdown")
        try consumer.close(handler: self)
        if let failure = callbackFailure {
            throw failure
        }
        lanes?.stop()
        logger.notice("worker stopped")
    }
}
