import StreamCore

/// The part of the per-partition feature engine the worker drives. A protocol so the worker loop
/// can be tested with a stand-in engine; ``WorkerEngineBinding`` connects the real one.
protocol WorkerPartitionEngine: AnyObject {
    /// Decodes, validates and applies one record, then processes the ticks its watermark closes.
    func process(_ record: InputRecord, into output: WorkerOutput)
    /// Advances the watermark (never backwards) and processes the ticks it closes.
    func advanceWatermark(to watermark: EventTime, into output: WorkerOutput)
    /// The offset after the last record processed, or `nil` before the first.
    var nextOffset: Int64? { get }
    var maxEventTime: EventTime? { get }
    var watermark: EventTime? { get }
    var lastProcessedTick: EventTime? { get }
    /// Keys (memes) held in state.
    var keyCount: Int { get }
    /// Accepted records whose key differed from their `meme_id`, since the engine was created.
    var keyMismatchCount: Int { get }
    /// Encodes the whole partition state in the engine's versioned encoding.
    func encodeState() -> [UInt8]
    /// Hints that a record with value `value` comes a few records later, so its key's state
    /// can be loaded early. Output never depends on it.
    func prefetchState(forValue value: UnsafeRawBufferPointer)
}

extension WorkerPartitionEngine {
    /// Ignores the hint: an engine without look-ahead processes records as they come.
    func prefetchState(forValue value: UnsafeRawBufferPointer) {}
}

/// Builds engines for the worker: fresh ones, and ones restored from checkpointed state.
struct WorkerEngineFactory {
    /// The feature set name and version, for the output headers.
    var featureSetName: String
    var featureSetVersion: Int
    /// The out-of-orderness bound in ms, for the idle rule.
    var outOfOrdernessMilliseconds: Int64
    /// The allowed lateness in ms, for the warm-up start position.
    var allowedLatenessMilliseconds: Int64
    /// The largest window of the feature set in ms, for the warm-up start position.
    var largestWindowMilliseconds: Int64
    var makeEngine: (_ partition: Int32) -> any WorkerPartitionEngine
    var restoreEngine: (_ state: [UInt8]) throws -> any WorkerPartitionEngine
}
