import CMemory
import StreamCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
/// State: each key's bytes, last emitted vector and column panes sit in one block of a
/// ``WordArena``; docs/engine.md gives the layout.
///
/// Not thread-safe: one thread owns an engine.
public final class PartitionEngine {
    /// Per-key bookkeeping outside the key's block.
    struct KeySlot {
        /// The key's block: key bytes, last emitted vector, pane counts, then the columns.
        var block: WordArena.Block
        /// Bytes of `meme_id`; 0 marks a free slot.
        var keyLength: UInt8
        /// `true` once a record was emitted for the key: its block then contains the
        /// ``VectorDigest`` of the last emitted comparable vector after the key bytes.
        var hasEmitted: Bool
        /// Words of the block in use.
        var usedWords: UInt32
        /// The low 32 bits of the key's hash in ``PartitionEngine/keyIndex``.
        var hash: UInt32
        /// The largest `ts` of the key's accepted events since its state was created.
        var maxEventTime: Int64
        /// The tick the key is queued for, or `Int64.max` when it is not queued.
        var scheduledTick: Int64
    }

    /// A key due at a tick, with the first 12 bytes of its `meme_id` for ordering: 16 bytes, so
    /// a tick that visits every key needs 16 bytes per key while it sorts them.
    struct DueKey {
        var prefixHigh: UInt64
        var prefixLow: UInt32
        var slot: UInt32
    }

    /// The facts about one column that the per-event and per-visit loops read.
    struct ColumnLayout {
        var bound: BoundColumn
        var fixedWords: Int
        var paneWords: Int
        /// The column's filter in ``FeaturePlan/eventTypes``, or −1 for every type.
        var eventTypeIndex: Int
        /// The column's count in the block header: the word, the bit it starts at and its mask.
        var countWord = 0
        var countShift: UInt64 = 0
        var countMask: UInt64 = 0
        /// The largest count the field can store (or ``narrowCountLimit``).
        var maximumCount = 0
    }

    /// The origin of one feature's value in the per-visit loop.
    enum ValueStep {
        case column(Int, member: Int)
        case program(ExpressionProgram)
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
    let arena = WordArena()
    let keyIndex = KeyIndex()
    var slots: [KeySlot] = []
    var freeSlots: [Int] = []
    var schedule = TickSchedule()
    private let recordWriter: RecordWriter
    /// Scratch: the comparable vector of the key being visited, `comparableCount` bytes.
    private let comparableBytes: UnsafeMutablePointer<UInt8>
    private var comparableCount = 0
    /// Memory for the keys due at a tick (``dueKeys``) and for a compaction's block order.
    var scratch = ScratchBuffer()
    /// The keys due at the tick being processed, in ``scratch``; `dueKeyCount` of them.
    private var dueKeys = UnsafeMutablePointer<DueKey>(bitPattern: MemoryLayout<DueKey>.alignment)!
    private var dueKeyCount = 0
    // The hot loops read these tables through pointers the engine owns, which costs no
    // reference counting per access; `deinit` frees them.
    let layouts: UnsafeMutableBufferPointer<ColumnLayout>
    private let valueSteps: UnsafeMutableBufferPointer<ValueStep>
    private let windowColumns: UnsafeMutableBufferPointer<Int>
    private let comparableIndices: UnsafeMutableBufferPointer<Int>
    /// Scratch: every feature's value at the tick being visited.
    private let values: UnsafeMutableBufferPointer<FeatureValue>
    /// Scratch: each column's word offset and pane count in the block being visited.
    let columnOffsets: UnsafeMutableBufferPointer<Int>
    let columnCounts: UnsafeMutableBufferPointer<Int>
    /// Scratch: each column's next change after the tick its key was advanced to, or
    /// ``unknownNextChange`` when the column did not find it while advancing.
    let columnNextChanges: UnsafeMutableBufferPointer<Int64>
    let columnCount: Int
    /// The width of the counts in the block header (``layCountFields(level:)``): at level 0 a window
    /// column's count has 8 bits and a key column's 2; at levels 1, 2 and 3 every count has 8, 16
    /// and 32 bits. ``widenPaneCounts()`` moves up a level.
    private(set) var countLevel = 0
    /// The highest ``countLevel``.
    static let widestCountLevel = 3
    /// Words of counts in every block.
    private(set) var headerWords = 0
    /// Fixed words of all columns together.
    let fixedWordsTotal: Int

    /// ``compactStateIfFragmented()`` compacts when free arena words exceed the words in use
    /// shifted right by this, and ``compactionMinimumFreeWords``. Tests lower both.
    var compactionFreeShift = 4
    var compactionMinimumFreeWords = 1 << 15
    /// Compactions of the keyed state since the engine was created or restored.
    public internal(set) var compactionCount = 0
    /// Wall time of those compactions together, in ns, for benchmarks.
    public internal(set) var compactionNanoseconds: Int64 = 0
    /// The longest of those compactions, in ns, and the bytes of state it moved.
    public internal(set) var longestCompaction: (nanoseconds: Int64, liveBytes: Int) = (0, 0)

