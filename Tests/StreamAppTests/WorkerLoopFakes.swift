import Foundation
import StreamCore

@testable import StreamApp

/// A shared, ordered log of the side effects the fakes see, to check their order.
final class EffectLog {
    var entries: [String] = []
}

/// A stand-in engine: a value `"<meme> <ts>"` is accepted and emits one record `"<meme>@<offset>"`;
/// any other value is rejected as malformed. State is the text `"<nextOffset> <maxTs>"`.
final class FakeEngine: WorkerPartitionEngine {
    var nextOffset: Int64?
    var maxEventTime: EventTime?
    var watermark: EventTime? { maxEventTime.map { EventTime(rawValue: $0.rawValue - 5_000) } ?? advanced }
    var advanced: EventTime?
    var lastProcessedTick: EventTime?
    var keyCount: Int { 0 }
    var keyMismatchCount = 0

    init() {}

    init(state: [UInt8]) throws {
        let parts = String(decoding: state, as: UTF8.self).split(separator: " ")
        guard parts.count == 2, let offset = Int64(parts[0]), let maxTs = Int64(parts[1]) else {
            throw FakeEngineError()
        }
        nextOffset = offset
        maxEventTime = maxTs < 0 ? nil : EventTime(rawValue: maxTs)
    }

    func process(_ record: InputRecord, into output: WorkerOutput) {
        nextOffset = record.offset + 1
        let text = String(decoding: record.value, as: UTF8.self)
        let parts = text.split(separator: " ")
        guard parts.count == 2, let ts = Int64(parts[1]) else {
            output.reject(record, rejection: Rejection(reason: .malformedJSON, detail: "not a fake event"))
            return
        }
        maxEventTime = EventTime(rawValue: max(maxEventTime?.rawValue ?? 0, ts))
        if let key = record.key, String(decoding: key, as: UTF8.self) != parts[0] { keyMismatchCount += 1 }
        Array("\(parts[0])@\(record.offset)".utf8).withUnsafeBytes { value in
            output.emit(memeID: String(parts[0]), tick: EventTime(rawValue: ts), isTombstone: false, value: value)
        }
    }

    func advanceWatermark(to watermark: EventTime, into output: WorkerOutput) {
        advanced = watermark
        lastProcessedTick = watermark
    }

    func encodeState() -> [UInt8] {
        Array("\(nextOffset ?? 0) \(maxEventTime?.rawValue ?? -1)".utf8)
    }
}

struct FakeEngineError: Error {}

/// A consumer fed from arrays, with scripted rebalances.
final class FakeConsumer: WorkerConsumer {
    let effects: EffectLog
    var partitions: [Int32: [(offset: Int64, value: String)]] = [:]
    /// Record keys by partition and offset; records without an entry have no key.
    var keys: [Int32: [Int64: String]] = [:]
    var positions: [Int32: Int64] = [:]
    var pendingAssign: [Int32]?
    var pendingRevoke: [Int32]?
    var pendingLost: [Int32]?
    var committed: [Int32: Int64] = [:]
    var seeks: [(partition: Int32, offset: Int64)] = []
    /// Start positions set during the last assignment's handler, applied after it returns.
    var starts: [Int32: SeekTarget] = [:]
    private var pendingSeeks: [Int32: Int64] = [:]
    /// When `true`, poll delivers no records (a slow fetch), though the high watermark is ahead.
    var isStalled = false
    /// The offset ListOffsets returns for a timestamp. With `nil` (the default) every look-up
    /// returns −1, as on the mock cluster.
    var offsetForTimestamp: ((Int64, Int32) -> Int64)?
    /// The timestamps asked for, in order.
    var requestedTimestamps: [Int64] = []
    /// The cluster id the consumer reports; `nil` as when no metadata arrived.
    var clusterID: String? = "fake-cluster"
    /// The offset of each partition's first record, 0 unless set: retention removed the ones
    /// before it. The records of `partitions` follow it one offset apart.
    var logStartOffsets: [Int32: Int64] = [:]

    private func logStart(_ partition: Int32) -> Int64 { logStartOffsets[partition] ?? 0 }
    private func logEnd(_ partition: Int32) -> Int64 {
        logStart(partition) + Int64(partitions[partition, default: []].count)
    }

    func clusterID(timeoutMilliseconds: Int) -> String? { clusterID }

    init(effects: EffectLog) {
        self.effects = effects
    }

