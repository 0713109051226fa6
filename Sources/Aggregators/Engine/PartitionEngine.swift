import StreamCore

/// The windowed feature engine of one input partition.
///
/// It decodes and validates each record, applies accepted events to per-key state, moves the
/// partition's watermark and processes every tick the watermark closes, handing feature records,
/// tombstones and rejections to an ``EmissionSink``. Its output is a pure function of the
/// partition's record sequence and its starting state.
///
/// Ticks: tick `T` closes when `W ≥ T`, `W = max_ts − out_of_orderness`, and the event that
/// moves the watermark is applied before the ticks it closes. Each key is scheduled at the next
/// tick at which its comparable vector can change: a pane entering or leaving a window, or a
/// waiting event's tick passing. So a jump over many ticks costs work per due key and change
/// point, not per tick and key. Within one tick, keys are processed in ascending `meme_id` byte order.
///
/// Not thread-safe: one thread owns an engine.
public final class PartitionEngine {
    /// Per-key bookkeeping outside the columns.
    struct KeyEntry {
        var memeID: String
        /// The largest `ts` of the key's accepted events since its state was created.
        var maxEventTime: Int64
        /// The comparable vector of the last record emitted in ``ComparableVectorCoding`` form, or
        /// `nil` when none was emitted.
        var lastEmitted: [UInt8]?
        /// The tick the key is queued for, or `Int64.max` when it is not queued.
        var scheduledTick: Int64
    }

    /// The input partition.
    public let partition: Int32
    /// The feature set computed.
    public let featureSet: FeatureSet
    /// The engine settings.
    public let configuration: EngineConfiguration

    let plan: FeaturePlan
    private let decoder: EventDecoder
    var clock: PartitionClock
    var slotsByKey: [String: Int] = [:]
    var entries: [KeyEntry?] = []
    var freeSlots: [Int] = []
    var dueQueue = DueQueue()
    private var recordWriter: RecordWriter
    private var values: [FeatureValue] = []
    private var comparableBytes: [UInt8] = []

    /// The offset after the last record processed, or `nil` before the first.
    public internal(set) var nextOffset: Int64?
    /// Counters since the engine was created or restored.
    public private(set) var statistics = EngineStatistics()

    /// Creates an engine for a partition with no state.
    ///
    /// - Precondition: every window hop of `featureSet` is a multiple of the tick, and the tick,
    ///   out-of-orderness and allowed lateness are non-negative with a positive tick. Check a
    ///   loaded set with ``FeatureSet/validate(tickMilliseconds:)`` first.
    public init(partition: Int32, featureSet: FeatureSet, configuration: EngineConfiguration) {
        precondition(configuration.tickMilliseconds > 0, "tick must be positive, got \(configuration.tickMilliseconds)")
        precondition(configuration.outOfOrdernessMilliseconds >= 0, "out_of_orderness must not be negative")
        precondition(configuration.allowedLatenessMilliseconds >= 0, "allowed_lateness must not be negative")
        do {
            try featureSet.validate(tickMilliseconds: configuration.tickMilliseconds)
        } catch {
            preconditionFailure("\(error)")
        }
        self.partition = partition
        self.featureSet = featureSet
        self.configuration = configuration
        plan = FeaturePlan(featureSet: featureSet, tickMilliseconds: configuration.tickMilliseconds)
        decoder = EventDecoder(
            maxEventBytes: configuration.maxEventBytes,
            maxFutureSkewMilliseconds: configuration.maxFutureSkewMilliseconds
        )
        clock = PartitionClock(configuration: configuration)
        recordWriter = RecordWriter(featureSet: featureSet)
        values = Array(repeating: .null, count: featureSet.features.count)
    }

    /// The largest `ts` of the accepted events, or `nil` before the first.
    public var maxEventTime: EventTime? { clock.maxEventTime }
    /// The watermark, or `nil` before the first accepted event or advance.
    public var watermark: EventTime? { clock.watermark }
    /// The last tick processed, or `nil` before the first.
    public var lastProcessedTick: EventTime? { clock.lastProcessedTick }
    /// The number of keys with state.
    public var keyCount: Int { slotsByKey.count }

