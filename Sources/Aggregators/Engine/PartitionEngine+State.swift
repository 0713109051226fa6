import StreamCore

extension PartitionEngine {
    /// The first four bytes of an encoded state: "MSPE".
    static let stateMagic: [UInt8] = Array("MSPE".utf8)
    /// The state format version written by ``encodeState()``.
    /// Version 2 widened the `sum` and `mean` totals from i64 to i128. Version 3 keeps each key's
    /// last emitted vector as a 128-bit XXH3 hash instead of the vector's bytes, and version 4 as
    /// the hash's low 64 bits (``VectorDigest``). Version 5 adds the feature set's
    /// ``FeatureSet/definitionDigest`` after its version.
    public static let stateFormatVersion: UInt32 = 5
    /// Every state format version ``init(restoring:featureSet:configuration:)`` reads.
    public static let readableStateFormatVersions: ClosedRange<UInt32> = 1...5

    /// Serializes the whole partition state into a versioned binary blob.
    ///
    /// The blob starts with the magic `MSPE` and a u32 format version, then the feature set name
    /// name, version and definition digest, the tick settings, the partition clock and every key in ascending `meme_id`
    /// byte order with its columns' states; docs/engine.md lists every field. Keys are sorted, so
    /// equal states give equal bytes. The checkpoint layer compresses the blob.
    /// - Complexity: O(k log k + s) for k keys and s bytes of state.
    public func encodeState() -> [UInt8] {
        var writer = StateWriter()
        for byte in Self.stateMagic { writer.writeUInt8(byte) }
        writer.writeUInt32(Self.stateFormatVersion)
        writer.writeString(featureSet.name)
        writer.writeInt64(Int64(featureSet.version))
        writer.writeInt64(Int64(bitPattern: featureSet.definitionDigest))
        writer.writeInt64(configuration.tickMilliseconds)
        writer.writeInt64(configuration.outOfOrdernessMilliseconds)
        writer.writeInt64(configuration.allowedLatenessMilliseconds)
        writer.writeInt64(Int64(partition))
        writer.writeOptionalInt64(nextOffset)
        writer.writeOptionalInt64(clock.maxEventTime?.rawValue)
        writer.writeOptionalInt64(clock.watermark?.rawValue)
        writer.writeOptionalInt64(clock.lastProcessedTick?.rawValue)
        var keys = slots.indices.filter { slots[$0].keyLength != 0 }
        keys.sort { keyPrecedes($0, $1) }
        writer.writeUInt32(UInt32(keys.count))
        for slot in keys {
            writer.writeBytes(Array(keyBytes(slot)))
            writer.writeInt64(slots[slot].maxEventTime)
            writer.writeInt64(slots[slot].scheduledTick)
            writer.writeBool(slots[slot].hasEmitted)
            if slots[slot].hasEmitted {
                let digest = blockPointer(slot) + keyWords(slot)
                writer.writeInt64(Int64(bitPattern: digest[0]))
            }
            locateColumns(slot)
            for column in 0..<columnCount {
                plan.columns[column].encode(
                    ColumnRegion(words: blockPointer(slot) + columnOffsets[column], paneCount: columnCounts[column]),
                    into: &writer
                )
            }
        }
        return writer.bytes
    }

