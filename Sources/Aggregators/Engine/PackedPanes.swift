/// The packed layout of a window column's panes: a byte string in the column's words of a key's
/// block, newest pane first.
///
/// A pane is a start code and then one varint per state word, each word as the zigzag form of
/// its 64-bit two's-complement value, so small counts and sums take one to three bytes. The first
/// pane's start code is `zigzag(p / hop − base) + 1`, where `base` is a hop index the column
/// fixes when it packs its first pane.
/// Each later pane's code is the number of hops back from the pane before it, which is at least 1.
/// Every start code is therefore at least 1, its first byte is never 0, and a 0 byte where a pane
/// would start, or the end of the words, ends the panes. The bytes after the last pane are 0.
///
/// A count pane takes two bytes, against sixteen for a start word and a state word.
enum PackedPanes {
    /// Returns the maximum length in bytes of a pane of `stateWords` state words: ten per varint.
    static func maximumPaneBytes(stateWords: Int) -> Int { 10 * (1 + stateWords) }

    /// Maps a signed value to an unsigned one with small magnitudes near zero.
    @inline(__always)
    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value &<< 1) ^ (value >> 63))
    }

    /// Returns the signed value that ``zigzag(_:)`` maps to `value`.
    @inline(__always)
    static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ (0 &- Int64(bitPattern: value & 1))
    }

    /// Writes `value` as a varint (seven bits per byte, low bits first, the high bit set on every
    /// byte but the last) at `bytes + offset`, and returns the number of bytes, 1 to 10.
    @inline(__always)
    static func writeVarint(_ value: UInt64, to bytes: UnsafeMutableRawPointer, at offset: Int) -> Int {
        var value = value
        var count = 0
        while value >= 0x80 {
            bytes.storeBytes(of: UInt8(truncatingIfNeeded: value) | 0x80, toByteOffset: offset + count, as: UInt8.self)
            value >>= 7
            count += 1
        }
        bytes.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: offset + count, as: UInt8.self)
        return count + 1
    }

    /// Reads the varint at `offset` and moves `offset` past it. Reads at most ten bytes.
    @inline(__always)
    static func readVarint(_ bytes: UnsafeRawPointer, _ offset: inout Int) -> UInt64 {
        var byte = bytes.load(fromByteOffset: offset, as: UInt8.self)
        offset += 1
        if byte < 0x80 { return UInt64(byte) }
        var value = UInt64(byte & 0x7F)
        var shift: UInt64 = 7
        repeat {
            byte = bytes.load(fromByteOffset: offset, as: UInt8.self)
            offset += 1
            value |= UInt64(byte & 0x7F) &<< shift
            shift += 7
        } while byte >= 0x80 && shift < 70
        return value
    }

    /// Moves `offset` past the varint at `offset`.
    @inline(__always)
    static func skipVarint(_ bytes: UnsafeRawPointer, _ offset: inout Int) {
        while bytes.load(fromByteOffset: offset, as: UInt8.self) >= 0x80 { offset += 1 }
        offset += 1
    }
}

/// Reads the packed panes of one region newest first. A value type over borrowed words: valid
/// while the key's block does not move.
struct PackedPaneCursor {
    let bytes: UnsafeMutableRawPointer
    /// Bytes of the region's words.
    let byteCount: Int
    let hop: Int64
    /// The hop index that start code 1 stands for.
    let base: Int64
    let stateWords: Int
    /// The current pane's first byte.
    private(set) var paneOffset = 0
    /// The current pane's first state byte.
    private(set) var stateOffset = 0
    /// The byte after the current pane, where the next pane or the end is.
    private(set) var endOffset = 0
    /// The current pane's start, in ms.
    private(set) var start: Int64 = 0

    init(words: UnsafeMutablePointer<UInt64>, wordCount: Int, hop: Int64, base: Int64, stateWords: Int) {
        bytes = UnsafeMutableRawPointer(words)
        byteCount = wordCount * 8
        self.hop = hop
        self.base = base
        self.stateWords = stateWords
    }

    /// Moves to the next older pane. Returns `false`, and stays, when there is none.
    /// - Complexity: O(bytes of the pane).
    @inline(__always)
    mutating func next() -> Bool {
        var offset = endOffset
        guard offset < byteCount, bytes.load(fromByteOffset: offset, as: UInt8.self) != 0 else { return false }
        let isFirst = offset == 0
        paneOffset = offset
        let code = PackedPanes.readVarint(bytes, &offset)
        if isFirst {
            start = (PackedPanes.unzigzag(code &- 1) &+ base) &* hop
        } else {
            start = start &- Int64(bitPattern: code) &* hop
        }
        stateOffset = offset
        for _ in 0..<stateWords { PackedPanes.skipVarint(bytes, &offset) }
        endOffset = offset
        return true
    }
}
