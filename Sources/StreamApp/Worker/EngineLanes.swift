import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Engine threads ("lanes") that run the partition engines while the worker thread polls.
///
/// Each assigned partition belongs to one lane for as long as the worker owns it, so the records
/// of a partition are processed in offset order by one thread. The worker thread copies each
/// accepted record's key and value into the lane's current ``LaneBatch`` and hands full batches
/// over. A lane processes its batches in the order it received them. ``drain()`` waits until
/// every handed-over record is processed, which the worker does before it reads engine state
/// (checkpoints, revocations, lost partitions, shutdown).
///
/// Every method is called on the worker thread; only the lanes' own loops run elsewhere.
final class EngineLanes {
    let lanes: [EngineLane]

    /// Starts `count` lane threads, each with its own ``WorkerOutput`` from `makeOutput`.
    init(count: Int, step: EngineStep, makeOutput: () -> WorkerOutput) {
        precondition(count > 0, "an engine lane set needs at least one lane, got \(count)")
        lanes = (0..<count).map { EngineLane(index: $0, step: step, output: makeOutput()) }
    }

    deinit {
        stop()
    }

    /// Gives `task` to the lane with the fewest partitions.
    func assign(_ task: PartitionTask) {
        let lane = lanes.min { $0.partitionCount < $1.partitionCount }!
        lane.partitionCount += 1
        task.laneIndex = lane.index
        task.lane = Unmanaged.passUnretained(lane)
    }

    /// Takes `task` off its lane. Call only after ``drain()``, because the lane may still hold
    /// its records otherwise.
    func unassign(_ task: PartitionTask) {
        lanes[task.laneIndex].partitionCount -= 1
        task.lane = nil
    }

    /// Copies `record` into the batch of `task`'s lane; a full batch is handed over at once.
    /// Blocks while the lane has ``EngineLane/maxQueuedBatches`` batches waiting.
    func append(_ record: InputRecord, task: PartitionTask) {
        lanes[task.laneIndex].append(record, task: task)
    }

    /// Queues an idle-rule watermark advance behind `task`'s records handed over so far.
    func appendIdleAdvance(_ task: PartitionTask, to watermark: EventTime) {
        lanes[task.laneIndex].appendIdleAdvance(task, to: watermark)
    }

    /// Hands every partly filled batch over, so no record waits for more to arrive.
    func submitAll() {
        for lane in lanes {
            lane.submit()
        }
    }

    /// Waits until every lane has processed everything handed over.
    ///
    /// - Throws: the first failure of any lane (a produce error).
    func drain() throws {
        submitAll()
        var firstFailure: (any Error)?
        for lane in lanes {
            if let failure = lane.waitUntilIdle(), firstFailure == nil {
                firstFailure = failure
            }
        }
        if let firstFailure {
            throw firstFailure
        }
    }

    /// Returns the first failure of any lane, without waiting. A failed lane skips every later
    /// record.
    func failure() -> (any Error)? {
        for lane in lanes {
            if let failure = lane.currentFailure() {
                return failure
            }
        }
        return nil
    }

    /// Stops every lane thread after the batch it is running and drops the queued ones. The worker
    /// drains the lanes before every checkpoint, so no dropped record is in a checkpoint; after a
    /// failure, dropping them keeps the stop quick. Later calls do nothing.
    func stop() {
        for lane in lanes {
            lane.stop()
        }
    }
}

/// One accepted record inside a ``LaneBatch``: the bytes live in the batch's buffer.
struct LaneRecord {
    /// The record's partition. Unretained: the worker keeps the task, and so its handle, alive
    /// until the lanes are drained and it releases the partition.
    let handle: Unmanaged<EngineHandle>
    let offset: Int64
    let recordTimestamp: Int64?
    /// The key's start in the batch buffer, or -1 when the record has no key.
    let keyStart: Int
    let keyCount: Int
    /// The value's start in the batch buffer, or -1 when the record has a null value.
    let valueStart: Int
    let valueCount: Int

    /// Returns the value's bytes in `buffer`: no base address for a null value, a base address
    /// for an empty one, so that a dead-letter copy keeps the difference.
    func value(in buffer: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard valueStart >= 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard let base = buffer.baseAddress else { return UnsafeRawBufferPointer(start: laneEmptyValue, count: 0) }
        return UnsafeRawBufferPointer(start: base + valueStart, count: valueCount)
    }
}

/// The address of an empty value read from an empty batch buffer.
nonisolated(unsafe) private let laneEmptyValue = UnsafeRawPointer(
    UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
)

