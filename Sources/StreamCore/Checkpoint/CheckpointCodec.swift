/// Encodes and decodes the versioned checkpoint container.
///
/// Format version 3, all integers little-endian:
///
///     offset  size  field
///     0       4     magic "MSCP"
///     4       2     format version (3)
///     6       4     header length H
///     10      H     header: group (u16 length + UTF-8), topic (u16 + UTF-8), partition (i32),
///                   next offset (i64), max event time (i64), last tick (i64),
///                   created-at wall time in ms (i64), Kafka cluster id (u16 + UTF-8, empty
///                   when unknown), last record (u8: 0 unknown, 1 known; when known its record
///                   timestamp (i64), key length (i64, -1 without key), value length (i64))
///     10+H    8     uncompressed state length U
///     18+H    8     compressed state length C
///     26+H    C     state: one zstd frame that decompresses to U bytes
///     26+H+C  4     CRC-32C of every preceding byte
///
/// Version 2 is the same without the last record, version 1 without the cluster id either; this
/// build still reads both.
///
/// Sentinel: `Int64.min` in the max event time, last tick or record timestamp field means "none".
/// Readers switch on the version; a version this build does not know is an error, never a guess.
public enum CheckpointCodec {
    /// The four magic bytes, "MSCP".
    public static let magic: [UInt8] = [0x4D, 0x53, 0x43, 0x50]
    /// The format version this build writes.
    public static let currentVersion: UInt16 = 3
    /// Every format version this build reads.
    public static let readableVersions: Set<UInt16> = [1, 2, 3]

    private static let none = Int64.min