    /// Decodes and validates `record` (including `future_timestamp` and `late`), applies the
    /// event, then processes every tick the new watermark closes, emitting into `sink`.
    ///
    /// A rejected record is reported to `sink` and changes nothing but the offset and counters.
    /// - Complexity: O(log k) per event for k keys, plus the work of the ticks it closes.
    public func process(_ record: InputRecord, into sink: inout some EmissionSink) {
        statistics.records += 1
        nextOffset = record.offset + 1
        let event: Event
        switch decoder.decode(record.value, recordTimestamp: record.recordTimestamp) {
        case .rejected(let rejection):
            reject(record, rejection, into: &sink)
            return
        case .accepted(let decoded):
            event = decoded
        }
        if clock.isLate(event.eventTime), let watermark = clock.watermark {
            let detail =
                "ts \(event.eventTime) is more than the allowed lateness of \(configuration.allowedLatenessMilliseconds) ms "
                + "before the watermark \(watermark) of partition \(partition)"
            reject(record, Rejection(reason: .late, detail: detail), into: &sink)
            return
        }
        if let key = record.key, !key.elementsEqual(event.memeID.utf8) {
            statistics.keyMismatches += 1
        }
        apply(event)
        statistics.accepted += 1
        clock.observe(event.eventTime)
        processClosedTicks(into: &sink)
    }

    /// Moves the watermark to `watermark` (never backwards) and processes the ticks it closes.
    /// Used by the live-mode idle rule and at the end of a replay range.
    public func advanceWatermark(to watermark: EventTime, into sink: inout some EmissionSink) {
        clock.advance(to: watermark)
        processClosedTicks(into: &sink)
    }

    private func reject(_ record: InputRecord, _ rejection: Rejection, into sink: inout some EmissionSink) {
        statistics.rejected[rejection.reason, default: 0] += 1
        sink.reject(record, rejection: rejection)
    }

    // MARK: - State updates

