import StreamCore

/// Sparse panes of one aggregator for window features that share an event-type filter and hop.
///
/// A pane `[p, p + hop)` contains the events with `ts` in it. Only non-empty panes are stored,
/// inside each key's block. The window of size S at tick T covers the panes with
/// `T_H − S ≤ p < T_H`, `T_H = floor(T / hop) × hop`.
///
/// A column whose states are plain data packs its panes (``PackedPanes``): newest first, as
/// varints, so a count pane takes two bytes. Its region is then measured in words. Other columns
/// use the wide layout: per pane a start word and the state's words, oldest first. Tests switch
/// a packed column to the wide layout to check that both give the same output.
final class WindowColumn<A: Aggregator>: FeatureColumn {
    let eventType: String?
    let hop: Int64
    /// Window sizes of the features sharing the column, in ms.
    private(set) var sizes: [Int64] = []
    private var largestSize: Int64 = 0
    private(set) var states: PackedStates<A>
    private var preparedStart: Int64 = 0
    private var preparedState: A.State
    /// `true` while panes are packed.
    private(set) var isPacked: Bool
    /// Words per unit of the region in the current layout.
    private(set) var paneWords: Int
    private let stateWords: Int
    /// The hop index that packed start code 1 stands for: that of the first pane the column
    /// packed, so that the newest pane's code takes one or two bytes for weeks of event time.
    /// Set once (`hasStartBase`). It is not part of the checkpoint, whose pane starts are 64-bit.
    private var startBase: Int64 = 0
    private var hasStartBase = false
    /// One state in whole words.
    private let scratch: UnsafeMutablePointer<UInt64>
    /// Packed panes that ``add(_:to:lastProcessedTick:)`` or ``units(forWide:count:)`` built,
    /// `preparedByteCount` bytes long.
    private var packedBytes: UnsafeMutableRawPointer
    private var packedCapacity: Int
    private var preparedByteCount = 0
    /// Panes in the wide layout, newest first, when packed panes are rewritten.
    private var widePanes: UnsafeMutablePointer<UInt64>
    private var wideCapacity: Int
    /// Per window size, the oldest pane start found by ``nextChange(_:after:)``.
    private var leavingStarts: UnsafeMutablePointer<Int64>
    /// State offsets of the panes ``evaluate(member:_:at:)`` merges, newest first.
    private var mergeOffsets: UnsafeMutablePointer<Int>
    private var mergeCapacity: Int

    /// `true` when merging panes in any order gives the same state, so packed panes can be
    /// merged newest first. Other aggregators (a decayed sum's floating point) are merged oldest
    /// first, as the wide layout does.
    private static var mergesInAnyOrder: Bool {
        A.self == CountAggregator.self || A.self == SumAggregator.self || A.self == MeanAggregator.self
            || A.self == ExtremumAggregator.self
    }

    init(aggregator: A, eventType: String?, hop: Int64) {
        self.eventType = eventType
        self.hop = hop
        states = PackedStates(aggregator: aggregator)
        preparedState = aggregator.emptyState
        stateWords = states.stateWords
        isPacked = states.isInline
        paneWords = states.isInline ? 1 : 1 + states.stateWords
        scratch = .allocate(capacity: Swift.max(1, states.stateWords))
        packedCapacity = 256
        packedBytes = .allocate(byteCount: packedCapacity, alignment: 8)
        wideCapacity = 64
        widePanes = .allocate(capacity: wideCapacity)
        leavingStarts = .allocate(capacity: 1)
        mergeCapacity = 64
        mergeOffsets = .allocate(capacity: mergeCapacity)
    }

    deinit {
        scratch.deallocate()
        packedBytes.deallocate()
        widePanes.deallocate()
        leavingStarts.deallocate()
        mergeOffsets.deallocate()
    }

    var aggregator: A { states.aggregator }

