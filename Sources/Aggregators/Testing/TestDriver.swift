import StreamCore

/// A feature record or tombstone captured by ``TestDriver``.
public struct EmittedRecord: Sendable, Hashable, CustomStringConvertible {
    /// The input partition that produced it.
    public var partition: Int32
    /// The record key.
    public var memeID: String
    /// The tick it was computed at.
    public var tick: EventTime
    /// `true` for a tombstone.
    public var isTombstone: Bool
    /// The value as a file gets it (a tombstone has `"features":null`).
    public var value: String

    /// Creates a captured record.
    public init(partition: Int32, memeID: String, tick: EventTime, isTombstone: Bool, value: String) {
        self.partition = partition
        self.memeID = memeID
        self.tick = tick
        self.isTombstone = isTombstone
        self.value = value
    }

    public var description: String { value }
}

/// A rejection captured by ``TestDriver``.
public struct RejectedRecord: Sendable, Hashable {
    /// The input partition.
    public var partition: Int32
    /// The record's offset.
    public var offset: Int64
    /// The reason code and detail.
    public var rejection: Rejection

    /// Creates a captured rejection.
    public init(partition: Int32, offset: Int64, rejection: Rejection) {
        self.partition = partition
        self.offset = offset
        self.rejection = rejection
    }
}

/// An ``EmissionSink`` that copies everything it receives into arrays.
public struct CollectingSink: EmissionSink {
    /// Records and tombstones in emission order.
    public var records: [EmittedRecord] = []
    /// Rejections in input order.
    public var rejections: [RejectedRecord] = []

    /// Creates an empty sink.
    public init() {}

    public mutating func emit(memeID: String, tick: EventTime, isTombstone: Bool, value: UnsafeRawBufferPointer) {
        records.append(
            EmittedRecord(
                partition: -1,
                memeID: memeID,
                tick: tick,
                isTombstone: isTombstone,
                value: String(decoding: value, as: UTF8.self)
            )
        )
    }

    public mutating func reject(_ record: InputRecord, rejection: Rejection) {
        rejections.append(RejectedRecord(partition: record.partition, offset: record.offset, rejection: rejection))
    }
}

/// A synchronous, broker-free driver for feature sets and aggregators.
///
/// Feed records with partition, offset, record timestamp, key and value, and advance a
/// partition's watermark. Then read the records, tombstones and rejections produced since the
/// last read.
/// Each partition gets its own ``PartitionEngine``, as in the worker. A test usually ends with
/// `#expect(driver.readRecords().isEmpty)` to assert that nothing else was emitted.
///
/// Not thread-safe: use one driver per test.
public final class TestDriver {
    /// The feature set every partition computes.
    public let featureSet: FeatureSet
    /// The engine settings.
    public let configuration: EngineConfiguration
    private var engines: [Int32: PartitionEngine] = [:]
    private var sink = CollectingSink()

    /// Creates a driver with no partitions yet.
    public init(featureSet: FeatureSet = .memeV1, configuration: EngineConfiguration = EngineConfiguration()) {
        self.featureSet = featureSet
        self.configuration = configuration
    }

    /// Returns the engine of `partition`, creating it on first use.
    public func engine(for partition: Int32) -> PartitionEngine {
        if let engine = engines[partition] { return engine }
        let engine = PartitionEngine(partition: partition, featureSet: featureSet, configuration: configuration)
        engines[partition] = engine
        return engine
    }

    /// The partitions seen so far, sorted.
    public var partitions: [Int32] { engines.keys.sorted() }

    /// Feeds one record.
    ///
    /// - Parameters:
    ///   - value: The record value bytes.
    ///   - partition: The input partition (default 0).
    ///   - offset: The record offset; `nil` uses the partition's next offset (0 at first).
    ///   - recordTimestamp: The Kafka record timestamp in ms, or `nil` for none.
    ///   - key: The record key, or `nil` for none.
    public func send(
        bytes value: [UInt8],
        partition: Int32 = 0,
        offset: Int64? = nil,
        recordTimestamp: Int64? = nil,
        key: [UInt8]? = nil
    ) {
        let engine = engine(for: partition)
        let recordOffset = offset ?? engine.nextOffset ?? 0
        let before = sink.records.count
        value.withUnsafeBytes { valueBuffer in
            let process = { (keyBuffer: UnsafeRawBufferPointer?) in
                let record = InputRecord(
                    partition: partition,
                    offset: recordOffset,
                    recordTimestamp: recordTimestamp,
                    key: keyBuffer,
                    value: valueBuffer
                )
                engine.process(record, into: &self.sink)
            }
            if let key {
                key.withUnsafeBytes { process($0) }
            } else {
                process(nil)
            }
        }
        stampPartition(partition, from: before)
    }

    /// Feeds one record whose value (and key) are UTF-8 text. See ``send(bytes:partition:offset:recordTimestamp:key:)``.
    public func send(
        _ value: String,
        partition: Int32 = 0,
        offset: Int64? = nil,
        recordTimestamp: Int64? = nil,
        key: String? = nil
    ) {
        send(
            bytes: Array(value.utf8),
            partition: partition,
            offset: offset,
            recordTimestamp: recordTimestamp,
            key: key.map { Array($0.utf8) }
        )
    }

    /// Advances the watermark of `partition` to `watermark` and processes the ticks it closes.
    public func advanceWatermark(to watermark: EventTime, partition: Int32 = 0) {
        let before = sink.records.count
        engine(for: partition).advanceWatermark(to: watermark, into: &sink)
        stampPartition(partition, from: before)
    }

    /// Replaces the engine of `partition` by one restored from its encoded state, as a restart
    /// from a checkpoint taken now would.
    /// - Throws: ``StateDecodingError`` when the state does not restore.
    public func restart(partition: Int32 = 0) throws(StateDecodingError) {
        let state = engine(for: partition).encodeState()
        engines[partition] = try PartitionEngine(restoring: state, featureSet: featureSet, configuration: configuration)
    }

    /// Returns the records and tombstones emitted since the last call and clears them.
    public func readRecords() -> [EmittedRecord] {
        defer { sink.records.removeAll() }
        return sink.records
    }

    /// Returns the rejections reported since the last call and clears them.
    public func readRejections() -> [RejectedRecord] {
        defer { sink.rejections.removeAll() }
        return sink.rejections
    }

    private func stampPartition(_ partition: Int32, from index: Int) {
        for position in index..<sink.records.count { sink.records[position].partition = partition }
    }
}
