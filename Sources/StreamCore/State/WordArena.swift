#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One contiguous pool of 64-bit words handed out in blocks, for the keyed state of one engine.
///
/// Blocks come in size classes of 8, 9, 10, … 15, 16, 18, 20, … words (eight classes per power
/// of two, so a block wastes under a ninth of its words). A released block goes onto its class's
/// free list, threaded through the blocks' first words, and is handed out again before the pool
/// grows. Blocks are named by word offset, never by pointer: the pool may move when it grows, so
/// ``base`` is valid only until the next ``allocate(words:)``.
///
/// Released blocks of a class no key grows into stay on the free lists. The owner calls
/// ``compact(_:keeping:)`` now and then to move every live block to the front of the pool and
/// return the rest to the system.
///
/// Not thread-safe: owned by one partition engine. Allocation and release are O(1) amortized.
public final class WordArena {
    /// A block of the pool: its first word and its size class.
    public struct Block: Sendable, Hashable {
        /// Offset of the first word from ``WordArena/base``.
        public var offset: UInt32
        /// The size class; ``WordArena/words(inClass:)`` gives its length.
        public var sizeClass: UInt8
    }

    /// The first word of the pool. Changes when the pool grows.
    public private(set) var base: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    private var top = 0
    private var freeHeads: [UInt32]
    /// Words in blocks handed out and not released.
    public private(set) var liveWords = 0

    private static let none = UInt32.max
    /// The largest pool, in words: offsets are 32-bit.
    private static let maximumCapacity = Int(UInt32.max) - 1

    /// Creates an empty pool with room for `initialWords` words before it first grows.
    public init(initialWords: Int = 1 << 12) {
        capacity = Swift.max(64, initialWords)
        base = Self.reallocate(nil, words: capacity)
        freeHeads = Array(repeating: Self.none, count: 256)
    }

    deinit { free(base) }

    /// Returns the length in words of size class `sizeClass`.
    @inline(__always)
    public static func words(inClass sizeClass: UInt8) -> Int {
        let power = 8 << Int(sizeClass >> 3)
        return power + (power >> 3) * Int(sizeClass & 7)
    }

    /// Returns the smallest size class with room for `words` words.
    @inline(__always)
    public static func sizeClass(holding words: Int) -> UInt8 {
        if words <= 8 { return 0 }
        // The power of two at or below `words − 1`, then the class within that octave.
        let octave = (Int.bitWidth - 1 - (words - 1).leadingZeroBitCount) - 3
        var sizeClass = UInt8(8 * octave)
        while Self.words(inClass: sizeClass) < words { sizeClass += 1 }
        return sizeClass
    }

    /// Words in released blocks waiting on the free lists.
    public var freeWords: Int { top - liveWords }

    /// Bytes reserved for the pool (its capacity), for memory accounting.
    public var reservedBytes: Int { capacity * 8 }

    /// Bytes of the pool handed out at least once: live blocks and blocks on free lists. Pages
    /// past this point are reserved but were never written.
    public var touchedBytes: Int { top * 8 }

    /// Hands out a block of at least `words` words. Its content is unspecified.
    /// - Precondition: the pool stays below 2^32 words.
    public func allocate(words: Int) -> Block {
        let sizeClass = Self.sizeClass(holding: Swift.max(1, words))
        let length = Self.words(inClass: sizeClass)
        liveWords += length
        let head = freeHeads[Int(sizeClass)]
        if head != Self.none {
            freeHeads[Int(sizeClass)] = UInt32(truncatingIfNeeded: base[Int(head)])
            return Block(offset: head, sizeClass: sizeClass)
        }
        if top + length > capacity {
            var grown = capacity
            while top + length > grown { grown *= 2 }
            precondition(grown <= Self.maximumCapacity, "keyed state exceeds 2^32 words (32 GiB) in one partition")
            base = Self.reallocate(base, words: grown)
            capacity = grown
        }
        let offset = UInt32(top)
        top += length
        return Block(offset: offset, sizeClass: sizeClass)
    }

    /// Returns `block` to its free list. The caller must not use it afterwards.
    public func release(_ block: Block) {
        liveWords -= Self.words(inClass: block.sizeClass)
        base[Int(block.offset)] = UInt64(freeHeads[Int(block.sizeClass)])
        freeHeads[Int(block.sizeClass)] = block.offset
    }