    /// The number of keys below which ``prefetchState(forValue:)`` does nothing. A smaller state
    /// mostly stays in the caches, where a hint costs its peek and hash and saves little. The
    /// default (16,384 keys, about 4 MB of state) is an estimate, not a measured optimum.
    public var lookAheadMinimumKeys = 16_384
    /// ``prefetchState(forValue:)``'s key hash for its next stage, and its slot for the stage after.
    private var lookAheadHash: UInt64?
    private var lookAheadSlot: Int?

    /// The offset after the last record processed, or `nil` before the first.
    public internal(set) var nextOffset: Int64?
    /// Counters since the engine was created or restored.
    public private(set) var statistics = EngineStatistics()

    /// Creates an engine for a partition with no state.
    ///
    /// - Precondition: `configuration` has no ``EngineConfiguration/invalidSetting``, and every
    ///   window hop of `featureSet` is a multiple of the tick. Check a loaded set with
    ///   ``FeatureSet/validate(tickMilliseconds:)`` first.
    public init(partition: Int32, featureSet: FeatureSet, configuration: EngineConfiguration) {
        if let invalidSetting = configuration.invalidSetting {
            preconditionFailure("invalid engine configuration: \(invalidSetting)")
        }
        do {
            try featureSet.validate(tickMilliseconds: configuration.tickMilliseconds)
        } catch {
            preconditionFailure("\(error)")
        }
        self.partition = partition
        self.featureSet = featureSet
        self.configuration = configuration
        plan = FeaturePlan(featureSet: featureSet, tickMilliseconds: configuration.tickMilliseconds)
        for column in plan.columns {
            column.chooseLayout(
                delayMilliseconds: configuration.allowedLatenessMilliseconds + configuration.outOfOrdernessMilliseconds
            )
        }
        decoder = EventDecoder(
            maxEventBytes: configuration.maxEventBytes,
            maxFutureSkewMilliseconds: configuration.maxFutureSkewMilliseconds
        )
        clock = PartitionClock(configuration: configuration)
        recordWriter = RecordWriter(featureSet: featureSet)
        columnCount = plan.columns.count
        fixedWordsTotal = plan.fixedWords.reduce(0, +)
        let plan = plan
        layouts = .allocate(capacity: columnCount)
        _ = layouts.initialize(
            from: plan.columns.indices.map {
                ColumnLayout(
                    bound: plan.boundColumns[$0],
                    fixedWords: plan.fixedWords[$0],
                    paneWords: plan.columns[$0].paneWords,
                    eventTypeIndex: plan.eventTypeIndices[$0]
                )
            }
        )
        valueSteps = .allocate(capacity: plan.sources.count)
        _ = valueSteps.initialize(
            from: plan.sources.map {
                switch $0 {
                case .column(let column, let member): ValueStep.column(column, member: member)
                case .expression(let expression): ValueStep.program(ExpressionProgram(expression))
                }
            }
        )
        windowColumns = .allocate(capacity: plan.windowColumnIndices.count)
        _ = windowColumns.initialize(from: plan.windowColumnIndices)
        comparableIndices = .allocate(capacity: plan.comparableIndices.count)
        _ = comparableIndices.initialize(from: plan.comparableIndices)
        values = .allocate(capacity: Swift.max(1, featureSet.features.count))
        values.initialize(repeating: .null)
        columnOffsets = .allocate(capacity: Swift.max(1, columnCount))
        columnOffsets.initialize(repeating: 0)
        columnCounts = .allocate(capacity: Swift.max(1, columnCount))
        columnCounts.initialize(repeating: 0)
        columnNextChanges = .allocate(capacity: Swift.max(1, columnCount))
        columnNextChanges.initialize(repeating: unknownNextChange)
        comparableBytes = .allocate(
            capacity: Swift.max(1, plan.comparableIndices.count * ComparableVectorCoding.maximumValueBytes)
        )
        headerWords = layCountFields(level: 0)
    }

    deinit {
        scratch.release()
        for step in valueSteps { if case .program(let program) = step { program.deallocate() } }
        layouts.deinitialize().deallocate()
        valueSteps.deinitialize().deallocate()
        windowColumns.deallocate()
        comparableIndices.deallocate()
        values.deallocate()
        columnOffsets.deallocate()
        columnCounts.deallocate()
        columnNextChanges.deallocate()
        comparableBytes.deallocate()
    }

