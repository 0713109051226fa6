import StreamCore

/// The part of the per-partition engine that replay drives: feed records, then advance the
/// watermark at the end of the range. Results go to a ``ReplayOutput``.
///
/// Kept as a protocol so the replay loop can be tested with a stand-in engine.
protocol ReplayPartitionEngine: AnyObject {
    /// Processes one record of this engine's partition, emitting into `output`.
    func process(_ record: InputRecord, into output: ReplayOutput)
    /// Advances the watermark to `watermark` (never backwards) and processes the ticks it closes.
    func advanceWatermark(to watermark: EventTime, into output: ReplayOutput)
    /// Hints that a record with value `value` comes a few records later, so its key's state
    /// can be loaded early. Output never depends on it.
    func prefetchState(forValue value: UnsafeRawBufferPointer)
    /// The largest `ts` of the accepted events, or `nil` before the first.
    var maxEventTime: EventTime? { get }
    /// The number of keys (memes) this engine holds state for.
    var keyCount: Int { get }
    /// The largest ``keyCount`` the engine reached.
    var peakKeyCount: Int { get }
    /// Accepted records whose key was not their `meme_id`.
    var keyMismatchCount: Int { get }
}

extension ReplayPartitionEngine {
    /// Ignores the hint: an engine without look-ahead processes records as they come.
    func prefetchState(forValue value: UnsafeRawBufferPointer) {}

    /// No event time: an engine that keeps none offers no `--to` suggestion.
    var maxEventTime: EventTime? { nil }

    /// No keys compared: an engine that reads no keys counts no mismatches.
    var keyMismatchCount: Int { 0 }
}
