import Foundation
import StreamCore
import Synchronization

/// Wall time of the worker loop by activity, filled by the timing wrappers below when
/// `memestream bench worker --breakdown` runs. Each wrapper reads the monotonic clock around the
/// call it wraps (per record for the engine and the producer), which adds about 50 ns per record.
/// With engine lanes, the engine and produce figures are summed over the lane threads.
final class WorkerTimeBreakdown: @unchecked Sendable {
    /// Time inside the consumer's poll outside the per-record body: waiting for fetched records,
    /// popping them from librdkafka's queue, serving rebalance events.
    var consumerPoll: UInt64 = 0
    /// Time in the per-record body outside the engine: offset checks, metrics, clock reads.
    var recordBookkeeping: UInt64 = 0
    /// Time in the engine's `process` and `advanceWatermark`, including the producer calls made
    /// inside them (the only place the worker produces).
    let engineWithProduceTotal = Atomic<UInt64>(0)
    /// Time in `produce` calls (enqueueing output and dead-letter records).
    let produceTotal = Atomic<UInt64>(0)
    var produce: UInt64 { produceTotal.load(ordering: .relaxed) }
    /// Time in the engine without the producer calls.
    var engine: UInt64 {
        let total = engineWithProduceTotal.load(ordering: .relaxed)
        return total > produce ? total - produce : 0
    }
    var producerFlush: UInt64 = 0
    var checkpointSave: UInt64 = 0
    var offsetCommit: UInt64 = 0
    /// Time in ``StreamWorker/pollOnce()`` outside the consumer's poll and the checkpoint round:
    /// the idle rule, gauges, the interval check.
    var loopOther: UInt64 = 0
    var records = 0
    var polls = 0
    var emptyPolls = 0

    let clock = WorkerClock()

    func now() -> UInt64 {
        clock.monotonicNanoseconds()
    }

    /// Zeroes every figure, to leave out the start-up.
    func reset() {
        consumerPoll = 0
        recordBookkeeping = 0
        engineWithProduceTotal.store(0, ordering: .relaxed)
        produceTotal.store(0, ordering: .relaxed)
        producerFlush = 0
        checkpointSave = 0
        offsetCommit = 0
        loopOther = 0
        records = 0
        polls = 0
        emptyPolls = 0
    }

    /// Prints each activity's share of `total` nanoseconds of the worker thread's wall time. With
    /// `enginesOnLanes` the engine and produce figures come last, summed over the lanes: they run
    /// beside the worker thread, so they are not part of its wall time.
    func report(total: UInt64, enginesOnLanes: Bool) {
        var rows: [(String, UInt64)] = [
            ("consumer poll (wait + dequeue)", consumerPoll),
            ("per-record bookkeeping", recordBookkeeping),
        ]
        if !enginesOnLanes {
            rows += [("engine", engine), ("produce (enqueue)", produce)]
        }
        rows += [
            ("producer flush", producerFlush),
            ("checkpoint save", checkpointSave),
            ("offset commit", offsetCommit),
            ("loop other (idle rule, gauges)", loopOther),
        ]
        print("breakdown: worker thread, \(records) records in \(polls) polls (\(emptyPolls) empty):")
        var accounted: UInt64 = 0
        for (name, nanoseconds) in rows {
            accounted += nanoseconds
            printRow(name, nanoseconds, total: total)
        }
        printRow("not accounted", total > accounted ? total - accounted : 0, total: total)
        if enginesOnLanes {
            print("breakdown: engine lanes, summed over lanes:")
            printRow("engine", engine, total: total)
            printRow("produce (enqueue)", produce, total: total)
        }
    }

    private func printRow(_ name: String, _ nanoseconds: UInt64, total: UInt64) {
        let milliseconds = Double(nanoseconds) / 1e6
        let share = total == 0 ? 0 : 100 * Double(nanoseconds) / Double(total)
        let padded = name + String(repeating: " ", count: max(0, 32 - name.count))
        print("breakdown: \(padded) \(formatted(milliseconds)) ms  \(formatted(share))%")
    }