    /// The largest `ts` of the accepted events, or `nil` before the first.
    public var maxEventTime: EventTime? { clock.maxEventTime }
    /// The watermark, or `nil` before the first accepted event or advance.
    public var watermark: EventTime? { clock.watermark }
    /// The last tick processed, or `nil` before the first.
    public var lastProcessedTick: EventTime? { clock.lastProcessedTick }
    /// The number of keys with state.
    public var keyCount: Int { keyIndex.count }
    /// The largest ``keyCount`` since the engine was created or restored (a restored engine
    /// starts at its restored key count).
    public internal(set) var peakKeyCount = 0

    /// Decodes and validates `record` (including `future_timestamp` and `late`), applies the
    /// event, then processes every tick the new watermark closes, emitting into `sink`.
    ///
    /// A rejected record is reported to `sink` and changes nothing but the offset and counters.
    /// - Complexity: O(1) expected per event, plus the work of the ticks it closes.
    /// - Precondition: `record.offset` is below `Int64.max`, because the engine stores the next
    ///   offset. Kafka never assigns that offset.
    public func process(_ record: InputRecord, into sink: inout some EmissionSink) {
        precondition(record.offset < Int64.max, "record offset \(record.offset) has no next offset")
        statistics.records += 1
        nextOffset = record.offset + 1
        let accepted: Bool
        switch decoder.decodeView(record.value, recordTimestamp: record.recordTimestamp) {
        case .rejected(let rejection):
            reject(record, rejection, into: &sink)
            return
        case .view(let view):
            // Built-in aggregators other than distinct_users read only the time fields, so the
            // key and the type filter work on the value's bytes and no string is created.
            let typeIndex = plan.eventTypeIndex(of: view.type)
            let event = plan.readsOnlyTimeFields ? view.timeFieldsEvent : view.makeEvent()
            accepted = accept(record, key: view.memeID, typeIndex: typeIndex, event: event, into: &sink)
        case .accepted(let event):
            var memeID = event.memeID
            let typeIndex = plan.eventTypeIndex(of: event.type)
            accepted = memeID.withUTF8 { key in
                accept(record, key: UnsafeRawBufferPointer(key), typeIndex: typeIndex, event: event, into: &sink)
            }
        }
        if accepted {
            processClosedTicks(into: &sink)
            // Keys also move to larger blocks between ticks, as their events arrive.
            compactStateIfFragmented()
        }
    }

    /// Applies the late rule to a valid event and, when it is not late, applies the event to the
    /// state of `key` (its `meme_id` bytes) and moves the watermark. Returns `false` for a late
    /// event, which is reported to `sink`.
    @inline(__always)
    private func accept(
        _ record: InputRecord,
        key: UnsafeRawBufferPointer,
        typeIndex: Int,
        event: Event,
        into sink: inout some EmissionSink
    ) -> Bool {
        if clock.isLate(event.eventTime), let watermark = clock.watermark {
            let time = event.eventTime.rawValue
            let detail =
                "ts \(time) (\(LogTimestamp.rfc3339(milliseconds: time))) is more than the allowed lateness of "
                + "\(configuration.allowedLatenessMilliseconds) ms before the watermark \(watermark.rawValue) "
                + "(\(LogTimestamp.rfc3339(milliseconds: watermark.rawValue))) of partition \(partition)"
            reject(record, Rejection(reason: .late, detail: detail), into: &sink)
            return false
        }
        if let recordKey = record.key, !Self.bytes(recordKey, equal: key) {
            statistics.keyMismatches += 1
        }
        apply(event, key: key, typeIndex: typeIndex)
        statistics.accepted += 1
        clock.observe(event.eventTime)
        return true
    }

