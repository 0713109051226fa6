import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Checks that a benchmark's in-memory input fits before it is built, so that a large `--events`
/// ends with a usage error instead of an allocation failure that aborts the process.
enum MemoryBudget {
    /// Throws a ``UsageError`` naming `option` and `value` when `bytes` and ``marginBytes`` exceed
    /// the memory available (`MemAvailable` in /proc/meminfo). It also throws when they and the
    /// process's present size exceed the address-space limit (`RLIMIT_AS`). Neither known: no check.
    static func check(bytes: Int, option: String, value: Int) throws {
        var limits: [(free: Int, total: Int, name: String)] = []
        if let available = availableBytes() { limits.append((available, available, "the memory available")) }
        var addressSpace = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &addressSpace) == 0,
            addressSpace.rlim_cur < UInt64(Int.max)
        {
            let limit = Int(addressSpace.rlim_cur)
            let used = statusBytes("VmSize:") ?? 0
            limits.append((limit - used, limit, "the address-space limit (ulimit -v)"))
        }
        for (free, limit, name) in limits where bytes + marginBytes > free {
            throw UsageError(
                "--\(option) \(value) needs about \(gigabytes(bytes)) GB for the benchmark's input in memory, and "
                    + "with the rest of the run that exceeds \(name) of \(gigabytes(limit)) GB; give a smaller "
                    + "--\(option)"
            )
        }
    }

    /// Room left for what the benchmark allocates besides its input: the engine, the decoder and
    /// the thread stacks.
    static let marginBytes = 256 << 20

    /// `MemAvailable` from /proc/meminfo in bytes, or `nil` when it cannot be read.
    private static func availableBytes() -> Int? {
        kilobyteField("MemAvailable:", in: "/proc/meminfo")
    }

    /// Returns a `kB` field of /proc/self/status, such as `VmSize:`, in bytes.
    private static func statusBytes(_ field: String) -> Int? {
        kilobyteField(field, in: "/proc/self/status")
    }

    private static func kilobyteField(_ field: String, in path: String) -> Int? {
        guard let text = try? SmallFile.read(path: path, limit: 1 << 20) else { return nil }
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where line.hasPrefix(field) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
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
