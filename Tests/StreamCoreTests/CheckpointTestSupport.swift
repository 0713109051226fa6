@testable import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// An in-memory ``CheckpointLog`` with a record size limit and optional compaction, for store tests.
final class MemoryCheckpointLog: CheckpointLog {
    /// The records in log order; a `nil` value is a tombstone.
    var records: [(key: String, value: [UInt8]?)] = []
    let maxRecordBytes: Int
    var location: String { "memory" }

    init(maxRecordBytes: Int) {
        self.maxRecordBytes = maxRecordBytes
    }

    func append(_ records: [(key: String, value: [UInt8])], for checkpoint: CheckpointKey) throws {
        for record in records {
            precondition(
                record.value.count <= maxRecordBytes,
                "record of \(record.value.count) bytes exceeds the limit"
            )
            precondition(record.key == checkpoint.description || record.key.hasPrefix(checkpoint.description + "#"))
            self.records.append((record.key, record.value))
        }
    }

    func readAll(for checkpoint: CheckpointKey, _ body: (String, [UInt8]?) throws -> Void) throws {
        let base = checkpoint.description
        for (offset, record) in records.enumerated() where record.key == base || record.key.hasPrefix(base + "#") {
            if record.value == nil && record.key != base { continue }
            try body("memory@\(offset)", record.value)
        }
    }

    /// Keeps only the last record of each key, in log order, as Kafka log compaction does.
    func compact() {
        var lastIndex: [String: Int] = [:]
        for (index, record) in records.enumerated() {
            lastIndex[record.key] = index
        }
        records = records.enumerated().filter { lastIndex[$0.element.key] == $0.offset }.map { $0.element }
    }
}

/// Creates a fresh directory under /tmp; the caller removes it with ``removeTree(_:)``.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/memestream-test-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { buffer -> String in
        String(cString: mkdtemp(buffer.baseAddress!)!)
    }
    return path
}

/// Removes a directory tree created by a test (bounded: test trees are a few levels deep).
func removeTree(_ path: String) {
    guard let directory = opendir(path) else {
        unlink(path)
        return
    }
    var children: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        if name != "." && name != ".." { children.append(path + "/" + name) }
    }
    closedir(directory)
    for child in children {
        var info = stat()
        if lstat(child, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            removeTree(child)
        } else {
            unlink(child)
        }
    }
    rmdir(path)
}

func readFileBytes(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count == 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return bytes
}

func writeFileBytes(_ path: String, _ bytes: [UInt8]) {
    guard let file = fopen(path, "wb") else { return }
    _ = fwrite(bytes, 1, bytes.count, file)
    fclose(file)
}

/// The fixtures folder next to this file.
let checkpointFixtures: String = {
    let file = #filePath
    return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures"
}()