    /// `true` when both byte ranges contain the same bytes.
    @inline(__always)
    private static func bytes(_ bytes: UnsafeRawBufferPointer, equal other: UnsafeRawBufferPointer) -> Bool {
        bytes.count == other.count
            && (bytes.count == 0 || memcmp(bytes.baseAddress!, other.baseAddress!, bytes.count) == 0)
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

    // MARK: - Key blocks

    /// Returns the first word of the key's block, valid until the next block allocation.
    @inline(__always)
    func blockPointer(_ slot: Int) -> UnsafeMutablePointer<UInt64> {
        arena.base + Int(slots[slot].block.offset)
    }

    @inline(__always)
    func keyWords(_ slot: Int) -> Int { (Int(slots[slot].keyLength) + 7) >> 3 }

    @inline(__always)
    func vectorWords(_ slot: Int) -> Int { slots[slot].hasEmitted ? VectorDigest.words : 0 }

    /// Returns the word at which the key's pane counts start.
    @inline(__always)
    func headerStart(_ slot: Int) -> Int { keyWords(slot) + vectorWords(slot) }

    @inline(__always)
    func paneCount(_ slot: Int, header: Int, column: Int) -> Int {
        loadCount(blockPointer(slot) + header, column: column)
    }

    @inline(__always)
    func setPaneCount(_ slot: Int, header: Int, column: Int, to count: Int) {
        storeCount(count, blockPointer(slot) + header, column: column)
    }

    /// Reads the count of `column` from the header words at `header`.
    @inline(__always)
    func loadCount(_ header: UnsafePointer<UInt64>, column: Int) -> Int {
        let layout = layouts[column]
        return Int(truncatingIfNeeded: (header[layout.countWord] >> layout.countShift) & layout.countMask)
    }

    /// Writes `count`, which fits the field, as the count of `column` in the header words at `header`.
    @inline(__always)
    func storeCount(_ count: Int, _ header: UnsafeMutablePointer<UInt64>, column: Int) {
        let layout = layouts[column]
        let field = layout.countMask << layout.countShift
        header[layout.countWord] =
            (header[layout.countWord] & ~field) | (UInt64(truncatingIfNeeded: count) << layout.countShift & field)
    }

    /// A limit below the field's own for counts below the widest level. Tests lower it to reach
    /// ``widenPaneCounts()`` with few events.
    var narrowCountLimit = Int(UInt16.max) {
        didSet { _ = layCountFields(level: countLevel) }
    }

    /// Places every column's count field for width level `level` in ``layouts`` and returns the
    /// header's words. Fields never cross a word. For meme_v1 at level 0, seven 8-bit window
    /// counts and four 2-bit key counts fill one word. A key column counts the ticks whose events
    /// still wait, which the default out-of-orderness keeps at one or two.
    @discardableResult
    func layCountFields(level: Int) -> Int {
        var bit = 0
        for column in 0..<columnCount {
            var bits = 8 << Swift.max(0, level - 1)
            if level == 0 && !plan.columns[column].isWindow { bits = 2 }
            if bit % 64 + bits > 64 { bit = (bit / 64 + 1) * 64 }
            layouts[column].countWord = bit / 64
            layouts[column].countShift = UInt64(bit % 64)
            layouts[column].countMask = (1 << UInt64(bits)) - 1
            layouts[column].maximumCount =
                level == Self.widestCountLevel ? Int(UInt32.max) : min(narrowCountLimit, (1 << bits) - 1)
            bit += bits
        }
        return (bit + 63) / 64
    }

    /// Rewrites every block with the counts of the next width level (``countLevel``), or does
    /// nothing at the widest. The engine calls it when a column of a key is about to exceed its
    /// count's range. Level 0 ends with a fourth tick of waiting events in a key column, which an
    /// out-of-orderness of several ticks causes. Later levels end above 255 and 65,535 units.
    /// - Complexity: O(total state words).
    func widenPaneCounts() {
        guard countLevel < Self.widestCountLevel else { return }
        let oldLayouts = (0..<columnCount).map { layouts[$0] }
        let oldWords = headerWords
        let newWords = layCountFields(level: countLevel + 1)
        var counts = Array(repeating: 0, count: columnCount)
        for slot in slots.indices where slots[slot].keyLength != 0 {
            let header = headerStart(slot)
            let old = blockPointer(slot) + header
            for column in 0..<columnCount {
                let layout = oldLayouts[column]
                counts[column] = Int(
                    truncatingIfNeeded: (old[layout.countWord] >> layout.countShift) & layout.countMask
                )
            }
            if newWords > oldWords { insertWords(slot, at: header + oldWords, count: newWords - oldWords) }
            let target = blockPointer(slot) + header
            target.update(repeating: 0, count: newWords)
            for column in 0..<columnCount { storeCount(counts[column], target, column: column) }
        }
        countLevel += 1
        headerWords = newWords
    }

    /// Returns the key's `meme_id` bytes, valid until the next block allocation.
    @inline(__always)
    func keyBytes(_ slot: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: UnsafeRawPointer(blockPointer(slot)), count: Int(slots[slot].keyLength))
    }

    func memeID(_ slot: Int) -> String { String(decoding: keyBytes(slot), as: UTF8.self) }

    /// Opens `count` words at word `position` of the key's block. May move the block.
    func insertWords(_ slot: Int, at position: Int, count: Int) {
        let used = Int(slots[slot].usedWords)
        let block = slots[slot].block
        if used + count <= WordArena.words(inClass: block.sizeClass) {
            let words = arena.pointer(to: block)
            if used > position { memmove(words + position + count, words + position, (used - position) * 8) }
        } else {
            let grown = arena.allocate(words: used + count)
            let source = arena.pointer(to: block)
            let target = arena.pointer(to: grown)
            if position > 0 { memcpy(target, source, position * 8) }
            if used > position { memcpy(target + position + count, source + position, (used - position) * 8) }
            arena.release(block)
            slots[slot].block = grown
        }
        slots[slot].usedWords = UInt32(used + count)
    }

