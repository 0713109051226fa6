import Testing

@testable import StreamCore

#if canImport(Glibc)
import Glibc
#endif

@Suite struct CheckpointStoreTests {
    static let key = CheckpointKey(group: "group a/..", topic: "memes.events", partition: 2)

    static func checkpoint(offset: Int64, stateSize: Int = 1_000, seed: UInt64 = 1) -> Checkpoint {
        var generator = seed
        let state = (0..<stateSize).map { _ -> UInt8 in
            generator = generator &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: generator >> 56)
        }
        return Checkpoint(
            key: key,
            nextOffset: offset,
            maxEventTime: EventTime(rawValue: 1_700_000_000_000 + offset),
            lastTick: nil,
            createdAtMilliseconds: 0,
            state: state
        )
    }

    @Test func directoryStoreMissingIsNil() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let store = try DirectoryCheckpointStore(root: root + "/nested/dir")
        #expect(try store.load(Self.key) == nil)
    }

    @Test func directoryStoreKeepsLatest() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let store = try DirectoryCheckpointStore(root: root)
        try store.save(Self.checkpoint(offset: 10))
        try store.save(Self.checkpoint(offset: 20, seed: 2))
        #expect(try store.load(Self.key) == Self.checkpoint(offset: 20, seed: 2))
        #expect(store.path(for: Self.key).hasPrefix(root + "/group%20a%2F.."))
        #expect(readFileBytes(store.path(for: Self.key) + ".tmp") == nil)
    }

    @Test func directoryStoreCorruptFileIsError() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let store = try DirectoryCheckpointStore(root: root)
        try store.save(Self.checkpoint(offset: 10))
        let path = store.path(for: Self.key)
        var bytes = try #require(readFileBytes(path))
        bytes.removeLast(7)
        writeFileBytes(path, bytes)
        let error = try #require(throws: CheckpointError.self) { try store.load(Self.key) }
        #expect(error.source == path)
        #expect(error.nextOffset == 10)
        #expect(error.detail.contains("bytes: it was cut short"), "\(error)")
    }

    /// Saves a checkpoint at offset 10, changes its file with `change`, and returns the error of
    /// loading it, with the file's size before and after the change.
    private static func loadError(
        stateSize: Int = 1_000,
        after change: (inout [UInt8]) -> Void
    ) throws -> (error: CheckpointError, sizeBefore: Int, sizeAfter: Int) {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let store = try DirectoryCheckpointStore(root: root)
        try store.save(Self.checkpoint(offset: 10, stateSize: stateSize))
        let path = store.path(for: Self.key)
        var bytes = try #require(readFileBytes(path))
        let sizeBefore = bytes.count
        change(&bytes)
        writeFileBytes(path, bytes)
        let error = try #require(throws: CheckpointError.self) { try store.load(Self.key) }
        return (error, sizeBefore, bytes.count)
    }

    /// A byte appended to the file was reported as "bytes end before the state and checksum".
    @Test func directoryStoreExtendedFileIsNamed() throws {
        let (error, sizeBefore, sizeAfter) = try Self.loadError { $0.append(0x78) }
        #expect(error.nextOffset == 10)
        #expect(
            error.detail.contains(
                "the file is \(sizeAfter) bytes, but its header and lengths declare \(sizeBefore) bytes"
            ),
            "\(error)"
        )
        #expect(error.detail.contains("extended"), "\(error)")
        #expect(error.description.contains("by its unverified header"), "\(error)")
    }

    /// Cutting more bytes than the compressed state has gave the count of bytes read so far.
    @Test(arguments: [200, 1_000])
    func directoryStoreShortFileNamesBothSizes(cut: Int) throws {
        let (error, sizeBefore, sizeAfter) = try Self.loadError(stateSize: 100) { bytes in
            bytes.removeLast(Swift.min(cut, bytes.count - 12))
        }
        #expect(error.detail.contains("the file is \(sizeAfter) bytes, but its header"), "\(error)")
        #expect(error.detail.contains("cut short"), "\(error)")
        #expect(sizeBefore > sizeAfter)
    }

    /// A link planted at the temporary name is replaced, not written through.
    @Test func directoryStoreSaveIgnoresPlantedLink() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let store = try DirectoryCheckpointStore(root: root)
        try store.save(Self.checkpoint(offset: 10))
        let victim = root + "/victim.txt"
        writeFileBytes(victim, Array("keep me".utf8))
        try #require(symlink(victim, store.path(for: Self.key) + ".tmp") == 0)
        try store.save(Self.checkpoint(offset: 20, seed: 2))
        #expect(readFileBytes(victim) == Array("keep me".utf8))
        #expect(try store.load(Self.key) == Self.checkpoint(offset: 20, seed: 2))
    }

    /// A FIFO at the temporary name would block the open for writing until a reader appeared.
    @Test func directoryStoreSaveReplacesFIFO() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let store = try DirectoryCheckpointStore(root: root)
        try store.save(Self.checkpoint(offset: 10))
        try #require(mkfifo(store.path(for: Self.key) + ".tmp", 0o600) == 0)
        try store.save(Self.checkpoint(offset: 20, seed: 2))
        #expect(try store.load(Self.key) == Self.checkpoint(offset: 20, seed: 2))
    }

    @Test(arguments: ["fifo", "device"])
    func directoryStoreLoadRejectsSpecialFile(kind: String) throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let store = try DirectoryCheckpointStore(root: root)
        try store.save(Self.checkpoint(offset: 10))
        let path = store.path(for: Self.key)
        try #require(unlink(path) == 0)
        if kind == "fifo" {
            try #require(mkfifo(path, 0o600) == 0)
        } else {
            try #require(symlink("/dev/zero", path) == 0)
        }
        let error = try #require(throws: CheckpointError.self) { try store.load(Self.key) }
        #expect(error.code == .storeFailure)
        #expect(error.source == path)
        #expect(error.detail.contains(kind == "fifo" ? "is a FIFO" : "is a character device"), "\(error)")
    }

    /// A large file of another kind is rejected after its first bytes, not read whole.
    @Test func directoryStoreLoadChecksMagicFirst() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let store = try DirectoryCheckpointStore(root: root)
        try store.save(Self.checkpoint(offset: 10))
        let path = store.path(for: Self.key)
        try #require(truncate(path, 0) == 0)
        try #require(truncate(path, 1 << 30) == 0)
        let error = try #require(throws: CheckpointError.self) { try store.load(Self.key) }
        #expect(error.code == .badMagic)
        #expect(error.detail.contains("0x00000000"), "\(error)")
    }

    /// A file with the right magic but lengths that do not add up to its size is rejected after
    /// its header, not read whole.
    @Test func directoryStoreLoadChecksLengthsFirst() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let store = try DirectoryCheckpointStore(root: root)
        try store.save(Self.checkpoint(offset: 10))
        let path = store.path(for: Self.key)
        let header = try #require(readFileBytes(path)).prefix(6)
        writeFileBytes(path, Array(header))
        try #require(truncate(path, 1 << 30) == 0)
        let error = try #require(throws: CheckpointError.self) { try store.load(Self.key) }
        #expect(error.code != .storeFailure, "\(error)")
    }

    @Test func saveNamesDirectoryAtTemporaryName() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let store = try DirectoryCheckpointStore(root: root)
        try store.save(Self.checkpoint(offset: 10))
        try #require(mkdir(store.path(for: Self.key) + ".tmp", 0o700) == 0)
        let error = try #require(throws: CheckpointError.self) { try store.save(Self.checkpoint(offset: 20)) }
        #expect(error.detail.contains("remove \(store.path(for: Self.key)).tmp by hand"), "\(error)")
    }

    @Test(arguments: [64, 300, 100_000])
    func chunkedStoreRoundTrip(maxRecordBytes: Int) throws {
        let log = MemoryCheckpointLog(maxRecordBytes: maxRecordBytes)
        let store = ChunkedCheckpointStore(log: log)
        #expect(try store.load(Self.key) == nil)
        try store.save(Self.checkpoint(offset: 5, stateSize: 3_000))
        try store.save(Self.checkpoint(offset: 9, stateSize: 3_000, seed: 7))
        #expect(try store.load(Self.key) == Self.checkpoint(offset: 9, stateSize: 3_000, seed: 7))
        if maxRecordBytes < 3_000 {
            #expect(log.records.count > 4)
        }
    }

    @Test func chunkedStoreIgnoresChunksWithoutManifest() throws {
        let log = MemoryCheckpointLog(maxRecordBytes: 200)
        let store = ChunkedCheckpointStore(log: log)
        try store.save(Self.checkpoint(offset: 5, stateSize: 3_000))
        let completeCount = log.records.count
        try store.save(Self.checkpoint(offset: 9, stateSize: 3_000, seed: 7))
        // A crash after some chunks of the second save: drop its tail including the manifest.
        log.records.removeLast((log.records.count - completeCount) / 2 + 1)
        #expect(try store.load(Self.key) == Self.checkpoint(offset: 5, stateSize: 3_000))
    }

    @Test func chunkedStoreMissingChunkIsError() throws {
        let log = MemoryCheckpointLog(maxRecordBytes: 200)
        let store = ChunkedCheckpointStore(log: log)
        try store.save(Self.checkpoint(offset: 5, stateSize: 3_000))
        // Retention removed the oldest chunk.
        log.records.removeFirst()
        let error = try #require(throws: CheckpointError.self) { try store.load(Self.key) }
        #expect(error.code == .incompleteSnapshot)
        #expect(error.source == "memory@\(log.records.count - 1)")
    }

    @Test func chunkedStoreSurvivesCompaction() throws {
        let log = MemoryCheckpointLog(maxRecordBytes: 200)
        let store = ChunkedCheckpointStore(log: log)
        for offset in Int64(1)...4 {
            try store.save(Self.checkpoint(offset: offset, stateSize: 3_000, seed: UInt64(offset)))
        }
        let completeCount = log.records.count
        // A save that crashed after some of its chunks: keep the first half of them.
        try store.save(Self.checkpoint(offset: 5, stateSize: 3_000, seed: 5))
        log.records.removeLast((log.records.count - completeCount) / 2 + 1)
        log.compact()

        let restarted = ChunkedCheckpointStore(log: log)
        #expect(try restarted.load(Self.key) == Self.checkpoint(offset: 4, stateSize: 3_000, seed: 4))

        // After the restart, saves must not overwrite the chunks the latest manifest needs.
        try restarted.save(Self.checkpoint(offset: 6, stateSize: 2_000, seed: 6))
        log.compact()
        #expect(try restarted.load(Self.key) == Self.checkpoint(offset: 6, stateSize: 2_000, seed: 6))
    }

    /// A tombstone on the manifest key deletes the checkpoint, before and after compaction, and a
    /// later save is found again.
    @Test func chunkedStoreTombstoneDeletesCheckpoint() throws {
        let log = MemoryCheckpointLog(maxRecordBytes: 200)
        let store = ChunkedCheckpointStore(log: log)
        try store.save(Self.checkpoint(offset: 5, stateSize: 3_000))
        try store.save(Self.checkpoint(offset: 9, stateSize: 3_000, seed: 7))
        log.records.append((Self.key.description, nil))
        #expect(try store.load(Self.key) == nil)
        log.compact()
        #expect(try ChunkedCheckpointStore(log: log).load(Self.key) == nil)

        try store.save(Self.checkpoint(offset: 12, stateSize: 3_000, seed: 8))
        #expect(try store.load(Self.key) == Self.checkpoint(offset: 12, stateSize: 3_000, seed: 8))
        log.compact()
        #expect(try store.load(Self.key) == Self.checkpoint(offset: 12, stateSize: 3_000, seed: 8))
    }

    /// A tombstone produced while a save is under way lands between its chunks and its manifest.
    /// Compaction keeps those chunks (their keys differ), so the save restores.
    @Test func chunkedStoreTombstoneKeepsLaterSave() throws {
        let log = MemoryCheckpointLog(maxRecordBytes: 200)
        let store = ChunkedCheckpointStore(log: log)
        try store.save(Self.checkpoint(offset: 5, stateSize: 3_000))
        try store.save(Self.checkpoint(offset: 9, stateSize: 3_000, seed: 7))
        log.records.insert((Self.key.description, nil), at: log.records.count - 1)
        #expect(try store.load(Self.key) == Self.checkpoint(offset: 9, stateSize: 3_000, seed: 7))
        log.compact()
        #expect(
            try ChunkedCheckpointStore(log: log).load(Self.key) == Self.checkpoint(offset: 9, stateSize: 3_000, seed: 7)
        )
    }

    @Test func chunkedStoreSeparatesKeys() throws {
        let log = MemoryCheckpointLog(maxRecordBytes: 500)
        let store = ChunkedCheckpointStore(log: log)
        var other = Self.checkpoint(offset: 77, seed: 3)
        other.key.partition = 5
        try store.save(Self.checkpoint(offset: 5))
        try store.save(other)
        #expect(try store.load(Self.key) == Self.checkpoint(offset: 5))
        #expect(try store.load(other.key) == other)
    }
}
