#if canImport(Glibc)
import Glibc
#endif

/// A streaming reader of newline-separated lines from a plain or zstd-compressed file.
///
/// The file is decompressed when its name ends in `.zst` or its first four bytes are the zstd
/// frame magic, and read as is otherwise. Lines end at `\n`. A `\r` before it is dropped, and a
/// last line without `\n` is still returned. The reader keeps one bounded buffer, never the
/// whole file: 512 KiB, growing to at most ``maximumLineBytes`` plus 512 KiB for long lines.
///
/// A line longer than ``maximumLineBytes`` does not stop the reader: it is returned once, cut to
/// its first ``maximumLineBytes`` bytes, with ``Line/isTruncated`` set and its full length, and
/// the next line follows as usual.
///
/// When the file cannot be read to its end (a truncated or corrupt zstd stream, a read error),
/// ``nextLine()`` first returns every complete line before the failure, then throws a
/// ``FileIOError`` naming the path and byte offset. The incomplete line at the failure is dropped.
///
/// Thread-safety: not thread-safe; one thread owns a reader.
public final class LineReader {
    /// One line, borrowed from the reader's buffer.
    public struct Line {
        /// The line's bytes without the line terminator. Valid only until the next call to
        /// ``LineReader/nextLine()``; copy them to keep them.
        public var bytes: UnsafeRawBufferPointer
        /// The line's 1-based number in the (decompressed) file, counting blank lines.
        public var number: Int
        /// `true` when the line was longer than ``LineReader/maximumLineBytes`` and ``bytes``
        /// holds only its start.
        public var isTruncated: Bool
        /// The line's full length in bytes without the terminator, also when truncated.
        public var length: Int
    }

    /// The default longest line returned whole: 16 MiB, far above a 64 KiB event wrapped in a
    /// kcat envelope with every byte escaped.
    public static let defaultMaximumLineBytes = 16 << 20

    /// Bytes asked from the source per read.
    static let readChunkBytes = 256 << 10

    /// The path given to ``init(path:maximumLineBytes:)``.
    public let path: String
    /// The maximum length of a line returned whole, in bytes.
    public let maximumLineBytes: Int
    /// `true` when the file is read through zstd decompression.
    public let isCompressed: Bool

    private let source: any ByteSource
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    /// The first byte not yet returned.
    private var start = 0
    /// One past the last valid byte.
    private var end = 0
    /// The position in the (decompressed) stream of the buffer's first byte.
    private var storagePosition: Int64 = 0
    /// The index where the next newline search resumes. Bytes in `start..<scanFrom` contain no newline.
    private var scanFrom = 0
    private var sourceEnded = false
    private var pendingError: (any Error)?
    private var lineCount = 0

    /// Opens `path` for reading; `-` is standard input (zstd is detected by its magic).
    ///
    /// - Parameter maximumLineBytes: the longest line returned whole, at least 1 byte.
    /// - Throws: ``FileIOError`` when the file cannot be opened or read, or zstd cannot start.
    public init(path: String, maximumLineBytes: Int = LineReader.defaultMaximumLineBytes) throws {
        precondition(maximumLineBytes > 0, "maximumLineBytes must be positive, got \(maximumLineBytes)")
        self.path = path
        self.maximumLineBytes = maximumLineBytes
        self.capacity = LineReader.readChunkBytes * 2
        self.storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)

        let file: FileDescriptorSource
        do {
            file = try FileDescriptorSource.open(path: path)
        } catch {
            storage.deallocate()
            throw error
        }

