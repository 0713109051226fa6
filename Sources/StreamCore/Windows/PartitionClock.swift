/// The event-time clock of one partition: `max_ts`, the watermark and the last processed tick.
///
/// The watermark is `max_ts − out_of_orderness` and never moves backwards. Tick `T` closes when
/// the watermark reaches it (`W ≥ T`). Value type, owned by one partition engine.
public struct PartitionClock: Sendable, Hashable {
    /// Tick length in ms.
    public let tickMilliseconds: Int64
    /// Bounded out-of-orderness in ms.
    public let outOfOrdernessMilliseconds: Int64
    /// Allowed lateness in ms.
    public let allowedLatenessMilliseconds: Int64

    /// The largest `ts` of the accepted events, or `nil` before the first one.
    public private(set) var maxEventTime: EventTime?
    /// The watermark, or `nil` before the first accepted event or explicit advance.
    public private(set) var watermark: EventTime?
    /// The last tick whose processing is complete, or `nil` when none has been processed.
    public var lastProcessedTick: EventTime?

    /// Creates a clock at the start of a partition, with no event seen.
    public init(configuration: EngineConfiguration) {
        tickMilliseconds = configuration.tickMilliseconds
        outOfOrdernessMilliseconds = configuration.outOfOrdernessMilliseconds
        allowedLatenessMilliseconds = configuration.allowedLatenessMilliseconds
    }

    /// `true` when an event at `time` must be rejected as late: `ts < W − allowed_lateness`,
    /// with the watermark taken before the event. Nothing is late before the first watermark.
    public func isLate(_ time: EventTime) -> Bool {
        guard let watermark else { return false }
        return time.rawValue < watermark.rawValue - allowedLatenessMilliseconds
    }

    /// Records an accepted event's time and moves the watermark forward if `max_ts` grew.
    public mutating func observe(_ time: EventTime) {
        if let maxEventTime, maxEventTime >= time { return }
        maxEventTime = time
        advance(to: EventTime(rawValue: time.rawValue - outOfOrdernessMilliseconds))
    }

    /// Moves the watermark to `target` unless that would move it backwards.
    public mutating func advance(to target: EventTime) {
        if let watermark, watermark >= target { return }
        watermark = target
    }

    /// Restores every field from a checkpoint.
    public mutating func restore(maxEventTime: EventTime?, watermark: EventTime?, lastProcessedTick: EventTime?) {
        self.maxEventTime = maxEventTime
        self.watermark = watermark
        self.lastProcessedTick = lastProcessedTick
    }

    /// The last tick the current watermark closes (`floor(W / tick) × tick`), or `nil` before
    /// the first watermark.
    public var lastClosedTick: EventTime? {
        guard let watermark else { return nil }
        return EventTime(rawValue: TickArithmetic.floor(watermark.rawValue, to: tickMilliseconds))
    }
}