/// Records and idle-rule advances for one lane, with every key and value in one byte buffer.
/// Batches are reused, so after warm-up handing records over allocates nothing.
final class LaneBatch {
    private(set) var bytes: [UInt8] = []
    private(set) var records: [LaneRecord] = []
    private(set) var idleAdvances: [(handle: Unmanaged<EngineHandle>, watermark: EventTime)] = []
    /// The distinct partitions of the batch, for the gauges.
    private(set) var handles: [Unmanaged<EngineHandle>] = []

    var isEmpty: Bool { records.isEmpty && idleAdvances.isEmpty }

    func append(_ record: InputRecord, task: PartitionTask) {
        let reference = Unmanaged.passUnretained(task.handle)
        noteHandle(reference)
        var keyStart = -1
        var keyCount = 0
        if let key = record.key {
            keyStart = bytes.count
            keyCount = key.count
            bytes.append(contentsOf: key)
        }
        let valueStart = record.value.baseAddress == nil ? -1 : bytes.count
        bytes.append(contentsOf: record.value)
        records.append(
            LaneRecord(
                handle: reference,
                offset: record.offset,
                recordTimestamp: record.recordTimestamp,
                keyStart: keyStart,
                keyCount: keyCount,
                valueStart: valueStart,
                valueCount: record.value.count
            )
        )
    }

    func appendIdleAdvance(_ task: PartitionTask, to watermark: EventTime) {
        let reference = Unmanaged.passUnretained(task.handle)
        noteHandle(reference)
        idleAdvances.append((reference, watermark))
    }

    func reset() {
        bytes.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        idleAdvances.removeAll(keepingCapacity: true)
        handles.removeAll(keepingCapacity: true)
    }

    private func noteHandle(_ reference: Unmanaged<EngineHandle>) {
        let pointer = reference.toOpaque()
        if handles.last?.toOpaque() == pointer { return }
        if handles.contains(where: { $0.toOpaque() == pointer }) { return }
        handles.append(reference)
    }
}

/// One engine thread with a bounded queue of batches.
///
/// `@unchecked Sendable`: the fields marked as guarded are read and written only under `mutex`.
/// `filling` and `partitionCount` belong to the worker thread, and `step` and `output` to the lane
/// thread once it started.
final class EngineLane: @unchecked Sendable {
    /// Records per batch; a full batch is handed over at once.
    static let batchRecords = 1_024
    /// Batches waiting per lane before the worker thread blocks, which bounds the memory in
    /// flight to about `maxQueuedBatches × batchRecords` records per lane.
    static let maxQueuedBatches = 8

    let index: Int
    private let step: EngineStep
    private let output: WorkerOutput
    /// Partitions on this lane (worker thread only).
    var partitionCount = 0
    /// The batch being filled (worker thread only).
    private var filling = LaneBatch()

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when a batch is queued or the lane is asked to stop.
    private let workQueued: UnsafeMutablePointer<pthread_cond_t>
    /// Signalled when the lane finished a batch.
    private let batchFinished: UnsafeMutablePointer<pthread_cond_t>
    // Guarded by `mutex`.
    private var queued: [LaneBatch] = []
    private var spare: [LaneBatch] = []
    private var isBusy = false
    private var isStopping = false
    private var failure: (any Error)?
    private var thread: pthread_t?

    init(index: Int, step: EngineStep, output: WorkerOutput) {
        self.index = index
        self.step = step
        self.output = output
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        workQueued = .allocate(capacity: 1)
        pthread_cond_init(workQueued, nil)
        batchFinished = .allocate(capacity: 1)
        pthread_cond_init(batchFinished, nil)
        queued.reserveCapacity(Self.maxQueuedBatches)
        start()
    }