    /// Adds a window size and returns its member index.
    func addSize(_ size: Int64) -> Int {
        if let index = sizes.firstIndex(of: size) { return index }
        sizes.append(size)
        largestSize = Swift.max(largestSize, size)
        leavingStarts.deallocate()
        leavingStarts = .allocate(capacity: sizes.count)
        return sizes.count - 1
    }

    var isWindow: Bool { true }
    var fixedWords: Int { 0 }
    var canBePacked: Bool { states.isInline }

    func setPacked(_ packed: Bool) {
        precondition(!packed || canBePacked, "a column with boxed states has no packed layout")
        isPacked = packed
        paneWords = packed ? 1 : 1 + stateWords
    }

    /// The maximum number of panes a key is expected to have for the column to pack them. Adding
    /// a pane out of order rewrites the key's panes, and a visit reads them all, so both cost
    /// O(panes) where the wide layout costs O(log panes). A meme_v1 column has at most about 90.
    static var maximumPackedPanes: Int64 { 256 }

    func chooseLayout(delayMilliseconds: Int64) {
        guard canBePacked else { return }
        // The panes a key has: the largest window, the panes that events may still arrive for, and
        // the pane being filled.
        let panes = (largestSize + delayMilliseconds) / hop + 2
        setPacked(panes <= Self.maximumPackedPanes)
    }

    func initialize(_ region: ColumnRegion) {}

    // MARK: - Wide panes

    @inline(__always)
    private func wideStart(_ region: ColumnRegion, _ index: Int) -> Int64 {
        Int64(bitPattern: region.words[index * paneWords])
    }

    @inline(__always)
    private func wideState(_ region: ColumnRegion, _ index: Int) -> A.State {
        states.load(region.words + index * paneWords + 1)
    }

