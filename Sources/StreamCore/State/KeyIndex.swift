#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open-addressing hash index from key bytes to 32-bit slot numbers.
///
/// The index stores no key bytes: each entry contains 32 bits of the key's hash and its slot, and
/// the owner checks whether a slot's key equals given bytes. Linear probing, at most four fifths
/// full, deletion by shifting later entries back (no tombstones). The hash is seeded per index, so
/// crafted keys cannot aim at one probe run; iteration order is never observable.
///
/// Not thread-safe: owned by one partition engine. Look-up, insertion and removal are O(1)
/// expected.
public final class KeyIndex {
    private var table: UnsafeMutablePointer<UInt64>
    private var mask: Int
    /// The number of keys.
    public private(set) var count = 0
    private let seed: UInt64

    private static let empty = UInt64.max

    /// Creates an empty index with room for `capacity` keys before it grows.
    public init(capacity: Int = 1024, seed: UInt64 = UInt64.random(in: .min ... .max)) {
        var size = 16
        while size * 4 < capacity * 5 { size *= 2 }
        mask = size - 1
        table = .allocate(capacity: size)
        table.initialize(repeating: Self.empty, count: size)
        self.seed = seed
    }

    deinit { table.deallocate() }

    /// Bytes of the table, for memory accounting.
    public var tableBytes: Int { (mask + 1) * 8 }

    /// Returns the 64-bit hash of `bytes` under this index's seed.
    @inline(__always)
    public func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var state = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            state = Self.mix(state ^ word)
            index += 8
        }
        if index < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < count {
                tail |= UInt64(bytes[index]) << shift
                shift += 8
                index += 1
            }
            state = Self.mix(state ^ tail)
        }
        // Final avalanche (the 64-bit finalizer of MurmurHash3).
        state ^= state >> 33
        state &*= 0xFF51_AFD7_ED55_8CCD
        state ^= state >> 33
        state &*= 0xC4CE_B9FE_1A85_EC53
        state ^= state >> 33
        return state
    }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: 0x9FB2_1C65_1E98_DF25)
        return product.high ^ product.low
    }

    /// Returns the slot whose key has hash `hash` and for which `matches` is `true`, or `nil`.
    @inline(__always)
    public func find(hash: UInt64, where matches: (UInt32) -> Bool) -> UInt32? {
        let tag = hash & 0xFFFF_FFFF
        var position = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = table[position]
            if entry == Self.empty { return nil }
            if entry >> 32 == tag, matches(UInt32(truncatingIfNeeded: entry)) {
                return UInt32(truncatingIfNeeded: entry)
            }
            position = (position + 1) & mask
        }
    }

    /// Returns the address of the entry where a look-up of `hash` starts, for a prefetch hint. Valid
    /// until the index grows.
    @inline(__always)
    public func entryAddress(hash: UInt64) -> UnsafeRawPointer {
        UnsafeRawPointer(table + (Int(truncatingIfNeeded: hash) & mask))
    }

    /// Returns the slot of the first entry with `hash`'s 32 tag bits, or `nil`, without checking
    /// the key: for hints only. With 32 tag bits a wrong slot is rare.
    @inline(__always)
    public func candidate(hash: UInt64) -> UInt32? {
        let tag = hash & 0xFFFF_FFFF
        var position = Int(truncatingIfNeeded: hash) & mask
        // Bounded by the table size; the table always has an empty entry.
        for _ in 0...mask {
            let entry = table[position]
            if entry == Self.empty { return nil }
            if entry >> 32 == tag { return UInt32(truncatingIfNeeded: entry) }
            position = (position + 1) & mask
        }
        return nil
    }

    /// Adds `slot` under `hash`. The caller makes sure no slot with the same key is present.
    public func insert(hash: UInt64, slot: UInt32) {
        if (count + 1) * 5 > (mask + 1) * 4 { grow() }
        place((hash & 0xFFFF_FFFF) << 32 | UInt64(slot))
        count += 1
    }

    /// Removes `slot`, stored under `hash`. Does nothing when it is absent.
    public func remove(hash: UInt64, slot: UInt32) {
        let target = (hash & 0xFFFF_FFFF) << 32 | UInt64(slot)
        var hole = Int(truncatingIfNeeded: hash) & mask
        while table[hole] != target {
            if table[hole] == Self.empty { return }
            hole = (hole + 1) & mask
        }
        count -= 1
        // Shift back every later entry of the run whose home is at or before the hole.
        var next = (hole + 1) & mask
        while table[next] != Self.empty {
            let home = Int(truncatingIfNeeded: table[next] >> 32) & mask
            let distanceToHole = (hole - home) & mask
            let distanceToNext = (next - home) & mask
            if distanceToHole < distanceToNext {
                table[hole] = table[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        table[hole] = Self.empty
    }

    @inline(__always)
    private func place(_ entry: UInt64) {
        var position = Int(truncatingIfNeeded: entry >> 32) & mask
        while table[position] != Self.empty { position = (position + 1) & mask }
        table[position] = entry
    }

    private func grow() {
        let oldTable = table
        let oldSize = mask + 1
        mask = oldSize * 2 - 1
        table = .allocate(capacity: oldSize * 2)
        table.initialize(repeating: Self.empty, count: oldSize * 2)
        for position in 0..<oldSize where oldTable[position] != Self.empty { place(oldTable[position]) }
        oldTable.deallocate()
    }
}