    /// Restores an engine from ``encodeState()`` output; its later output is byte-identical to
    /// the engine that was encoded. Counters in ``statistics`` start from zero.
    ///
    /// - Throws: ``StateDecodingError`` when the blob is truncated, has another magic or format
    ///   version, or was written for another feature set, tick, out-of-orderness or lateness. A
    ///   state of format version 5 or later written for another definition of a set with the same
    ///   name and version is rejected with ``StateDecodingError/isOtherFeatureSet`` set.
    public convenience init(
        restoring state: [UInt8],
        featureSet: FeatureSet,
        configuration: EngineConfiguration
    ) throws(StateDecodingError) {
        var reader = StateReader(state)
        var magic: [UInt8] = []
        for _ in 0..<4 { magic.append(try reader.readUInt8("magic")) }
        guard magic == Self.stateMagic else {
            throw StateDecodingError(
                "state starts with bytes \(magic), expected \(Self.stateMagic) (\"MSPE\"); this is not engine state"
            )
        }
        let version = try reader.readUInt32("format version")
        let readable = Self.readableStateFormatVersions
        guard readable.contains(version) else {
            if version > readable.upperBound {
                throw StateDecodingError(
                    "state format version \(version) was written by a newer memestream build; this build reads "
                        + "versions \(readable.lowerBound) to \(readable.upperBound)",
                    isNewerFormat: true
                )
            }
            throw StateDecodingError(
                "state format version \(version) was never written by memestream; the state is damaged"
            )
        }
        reader.formatVersion = version
        let setName = try reader.readString("feature set name")
        let setVersion = try reader.readInt64("feature set version")
        guard setName == featureSet.name, setVersion == Int64(featureSet.version) else {
            throw StateDecodingError(
                "state was written for feature set \(setName) version \(setVersion), not \(featureSet.name) "
                    + "version \(featureSet.version); start the partition without state or use the original set",
                isOtherFeatureSet: true
            )
        }
        if version >= 5 {
            let digest = UInt64(bitPattern: try reader.readInt64("feature set digest"))
            let current = featureSet.definitionDigest
            guard digest == current else {
                throw StateDecodingError(
                    "state was written for another definition of feature set \(setName) version \(setVersion) "
                        + "(definition digest \(Self.hex(digest)), the running definition's is \(Self.hex(current))): "
                        + "a feature's window, hop, filter, aggregator, parameters or expression changed while the "
                        + "name and version stayed the same",
                    isOtherFeatureSet: true
                )
            }
        }
        let tick = try reader.readInt64("tick")
        let outOfOrderness = try reader.readInt64("out_of_orderness")
        let lateness = try reader.readInt64("allowed_lateness")
        guard tick == configuration.tickMilliseconds, outOfOrderness == configuration.outOfOrdernessMilliseconds,
            lateness == configuration.allowedLatenessMilliseconds
        else {
            throw StateDecodingError(
                "state was written with tick \(tick) ms, out_of_orderness \(outOfOrderness) ms and allowed_lateness "
                    + "\(lateness) ms; restore it with the same settings"
            )
        }
        let partition = Int32(truncatingIfNeeded: try reader.readInt64("partition"))
        self.init(partition: partition, featureSet: featureSet, configuration: configuration)
        nextOffset = try reader.readOptionalInt64("next offset")
        let maxEventTime = try reader.readOptionalInt64("max_ts").map(EventTime.init(rawValue:))
        let watermark = try reader.readOptionalInt64("watermark").map(EventTime.init(rawValue:))
        let lastProcessed = try reader.readOptionalInt64("last processed tick").map(EventTime.init(rawValue:))
        for time in [maxEventTime, watermark, lastProcessed] {
            if let time, time.rawValue.magnitude > maximumStoredTime {
                throw StateDecodingError(
                    "partition clock time \(time.rawValue) is outside ±2^60 ms; the state is corrupt"
                )
            }
        }
        clock.restore(maxEventTime: maxEventTime, watermark: watermark, lastProcessedTick: lastProcessed)
        let keyCount = Int(try reader.readUInt32("key count"))
        var words: [UInt64] = []
        var paneCounts: [Int] = []
        for _ in 0..<keyCount {
            let memeID = try reader.readBytes("meme_id")
            guard !memeID.isEmpty, memeID.count <= Int(UInt8.max) else {
                throw StateDecodingError(
                    "meme_id of \(memeID.count) bytes is out of range (1 to 255) at byte \(reader.position)"
                )
            }
            let maxTime = try reader.readInt64("key max ts")
            let scheduled = try reader.readInt64("key queued tick")
            guard maxTime.magnitude <= maximumStoredTime, scheduled == .max || scheduled.magnitude <= maximumStoredTime
            else {
                throw StateDecodingError(
                    "key max ts \(maxTime) or queued tick \(scheduled) is outside ±2^60 ms; the state is corrupt"
                )
            }
            var lastEmitted: VectorDigest?
            if try reader.readBool("last emitted presence") {
                if version >= 4 {
                    lastEmitted = VectorDigest(
                        value: UInt64(bitPattern: try reader.readInt64("last emitted vector digest"))
                    )
                } else if version == 3 {
                    // Version 3 contains the whole 128-bit hash, low half first, and the digest is that half.
                    let low = UInt64(bitPattern: try reader.readInt64("last emitted vector digest"))
                    _ = try reader.readInt64("last emitted vector digest")
                    lastEmitted = VectorDigest(value: low)
                } else {
                    // Versions 1 and 2 contain the vector's bytes, which hash to the digest that
                    // version 4 would have written.
                    lastEmitted = VectorDigest(try reader.readBytes("last emitted vector"))
                }
            }
            // The block: key bytes (zero-padded to words), the digest, pane counts, columns.
            words.removeAll(keepingCapacity: true)
            paneCounts.removeAll(keepingCapacity: true)
            Self.appendPadded(memeID, to: &words)
            if let lastEmitted { words.append(lastEmitted.value) }
            var columnWords: [UInt64] = []
            for column in plan.columns {
                paneCounts.append(try column.decode(from: &reader, appendingTo: &columnWords))
            }
            while countLevel < Self.widestCountLevel,
                paneCounts.indices.contains(where: { paneCounts[$0] > layouts[$0].maximumCount })
            {
                widenPaneCounts()
            }
            let header = words.count
            words.append(contentsOf: repeatElement(0, count: headerWords))
            words.append(contentsOf: columnWords)
            let isDuplicate = memeID.withUnsafeBytes { key in
                keyIndex.find(hash: keyIndex.hash(key), where: { keyEquals(Int($0), key) }) != nil
            }
            if isDuplicate {
                throw StateDecodingError(
                    "meme_id \(String(decoding: memeID, as: UTF8.self)) appears twice in the state"
                )
            }
            memeID.withUnsafeBytes { key in
                let hash = keyIndex.hash(key)
                words.withUnsafeMutableBufferPointer { buffer in
                    for (column, count) in paneCounts.enumerated() {
                        storeCount(count, buffer.baseAddress! + header, column: column)
                    }
                }
                let block = arena.allocate(words: words.count)
                words.withUnsafeBufferPointer {
                    arena.pointer(to: block).update(from: $0.baseAddress!, count: $0.count)
                }
                let slot = slots.count
                slots.append(
                    KeySlot(
                        block: block,
                        keyLength: UInt8(key.count),
                        hasEmitted: lastEmitted != nil,
                        usedWords: UInt32(words.count),
                        hash: UInt32(truncatingIfNeeded: hash),
                        maxEventTime: maxTime,
                        scheduledTick: scheduled
                    )
                )
                keyIndex.insert(hash: hash, slot: UInt32(slot))
                if scheduled != .max { schedule.schedule(UInt32(slot), at: scheduled) }
            }
        }
        peakKeyCount = keyIndex.count
        guard reader.isAtEnd else {
            throw StateDecodingError("state has trailing bytes after byte \(reader.position); it is corrupt")
        }
    }