    /// Removes `count` words at word `position` of the key's block, and moves the key to a smaller
    /// block when its block is two size classes too large.
    func removeWords(_ slot: Int, at position: Int, count: Int) {
        let used = Int(slots[slot].usedWords)
        let block = slots[slot].block
        let words = arena.pointer(to: block)
        let tail = used - position - count
        if tail > 0 { memmove(words + position, words + position + count, tail * 8) }
        let remaining = used - count
        slots[slot].usedWords = UInt32(remaining)
        let capacity = WordArena.words(inClass: block.sizeClass)
        // Move down once the block is two size classes too large, so a key that grows and shrinks by
        // a pane does not move back and forth.
        guard WordArena.sizeClass(holding: remaining) + 2 <= block.sizeClass, capacity > 5 else { return }
        let smaller = arena.allocate(words: remaining)
        memcpy(arena.pointer(to: smaller), arena.pointer(to: block), remaining * 8)
        arena.release(block)
        slots[slot].block = smaller
    }

    func keyEquals(_ slot: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        Int(slots[slot].keyLength) == key.count && memcmp(blockPointer(slot), key.baseAddress!, key.count) == 0
    }

    // MARK: - State updates

    /// Returns the slot of `key`, creating an empty state for a new key.
    func slot(forKey key: UnsafeRawBufferPointer, eventTime: Int64) -> Int {
        let hash = keyIndex.hash(key)
        if let found = keyIndex.find(hash: hash, where: { keyEquals(Int($0), key) }) { return Int(found) }
        precondition(key.count > 0 && key.count <= Int(UInt8.max), "meme_id length \(key.count) is out of range")
        let keyWords = (key.count + 7) >> 3
        let words = keyWords + headerWords + fixedWordsTotal
        let block = arena.allocate(words: words)
        let pointer = arena.pointer(to: block)
        pointer.update(repeating: 0, count: words)
        UnsafeMutableRawPointer(pointer).copyMemory(from: key.baseAddress!, byteCount: key.count)
        var offset = keyWords + headerWords
        for column in 0..<columnCount {
            plan.columns[column].initialize(ColumnRegion(words: pointer + offset, paneCount: 0))
            offset += plan.fixedWords[column]
        }
        let entry = KeySlot(
            block: block,
            keyLength: UInt8(key.count),
            hasEmitted: false,
            usedWords: UInt32(words),
            hash: UInt32(truncatingIfNeeded: hash),
            maxEventTime: eventTime,
            scheduledTick: .max
        )
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = entry
        } else {
            slot = slots.count
            slots.append(entry)
        }
        keyIndex.insert(hash: hash, slot: UInt32(slot))
        if keyIndex.count > peakKeyCount { peakKeyCount = keyIndex.count }
        return slot
    }

    /// Adds `event` to the state of `key`, its `meme_id` bytes. `typeIndex` is the position of
    /// its type in the plan's filters, or −1 for none.
    private func apply(_ event: Event, key: UnsafeRawBufferPointer, typeIndex: Int) {
        let time = event.eventTime.rawValue
        let slot = self.slot(forKey: key, eventTime: time)
        let lastProcessed = clock.lastProcessedTick?.rawValue
        let header = headerStart(slot)
        var offset = header + headerWords
        for column in 0..<columnCount {
            var layout = layouts[column]
            var count = paneCount(slot, header: header, column: column)
            if layout.eventTypeIndex < 0 || layout.eventTypeIndex == typeIndex {
                let room = layout.bound.add(
                    event,
                    to: ColumnRegion(words: blockPointer(slot) + offset, paneCount: count),
                    lastProcessedTick: lastProcessed
                )
                if room.count > 0 {
                    while count + room.count > layout.maximumCount, countLevel < Self.widestCountLevel {
                        // Rare: more units than the header's count can store. The columns move
                        // back by the header's growth.
                        let before = headerWords
                        widenPaneCounts()
                        offset += headerWords - before
                        layout = layouts[column]
                    }
                    insertWords(
                        slot,
                        at: offset + layout.fixedWords + room.first * layout.paneWords,
                        count: room.count * layout.paneWords
                    )
                    count += room.count
                    setPaneCount(slot, header: header, column: column, to: count)
                    layout.bound.writePreparedPane(
                        ColumnRegion(words: blockPointer(slot) + offset, paneCount: count),
                        at: room.first
                    )
                }
            }
            offset += layout.fixedWords + count * layout.paneWords
        }
        slots[slot].maxEventTime = max(slots[slot].maxEventTime, time)
        // The event first counts at the tick after its own time. An event older than the last
        // processed tick changes state that later ticks already see, so the next tick is due.
        var due = TickArithmetic.nextMultiple(after: time, of: configuration.tickMilliseconds)
        if let lastProcessed, due <= lastProcessed { due = lastProcessed + configuration.tickMilliseconds }
        scheduleKey(slot, at: due)
    }

    func scheduleKey(_ slot: Int, at tick: Int64) {
        guard tick < slots[slot].scheduledTick else { return }
        slots[slot].scheduledTick = tick
        schedule.schedule(UInt32(slot), at: tick)
    }

