import StreamCore

/// Runs one accepted input record through its partition's engine and reports what the worker
/// tracks per record: tick processing latency and key mismatches. The inline path and every
/// engine lane use it, so both do the same work per record.
struct EngineStep {
    let metrics: WorkerMetrics
    let logger: Logger
    let clock: WorkerClock
    /// Receives the wall time in ns of each record that closed ticks; `nil` unless a benchmark
    /// sets it. Called on the thread that ran the engine.
    let tickLatencyObserver: ((UInt64) -> Void)?

    /// Processes `record` with `handle`'s engine into `output`.
    ///
    /// Tick processing latency runs from the moment the engine reports closed ticks (see
    /// ``WorkerOutput/markTicksClosing()``) to the return of the engine call, so only records
    /// that close a tick read the clock, twice.
    ///
    /// - Throws: the first produce error of `output`; records after it are not processed.
    func process(_ record: InputRecord, handle: EngineHandle, output: WorkerOutput) throws {
        let engine = handle.engine
        let tickBefore = engine.lastProcessedTick
        if handle.isIdleAdvancing { handle.isIdleAdvancing = false }
        output.tickStartNanoseconds = 0
        engine.process(record, into: output)
        if let failure = output.failure {
            throw failure
        }
        if engine.lastProcessedTick != tickBefore, output.tickStartNanoseconds != 0 {
            recordTickLatency(since: output.tickStartNanoseconds)
        }
        reportKeyMismatches(handle, record: record)
    }

    private func recordTickLatency(since started: UInt64) {
        let now = clock.monotonicNanoseconds()
        let elapsed = now >= started ? now - started : 0
        metrics.tickProcessingLatency.recordNanoseconds(Int64(elapsed))
        tickLatencyObserver?(elapsed)
    }

    /// Advances an idle partition's watermark per the live-mode idle rule, unless the partition
    /// has accepted no event yet or its watermark is already at or past `watermark`.
    func advanceIdle(_ handle: EngineHandle, to watermark: EventTime, output: WorkerOutput) {
        guard handle.engine.maxEventTime != nil else { return }
        if let current = handle.engine.watermark, current >= watermark { return }
        let tickBefore = handle.engine.lastProcessedTick
        output.tickStartNanoseconds = 0
        handle.engine.advanceWatermark(to: watermark, into: output)
        guard handle.engine.lastProcessedTick != tickBefore else { return }
        if output.tickStartNanoseconds != 0 {
            recordTickLatency(since: output.tickStartNanoseconds)
        }
        let metadata: [String: LogValue] = [
            LogKey.kafkaPartition: .integer(Int64(handle.partition)),
            LogKey.watermark: .integer(watermark.rawValue),
            "tick.previous": .integer(tickBefore?.rawValue ?? -1),
            "state.keys": .integer(Int64(handle.engine.keyCount)),
        ]
        // The first advance of an idle stretch can close hours of windows at once when historical
        // input is read live, so it is logged at info. The later ones follow the wall clock.
        if handle.isIdleAdvancing {
            logger.debug("idle partition advanced its watermark", metadata: metadata)
        } else {
            handle.isIdleAdvancing = true
            logger.info(
                "partition is caught up and idle: its watermark now follows the wall clock minus idle_timeout; "
                    + "set --idle-timeout 0 to keep it for historical input",
                metadata: metadata
            )
        }
    }

    /// Sets the keys-in-state gauge and publishes the engine's watermark to the worker thread,
    /// which sets the watermark lag from it on every poll.
    func publishEngineState(_ handle: EngineHandle) {
        handle.metrics.keysInState.set(Int64(handle.engine.keyCount))
        if let watermark = handle.engine.watermark {
            handle.publishedWatermark.store(watermark.rawValue, ordering: .relaxed)
        }
    }

    private func reportKeyMismatches(_ handle: EngineHandle, record: InputRecord) {
        let total = handle.engine.keyMismatchCount
        guard total > handle.reportedKeyMismatches else { return }
        metrics.keyMismatches.increment(by: Int64(total - handle.reportedKeyMismatches))
        handle.reportedKeyMismatches = total
        var metadata: [String: LogValue] = [
            LogKey.kafkaPartition: .integer(Int64(record.partition)),
            LogKey.kafkaOffset: .integer(record.offset),
        ]
        if let key = record.key {
            metadata[LogKey.kafkaKey] = .string(String(decoding: key.prefix(64), as: UTF8.self))
        }
        // The rate-limiting handler collapses repeats of this constant message.
        logger.warning(
            "record key differs from meme_id; if many do, the producer does not key the input topic by meme_id "
                + "(memestream_key_mismatches_total counts them)",
            metadata: metadata
        )
    }
}
