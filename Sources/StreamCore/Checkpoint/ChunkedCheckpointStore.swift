/// Stores checkpoints as records in an append-only log, compacted or not.
///
/// A save splits the encoded container into chunks of at most ``CheckpointLog/maxRecordBytes``,
/// appends them and waits for their acknowledgement. Then it appends one manifest record with the
/// snapshot id, the chunk slot, the chunk count, the total length and the CRC-32C of the whole
/// container. Only a manifest makes a snapshot visible: chunks left by a crash before their
/// manifest are ignored.
///
/// Record keys make the layout safe under compaction. The manifest's key is the checkpoint key
/// (`group/topic/partition`); chunk i's key is `group/topic/partition#S-i`, where the slot S
/// alternates between 0 and 1. A save always writes the slot the latest complete manifest does not
/// use, so compaction (last record per key) never removes a chunk the latest manifest needs.
///
/// A load reads the key's records to the end of the log and keeps the last manifest whose chunks
/// are all present. If the last manifest cannot be completed (retention removed its chunks, or a
/// chunk is corrupt) the load fails instead of falling back, because a silent fallback would hide
/// lost data.
///
/// Record value layout, little-endian:
///
///     chunk:    "C" (1 byte), layout version 1 (1 byte), snapshot id (u64), chunk index (u32), data
///     manifest: "M" (1 byte), layout version 1 (1 byte), snapshot id (u64), slot (u8),
///               chunk count (u32), total length (u64), CRC-32C of the container (u32)
///
/// Not thread-safe: the worker thread owns it.
public final class ChunkedCheckpointStore: CheckpointStore {
    /// The log the records go to.
    public let log: any CheckpointLog
    private var random = SystemRandomNumberGenerator()
    /// The chunk slot of the latest complete manifest per key, learned from loads and saves.
    private var currentSlots: [CheckpointKey: UInt8] = [:]

    static let chunkKind: UInt8 = 0x43
    static let manifestKind: UInt8 = 0x4D
    static let layoutVersion: UInt8 = 1
    static let chunkOverhead = 14

    public init(log: any CheckpointLog) {
        self.log = log
    }

    public var location: String { log.location }

    public func save(_ checkpoint: Checkpoint) throws {
        let container = try CheckpointCodec.encode(checkpoint)
        let snapshotID = random.next() as UInt64
        let slot: UInt8 = currentSlots[checkpoint.key] == 0 ? 1 : 0
        let baseKey = checkpoint.key.description
        let chunkCapacity = max(1, log.maxRecordBytes - Self.chunkOverhead)

        var chunks: [(key: String, value: [UInt8])] = []
        var start = 0
        var index: UInt32 = 0
        repeat {
            let end = min(container.count, start + chunkCapacity)
            var writer = CheckpointByteWriter(capacity: end - start + Self.chunkOverhead)
            writer.writeInteger(Self.chunkKind)
            writer.writeInteger(Self.layoutVersion)
            writer.writeInteger(snapshotID)
            writer.writeInteger(index)
            writer.writeBytes(container[start..<end])
            chunks.append((key: "\(baseKey)#\(slot)-\(index)", value: writer.bytes))
            start = end
            index += 1
        } while start < container.count
        try log.append(chunks, for: checkpoint.key)

        var manifest = CheckpointByteWriter(capacity: 32)
        manifest.writeInteger(Self.manifestKind)
        manifest.writeInteger(Self.layoutVersion)
        manifest.writeInteger(snapshotID)
        manifest.writeInteger(slot)
        manifest.writeInteger(index)
        manifest.writeInteger(UInt64(container.count))
        manifest.writeInteger(CRC32C.checksum(container))
        try log.append([(key: baseKey, value: manifest.bytes)], for: checkpoint.key)
        currentSlots[checkpoint.key] = slot
    }