    private func slot(for memeID: String, eventTime: Int64) -> Int {
        if let slot = slotsByKey[memeID] { return slot }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = entries.count
            entries.append(nil)
            for column in plan.columns { column.reserveSlots(entries.count) }
        }
        entries[slot] = KeyEntry(memeID: memeID, maxEventTime: eventTime, lastEmitted: nil, scheduledTick: .max)
        slotsByKey[memeID] = slot
        return slot
    }

    private func apply(_ event: Event) {
        let time = event.eventTime.rawValue
        let slot = slot(for: event.memeID, eventTime: time)
        let lastProcessed = clock.lastProcessedTick?.rawValue
        for column in plan.boundColumns { column.add(event, slot: slot, lastProcessedTick: lastProcessed) }
        entries[slot]!.maxEventTime = max(entries[slot]!.maxEventTime, time)
        // The event first counts at the tick after its own time. An event older than the last
        // processed tick changes state that later ticks already see, so the next tick is due.
        var due = TickArithmetic.nextMultiple(after: time, of: configuration.tickMilliseconds)
        if let lastProcessed, due <= lastProcessed { due = lastProcessed + configuration.tickMilliseconds }
        schedule(slot, at: due)
    }

    func schedule(_ slot: Int, at tick: Int64) {
        guard tick < entries[slot]!.scheduledTick else { return }
        entries[slot]!.scheduledTick = tick
        dueQueue.insert(DueQueue.Entry(tick: tick, memeID: entries[slot]!.memeID, slot: slot))
    }

    // MARK: - Ticks

    private func processClosedTicks(into sink: inout some EmissionSink) {
        guard let closed = clock.lastClosedTick?.rawValue else { return }
        if let lastProcessed = clock.lastProcessedTick?.rawValue, closed <= lastProcessed { return }
        // Every visit pops one entry and queues the key only at a later tick, and a key has
        // finitely many change points, so this loop ends.
        while let first = dueQueue.popFirst(dueBy: closed) {
            // A dropped key's slot can hold another key by now, so the key must match too.
            let slot = first.slot
            // Force-unwrapped reads stay in place, where `entries[slot]?` copied the whole entry.
            guard entries[slot] != nil, entries[slot]!.scheduledTick == first.tick,
                entries[slot]!.memeID == first.memeID
            else { continue }
            visit(slot, at: first.tick, into: &sink)
        }
        clock.lastProcessedTick = EventTime(rawValue: closed)
    }

    private func visit(_ slot: Int, at tick: Int64, into sink: inout some EmissionSink) {
        entries[slot]!.scheduledTick = .max
        for column in plan.boundColumns { column.advance(slot: slot, to: tick) }
        let coversEvent = plan.boundWindowColumns.contains { $0.coversEvent(slot: slot, at: tick) }
        if !coversEvent {
            let hasLaterEvents =
                entries[slot]!.maxEventTime >= tick
                || plan.boundWindowColumns.contains { $0.hasWaitingPane(slot: slot, at: tick) }
            if !hasLaterEvents {
                drop(slot, at: tick, into: &sink)
                return
            }
            if entries[slot]!.lastEmitted == nil {
                reschedule(slot, after: tick)
                return
            }
        }
        computeValues(slot, at: tick)
        comparableBytes.removeAll(keepingCapacity: true)
        for index in plan.comparableIndices { ComparableVectorCoding.append(values[index], to: &comparableBytes) }
        if entries[slot]!.lastEmitted != comparableBytes {
            storeLastEmitted(slot)
            let memeID = entries[slot]!.memeID
            recordWriter.writeRecord(
                memeID: memeID,
                tick: tick,
                values: values,
                emittedIndices: plan.emittedIndices
            )
            statistics.featureRecords += 1
            recordWriter.bytes.withUnsafeBytes {
                sink.emit(memeID: memeID, tick: EventTime(rawValue: tick), isTombstone: false, value: $0)
            }
        }
        reschedule(slot, after: tick)
    }

    /// Copies `comparableBytes` into the key's last emitted vector, reusing its storage when the
    /// length is the same.
    private func storeLastEmitted(_ slot: Int) {
        var last: [UInt8]? = nil
        swap(&last, &entries[slot]!.lastEmitted)
        if var bytes = last, bytes.count == comparableBytes.count, !bytes.isEmpty {
            // Moved out of the entry, so the storage is unique and is overwritten in place.
            last = nil
            bytes.withUnsafeMutableBufferPointer { target in
                comparableBytes.withUnsafeBufferPointer { source in
                    target.baseAddress!.update(from: source.baseAddress!, count: source.count)
                }
            }
            entries[slot]!.lastEmitted = bytes
            return
        }
        // A fresh array of exact size, not a share of the scratch buffer: it lives as long as the key.
        entries[slot]!.lastEmitted = comparableBytes.withUnsafeBufferPointer { Array($0) }
    }

    private func computeValues(_ slot: Int, at tick: Int64) {
        for (index, source) in plan.sources.enumerated() {
            switch source {
            case .column(let column, let member):
                values[index] = plan.boundColumns[column].evaluate(member: member, slot: slot, at: tick)
            case .expression(let expression):
                values[index] = expression.evaluate(values, tick: tick).map { .float($0) } ?? .null
            }
        }
    }

    private func reschedule(_ slot: Int, after tick: Int64) {
        var next: Int64?
        for column in plan.boundColumns {
            if let change = column.nextChange(slot: slot, after: tick), change < (next ?? .max) { next = change }
        }
        let maxEventTime = entries[slot]!.maxEventTime
        if maxEventTime >= tick {
            let change = TickArithmetic.nextMultiple(after: maxEventTime, of: configuration.tickMilliseconds)
            if change < (next ?? .max) { next = change }
        }
        if let next { schedule(slot, at: next) }
    }

    private func drop(_ slot: Int, at tick: Int64, into sink: inout some EmissionSink) {
        let entry = entries[slot]!
        if entry.lastEmitted != nil {
            recordWriter.writeTombstone(memeID: entry.memeID, tick: tick)
            statistics.tombstones += 1
            recordWriter.bytes.withUnsafeBytes {
                sink.emit(memeID: entry.memeID, tick: EventTime(rawValue: tick), isTombstone: true, value: $0)
            }
        }
        for column in plan.boundColumns { column.removeSlot(slot) }
        slotsByKey[entry.memeID] = nil
        entries[slot] = nil
        freeSlots.append(slot)
        statistics.keysDropped += 1
    }
}