    /// Returns the index of the first wide pane whose start is greater than `start`, by binary search.
    @inline(__always)
    private func firstPane(startingAfter start: Int64, in region: ColumnRegion) -> Int {
        var low = 0
        var high = region.paneCount
        while low < high {
            let middle = (low + high) / 2
            if wideStart(region, middle) <= start {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    // MARK: - Packed panes

    @inline(__always)
    private func cursor(_ region: ColumnRegion) -> PackedPaneCursor {
        PackedPaneCursor(
            words: region.words,
            wordCount: region.paneCount,
            hop: hop,
            base: startBase,
            stateWords: stateWords
        )
    }

    /// Returns the state whose varints start at `offset`.
    @inline(__always)
    private func packedState(_ bytes: UnsafeRawPointer, at offset: Int) -> A.State {
        var offset = offset
        if MemoryLayout<A.State>.size <= 8 {
            // One state word (a count, a minimum): no detour through the scratch words. The
            // condition is a constant in each specialization.
            var word = UInt64(bitPattern: PackedPanes.unzigzag(PackedPanes.readVarint(bytes, &offset)))
            return withUnsafeBytes(of: &word) { $0.load(as: A.State.self) }
        }
        for word in 0..<stateWords {
            scratch[word] = UInt64(bitPattern: PackedPanes.unzigzag(PackedPanes.readVarint(bytes, &offset)))
        }
        return UnsafeRawPointer(scratch).load(as: A.State.self)
    }

    /// Writes the varints of `state` at `bytes + offset` and returns their length.
    @inline(__always)
    private func writeState(_ state: A.State, to bytes: UnsafeMutableRawPointer, at offset: Int) -> Int {
        if MemoryLayout<A.State>.size <= 8 {
            var word: UInt64 = 0
            withUnsafeMutableBytes(of: &word) { $0.storeBytes(of: state, as: A.State.self) }
            return PackedPanes.writeVarint(PackedPanes.zigzag(Int64(bitPattern: word)), to: bytes, at: offset)
        }
        scratch.update(repeating: 0, count: stateWords)
        UnsafeMutableRawPointer(scratch).storeBytes(of: state, as: A.State.self)
        var length = 0
        for word in 0..<stateWords {
            length += PackedPanes.writeVarint(
                PackedPanes.zigzag(Int64(bitPattern: scratch[word])),
                to: bytes,
                at: offset + length
            )
        }
        return length
    }

    private func reservePackedBytes(_ count: Int) {
        guard count > packedCapacity else { return }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 2 * packedCapacity), alignment: 8)
        grown.copyMemory(from: packedBytes, byteCount: packedCapacity)
        packedBytes.deallocate()
        packedBytes = grown
        packedCapacity = Swift.max(count, 2 * packedCapacity)
    }

    private func reserveWideWords(_ count: Int) {
        guard count > wideCapacity else { return }
        let capacity = Swift.max(count, 2 * wideCapacity)
        let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        grown.update(from: widePanes, count: wideCapacity)
        widePanes.deallocate()
        widePanes = grown
        wideCapacity = capacity
    }

    /// Decodes the region's packed panes into ``widePanes``, newest first, and returns their count.
    /// - Complexity: O(bytes of the region).
    private func unpack(_ region: ColumnRegion) -> Int {
        let stride = 1 + stateWords
        // Every varint takes at least one byte, so the words bound the pane count.
        reserveWideWords((region.paneCount * 8 / stride + 1) * stride)
        var cursor = cursor(region)
        var count = 0
        while cursor.next() {
            let pane = widePanes + count * stride
            pane[0] = UInt64(bitPattern: cursor.start)
            var offset = cursor.stateOffset
            for word in 0..<stateWords {
                pane[1 + word] = UInt64(bitPattern: PackedPanes.unzigzag(PackedPanes.readVarint(cursor.bytes, &offset)))
            }
            count += 1
        }
        return count
    }

    /// Packs `count` wide panes from `source` into ``packedBytes``, newest first, and returns
    /// the length in bytes. `source` contains them newest first, or oldest first when `ascending`.
    private func pack(_ source: UnsafePointer<UInt64>, count: Int, ascending: Bool) -> Int {
        let stride = 1 + stateWords
        reservePackedBytes(count * PackedPanes.maximumPaneBytes(stateWords: stateWords))
        if !hasStartBase, count > 0 {
            startBase = Int64(bitPattern: source[0]) / hop
            hasStartBase = true
        }
        var length = 0
        var previous: Int64 = 0
        for position in 0..<count {
            let pane = source + (ascending ? count - 1 - position : position) * stride
            let start = Int64(bitPattern: pane[0])
            let code =
                position == 0 ? PackedPanes.zigzag(start / hop - startBase) + 1 : UInt64((previous - start) / hop)
            length += PackedPanes.writeVarint(code, to: packedBytes, at: length)
            for word in 0..<stateWords {
                length += PackedPanes.writeVarint(
                    PackedPanes.zigzag(Int64(bitPattern: pane[1 + word])),
                    to: packedBytes,
                    at: length
                )
            }
            previous = start
        }
        return length
    }

    /// Copies the first `length` bytes of ``packedBytes`` into the region and zeroes the rest of
    /// its words.
    private func writePacked(_ length: Int, to region: ColumnRegion) {
        let target = UnsafeMutableRawPointer(region.words)
        target.copyMemory(from: packedBytes, byteCount: length)
        (target + length).initializeMemory(as: UInt8.self, repeating: 0, count: region.paneCount * 8 - length)
    }

    /// Stores the `length` bytes in ``packedBytes`` as the region's panes when its words hold
    /// them, or returns the words the engine must add at the region's end first.
    private func commitPacked(_ length: Int, to region: ColumnRegion) -> PaneUnits {
        let words = (length + 7) / 8
        if words <= region.paneCount {
            writePacked(length, to: region)
            return .none
        }
        preparedByteCount = length
        return PaneUnits(first: region.paneCount, count: words - region.paneCount)
    }

    /// Adds the event to packed panes. An event in the newest pane whose state keeps its length
    /// is written in place, and an event after the newest pane puts a new pane in front of the
    /// others' bytes. Anything else rewrites the panes.
    @inline(__always)
    private func addPacked(_ event: Event, start: Int64, region: ColumnRegion) -> PaneUnits {
        var cursor = cursor(region)
        guard cursor.next() else { return rewritePacked(adding: event, start: start, region: region) }
        if cursor.start == start {
            var state = packedState(cursor.bytes, at: cursor.stateOffset)
            aggregator.update(&state, with: event)
            reservePackedBytes(PackedPanes.maximumPaneBytes(stateWords: stateWords))
            let length = writeState(state, to: packedBytes, at: 0)
            if length == cursor.endOffset - cursor.stateOffset {
                (cursor.bytes + cursor.stateOffset).copyMemory(from: packedBytes, byteCount: length)
                return .none
            }
        } else if start > cursor.start {
            return prependPacked(event, start: start, before: cursor, region: region)
        }
        return rewritePacked(adding: event, start: start, region: region)
    }

    /// Puts a new newest pane at `start` in front of the panes, whose first pane `first` (a
    /// cursor on it) starts before `start`. Only the old first pane's start code changes, from
    /// absolute to hops back, so the other panes' bytes are copied as they are: O(bytes), with no
    /// decoding, where a rewrite decodes and encodes every pane.
    private func prependPacked(
        _ event: Event,
        start: Int64,
        before first: PackedPaneCursor,
        region: ColumnRegion
    ) -> PaneUnits {
        var state = aggregator.emptyState
        aggregator.update(&state, with: event)
        // An aggregator that ignores the event (a mean without the field) leaves no pane behind.
        guard !aggregator.isEmpty(state) else { return .none }
        var end = first
        while end.next() {}
        let length = end.endOffset
        let tail = length - first.stateOffset
        reservePackedBytes(PackedPanes.maximumPaneBytes(stateWords: stateWords) + 10 + tail)
        var prefix = PackedPanes.writeVarint(PackedPanes.zigzag(start / hop - startBase) + 1, to: packedBytes, at: 0)
        prefix += writeState(state, to: packedBytes, at: prefix)
        prefix += PackedPanes.writeVarint(UInt64((start - first.start) / hop), to: packedBytes, at: prefix)
        (packedBytes + prefix).copyMemory(from: first.bytes + first.stateOffset, byteCount: tail)
        return commitPacked(prefix + tail, to: region)
    }

    /// Decodes every pane, adds the event to its pane (creating it when the aggregator takes the
    /// event), and packs the panes again. O(bytes of the region).
    private func rewritePacked(adding event: Event, start: Int64, region: ColumnRegion) -> PaneUnits {
        let stride = 1 + stateWords
        var count = unpack(region)
        var index = 0
        while index < count, Int64(bitPattern: widePanes[index * stride]) > start { index += 1 }
        let state = widePanes + index * stride + 1
        if index < count, Int64(bitPattern: widePanes[index * stride]) == start {
            var updated = UnsafeRawPointer(state).load(as: A.State.self)
            aggregator.update(&updated, with: event)
            state.update(repeating: 0, count: stateWords)
            UnsafeMutableRawPointer(state).storeBytes(of: updated, as: A.State.self)
        } else {
            var created = aggregator.emptyState
            aggregator.update(&created, with: event)
            // An aggregator that ignores the event (a mean without the field) leaves no pane behind.
            guard !aggregator.isEmpty(created) else { return .none }
            reserveWideWords((count + 1) * stride)
            let pane = widePanes + index * stride
            if index < count { (pane + stride).update(from: pane, count: (count - index) * stride) }
            pane[0] = UInt64(bitPattern: start)
            (pane + 1).update(repeating: 0, count: stateWords)
            UnsafeMutableRawPointer(pane + 1).storeBytes(of: created, as: A.State.self)
            count += 1
        }
        return commitPacked(pack(widePanes, count: count, ascending: false), to: region)
    }

    // MARK: - Events and ticks

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func add(_ event: Event, to region: ColumnRegion, lastProcessedTick: Int64?) -> PaneUnits {
        let start = TickArithmetic.floor(event.eventTime.rawValue, to: hop)
        if isPacked { return addPacked(event, start: start, region: region) }
        let room = addToPane(
            event,
            start: start,
            region: region,
            fixedWords: 0,
            states: &states,
            prepared: &preparedState
        )
        if room.count > 0 { preparedStart = start }
        return room
    }

    func writePreparedPane(_ region: ColumnRegion, at index: Int) {
        if isPacked {
            writePacked(preparedByteCount, to: region)
            return
        }
        let paneWords = paneWords
        region.words[index * paneWords] = UInt64(bitPattern: preparedStart)
        states.initialize(region.paneState(index, fixedWords: 0, paneWords: paneWords), to: preparedState)
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func advance(_ region: ColumnRegion, to tick: Int64, nextChange: inout Int64) -> PaneUnits {
        let oldestCovered = TickArithmetic.floor(tick, to: hop) - largestSize
        if isPacked {
            // The oldest panes are last: cut the bytes from the first pane no window covers.
            // ``nextChange(_:after:)`` reads only starts above tick − hop − the largest size. Starts
            // and sizes are multiples of the hop, so those panes are all kept, and the next change
            // is computed in this pass.
            var entering = Int64.max
            for member in sizes.indices { leavingStarts[member] = .max }
            var cursor = cursor(region)
            var kept = 0
            while cursor.next() {
                let start = cursor.start
                if start < oldestCovered {
                    let end = region.paneCount * 8
                    (cursor.bytes + cursor.paneOffset).initializeMemory(
                        as: UInt8.self,
                        repeating: 0,
                        count: end - cursor.paneOffset
                    )
                    break
                }
                kept = cursor.endOffset
                noteChanges(ofPaneAt: start, after: tick, entering: &entering)
            }
            nextChange = earliestChange(entering: entering)
            let keptWords = (kept + 7) / 8
            return keptWords < region.paneCount
                ? PaneUnits(first: keptWords, count: region.paneCount - keptWords) : .none
        }
        nextChange = unknownNextChange
        var count = 0
        while count < region.paneCount, wideStart(region, count) < oldestCovered {
            if !states.isInline { states.release(region.paneState(count, fixedWords: 0, paneWords: paneWords)) }
            count += 1
        }
        return PaneUnits(first: 0, count: count)
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func coversEvent(_ region: ColumnRegion, at tick: Int64) -> Bool {
        let windowEnd = TickArithmetic.floor(tick, to: hop)
        if isPacked {
            var cursor = cursor(region)
            while cursor.next() {
                if cursor.start >= windowEnd { continue }
                if cursor.start < windowEnd - largestSize { return false }
                if !aggregator.isEmpty(packedState(cursor.bytes, at: cursor.stateOffset)) { return true }
            }
            return false
        }
        var index = firstPane(startingAfter: windowEnd - largestSize - 1, in: region)
        while index < region.paneCount {
            if wideStart(region, index) >= windowEnd { break }
            if !aggregator.isEmpty(wideState(region, index)) {
                return true
            }
            index += 1
        }
        return false
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func hasWaitingPane(_ region: ColumnRegion, at tick: Int64) -> Bool {
        let windowEnd = TickArithmetic.floor(tick, to: hop)
        if isPacked {
            var cursor = cursor(region)
            while cursor.next() {
                if cursor.start < windowEnd { return false }
                if !aggregator.isEmpty(packedState(cursor.bytes, at: cursor.stateOffset)) { return true }
            }
            return false
        }
        var index = region.paneCount
        while index > 0 {
            index -= 1
            if wideStart(region, index) < windowEnd { return false }
            if !aggregator.isEmpty(wideState(region, index)) {
                return true
            }
        }
        return false
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func nextChange(_ region: ColumnRegion, after tick: Int64) -> Int64? {
        // A pane enters every window at p + hop and leaves the window of size S at p + S + hop.
        // Both grow with p, so the earliest change of each kind after `tick` comes from the oldest
        // pane that has it after `tick`.
        var earliest = Int64.max
        if isPacked {
            // Newest first: the last pane seen above each bound is the oldest one above it.
            var entering = Int64.max
            for member in sizes.indices { leavingStarts[member] = .max }
            var cursor = cursor(region)
            while cursor.next() {
                let start = cursor.start
                if start <= tick - hop - largestSize { break }
                noteChanges(ofPaneAt: start, after: tick, entering: &entering)
            }
            let found = earliestChange(entering: entering)
            return found == .max ? nil : found
        }
        let entering = firstPane(startingAfter: tick - hop, in: region)
        if entering < region.paneCount {
            earliest = wideStart(region, entering) + hop
        }
        for size in sizes {
            let leaving = firstPane(startingAfter: tick - hop - size, in: region)
            if leaving < region.paneCount {
                earliest = Swift.min(
                    earliest,
                    wideStart(region, leaving) + size + hop
                )
            }
        }
        return earliest == .max ? nil : earliest
    }

    @_specialize(where A == CountAggregator)
    @_specialize(where A == SumAggregator)
    @_specialize(where A == MeanAggregator)
    @_specialize(where A == ExtremumAggregator)
    @_specialize(where A == DecayedSumAggregator)
    func evaluate(member: Int, _ region: ColumnRegion, at tick: Int64) -> FeatureValue {
        let windowEnd = TickArithmetic.floor(tick, to: hop)
        let windowStart = windowEnd - sizes[member]
        var state = aggregator.emptyState
        if isPacked {
            var cursor = cursor(region)
            if Self.mergesInAnyOrder {
                while cursor.next() {
                    if cursor.start >= windowEnd { continue }
                    if cursor.start < windowStart { break }
                    aggregator.merge(&state, with: packedState(cursor.bytes, at: cursor.stateOffset))
                }
                return aggregator.evaluate(state, at: tick)
            }
            // Merge oldest first, as the wide layout does.
            var count = 0
            while cursor.next() {
                if cursor.start >= windowEnd { continue }
                if cursor.start < windowStart { break }
                if count == mergeCapacity { growMergeOffsets() }
                mergeOffsets[count] = cursor.stateOffset
                count += 1
            }
            while count > 0 {
                count -= 1
                aggregator.merge(&state, with: packedState(cursor.bytes, at: mergeOffsets[count]))
            }
            return aggregator.evaluate(state, at: tick)
        }
        // Panes older than this member's window sit in front when a longer window shares the
        // column; skip them by binary search.
        var index = region.paneCount > 4 ? firstPane(startingAfter: windowStart - 1, in: region) : 0
        while index < region.paneCount {
            let start = wideStart(region, index)
            if start >= windowEnd { break }
            if start >= windowStart {
                aggregator.merge(&state, with: wideState(region, index))
            }
            index += 1
        }
        return aggregator.evaluate(state, at: tick)
    }

    /// Records the pane starting at `start`, read newest first, as the oldest so far that enters
    /// the windows after `tick` (in `entering`) or leaves a window after it (in ``leavingStarts``).
    @inline(__always)
    private func noteChanges(ofPaneAt start: Int64, after tick: Int64, entering: inout Int64) {
        if start > tick - hop { entering = start }
        for member in sizes.indices where start > tick - hop - sizes[member] {
            leavingStarts[member] = start
        }
    }

    /// Returns the first change after the tick that `entering` and ``leavingStarts`` were found
    /// for: the oldest pane that enters after it enters at its start + hop, and the oldest pane
    /// that leaves the window of size S after it leaves at its start + S + hop. `Int64.max` when
    /// no pane changes anything.
    @inline(__always)
    private func earliestChange(entering: Int64) -> Int64 {
        var earliest = Int64.max
        if entering != .max { earliest = entering + hop }
        for member in sizes.indices where leavingStarts[member] != .max {
            earliest = Swift.min(earliest, leavingStarts[member] + sizes[member] + hop)
        }
        return earliest
    }

    private func growMergeOffsets() {
        let grown = UnsafeMutablePointer<Int>.allocate(capacity: 2 * mergeCapacity)
        grown.update(from: mergeOffsets, count: mergeCapacity)
        mergeOffsets.deallocate()
        mergeOffsets = grown
        mergeCapacity *= 2
    }

    // MARK: - Release, checkpoints and re-laying

    func release(_ region: ColumnRegion) {
        guard !states.isInline else { return }
        for index in 0..<region.paneCount {
            states.release(region.paneState(index, fixedWords: 0, paneWords: paneWords))
        }
    }

    func encode(_ region: ColumnRegion, into writer: inout StateWriter) {
        guard isPacked else {
            encodePanes(region, fixedWords: 0, states: states, into: &writer)
            return
        }
        // The same format as wide panes: a u32 count, then per pane, oldest first, its start and state.
        let count = unpack(region)
        let stride = 1 + stateWords
        writer.writeUInt32(UInt32(count))
        for position in (0..<count).reversed() {
            let pane = widePanes + position * stride
            writer.writeInt64(Int64(bitPattern: pane[0]))
            aggregator.encode(UnsafeRawPointer(pane + 1).load(as: A.State.self), into: &writer)
        }
    }

    func decode(from reader: inout StateReader, appendingTo words: inout [UInt64]) throws(StateDecodingError) -> Int {
        guard isPacked else { return try decodePanes(states: &states, from: &reader, appendingTo: &words) }
        var wide: [UInt64] = []
        let count = try decodePanes(states: &states, from: &reader, appendingTo: &wide)
        guard count > 0 else { return 0 }
        let length = wide.withUnsafeBufferPointer { pack($0.baseAddress!, count: count, ascending: true) }
        let first = words.count
        let added = (length + 7) / 8
        words.append(contentsOf: repeatElement(0, count: added))
        words.withUnsafeMutableBufferPointer { buffer in
            UnsafeMutableRawPointer(buffer.baseAddress! + first).copyMemory(from: packedBytes, byteCount: length)
        }
        return added
    }

    func outOfBlockBytes(_ region: ColumnRegion) -> Int {
        guard !states.isInline else { return 0 }
        return (0..<region.paneCount).reduce(0) {
            $0 + states.outOfBlockBytes(region.paneState($1, fixedWords: 0, paneWords: paneWords))
        }
    }

    func appendPanesWide(_ region: ColumnRegion, to target: inout [UInt64]) -> Int {
        let stride = 1 + stateWords
        guard isPacked else {
            target.append(contentsOf: UnsafeBufferPointer(start: region.words, count: region.paneCount * stride))
            return region.paneCount
        }
        let count = unpack(region)
        for position in (0..<count).reversed() {
            target.append(contentsOf: UnsafeBufferPointer(start: widePanes + position * stride, count: stride))
        }
        return count
    }

    func units(forWide source: UnsafePointer<UInt64>, count: Int) -> Int {
        guard isPacked else { return count }
        preparedByteCount = pack(source, count: count, ascending: true)
        return (preparedByteCount + 7) / 8
    }

    func writePanes(fromWide source: UnsafePointer<UInt64>, count: Int, to region: ColumnRegion) {
        guard isPacked else {
            region.words.update(from: source, count: count * (1 + stateWords))
            return
        }
        writePacked(pack(source, count: count, ascending: true), to: region)
    }
}