    /// Encodes `checkpoint` as a format-version-3 container with a zstd-compressed state.
    /// - Complexity: O(n) in the state size, dominated by zstd.
    public static func encode(_ checkpoint: Checkpoint) throws -> [UInt8] {
        var header = CheckpointByteWriter()
        header.writeShortString(checkpoint.key.group)
        header.writeShortString(checkpoint.key.topic)
        header.writeInteger(checkpoint.key.partition)
        header.writeInteger(checkpoint.nextOffset)
        header.writeInteger(checkpoint.maxEventTime?.rawValue ?? none)
        header.writeInteger(checkpoint.lastTick?.rawValue ?? none)
        header.writeInteger(checkpoint.createdAtMilliseconds)
        header.writeShortString(checkpoint.clusterID ?? "")
        if let record = checkpoint.lastRecord {
            header.writeInteger(UInt8(1))
            header.writeInteger(record.timestampMilliseconds ?? none)
            header.writeInteger(record.keyLength)
            header.writeInteger(record.valueLength)
        } else {
            header.writeInteger(UInt8(0))
        }

        let compressed: [UInt8]
        do {
            compressed = try Zstd.compress(checkpoint.state)
        } catch {
            throw CheckpointError(
                code: .storeFailure,
                key: checkpoint.key,
                nextOffset: checkpoint.nextOffset,
                source: "encoder",
                detail: "\(error)"
            )
        }

        var writer = CheckpointByteWriter(capacity: 32 + header.bytes.count + compressed.count)
        writer.writeBytes(magic)
        writer.writeInteger(currentVersion)
        writer.writeInteger(UInt32(header.bytes.count))
        writer.writeBytes(header.bytes)
        writer.writeInteger(UInt64(checkpoint.state.count))
        writer.writeInteger(UInt64(compressed.count))
        writer.writeBytes(compressed)
        writer.writeInteger(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// Decodes a container read for partition `key` from `source` (a path or topic position, used
    /// in error messages).
    ///
    /// - Throws: ``CheckpointError`` for truncated or corrupt bytes, an unknown version, or a
    ///   header that names another partition.
    public static func decode(_ bytes: [UInt8], expecting key: CheckpointKey, source: String) throws -> Checkpoint {
        func failure(_ code: CheckpointError.Code, _ detail: String, offset: Int64? = nil) -> CheckpointError {
            CheckpointError(code: code, key: key, nextOffset: offset, source: source, detail: detail)
        }

        var reader = CheckpointByteReader(bytes)
        guard let magicBytes = reader.readBytes(count: 4) else {
            throw failure(.truncated, "only \(bytes.count) bytes, shorter than the 4-byte magic")
        }
        guard Array(magicBytes) == magic else {
            throw failure(.badMagic, "magic bytes \(hex(magicBytes)) are not \"MSCP\"")
        }
        guard let version = reader.readInteger(as: UInt16.self) else {
            throw failure(.truncated, "\(bytes.count) bytes end inside the format version")
        }
        guard readableVersions.contains(version) else {
            let readable = readableVersions.sorted().map(String.init).joined(separator: ", ")
            if version > readableVersions.max() ?? 0 {
                throw failure(
                    .unknownVersion(version),
                    "format version \(version) was written by a newer memestream build; this build reads "
                        + "version \(readable). Run a build that reads version \(version)"
                )
            }
            throw failure(
                .unknownVersion(version),
                "format version \(version) was never written by memestream (this build reads version "
                    + "\(readable)); the file is damaged"
            )
        }
        return try decodeContainer(bytes, version: version, reader: reader, expected: key, failure: failure)
    }

    private static func decodeContainer(
        _ bytes: [UInt8],
        version: UInt16,
        reader start: CheckpointByteReader,
        expected: CheckpointKey,
        failure: (CheckpointError.Code, String, Int64?) -> CheckpointError
    ) throws -> Checkpoint {
        var reader = start
        guard let headerLength = reader.readInteger(as: UInt32.self),
            let headerBytes = reader.readBytes(count: Int(headerLength))
        else {
            throw failure(.truncated, "\(bytes.count) bytes end inside the header", nil)
        }
        var header = CheckpointByteReader(Array(headerBytes))
        guard let group = header.readShortString(),
            let topic = header.readShortString(),
            let partition = header.readInteger(as: Int32.self),
            let nextOffset = header.readInteger(as: Int64.self),
            let maxEventTime = header.readInteger(as: Int64.self),
            let lastTick = header.readInteger(as: Int64.self),
            let createdAt = header.readInteger(as: Int64.self)
        else {
            throw headerFailure(bytes, headerLength: headerLength, failure: failure)
        }
        var clusterID: String?
        if version >= 2 {
            guard let stored = header.readShortString() else {
                throw headerFailure(bytes, headerLength: headerLength, failure: failure)
            }
            clusterID = stored.isEmpty ? nil : stored
        }
        var lastRecord: RecordFingerprint?
        if version >= 3 {
            guard let known = header.readInteger(as: UInt8.self), known <= 1 else {
                throw headerFailure(bytes, headerLength: headerLength, failure: failure)
            }
            if known == 1 {
                guard let timestamp = header.readInteger(as: Int64.self),
                    let keyLength = header.readInteger(as: Int64.self),
                    let valueLength = header.readInteger(as: Int64.self)
                else {
                    throw headerFailure(bytes, headerLength: headerLength, failure: failure)
                }
                lastRecord = RecordFingerprint(
                    timestampMilliseconds: timestamp == none ? nil : timestamp,
                    keyLength: keyLength,
                    valueLength: valueLength
                )
            }
        }

        guard let stateLength = reader.readInteger(as: UInt64.self),
            let compressedLength = reader.readInteger(as: UInt64.self),
            compressedLength <= UInt64(reader.readableBytes),
            let compressed = reader.readBytes(count: Int(compressedLength)),
            let storedChecksum = reader.readInteger(as: UInt32.self)
        else {
            throw failure(.truncated, "\(bytes.count) bytes end before the state and checksum", nextOffset)
        }
        let computed = bytes.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<(reader.readerIndex - 4)]))
        }
        guard computed == storedChecksum else {
            throw failure(
                .checksumMismatch(stored: storedChecksum, computed: computed),
                "CRC-32C mismatch: stored \(hex32(storedChecksum)), computed \(hex32(computed))",
                nextOffset
            )
        }
        guard reader.readableBytes == 0 else {
            let extra = reader.readableBytes
            throw failure(
                .invalidHeader,
                "\(extra) unexpected \(extra == 1 ? "byte" : "bytes") after the checksum",
                nextOffset
            )
        }

        let key = CheckpointKey(group: group, topic: topic, partition: partition)
        // Bytes, not String equality: Kafka and the directory store tell "café" with U+00E9 from
        // "café" with U+0301 apart, and Swift's == would not.
        guard key.partition == expected.partition, key.group.utf8.elementsEqual(expected.group.utf8),
            key.topic.utf8.elementsEqual(expected.topic.utf8)
        else {
            throw failure(.otherPartition, "its header belongs to partition \(key), not \(expected)", nextOffset)
        }
        guard nextOffset >= 0 else {
            throw failure(.invalidHeader, "negative next offset \(nextOffset)", nextOffset)
        }
        guard stateLength <= UInt64(Int32.max) else {
            throw failure(.invalidHeader, "declared state length \(stateLength) exceeds 2 GiB", nextOffset)
        }

        let state: [UInt8]
        do {
            state = try Zstd.decompress(Array(compressed), maximumSize: Int(stateLength))
        } catch {
            throw failure(.decompressionFailed, "\(error)", nextOffset)
        }
        guard state.count == Int(stateLength) else {
            throw failure(
                .decompressionFailed,
                "zstd returned \(state.count) bytes where the header declares \(stateLength)",
                nextOffset
            )
        }
        return Checkpoint(
            key: key,
            nextOffset: nextOffset,
            maxEventTime: maxEventTime == none ? nil : EventTime(rawValue: maxEventTime),
            lastTick: lastTick == none ? nil : EventTime(rawValue: lastTick),
            createdAtMilliseconds: createdAt,
            state: state,
            clusterID: clusterID,
            lastRecord: lastRecord
        )
    }

    /// Returns the error for a header whose fields do not parse. When the last four bytes do not
    /// match the checksum of the rest, damage is the likelier cause, so that is the error.
    /// Otherwise the header is shorter than its fields, or a name in it is not UTF-8.
    private static func headerFailure(
        _ bytes: [UInt8],
        headerLength: UInt32,
        failure: (CheckpointError.Code, String, Int64?) -> CheckpointError
    ) -> CheckpointError {
        if bytes.count >= 8 {
            let stored = bytes[(bytes.count - 4)...].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let computed = bytes.withUnsafeBytes {
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<(bytes.count - 4)]))
            }
            if stored != computed {
                return failure(
                    .checksumMismatch(stored: stored, computed: computed),
                    "CRC-32C mismatch: stored \(hex32(stored)), computed \(hex32(computed))",
                    nil
                )
            }
        }
        return failure(
            .invalidHeader,
            "the \(headerLength)-byte header is shorter than its fields, or a name in it is not UTF-8",
            nil
        )
    }

    private static func hex(_ bytes: some Collection<UInt8>) -> String {
        "0x"
            + bytes.map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined()
    }

    private static func hex32(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