    /// Appends `bytes` to `words`, eight per word in memory order, the last word zero-padded.
    static func appendPadded(_ bytes: [UInt8], to words: inout [UInt64]) {
        let first = words.count
        words.append(contentsOf: repeatElement(0, count: (bytes.count + 7) / 8))
        words.withUnsafeMutableBufferPointer { buffer in
            bytes.withUnsafeBytes {
                UnsafeMutableRawPointer(buffer.baseAddress! + first).copyMemory(
                    from: $0.baseAddress!,
                    byteCount: $0.count
                )
            }
        }
    }

    /// Estimated bytes of per-key state: the slot table, the key index, every key's block (its
    /// whole size class) and states kept outside blocks. An estimate for memory tests and
    /// benchmarks: it counts what the engine reserves per key, not allocator overhead or the
    /// arena's unused tail.
    public func estimatedStateBytes() -> Int {
        estimatedStateBytesByPart().reduce(0) { $0 + $1.bytes }
    }
}

extension PartitionEngine {
    /// Estimated state bytes by part. The parts are `keys` (slot entries, the key index,
    /// `meme_id` bytes and pane counts), `last emitted vectors`, `unused block words` (the rest of
    /// each block's size class), `free arena blocks` (released blocks waiting for reuse) and `tick
    /// schedule` (the keys queued by tick, with spare storage). Then
    /// comes one entry per column, named after the features that share it. The sum is
    /// ``estimatedStateBytes()``.
    public func estimatedStateBytesByPart() -> [(part: String, bytes: Int)] {
        var keys = slots.capacity * MemoryLayout<KeySlot>.stride + keyIndex.tableBytes
        var vectors = 0
        var unused = 0
        var columns = Array(repeating: 0, count: columnCount)
        for slot in slots.indices where slots[slot].keyLength != 0 {
            keys += (keyWords(slot) + headerWords) * 8
            vectors += vectorWords(slot) * 8
            unused += (WordArena.words(inClass: slots[slot].block.sizeClass) - Int(slots[slot].usedWords)) * 8
            locateColumns(slot)
            for column in 0..<columnCount {
                let region = ColumnRegion(
                    words: blockPointer(slot) + columnOffsets[column],
                    paneCount: columnCounts[column]
                )
                columns[column] += (plan.fixedWords[column] + region.paneCount * layouts[column].paneWords) * 8
                columns[column] += plan.columns[column].outOfBlockBytes(region)
            }
        }
        var parts: [(part: String, bytes: Int)] = [
            ("keys", keys), ("last emitted vectors", vectors), ("unused block words", unused),
            ("free arena blocks", arena.touchedBytes - arena.liveWords * 8),
            ("tick schedule", schedule.estimatedBytes),
        ]
        for column in 0..<columnCount {
            let names = plan.sources.indices.filter {
                if case .column(let source, _) = plan.sources[$0] { return source == column }
                return false
            }.map { featureSet.features[$0].name }
            parts.append((names.joined(separator: "+"), columns[column]))
        }
        return parts
    }

    /// `value` as 16 hexadecimal digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
