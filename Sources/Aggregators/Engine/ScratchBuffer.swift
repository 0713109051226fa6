#if canImport(Glibc)
import Glibc
#endif

/// Raw memory an engine reuses for its largest short-lived arrays: the keys due at a tick while
/// they are sorted and visited, and the block order during a compaction. The two never overlap in
/// time, and each can take as many entries as there are keys, so sharing one buffer keeps the
/// second off the peak resident set. It grows with `realloc` and never shrinks. Above glibc's mmap
/// threshold, `strace` shows that growth as an `mremap`, which moves pages instead of copying.
///
/// Not thread-safe: owned by one partition engine, which calls ``release()`` in its `deinit`.
struct ScratchBuffer {
    private var bytes: UnsafeMutableRawPointer?
    /// Bytes reserved.
    private(set) var capacity = 0

    /// Makes room for `count` values of `T` and returns the memory bound to `T`. The content is
    /// unspecified. Valid until the next call.
    mutating func reserve<T>(_ count: Int, of type: T.Type) -> UnsafeMutablePointer<T> {
        let needed = Swift.max(1, count) * MemoryLayout<T>.stride
        if needed > capacity {
            let grown = Swift.max(needed, capacity * 2, 4096)
            guard let moved = realloc(bytes, grown) else {
                fatalError("out of memory: could not reserve \(grown) bytes for the engine's scratch buffer")
            }
            bytes = moved
            capacity = grown
        }
        return bytes!.bindMemory(to: T.self, capacity: capacity / MemoryLayout<T>.stride)
    }

    /// Frees the memory.
    mutating func release() {
        free(bytes)
        bytes = nil
        capacity = 0
    }
}