    public func load(_ key: CheckpointKey) throws -> Checkpoint? {
        var pending: [UInt64: [UInt32: ArraySlice<UInt8>]] = [:]
        var latest: (container: [UInt8], position: String, slot: UInt8)?
        var lastFailure: CheckpointError?

        try log.readAll(for: key) { position, value in
            guard let value else {
                // A tombstone on the manifest key deletes the manifests before it, as compaction
                // would. Chunks have keys of their own, so a save whose manifest follows the
                // tombstone still finds the chunks it wrote before it.
                latest = nil
                lastFailure = nil
                return
            }
            var reader = CheckpointByteReader(value)
            guard let kind = reader.readInteger(as: UInt8.self),
                let version = reader.readInteger(as: UInt8.self),
                let snapshotID = reader.readInteger(as: UInt64.self)
            else {
                throw CheckpointError(
                    code: .truncated,
                    key: key,
                    nextOffset: nil,
                    source: position,
                    detail: "checkpoint record of \(value.count) bytes is shorter than its 10-byte prefix"
                )
            }
            guard version == Self.layoutVersion else {
                throw CheckpointError(
                    code: .unknownVersion(UInt16(version)),
                    key: key,
                    nextOffset: nil,
                    source: position,
                    detail: "chunk layout version \(version) is unknown to this build, which reads version 1"
                )
            }
            switch kind {
            case Self.chunkKind:
                guard let index = reader.readInteger(as: UInt32.self) else {
                    throw CheckpointError(
                        code: .truncated,
                        key: key,
                        nextOffset: nil,
                        source: position,
                        detail: "chunk record ends inside its index"
                    )
                }
                pending[snapshotID, default: [:]][index] = reader.readBytes(count: reader.readableBytes)!
            case Self.manifestKind:
                let chunks = pending.removeValue(forKey: snapshotID) ?? [:]
                // Chunks of other ids were left by saves that never wrote their manifest.
                pending.removeAll()
                do {
                    let (container, slot) = try Self.assemble(
                        manifest: &reader,
                        chunks: chunks,
                        key: key,
                        position: position
                    )
                    latest = (container, position, slot)
                    lastFailure = nil
                } catch let error as CheckpointError {
                    lastFailure = error
                }
            default:
                throw CheckpointError(
                    code: .badMagic,
                    key: key,
                    nextOffset: nil,
                    source: position,
                    detail: "record kind byte \(kind) is neither a chunk (67) nor a manifest (77)"
                )
            }
        }

        if let lastFailure { throw lastFailure }
        guard let latest else { return nil }
        currentSlots[key] = latest.slot
        return try CheckpointCodec.decode(latest.container, expecting: key, source: latest.position)
    }

    private static func assemble(
        manifest reader: inout CheckpointByteReader,
        chunks: [UInt32: ArraySlice<UInt8>],
        key: CheckpointKey,
        position: String
    ) throws -> (container: [UInt8], slot: UInt8) {
        func failure(_ detail: String) -> CheckpointError {
            CheckpointError(code: .incompleteSnapshot, key: key, nextOffset: nil, source: position, detail: detail)
        }
        guard let slot = reader.readInteger(as: UInt8.self),
            let count = reader.readInteger(as: UInt32.self),
            let length = reader.readInteger(as: UInt64.self),
            let checksum = reader.readInteger(as: UInt32.self)
        else {
            throw failure("manifest record is truncated")
        }
        var container: [UInt8] = []
        container.reserveCapacity(Int(min(length, 1 << 30)))
        for index in 0..<count {
            guard let chunk = chunks[index] else {
                throw failure(
                    "chunk \(index) of \(count) is missing before the manifest; the log start may have moved past it"
                )
            }
            container.append(contentsOf: chunk)
        }
        guard UInt64(container.count) == length else {
            throw failure("chunks hold \(container.count) bytes where the manifest declares \(length)")
        }
        let computed = CRC32C.checksum(container)
        guard computed == checksum else {
            throw failure("chunks fail the manifest's CRC-32C (stored \(checksum), computed \(computed))")
        }
        return (container, slot)
    }
}