    private func formatted(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// Times a ``WorkerConsumer``'s poll and commit calls into a ``WorkerTimeBreakdown``.
final class TimingWorkerConsumer: WorkerConsumer {
    let inner: any WorkerConsumer
    let breakdown: WorkerTimeBreakdown
    /// `true` when the engines run inside the per-record body (no engine lanes), so their time is
    /// taken out of the bookkeeping figure.
    let enginesRunInBody: Bool

    init(_ inner: any WorkerConsumer, breakdown: WorkerTimeBreakdown, enginesRunInBody: Bool) {
        self.inner = inner
        self.breakdown = breakdown
        self.enginesRunInBody = enginesRunInBody
    }

    func poll(
        maxRecords: Int,
        timeoutMilliseconds: Int,
        handler: any WorkerRebalanceHandler,
        _ body: (InputRecord) throws -> Void
    ) throws {
        let started = breakdown.now()
        var inBody: UInt64 = 0
        var count = 0
        defer {
            breakdown.consumerPoll += breakdown.now() - started - inBody
            breakdown.polls += 1
            breakdown.records += count
            if count == 0 { breakdown.emptyPolls += 1 }
        }
        try inner.poll(maxRecords: maxRecords, timeoutMilliseconds: timeoutMilliseconds, handler: handler) { record in
            let bodyStarted = breakdown.now()
            let engineBefore = breakdown.engineWithProduceTotal.load(ordering: .relaxed)
            defer {
                let elapsed = breakdown.now() - bodyStarted
                inBody += elapsed
                let inEngine =
                    enginesRunInBody ? breakdown.engineWithProduceTotal.load(ordering: .relaxed) - engineBefore : 0
                breakdown.recordBookkeeping += elapsed > inEngine ? elapsed - inEngine : 0
            }
            count += 1
            try body(record)
        }
    }

    func highWatermark(partition: Int32) -> Int64? {
        inner.highWatermark(partition: partition)
    }

    func position(partition: Int32) -> Int64? {
        inner.position(partition: partition)
    }

    func logStartOffset(partition: Int32) -> Int64? {
        inner.logStartOffset(partition: partition)
    }

    var consumeErrorCount: Int { inner.consumeErrorCount }

    func setStart(partition: Int32, to target: SeekTarget) throws {
        try inner.setStart(partition: partition, to: target)
    }

    func clusterID(timeoutMilliseconds: Int) -> String? {
        inner.clusterID(timeoutMilliseconds: timeoutMilliseconds)
    }

    func seek(partition: Int32, to target: SeekTarget) throws {
        try inner.seek(partition: partition, to: target)
    }

    func commit(_ offsets: [Int32: Int64]) throws {
        let started = breakdown.now()
        defer { breakdown.offsetCommit += breakdown.now() - started }
        try inner.commit(offsets)
    }

    func offset(forTimestamp timestamp: Int64, partition: Int32) throws -> Int64? {
        try inner.offset(forTimestamp: timestamp, partition: partition)
    }

    func close(handler: any WorkerRebalanceHandler) throws {
        try inner.close(handler: handler)
    }
}

/// Times a ``WorkerProducer``'s calls into a ``WorkerTimeBreakdown``.
final class TimingWorkerProducer: WorkerProducer {
    let inner: any WorkerProducer
    let breakdown: WorkerTimeBreakdown

    init(_ inner: any WorkerProducer, breakdown: WorkerTimeBreakdown) {
        self.inner = inner
        self.breakdown = breakdown
    }

    func produce(_ record: OutgoingRecord) throws {
        let started = breakdown.now()
        defer { breakdown.produceTotal.add(breakdown.now() - started, ordering: .relaxed) }
        try inner.produce(record)
    }

    func poll() {
        inner.poll()
    }

    func flush(timeoutMilliseconds: Int) throws {
        let started = breakdown.now()
        defer { breakdown.producerFlush += breakdown.now() - started }
        try inner.flush(timeoutMilliseconds: timeoutMilliseconds)
    }

    func prepare(topics: [String], timeoutMilliseconds: Int) throws {
        try inner.prepare(topics: topics, timeoutMilliseconds: timeoutMilliseconds)
    }
}

/// Times a ``CheckpointStore``'s saves into a ``WorkerTimeBreakdown``.
final class TimingCheckpointStore: CheckpointStore {
    let inner: any CheckpointStore
    let breakdown: WorkerTimeBreakdown

    init(_ inner: any CheckpointStore, breakdown: WorkerTimeBreakdown) {
        self.inner = inner
        self.breakdown = breakdown
    }

    var location: String { inner.location }

    func location(of key: CheckpointKey) -> String { inner.location(of: key) }

    func save(_ checkpoint: Checkpoint) throws {
        let started = breakdown.now()
        defer { breakdown.checkpointSave += breakdown.now() - started }
        try inner.save(checkpoint)
    }

    func load(_ key: CheckpointKey) throws -> Checkpoint? {
        try inner.load(key)
    }
}

/// Times an engine's calls into a ``WorkerTimeBreakdown``, without the producer time they contain.
final class TimingWorkerEngine: WorkerPartitionEngine {
    let inner: any WorkerPartitionEngine
    let breakdown: WorkerTimeBreakdown

    init(_ inner: any WorkerPartitionEngine, breakdown: WorkerTimeBreakdown) {
        self.inner = inner
        self.breakdown = breakdown
    }

    func process(_ record: InputRecord, into output: WorkerOutput) {
        let started = breakdown.now()
        inner.process(record, into: output)
        breakdown.engineWithProduceTotal.add(breakdown.now() - started, ordering: .relaxed)
    }

    func advanceWatermark(to watermark: EventTime, into output: WorkerOutput) {
        let started = breakdown.now()
        inner.advanceWatermark(to: watermark, into: output)
        breakdown.engineWithProduceTotal.add(breakdown.now() - started, ordering: .relaxed)
    }

    var nextOffset: Int64? { inner.nextOffset }
    var maxEventTime: EventTime? { inner.maxEventTime }
    var watermark: EventTime? { inner.watermark }
    var lastProcessedTick: EventTime? { inner.lastProcessedTick }
    var keyCount: Int { inner.keyCount }
    var keyMismatchCount: Int { inner.keyMismatchCount }

    func encodeState() -> [UInt8] {
        inner.encodeState()
    }
}

extension WorkerEngineFactory {
    /// Returns a factory whose engines record their time in `breakdown`.
    func timed(by breakdown: WorkerTimeBreakdown) -> WorkerEngineFactory {
        var factory = self
        let make = makeEngine
        let restore = restoreEngine
        factory.makeEngine = { TimingWorkerEngine(make($0), breakdown: breakdown) }
        factory.restoreEngine = { TimingWorkerEngine(try restore($0), breakdown: breakdown) }
        return factory
    }
}

/// CPU time of the whole machine and of this process from `/proc`, to tell how much of the two
/// cores other processes took while a benchmark phase ran. Linux only; `nil` elsewhere.
struct MachineCPUSample {
    /// Busy (non-idle) time of all CPUs, in clock ticks.
    var machineBusyTicks: Int64
    /// User and system time of this process, in clock ticks.
    var processTicks: Int64

    static func read() -> MachineCPUSample? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let cpuLine = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }),
            let own = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let afterName = own.lastIndex(of: ")")
        else { return nil }
        // cpu user nice system idle iowait irq softirq steal ...; idle and iowait are not busy.
        let fields = cpuLine.split(separator: " ").dropFirst().compactMap { Int64($0) }
        guard fields.count >= 8 else { return nil }
        let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
        // Fields after the command name start at field 3 (state); utime and stime are 14 and 15.
        let rest = own[own.index(after: afterName)...].split(separator: " ")
        guard rest.count > 13, let user = Int64(rest[11]), let system = Int64(rest[12]) else { return nil }
        return MachineCPUSample(machineBusyTicks: busy, processTicks: user + system)
    }

    /// Returns the CPU time in seconds that other processes used between `start` and `self`.
    func otherProcessesSeconds(since start: MachineCPUSample) -> Double {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let others = (machineBusyTicks - start.machineBusyTicks) - (processTicks - start.processTicks)
        return Double(max(0, others)) / ticksPerSecond
    }
}
