import CMemory

/// Settings of the C allocator, applied once when the process starts.
enum AllocatorSettings {
    /// Allocations of at least this many bytes get their own mapping and go back to the system
    /// when freed: 1 MiB.
    static let mmapThresholdBytes: Int32 = 1 << 20

    /// Fixes glibc's mmap threshold at ``mmapThresholdBytes``.
    ///
    /// By default glibc raises the threshold to the size of a freed mapped block, up to 32 MiB on
    /// 64-bit systems (mallopt(3)). After that, blocks of a few MiB, such as the old storage of a
    /// growing key index or slot array, come from the heap and stay resident once freed. In the
    /// replay benchmark a fixed threshold lowered the peak resident memory from 445 to 426 bytes
    /// per active meme (docs/benchmarks.md). Smaller blocks, such as a tick's sort buffer, stay
    /// in the heap and are reused. On other C libraries this does nothing.
    ///
    /// - Returns: `true` when the C library took the setting.
    @discardableResult
    static func apply() -> Bool {
        memestream_set_mmap_threshold(mmapThresholdBytes) == 1
    }
}
