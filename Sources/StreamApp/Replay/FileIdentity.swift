#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The device and inode of an existing regular file, so that two spellings of one path
/// (`./a.jsonl` and `a.jsonl`, a symbolic link, a hard link) compare equal.
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64

    /// Returns the identity of the regular file at `path`, or `nil` when nothing is there yet
    /// or it is not a regular file (standard input, a FIFO, a device such as /dev/null).
    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    /// Returns the identity of the regular file open at `descriptor` (standard input or output
    /// redirected from or to a file), or `nil` when it is something else.
    init?(descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    /// Returns the identity of what a command reads or writes as `path`: standard input or
    /// output for `-` (by `standardDescriptor`), else the regular file at the path.
    init?(path: String, standardDescriptor: Int32) {
        if path == "-" {
            self.init(descriptor: standardDescriptor)
        } else {
            self.init(path: path)
        }
    }

    /// Returns the absolute name a file that does not exist yet would get: its directory with
    /// links resolved, then its last component. A dangling symbolic link is followed to the name
    /// it points at, as `open` with `O_CREAT` follows it. `nil` when the directory does not exist
    /// either.
    static func futureName(_ path: String) -> String? {
        var path = path
        // Each pass follows one link; the bound stops a loop of links, as the kernel does.
        for _ in 0..<40 {
            guard path != "-", FileIdentity(path: path) == nil, !isSpecial(path) else { return nil }
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { String(path[..<$0]) } ?? "."
            let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
            var status = stat()
            if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK {
                var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlink(path, &target, target.count - 1)
                guard length > 0 else { return nil }
                let link = String(decoding: target[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                path = link.hasPrefix("/") ? link : (directory.isEmpty ? "" : directory) + "/" + link
                continue
            }
            guard !name.isEmpty, name != ".", name != "..",
                let resolved = realpath(directory.isEmpty ? "/" : directory, nil)
            else { return nil }
            defer { free(resolved) }
            return String(cString: resolved) + "/" + name
        }
        return nil
    }

    /// Returns the device and inode of the pipe or socket open at `descriptor`, or at `path`
    /// (such as `/dev/stdout`), or `nil` for anything else. Two writers on one pipe would mix
    /// their lines.
    static func pipe(descriptor: Int32) -> FileIdentity? {
        var status = stat()
        guard fstat(descriptor, &status) == 0, isStream(status) else { return nil }
        return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    static func pipe(path: String) -> FileIdentity? {
        var status = stat()
        guard stat(path, &status) == 0, isStream(status) else { return nil }
        return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    private static func isStream(_ status: stat) -> Bool {
        (status.st_mode & S_IFMT) == S_IFIFO || (status.st_mode & S_IFMT) == S_IFSOCK
    }

    private init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// Returns `true` when something other than a regular file exists at `path`: a device such as
    /// /dev/null, a FIFO or a directory.
    static func isSpecial(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG
    }

    /// Returns `true` when both paths name the same existing regular file.
    static func same(_ first: String, _ second: String) -> Bool {
        guard let identity = FileIdentity(path: first) else { return false }
        return identity == FileIdentity(path: second)
    }
}