    // MARK: - Look-ahead

    /// Starts loading the state of a record that comes three records later, given its value.
    ///
    /// A look-up in a large state misses the caches three times in a row. So each call starts
    /// loading the key index entry of this value's `meme_id`, the slot entry of the previous
    /// call's key and the block of the key before that, and each load overlaps the processing
    /// of a record. Does nothing below ``lookAheadMinimumKeys``. Output never depends on it.
    /// - Complexity: O(bytes of `value` up to `meme_id`).
    public func prefetchState(forValue value: UnsafeRawBufferPointer) {
        guard keyIndex.count >= lookAheadMinimumKeys else { return }
        if let slot = lookAheadSlot, slot < slots.count, slots[slot].keyLength != 0 {
            memestream_prefetch(blockPointer(slot), min(Int(slots[slot].usedWords) * 8, 256))
        }
        lookAheadSlot = nil
        if let hash = lookAheadHash, let candidate = keyIndex.candidate(hash: hash) {
            let slot = Int(candidate)
            if slot < slots.count {
                slots.withUnsafeBufferPointer { buffer in
                    memestream_prefetch(buffer.baseAddress! + slot, MemoryLayout<KeySlot>.size)
                }
                lookAheadSlot = slot
            }
        }
        lookAheadHash = nil
        if let key = MemeIDPeek.memeID(in: value) {
            let hash = keyIndex.hash(key)
            memestream_prefetch(keyIndex.entryAddress(hash: hash), 8)
            lookAheadHash = hash
        }
    }

    // MARK: - Ticks

    private func processClosedTicks(into sink: inout some EmissionSink) {
        guard let closed = clock.lastClosedTick?.rawValue else { return }
        if let lastProcessed = clock.lastProcessedTick?.rawValue, closed <= lastProcessed { return }
        sink.willProcessClosedTicks()
        // Every visit queues the key only at a later tick, and a key has finitely many change
        // points, so this loop ends.
        while let (tick, due) = schedule.takeFirst(dueBy: closed) {
            dueKeys = scratch.reserve(due.count, of: DueKey.self)
            dueKeyCount = 0
            for (position, entry) in due.enumerated() {
                prefetchForGather(due, position)
                // Entries are never removed early: skip keys dropped or rescheduled since.
                let slot = Int(entry)
                guard slots[slot].keyLength != 0, slots[slot].scheduledTick == tick else { continue }
                let (high, low) = keyPrefix(slot)
                dueKeys[dueKeyCount] = DueKey(prefixHigh: high, prefixLow: low, slot: entry)
                dueKeyCount += 1
            }
            schedule.recycle(due)
            if dueKeyCount > 1 { sortDueKeys(dueKeys, count: dueKeyCount, digit: 0) }
            for index in 0..<dueKeyCount {
                prefetchForVisit(index)
                let slot = Int(dueKeys[index].slot)
                // A key listed twice at this tick is visited once.
                guard slots[slot].keyLength != 0, slots[slot].scheduledTick == tick else { continue }
                visit(slot, at: tick, into: &sink)
            }
        }
        clock.lastProcessedTick = EventTime(rawValue: closed)
        compactStateIfFragmented()
    }

    /// Starts loading what gathering the due keys reads a few entries after `due[position]`: the
    /// slot entry further ahead, and the first line of a nearer key's block, for its `meme_id`.
    @inline(__always)
    private func prefetchForGather(_ due: [UInt32], _ position: Int) {
        let slotAhead = position + 16
        if slotAhead < due.count {
            slots.withUnsafeBufferPointer { buffer in
                memestream_prefetch(buffer.baseAddress! + Int(due[slotAhead]), MemoryLayout<KeySlot>.size)
            }
        }
        let blockAhead = position + 8
        if blockAhead < due.count {
            let slot = Int(due[blockAhead])
            // A dropped key's slot has no block to load.
            if slots[slot].keyLength != 0 { memestream_prefetch(blockPointer(slot), 16) }
        }
    }

    /// Starts loading what the visits a few keys after `dueKeys[index]` read: the slot entry
    /// further ahead, and the block of a nearer key (its first 256 bytes). Visits miss the caches
    /// once the state outgrows them, and the hint lets those loads overlap.
    @inline(__always)
    private func prefetchForVisit(_ index: Int) {
        let slotAhead = index + 8
        if slotAhead < dueKeyCount {
            slots.withUnsafeBufferPointer { buffer in
                memestream_prefetch(buffer.baseAddress! + Int(dueKeys[slotAhead].slot), MemoryLayout<KeySlot>.size)
            }
        }
        let blockAhead = index + 4
        if blockAhead < dueKeyCount {
            let slot = Int(dueKeys[blockAhead].slot)
            memestream_prefetch(blockPointer(slot), min(Int(slots[slot].usedWords) * 8, 256))
        }
    }