        // The first four bytes decide whether the file is zstd. A plain file hands them out as
        // data, and a zstd file feeds them to the decompressor through a prefix source.
        var prefixCount = 0
        do {
            while prefixCount < 4 {
                let count = try file.read(
                    into: UnsafeMutableRawBufferPointer(start: storage + prefixCount, count: 4 - prefixCount)
                )
                if count == 0 { break }
                prefixCount += count
            }
        } catch {
            storage.deallocate()
            throw error
        }
        let prefix = UnsafeRawBufferPointer(start: storage, count: prefixCount)
        if path.hasSuffix(".zst"), (1..<4).contains(prefixCount) {
            storage.deallocate()
            throw FileIOError(
                path: path,
                byteOffset: 0,
                reason: "the name ends in .zst, but the file has only \(prefixCount) "
                    + (prefixCount == 1 ? "byte" : "bytes") + ", too few for a zstd frame; if it is plain JSONL, "
                    + "rename it without .zst"
            )
        }
        if path.hasSuffix(".zst"), prefixCount == 4, !Zstd.hasFrameMagic(prefix), !Zstd.hasSkippableFrameMagic(prefix) {
            // zstd would only report an unknown frame descriptor a few bytes in.
            let first = prefix.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }
            storage.deallocate()
            throw FileIOError(
                path: path,
                byteOffset: 0,
                reason: "the name ends in .zst, but the file does not start with a zstd frame (its first bytes are "
                    + "\(first.joined(separator: " "))); if it is plain JSONL, rename it without .zst"
            )
        }
        let isCompressed = path.hasSuffix(".zst") || Zstd.hasFrameMagic(prefix)
        self.isCompressed = isCompressed
        if isCompressed {
            do {
                source = try ZstdSource(file: PrefixedSource(prefix: Array(prefix), rest: file))
            } catch {
                storage.deallocate()
                throw error
            }
        } else {
            source = file
            end = prefixCount
        }
    }

    deinit {
        storage.deallocate()
    }

    /// Returns the next line, or `nil` at the end of the file.
    ///
    /// - Throws: ``FileIOError`` when the file cannot be read further; every complete line
    ///   before that point has been returned first.
    /// - Complexity: amortized O(line length); reads the file in 256 KiB chunks.
    public func nextLine() throws -> Line? {
        // Each pass finds a line or reads one more chunk; bounded by the file size per chunk.
        var passes = 0
        while passes < 1 << 40 {
            passes += 1
            if let newline = findNewline() {
                return takeLine(through: newline)
            }
            if end - start > maximumLineBytes {
                return try takeOverlongLine()
            }
            if sourceEnded {
                if let pendingError {
                    // The bytes after the last newline are an incomplete line at the failure.
                    start = end
                    scanFrom = end
                    self.pendingError = nil
                    throw pendingError
                }
                guard start < end else { return nil }
                let line = makeLine(from: start, to: end, length: end - start, isTruncated: false)
                start = end
                scanFrom = end
                return line
            }
            try fill()
        }
        return nil
    }

    /// The bytes read from the file after the last line returned: the next lines, the last of
    /// them possibly incomplete. Valid until the next call to ``nextLine()``. For look-ahead
    /// hints; lines are still returned by ``nextLine()`` only.
    public var bufferedBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + start, count: end - start)
    }

    /// The position of ``bufferedBytes``' first byte in the (decompressed) stream. After an
    /// overlong line it runs ahead of the true position by the bytes skipped.
    public var bufferedPosition: Int64 { storagePosition + Int64(start) }

    /// Searches `scanFrom..<end` for `\n` and returns its index in the buffer.
    private func findNewline() -> Int? {
        guard scanFrom < end else { return nil }
        guard let found = memchr(storage + scanFrom, 0x0A, end - scanFrom) else {
            scanFrom = end
            return nil
        }
        return storage.distance(to: found)
    }

    private func takeLine(through newline: Int) -> Line {
        var lineEnd = newline
        if lineEnd > start, storage.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D {
            lineEnd -= 1
        }
        let length = lineEnd - start
        let isTruncated = length > maximumLineBytes
        let keptEnd = isTruncated ? start + maximumLineBytes : lineEnd
        let line = makeLine(from: start, to: keptEnd, length: length, isTruncated: isTruncated)
        start = newline + 1
        scanFrom = start
        return line
    }

    private func makeLine(from lineStart: Int, to lineEnd: Int, length: Int, isTruncated: Bool) -> Line {
        lineCount += 1
        return Line(
            bytes: UnsafeRawBufferPointer(start: storage + lineStart, count: lineEnd - lineStart),
            number: lineCount,
            isTruncated: isTruncated,
            length: length
        )
    }

    /// Keeps the first `maximumLineBytes` bytes of the current line, skips the rest up to and
    /// including its newline, and returns the kept part.
    private func takeOverlongLine() throws -> Line {
        var skipped = 0
        // The last byte skipped so far: a `\r` there belongs to the terminator when `\n` follows.
        var lastSkipped: UInt8 = 0
        var passes = 0
        while passes < 1 << 40 {
            passes += 1
            // Recomputed every pass because `fill()` may move the line to the buffer's front.
            let keptEnd = start + maximumLineBytes
            if let newline = findNewline() {
                var length = maximumLineBytes + skipped + (newline - keptEnd)
                let beforeNewline =
                    newline > keptEnd ? storage.load(fromByteOffset: newline - 1, as: UInt8.self) : lastSkipped
                if beforeNewline == 0x0D { length -= 1 }
                // Without its `\r`, a line can fit after all: then it is returned whole.
                let line = makeLine(from: start, to: keptEnd, length: length, isTruncated: length > maximumLineBytes)
                start = newline + 1
                scanFrom = start
                return line
            }
            if end > keptEnd { lastSkipped = storage.load(fromByteOffset: end - 1, as: UInt8.self) }
            skipped += end - keptEnd
            end = keptEnd
            scanFrom = keptEnd
            if sourceEnded {
                let line = makeLine(from: start, to: keptEnd, length: maximumLineBytes + skipped, isTruncated: true)
                start = end
                scanFrom = end
                return line
            }
            try fill()
        }
        throw FileIOError(path: path, reason: "line \(lineCount + 1) could not be skipped")
    }

    /// Makes room after `end` (moving unread bytes to the front, growing the buffer up to the
    /// line limit plus one chunk) and reads one chunk from the source.
    private func fill() throws {
        if start > 0 && capacity - end < LineReader.readChunkBytes {
            let count = end - start
            storage.copyMemory(from: storage + start, byteCount: count)
            storagePosition += Int64(start)
            scanFrom -= start
            end = count
            start = 0
        }
        if capacity - end < LineReader.readChunkBytes {
            // `end - start` is at most `maximumLineBytes` here, so the buffer stays below the
            // line limit plus two chunks.
            let newCapacity = max(
                min(capacity * 2, maximumLineBytes + 2 * LineReader.readChunkBytes),
                end + LineReader.readChunkBytes
            )
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            grown.copyMemory(from: storage, byteCount: end)
            storage.deallocate()
            storage = grown
            capacity = newCapacity
        }
        let room = min(capacity - end, LineReader.readChunkBytes)
        do {
            let count = try source.read(into: UnsafeMutableRawBufferPointer(start: storage + end, count: room))
            if count == 0 { sourceEnded = true }
            end += count
        } catch {
            sourceEnded = true
            pendingError = error
        }
    }
}

/// A source that returns a few already-read bytes before the rest of a file.
final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private let rest: FileDescriptorSource
    /// Bytes returned so far, which is the file offset of the next byte.
    private(set) var bytesRead: Int64 = 0

    init(prefix: [UInt8], rest: FileDescriptorSource) {
        self.prefix = prefix
        self.rest = rest
    }

    var path: String { rest.path }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if prefix.isEmpty {
            let count = try rest.read(into: buffer)
            bytesRead += Int64(count)
            return count
        }
        let count = min(prefix.count, buffer.count)
        prefix.withUnsafeBytes { bytes in
            buffer.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: count)
        }
        prefix.removeFirst(count)
        bytesRead += Int64(count)
        return count
    }
}
