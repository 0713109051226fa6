import StreamCore

/// The storage of one column's aggregator states in key blocks: inline, or boxed beside the block.
///
/// A state whose type is plain data (no references, alignment at most 8 bytes) is stored in the
/// block's words themselves, so a key's panes sit in one contiguous run of memory. Any other
/// state (a sketch holding arrays, say) lives in a side table and its block word holds the
/// table index; released indices are reused. Callers pass the pointer to the state's first word.
///
/// Not thread-safe: owned by one column of one partition engine.
struct PackedStates<A: Aggregator> {
    let aggregator: A
    /// `true` when states are stored in the block's words.
    let isInline: Bool
    /// Words per state in a block.
    let stateWords: Int
    private var boxes: [A.State] = []
    private var freeBoxes: [Int] = []

    init(aggregator: A) {
        self.aggregator = aggregator
        isInline = _isPOD(A.State.self) && MemoryLayout<A.State>.alignment <= 8
        stateWords = isInline ? Swift.max(1, (MemoryLayout<A.State>.size + 7) / 8) : 1
    }

    /// Loads the state stored at `words`.
    @inline(__always)
    func load(_ words: UnsafeMutablePointer<UInt64>) -> A.State {
        if isInline { return UnsafeRawPointer(words).load(as: A.State.self) }
        return boxes[Int(words.pointee)]
    }

    /// Adds `event` to the state stored at `words`.
    @inline(__always)
    mutating func update(_ words: UnsafeMutablePointer<UInt64>, with event: Event) {
        if isInline {
            var state = UnsafeRawPointer(words).load(as: A.State.self)
            aggregator.update(&state, with: event)
            UnsafeMutableRawPointer(words).storeBytes(of: state, as: A.State.self)
        } else {
            aggregator.update(&boxes[Int(words.pointee)], with: event)
        }
    }

    /// Merges `other` into the state stored at `words`.
    @inline(__always)
    mutating func merge(_ words: UnsafeMutablePointer<UInt64>, with other: A.State) {
        if isInline {
            var state = UnsafeRawPointer(words).load(as: A.State.self)
            aggregator.merge(&state, with: other)
            UnsafeMutableRawPointer(words).storeBytes(of: state, as: A.State.self)
        } else {
            aggregator.merge(&boxes[Int(words.pointee)], with: other)
        }
    }

    /// Stores `state` in words that hold no state yet.
    @inline(__always)
    mutating func initialize(_ words: UnsafeMutablePointer<UInt64>, to state: A.State) {
        if isInline {
            // Clear the padding too, so equal states leave equal words.
            words.update(repeating: 0, count: stateWords)
            UnsafeMutableRawPointer(words).storeBytes(of: state, as: A.State.self)
            return
        }
        if let index = freeBoxes.popLast() {
            boxes[index] = state
            words.pointee = UInt64(index)
        } else {
            words.pointee = UInt64(boxes.count)
            boxes.append(state)
        }
    }

    /// Forgets the state stored at `words`; the words may then be reused.
    @inline(__always)
    mutating func release(_ words: UnsafeMutablePointer<UInt64>) {
        guard !isInline else { return }
        let index = Int(words.pointee)
        boxes[index] = aggregator.emptyState
        freeBoxes.append(index)
    }

    /// Bytes the state at `words` takes outside the block: the boxed state and its heap parts.
    func outOfBlockBytes(_ words: UnsafeMutablePointer<UInt64>) -> Int {
        guard !isInline else { return 0 }
        return MemoryLayout<A.State>.stride + aggregator.memoryBytes(of: load(words))
            - MemoryLayout<A.State>.size
    }
}