    /// Returns the first 12 bytes of the key, big-endian and zero-padded: ordering two prefixes
    /// orders the keys' bytes unless the prefixes are equal.
    func keyPrefix(_ slot: Int) -> (UInt64, UInt32) {
        let length = Int(slots[slot].keyLength)
        let words = blockPointer(slot)
        // Bytes past the key in its last word are zero.
        let high = UInt64(bigEndian: words[0])
        let low = length > 8 ? UInt32(truncatingIfNeeded: UInt64(bigEndian: words[1]) >> 32) : 0
        return (high, low)
    }

    /// `true` when `lhs`'s `meme_id` bytes order before `rhs`'s.
    func precedes(_ lhs: DueKey, _ rhs: DueKey) -> Bool {
        if lhs.prefixHigh != rhs.prefixHigh { return lhs.prefixHigh < rhs.prefixHigh }
        if lhs.prefixLow != rhs.prefixLow { return lhs.prefixLow < rhs.prefixLow }
        return keyPrecedes(Int(lhs.slot), Int(rhs.slot))
    }

    /// Sorts `count` due keys into `meme_id` byte order, in place: a radix sort on the 12 prefix
    /// bytes from byte `digit` on, the most significant first, with insertion sort by
    /// ``precedes(_:_:)`` for runs of 24 or fewer. Longer runs of keys with equal prefixes (ids
    /// that share their first 12 bytes) go to the standard library's sort. A tick can make every
    /// key due, and a sort with a second array would add its size to the peak.
    /// - Complexity: O(n) per prefix byte, then O(r log r) for each run of r equal prefixes.
    func sortDueKeys(_ keys: UnsafeMutablePointer<DueKey>, count: Int, digit: Int) {
        if digit == 12 && count > 24 {
            var run = UnsafeMutableBufferPointer(start: keys, count: count)
            run.sort { self.precedes($0, $1) }
            return
        }
        if count <= 24 || digit == 12 {
            for index in 1..<count {
                let key = keys[index]
                var position = index
                while position > 0, precedes(key, keys[position - 1]) {
                    keys[position] = keys[position - 1]
                    position -= 1
                }
                keys[position] = key
            }
            return
        }
        @inline(__always) func byte(_ key: DueKey) -> Int {
            digit < 8
                ? Int(truncatingIfNeeded: key.prefixHigh >> UInt64(56 - 8 * digit)) & 0xFF
                : Int(truncatingIfNeeded: key.prefixLow >> UInt32(24 - 8 * (digit - 8))) & 0xFF
        }
        let moved = partitionByByte(keys, count: count, byte: byte) {
            sortDueKeys(keys + $0, count: $1, digit: digit + 1)
        }
        // Every key has this byte: go on with the next one.
        if !moved { sortDueKeys(keys, count: count, digit: digit + 1) }
    }

    /// Byte order of two keys' `meme_id`s.
    func keyPrecedes(_ lhs: Int, _ rhs: Int) -> Bool {
        let left = keyBytes(lhs)
        let right = keyBytes(rhs)
        let common = min(left.count, right.count)
        let comparison = memcmp(left.baseAddress!, right.baseAddress!, common)
        return comparison != 0 ? comparison < 0 : left.count < right.count
    }

    /// Advances every column of the key to `tick`, removing panes no longer needed, and fills
    /// `columnOffsets` and `columnCounts`.
    private func advanceColumns(_ slot: Int, to tick: Int64) {
        let header = headerStart(slot)
        var offset = header + headerWords
        for column in 0..<columnCount {
            let layout = layouts[column]
            var count = paneCount(slot, header: header, column: column)
            if count > 0 {
                let region = ColumnRegion(words: blockPointer(slot) + offset, paneCount: count)
                let removed = layout.bound.advance(region, to: tick, nextChange: &columnNextChanges[column])
                if removed.count > 0 {
                    removeWords(
                        slot,
                        at: offset + layout.fixedWords + removed.first * layout.paneWords,
                        count: removed.count * layout.paneWords
                    )
                    count -= removed.count
                    setPaneCount(slot, header: header, column: column, to: count)
                }
            }
            columnOffsets[column] = offset
            columnCounts[column] = count
            offset += layout.fixedWords + count * layout.paneWords
        }
    }

    /// Fills `columnOffsets` and `columnCounts` for the key's current layout.
    func locateColumns(_ slot: Int) {
        let header = headerStart(slot)
        var offset = header + headerWords
        for column in 0..<columnCount {
            let count = paneCount(slot, header: header, column: column)
            columnOffsets[column] = offset
            columnCounts[column] = count
            offset += layouts[column].fixedWords + count * layouts[column].paneWords
        }
    }

    @inline(__always)
    private func region(_ slot: Int, _ column: Int) -> ColumnRegion {
        ColumnRegion(words: blockPointer(slot) + columnOffsets[column], paneCount: columnCounts[column])
    }

