import StreamCore

extension PartitionEngine {
    /// The first four bytes of an encoded state: "MSPE".
    static let stateMagic: [UInt8] = Array("MSPE".utf8)
    /// The state format version written by ``encodeState()``.
    /// Version 2 widened the `sum` and `mean` totals from i64 to i128.
    public static let stateFormatVersion: UInt32 = 2
    /// Every state format version ``init(restoring:featureSet:configuration:)`` reads.
    public static let readableStateFormatVersions: ClosedRange<UInt32> = 1...2

    /// Serializes the whole partition state into a versioned binary blob.
    ///
    /// The blob starts with the magic `MSPE` and a u32 format version, then the feature set name
    /// and version, the tick settings, the partition clock and every key in ascending `meme_id`
    /// byte order with its columns' states; docs/engine.md lists every field. Keys are sorted, so
    /// equal states give equal bytes. The checkpoint layer compresses the blob.
    /// - Complexity: O(k log k + s) for k keys and s bytes of state.
    public func encodeState() -> [UInt8] {
        var writer = StateWriter()
        for byte in Self.stateMagic { writer.writeUInt8(byte) }
        writer.writeUInt32(Self.stateFormatVersion)
        writer.writeString(featureSet.name)
        writer.writeInt64(Int64(featureSet.version))
        writer.writeInt64(configuration.tickMilliseconds)
        writer.writeInt64(configuration.outOfOrdernessMilliseconds)
        writer.writeInt64(configuration.allowedLatenessMilliseconds)
        writer.writeInt64(Int64(partition))
        writer.writeOptionalInt64(nextOffset)
        writer.writeOptionalInt64(clock.maxEventTime?.rawValue)
        writer.writeOptionalInt64(clock.watermark?.rawValue)
        writer.writeOptionalInt64(clock.lastProcessedTick?.rawValue)
        let keys = slotsByKey.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        writer.writeUInt32(UInt32(keys.count))
        for key in keys {
            let slot = slotsByKey[key]!
            let entry = entries[slot]!
            writer.writeString(entry.memeID)
            writer.writeInt64(entry.maxEventTime)
            writer.writeInt64(entry.scheduledTick)
            writer.writeBool(entry.lastEmitted != nil)
            if let vector = entry.lastEmitted { writer.writeBytes(vector) }
            for column in plan.columns { column.encode(slot: slot, into: &writer) }
        }
        return writer.bytes
    }

    /// Restores an engine from ``encodeState()`` output; its later output is byte-identical to
    /// the engine that was encoded. Counters in ``statistics`` start from zero.
    ///
    /// - Throws: ``StateDecodingError`` when the blob is truncated, has another magic or format
    ///   version, or was written for another feature set, tick, out-of-orderness or lateness.
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
        guard Self.readableStateFormatVersions.contains(version) else {
            throw StateDecodingError(
                "state format version \(version) is not supported; this build reads versions "
                    + "\(Self.readableStateFormatVersions); start the partition without state"
            )
        }
        reader.formatVersion = version
        let setName = try reader.readString("feature set name")
        let setVersion = try reader.readInt64("feature set version")
        guard setName == featureSet.name, setVersion == Int64(featureSet.version) else {
            throw StateDecodingError(
                "state was written for feature set \(setName) version \(setVersion), not \(featureSet.name) "
                    + "version \(featureSet.version); start the partition without state or use the original set"
            )
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
        clock.restore(maxEventTime: maxEventTime, watermark: watermark, lastProcessedTick: lastProcessed)
        let keyCount = Int(try reader.readUInt32("key count"))
        entries.reserveCapacity(keyCount)
        for slot in 0..<keyCount {
            let memeID = try reader.readString("meme_id")
            let maxTime = try reader.readInt64("key max ts")
            let scheduled = try reader.readInt64("key queued tick")
            var lastEmitted: [UInt8]?
            if try reader.readBool("last emitted presence") {
                lastEmitted = try reader.readBytes("last emitted vector")
            }
            entries.append(
                KeyEntry(memeID: memeID, maxEventTime: maxTime, lastEmitted: lastEmitted, scheduledTick: scheduled)
            )
            slotsByKey[memeID] = slot
            for column in plan.columns {
                column.reserveSlots(slot + 1)
                try column.decode(slot: slot, from: &reader)
            }
            if scheduled != .max { dueQueue.insert(DueQueue.Entry(tick: scheduled, memeID: memeID, slot: slot)) }
        }
        guard reader.isAtEnd else {
            throw StateDecodingError("state has trailing bytes after byte \(reader.position); it is corrupt")
        }
    }

    /// Estimated bytes of per-key state: key entries, key strings, last emitted vectors, the key
    /// index and every column's panes. An estimate for memory tests and benchmarks: it counts
    /// array headers and element storage but not allocator overhead.
    public func estimatedStateBytes() -> Int {
        var total = 0
        for case let entry? in entries {
            total += MemoryLayout<KeyEntry>.stride
            if entry.memeID.utf8.count > 15 { total += 32 + entry.memeID.utf8.count }
            if let vector = entry.lastEmitted { total += 32 + vector.capacity }
        }
        // The key index stores one String and one Int per key, at a load factor of at most 3/4.
        total += slotsByKey.capacity * (MemoryLayout<String>.stride + MemoryLayout<Int>.stride) * 4 / 3
        for slot in entries.indices where entries[slot] != nil {
            for column in plan.columns { total += column.memoryBytes(slot: slot) }
        }
        return total
    }
}

extension PartitionEngine {
    /// Estimated state bytes by part: `keys` (entries, strings, last emitted vectors and the key
    /// index) and one entry per column, named after the features that share it. Same estimate
    /// as ``estimatedStateBytes()``, which is the sum.
    public func estimatedStateBytesByPart() -> [(part: String, bytes: Int)] {
        var parts: [(part: String, bytes: Int)] = []
        var total = 0
        for (index, column) in plan.columns.enumerated() {
            var bytes = 0
            for slot in entries.indices where entries[slot] != nil { bytes += column.memoryBytes(slot: slot) }
            let names = plan.sources.indices.filter {
                if case .column(let source, _) = plan.sources[$0] { return source == index }
                return false
            }.map { featureSet.features[$0].name }
            parts.append((names.joined(separator: "+"), bytes))
            total += bytes
        }
        parts.insert(("keys", estimatedStateBytes() - total), at: 0)
        return parts
    }
}