    func poll(
        maxRecords: Int,
        timeoutMilliseconds: Int,
        handler: any WorkerRebalanceHandler,
        _ body: (InputRecord) throws -> Void
    ) throws {
        if let revoke = pendingRevoke {
            pendingRevoke = nil
            try handler.partitionsRevoked(revoke)
            for partition in revoke { positions[partition] = nil }
        }
        if let lost = pendingLost {
            pendingLost = nil
            handler.partitionsLost(lost)
            for partition in lost { positions[partition] = nil }
        }
        if let assign = pendingAssign {
            pendingAssign = nil
            starts.removeAll()
            try handler.partitionsAssigned(assign)
            for partition in assign {
                // Like librdkafka: a new partition starts where the handler set it, else at the
                // committed offset.
                switch starts[partition] {
                case .offset(let offset):
                    // An offset outside the log resets to the log start (auto.offset.reset=earliest).
                    let isInLog = offset >= logStart(partition) && offset <= logEnd(partition)
                    positions[partition] = isInLog ? offset : logStart(partition)
                case .beginning: positions[partition] = logStart(partition)
                case .end: positions[partition] = logEnd(partition)
                case nil: positions[partition] = committed[partition] ?? logStart(partition)
                }
            }
        }
        var delivered = 0
        if isStalled { return }
        for partition in positions.keys.sorted() {
            let records = partitions[partition, default: []]
            let start = logStart(partition)
            // A position below the log start resets to it, as auto.offset.reset=earliest does.
            if let position = positions[partition], position < start { positions[partition] = start }
            while let position = positions[partition], position - start < records.count, delivered < maxRecords {
                let value = Array(records[Int(position - start)].value.utf8)
                let key = keys[partition]?[position].map { Array($0.utf8) }
                try value.withUnsafeBytes { bytes in
                    if let key {
                        try key.withUnsafeBytes { keyBytes in
                            try body(
                                InputRecord(
                                    partition: partition,
                                    offset: position,
                                    recordTimestamp: nil,
                                    key: keyBytes,
                                    value: bytes
                                )
                            )
                        }
                    } else {
                        try body(
                            InputRecord(
                                partition: partition,
                                offset: position,
                                recordTimestamp: nil,
                                key: nil,
                                value: bytes
                            )
                        )
                    }
                }
                positions[partition] = position + 1
                delivered += 1
            }
        }
        positions.merge(pendingSeeks) { _, new in new }
        pendingSeeks.removeAll()
    }

    func highWatermark(partition: Int32) -> Int64? {
        staleHighWatermarks[partition] ?? logEnd(partition)
    }

    /// Returns `nil`: the fake log has no offsets without records, so a position adds nothing.
    func position(partition: Int32) -> Int64? { nil }

    /// Returns the partition's entry of ``logStartOffsets``, or `nil`, as a client does before its
    /// first fetch response.
    func logStartOffset(partition: Int32) -> Int64? { logStartOffsets[partition] }

    /// High watermarks to report instead of the log's length, as a client whose fetches have not
    /// caught up with the log reports them.
    var staleHighWatermarks: [Int32: Int64] = [:]
    var consumeErrorCount = 0

    /// Like librdkafka, a seek takes effect for the next poll; the current batch goes on.
    func setStart(partition: Int32, to target: SeekTarget) throws {
        starts[partition] = target
    }

    func seek(partition: Int32, to target: SeekTarget) throws {
        let offset: Int64
        switch target {
        case .offset(let value): offset = value
        case .beginning: offset = logStart(partition)
        case .end: offset = logEnd(partition)
        }
        seeks.append((partition, offset))
        pendingSeeks[partition] = offset
    }

    func commit(_ offsets: [Int32: Int64]) throws {
        effects.entries.append("commit " + offsets.keys.sorted().map { "\($0)=\(offsets[$0]!)" }.joined(separator: ","))
        committed.merge(offsets) { _, new in new }
    }

    func offset(forTimestamp timestamp: Int64, partition: Int32) throws -> Int64? {
        requestedTimestamps.append(timestamp)
        return offsetForTimestamp?(timestamp, partition) ?? -1
    }

    func close(handler: any WorkerRebalanceHandler) throws {
        try handler.partitionsRevoked(positions.keys.sorted())
        positions.removeAll()
        effects.entries.append("close")
    }
}

/// A producer that records what it receives; `flush` acknowledges everything or fails on demand.
/// Thread-safe, because engine lanes produce from their own threads.
final class FakeProducer: WorkerProducer {
    typealias Produced = (topic: String, key: String?, value: String?, timestamp: Int64?, headers: [String: String])

    let effects: EffectLog
    private let lock = NSLock()
    private var producedRecords: [Produced] = []
    private var unacknowledged = 0
    /// Thrown by the next flush.
    var failNextFlush: (any Error)?
    /// Thrown by the produce call for the record with this value.
    var failProduceOfValue: (value: String, error: any Error)?

    init(effects: EffectLog) {
        self.effects = effects
    }

    /// Every record produced so far, in the order the produce calls happened.
    var produced: [Produced] {
        lock.withLock { producedRecords }
    }

    func removeProduced() {
        lock.withLock { producedRecords.removeAll() }
    }

    func produce(_ record: OutgoingRecord) throws {
        var headers: [String: String] = [:]
        for header in record.headers {
            headers[header.name] = String(decoding: header.value ?? [], as: UTF8.self)
        }
        let value = record.value.map { String(decoding: $0, as: UTF8.self) }
        try lock.withLock {
            if let failure = failProduceOfValue, failure.value == value {
                throw failure.error
            }
            producedRecords.append(
                (record.topic, record.key.map { String(decoding: $0, as: UTF8.self) }, value, record.timestamp, headers)
            )
            unacknowledged += 1
        }
    }

    func poll() {}

    func flush(timeoutMilliseconds: Int) throws {
        if let failure = failNextFlush {
            failNextFlush = nil
            throw failure
        }
        let count = lock.withLock {
            defer { unacknowledged = 0 }
            return unacknowledged
        }
        effects.entries.append("flush \(count)")
    }
}

/// A directory store that also records its saves in the effect log.
final class RecordingStore: CheckpointStore {
    let inner: DirectoryCheckpointStore
    let effects: EffectLog
    var location: String { inner.location }

    init(root: String, effects: EffectLog) throws {
        inner = try DirectoryCheckpointStore(root: root)
        self.effects = effects
    }

    func save(_ checkpoint: Checkpoint) throws {
        try inner.save(checkpoint)
        effects.entries.append("save \(checkpoint.key.partition)@\(checkpoint.nextOffset)")
    }

    func load(_ key: CheckpointKey) throws -> Checkpoint? {
        try inner.load(key)
    }
}