    private func visit(_ slot: Int, at tick: Int64, into sink: inout some EmissionSink) {
        slots[slot].scheduledTick = .max
        advanceColumns(slot, to: tick)
        var coversEvent = false
        for column in windowColumns where layouts[column].bound.coversEvent(region(slot, column), at: tick) {
            coversEvent = true
            break
        }
        if !coversEvent {
            var hasLaterEvents = slots[slot].maxEventTime >= tick
            if !hasLaterEvents {
                for column in windowColumns where layouts[column].bound.hasWaitingPane(region(slot, column), at: tick) {
                    hasLaterEvents = true
                    break
                }
            }
            if !hasLaterEvents {
                drop(slot, at: tick, into: &sink)
                return
            }
            if !slots[slot].hasEmitted {
                reschedule(slot, after: tick)
                return
            }
        }
        computeValues(slot, at: tick)
        comparableCount = 0
        for index in comparableIndices {
            comparableCount += ComparableVectorCoding.write(values[index], to: comparableBytes + comparableCount)
        }
        let digest = VectorDigest(bytes: comparableBytes, count: comparableCount)
        if !lastEmittedEquals(slot, digest) {
            // The first digest of a key moves the columns after it.
            if storeLastEmitted(slot, digest) {
                for column in 0..<columnCount { columnOffsets[column] += VectorDigest.words }
            }
            recordWriter.writeRecord(key: keyBytes(slot), tick: tick, values: values.baseAddress!)
            statistics.featureRecords += 1
            sink.emit(
                memeID: memeID(slot),
                tick: EventTime(rawValue: tick),
                isTombstone: false,
                value: recordWriter.bytes
            )
        }
        reschedule(slot, after: tick)
    }

    private func lastEmittedEquals(_ slot: Int, _ digest: VectorDigest) -> Bool {
        guard slots[slot].hasEmitted else { return false }
        let stored = blockPointer(slot) + keyWords(slot)
        return stored[0] == digest.value
    }

    /// Stores `digest` as the key's last emitted vector. Returns `true` when this made room for
    /// it, moving the columns by ``VectorDigest/words``.
    private func storeLastEmitted(_ slot: Int, _ digest: VectorDigest) -> Bool {
        let keyWords = keyWords(slot)
        let inserted = !slots[slot].hasEmitted
        if inserted {
            insertWords(slot, at: keyWords, count: VectorDigest.words)
            slots[slot].hasEmitted = true
        }
        let stored = blockPointer(slot) + keyWords
        stored[0] = digest.value
        return inserted
    }

    private func computeValues(_ slot: Int, at tick: Int64) {
        for index in valueSteps.indices {
            switch valueSteps[index] {
            case .column(let column, let member):
                values[index] = layouts[column].bound.evaluate(member: member, region(slot, column), at: tick)
            case .program(let program):
                values[index] = program.evaluate(values.baseAddress!, tick: tick)
            }
        }
    }

    /// Queues the key at its next change point after `tick`. Reads `columnOffsets`,
    /// `columnCounts` and `columnNextChanges`, which ``advanceColumns(_:to:)`` filled for this key
    /// and `tick`.
    private func reschedule(_ slot: Int, after tick: Int64) {
        var next = Int64.max
        for column in 0..<columnCount where columnCounts[column] > 0 {
            // Packed window columns found their next change while the key was advanced to `tick`.
            var change = columnNextChanges[column]
            if change == unknownNextChange {
                change = layouts[column].bound.nextChange(region(slot, column), after: tick) ?? .max
            }
            if change < next { next = change }
        }
        let maxEventTime = slots[slot].maxEventTime
        if maxEventTime >= tick {
            let change = TickArithmetic.nextMultiple(after: maxEventTime, of: configuration.tickMilliseconds)
            if change < next { next = change }
        }
        if next != .max { scheduleKey(slot, at: next) }
    }

    private func drop(_ slot: Int, at tick: Int64, into sink: inout some EmissionSink) {
        if slots[slot].hasEmitted {
            recordWriter.writeTombstone(key: keyBytes(slot), tick: tick)
            statistics.tombstones += 1
            sink.emit(
                memeID: memeID(slot),
                tick: EventTime(rawValue: tick),
                isTombstone: true,
                value: recordWriter.bytes
            )
        }
        removeKey(slot)
        statistics.keysDropped += 1
    }

    /// Forgets the key in `slot` and frees its block.
    func removeKey(_ slot: Int) {
        locateColumns(slot)
        for column in 0..<columnCount { plan.columns[column].release(region(slot, column)) }
        arena.release(slots[slot].block)
        keyIndex.remove(hash: UInt64(slots[slot].hash), slot: UInt32(slot))
        slots[slot].keyLength = 0
        slots[slot].hasEmitted = false
        slots[slot].scheduledTick = .max
        freeSlots.append(slot)
    }
}
