#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps one file per partition under a local directory: `ROOT/GROUP/TOPIC/PARTITION.ckpt`.
///
/// A save writes `PARTITION.ckpt.tmp`, fsyncs it, renames it over the old file and fsyncs the
/// directory, so a crash leaves either the old or the new checkpoint, never a torn one.
/// Group and topic names are percent-encoded outside `[A-Za-z0-9._-]` so they are safe file names.
/// For single-node use and tests: a partition that moves to another machine does not find it.
public final class DirectoryCheckpointStore: CheckpointStore {
    /// The root directory.
    public let root: String

    /// Creates the store, creating `root` (and parents) when missing.
    public init(root: String) throws {
        self.root = root
        try Self.makeDirectories(root)
    }

    public var location: String { "dir:\(root)" }

    /// Returns the checkpoint file of `key`.
    public func location(of key: CheckpointKey) -> String { path(for: key) }

    /// The path of the file that contains the checkpoint of `key`.
    public func path(for key: CheckpointKey) -> String {
        "\(root)/\(Self.escape(key.group))/\(Self.escape(key.topic))/\(key.partition).ckpt"
    }

    public func save(_ checkpoint: Checkpoint) throws {
        let bytes = try CheckpointCodec.encode(checkpoint)
        let target = path(for: checkpoint.key)
        let directory = String(target[..<target.lastIndex(of: "/")!])
        let temporary = target + ".tmp"

        func failure(_ what: String, _ path: String) -> CheckpointError {
            CheckpointError(
                code: .storeFailure,
                key: checkpoint.key,
                nextOffset: checkpoint.nextOffset,
                source: path,
                detail: "\(what) failed: \(String(cString: strerror(errno)))"
            )
        }

        try Self.makeDirectories(directory)
        // Whatever has the temporary name goes first: a link there would have the checkpoint
        // written through it to another file, and a FIFO would block the open.
        // A read-only or foreign directory fails every save; no file there is at fault.
        func notWritable(_ operation: String) -> CheckpointError? {
            guard errno == EROFS || errno == EACCES || errno == EPERM else { return nil }
            var error = failure(operation, temporary)
            error.detail +=
                "; the directory \(directory) is not writable, so no checkpoint can be saved: make it "
                + "writable for this user, or give another --checkpoint-store"
            return error
        }
        guard unlink(temporary) == 0 || errno == ENOENT else {
            if let error = notWritable("unlink") { throw error }
            var error = failure("unlink", temporary)
            error.detail += "; remove \(temporary) by hand, because only the worker writes that name"
            throw error
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw notWritable("open") ?? failure("open", temporary) }
        var written = 0
        let writeOK = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let result = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += result
            }
            return true
        }
        guard writeOK else {
            let error = failure("write", temporary)
            close(descriptor)
            throw error
        }
        guard fsync(descriptor) == 0 else {
            let error = failure("fsync", temporary)
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw failure("close", temporary) }
        guard rename(temporary, target) == 0 else { throw failure("rename", target) }

        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else { throw failure("open directory", directory) }
        defer { close(directoryDescriptor) }
        guard fsync(directoryDescriptor) == 0 else { throw failure("fsync directory", directory) }
    }

    /// Returns the unsigned little-endian integer of `count` bytes at `offset`, at most 2^62.
    private static func littleEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> Int {
        var value: UInt64 = 0
        for index in (offset..<(offset + count)).reversed() { value = value << 8 | UInt64(bytes[index]) }
        return Int(min(value, 1 << 62))
    }

    /// The largest checkpoint file read: the container declares at most 2 GiB of state.
    static let maximumFileBytes = 4 << 30

    public func load(_ key: CheckpointKey) throws -> Checkpoint? {
        let target = path(for: key)
        func failure(_ reason: SmallFile.Failure) -> CheckpointError {
            CheckpointError(
                code: .storeFailure,
                key: key,
                nextOffset: nil,
                source: target,
                detail: "the file \(reason)"
            )
        }
        /// Returns the error for a file whose size differs from what its header and lengths declare
        /// (`isLowerBound`: at least `declared` bytes, when the header itself does not fit).
        func sizeMismatch(size: Int, declared: Int, isLowerBound: Bool, nextOffset: Int64?) -> CheckpointError {
            // The checksum was not checked, so the offset counts as unverified (code truncated).
            CheckpointError(
                code: .truncated,
                key: key,
                nextOffset: nextOffset,
                source: target,
                detail:
                    "the file is \(size) bytes, but its header and lengths declare \(isLowerBound ? "at least " : "")"
                    + "\(declared) bytes: it was \(size < declared ? "cut short" : "extended"), or its lengths are damaged"
            )
        }
        var bytes: [UInt8] = []
        var mismatch: (size: Int, declared: Int, isLowerBound: Bool)?
        readFile: do throws(SmallFile.Failure) {
            let file = try SmallFile.open(path: target, limit: Self.maximumFileBytes)
            // The magic comes first, so a file of another kind is rejected without reading it all:
            // the decoder then reports the bad magic from these bytes alone.
            bytes = try file.read(count: min(file.size, CheckpointCodec.magic.count))
            if bytes == CheckpointCodec.magic {
                // Then the version and the header length, the header and the two state lengths:
                // the rest is read only when they add up to the file's size, so a damaged file
                // is not read whole.
                try file.append(count: 6, to: &bytes)
                guard bytes.count == 10 else { break readFile }
                let headerLength = Self.littleEndian(bytes, at: 6, count: 4)
                // The lengths are capped at 2^62 when read, so these sums cannot overflow.
                guard 26 + headerLength + 4 <= file.size else {
                    mismatch = (file.size, 26 + headerLength + 4, true)
                    break readFile
                }
                try file.append(count: headerLength + 16, to: &bytes)
                guard bytes.count == 26 + headerLength else { break readFile }
                let compressedLength = Self.littleEndian(bytes, at: 18 + headerLength, count: 8)
                let declared = 26 + headerLength + compressedLength + 4
                guard declared == file.size else {
                    mismatch = (file.size, declared, false)
                    break readFile
                }
                bytes.reserveCapacity(file.size + 1)
                try file.append(count: file.size - bytes.count + 1, to: &bytes)
            }
        } catch {
            if error.code == ENOENT { return nil }
            throw failure(error)
        }
        if let mismatch {
            // The header read so far gives the offset. A header of another setup (partition,
            // cluster) is reported as the decoder's error, because that decides the exit status.
            var nextOffset: Int64?
            do {
                _ = try CheckpointCodec.decode(bytes, expecting: key, source: target)
            } catch let error as CheckpointError {
                guard error.code == .truncated else { throw error }
                nextOffset = error.nextOffset
            }
            throw sizeMismatch(
                size: mismatch.size,
                declared: mismatch.declared,
                isLowerBound: mismatch.isLowerBound,
                nextOffset: nextOffset
            )
        }
        return try CheckpointCodec.decode(bytes, expecting: key, source: target)
    }

    /// Percent-encodes every byte outside `[A-Za-z0-9._-]`, and a leading dot, so a group or topic
    /// name cannot climb out of the root.
    public static func escape(_ name: String) -> String {
        var result = ""
        for (index, byte) in name.utf8.enumerated() {
            let isSafe =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D || (byte == 0x2E && index > 0)
            if isSafe {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = String(byte, radix: 16, uppercase: true)
                result += "%" + (digits.count == 1 ? "0" : "") + digits
            }
        }
        return result.isEmpty ? "%" : result
    }

    private static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw CheckpointStoreSetupError(path: prefix, reason: String(cString: strerror(errno)))
            }
        }
    }
}

/// A checkpoint directory that could not be created.
public struct CheckpointStoreSetupError: Error, CustomStringConvertible {
    /// The directory that failed.
    public var path: String
    /// The operating system's reason.
    public var reason: String

    public var description: String {
        "cannot create checkpoint directory \(path): \(reason); check --checkpoint-store dir:PATH and its permissions"
    }
}
