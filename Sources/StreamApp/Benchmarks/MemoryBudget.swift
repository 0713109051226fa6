import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Checks that a benchmark's in-memory input fits before it is built, so that a large `--events`
/// ends with a usage error instead of an allocation failure that aborts the process.
enum MemoryBudget {
    /// Throws a ``UsageError`` naming `option` and `value` when `bytes` exceed the memory the
    /// kernel reports as available (`MemAvailable` in /proc/meminfo) or the address-space limit
    /// (`RLIMIT_AS`). Returns without a check when neither is known.
    static func check(bytes: Int, option: String, value: Int) throws {
        var limits: [(Int, String)] = []
        if let available = availableBytes() { limits.append((available, "the memory available")) }
        var addressSpace = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &addressSpace) == 0,
            addressSpace.rlim_cur < UInt64(Int.max)
        {
            limits.append((Int(addressSpace.rlim_cur), "the address-space limit (ulimit -v)"))
        }
        for (limit, name) in limits where bytes > limit {
            throw UsageError(
                "--\(option) \(value) needs about \(gigabytes(bytes)) GB for the benchmark's input in memory, more "
                    + "than \(name), \(gigabytes(limit)) GB; give a smaller --\(option)"
            )
        }
    }

    /// `MemAvailable` from /proc/meminfo in bytes, or `nil` when it cannot be read.
    private static func availableBytes() -> Int? {
        guard let text = try? SmallFile.read(path: "/proc/meminfo", limit: 1 << 20) else { return nil }
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1_024
        }
        return nil
    }

    private static func gigabytes(_ bytes: Int) -> String {
        let tenths = (bytes + 50_000_000) / 100_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