    deinit {
        pthread_cond_destroy(batchFinished)
        batchFinished.deallocate()
        pthread_cond_destroy(workQueued)
        workQueued.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    private func start() {
        var handle = pthread_t()
        // The thread owns one reference until its loop returns.
        let context = Unmanaged.passRetained(self).toOpaque()
        let code = pthread_create(
            &handle,
            nil,
            { raw in
                let lane = Unmanaged<EngineLane>.fromOpaque(raw!).takeRetainedValue()
                lane.runLoop()
                return nil
            },
            context
        )
        precondition(code == 0, "starting engine lane thread failed with error \(code)")
        thread = handle
    }

    // MARK: - Worker thread side

    func append(_ record: InputRecord, task: PartitionTask) {
        filling.append(record, task: task)
        if filling.records.count >= Self.batchRecords {
            submit()
        }
    }

    func appendIdleAdvance(_ task: PartitionTask, to watermark: EventTime) {
        filling.appendIdleAdvance(task, to: watermark)
    }

    /// Hands the batch being filled over, waiting while the queue is full.
    func submit() {
        guard !filling.isEmpty else { return }
        pthread_mutex_lock(mutex)
        while queued.count >= Self.maxQueuedBatches, !isStopping {
            pthread_cond_wait(batchFinished, mutex)
        }
        if isStopping {
            // A stopped lane runs nothing more; the records are dropped as in stop().
            filling.reset()
            pthread_mutex_unlock(mutex)
            return
        }
        queued.append(filling)
        filling = spare.popLast() ?? LaneBatch()
        pthread_cond_signal(workQueued)
        pthread_mutex_unlock(mutex)
    }

    /// Waits until the queue is empty and no batch is running; returns the lane's failure.
    func waitUntilIdle() -> (any Error)? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while isBusy || (!queued.isEmpty && !isStopping) {
            pthread_cond_wait(batchFinished, mutex)
        }
        return failure
    }

    func currentFailure() -> (any Error)? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return failure
    }

    /// Drops the queued batches, lets the thread finish the batch it is running, then joins it.
    /// Later calls do nothing.
    func stop() {
        pthread_mutex_lock(mutex)
        isStopping = true
        queued.removeAll()
        let handle = thread
        thread = nil
        pthread_cond_broadcast(workQueued)
        pthread_cond_broadcast(batchFinished)
        pthread_mutex_unlock(mutex)
        if let handle {
            pthread_join(handle, nil)
        }
    }

    // MARK: - Lane thread side

    private func runLoop() {
        while true {
            pthread_mutex_lock(mutex)
            while queued.isEmpty, !isStopping {
                pthread_cond_wait(workQueued, mutex)
            }
            if queued.isEmpty {
                pthread_mutex_unlock(mutex)
                return
            }
            let batch = queued.removeFirst()
            isBusy = true
            let hasFailed = failure != nil
            pthread_mutex_unlock(mutex)

            var batchFailure: (any Error)?
            if !hasFailed {
                do {
                    try execute(batch)
                } catch {
                    batchFailure = error
                }
            }
            batch.reset()

            pthread_mutex_lock(mutex)
            isBusy = false
            if failure == nil, let batchFailure {
                failure = batchFailure
            }
            spare.append(batch)
            pthread_cond_broadcast(batchFinished)
            pthread_mutex_unlock(mutex)
        }
    }

    /// How many records ahead of the one being processed the engine gets a look-ahead hint.
    static let lookAheadRecords = 3

    private func execute(_ batch: LaneBatch) throws {
        // Read this object's fields once per batch: the worker thread writes its reference count
        // while appending records, and reading them per record would contend for that memory.
        let step = step
        let output = output
        let records = batch.records
        try batch.bytes.withUnsafeBytes { buffer in
            for index in records.indices {
                let entry = records[index]
                // The engine loads the state of a record three places ahead in three stages, as
                // replay's look-ahead does (docs/engine.md, "Look-ahead on key look-ups").
                let ahead = index + Self.lookAheadRecords
                if ahead < records.count {
                    let upcoming = records[ahead]
                    let value = upcoming.value(in: buffer)
                    upcoming.handle._withUnsafeGuaranteedRef { $0.engine.prefetchState(forValue: value) }
                }
                let key: UnsafeRawBufferPointer? =
                    entry.keyStart < 0
                    ? nil : UnsafeRawBufferPointer(rebasing: buffer[entry.keyStart..<entry.keyStart + entry.keyCount])
                let value = entry.value(in: buffer)
                // The worker keeps the handle alive (see LaneRecord), so no reference is counted
                // here: counting would write the handle's memory once per record.
                try entry.handle._withUnsafeGuaranteedRef { handle in
                    let record = InputRecord(
                        partition: handle.partition,
                        offset: entry.offset,
                        recordTimestamp: entry.recordTimestamp,
                        key: key,
                        value: value
                    )
                    try step.process(record, handle: handle, output: output)
                }
            }
        }
        for advance in batch.idleAdvances {
            step.advanceIdle(advance.handle.takeUnretainedValue(), to: advance.watermark, output: output)
            if let failure = output.failure {
                throw failure
            }
        }
        for handle in batch.handles {
            step.publishEngineState(handle.takeUnretainedValue())
        }
        output.publishCounts()
    }
}