    /// Moves every live block to the front of the pool, in the order given, each into the
    /// smallest size class with room for the words it keeps. Then empties the free lists and gives
    /// the pages past the last block back to the system. The blocks come through closures, so the
    /// caller needs no array of them: compaction runs when the state is largest.
    ///
    /// - Parameters:
    ///   - count: the number of live blocks.
    ///   - block: the live block at each index in `0..<count`, sorted by offset.
    ///   - keeping: the number of leading words to keep of the block at each index, at most its
    ///     length. Words past them have unspecified content afterwards.
    ///   - moved: called once per index, in order, with the block's new place.
    /// - Precondition: the blocks are every live block and nothing else.
    /// - Complexity: O(live words).
    public func compact(
        count: Int,
        block: (Int) -> Block,
        keeping: (Int) -> Int,
        moved: (Int, Block) -> Void
    ) {
        var compaction = startCompaction()
        for index in 0..<count { moved(index, compaction.move(block(index), keeping: keeping(index))) }
        finish(compaction)
    }

    /// A compaction in progress: ``startCompaction()``, then ``Compaction/move(_:keeping:)`` for
    /// every live block in offset order, then ``finish(_:)``. The arena must not be used in
    /// between. Callers that find their blocks by random access use the steps to load ahead.
    public struct Compaction {
        fileprivate let arena: WordArena
        fileprivate var end = 0
        fileprivate var listedWords = 0

        /// Moves `block` down to the end of the blocks moved so far, into the smallest size
        /// class with room for its first `keeping` words, and returns its new place.
        /// - Precondition: blocks come in offset order and `keeping` is at most the block's length.
        @inline(__always)
        public mutating func move(_ block: Block, keeping keptWords: Int) -> Block {
            let length = WordArena.words(inClass: block.sizeClass)
            precondition(keptWords <= length, "a block keeps more words than it has")
            precondition(end <= Int(block.offset), "blocks must be sorted by offset")
            listedWords += length
            let sizeClass = WordArena.sizeClass(holding: Swift.max(1, keptWords))
            // Blocks only move down, and a block never overlaps one listed after it.
            if end != Int(block.offset), keptWords > 0 {
                memmove(arena.base + end, arena.base + Int(block.offset), keptWords * 8)
            }
            let moved = Block(offset: UInt32(end), sizeClass: sizeClass)
            end += WordArena.words(inClass: sizeClass)
            return moved
        }
    }

    /// Starts a compaction; see ``Compaction``.
    public func startCompaction() -> Compaction { Compaction(arena: self) }

    /// Ends a compaction: empties the free lists and returns the pages past the last block.
    /// - Precondition: every live block was moved.
    public func finish(_ compaction: Compaction) {
        precondition(
            compaction.listedWords == liveWords,
            "compaction needs every live block: \(compaction.listedWords) of \(liveWords) words listed"
        )
        for index in freeHeads.indices { freeHeads[index] = Self.none }
        let oldTop = top
        top = compaction.end
        liveWords = compaction.end
        returnPages(fromWord: compaction.end, toWord: oldTop)
    }

    /// Tells the system the pages wholly inside words `[start, end)` are not needed. Their next
    /// use reads zeros.
    private func returnPages(fromWord start: Int, toWord end: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let first = (Int(bitPattern: base + start) + page - 1) / page * page
        let last = Int(bitPattern: base + end) / page * page
        guard last > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(pointer, last - first, MADV_DONTNEED)
    }

    /// Returns the first word of `block`, valid until the next allocation.
    @inline(__always)
    public func pointer(to block: Block) -> UnsafeMutablePointer<UInt64> { base + Int(block.offset) }

    private static func reallocate(_ pointer: UnsafeMutablePointer<UInt64>?, words: Int) -> UnsafeMutablePointer<UInt64>
    {
        guard let raw = realloc(pointer, words * 8) else {
            fatalError("out of memory: could not reserve \(words * 8) bytes of keyed state")
        }
        return raw.assumingMemoryBound(to: UInt64.self)
    }
}
