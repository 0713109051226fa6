/// Engine settings for one partition. The defaults are the product defaults.
///
/// All durations are in milliseconds of event time unless a property states another unit.
public struct EngineConfiguration: Sendable, Hashable {
    /// Tick length: feature records are computed at every epoch-aligned multiple of it. Default 10 s.
    public var tickMilliseconds: Int64 = 10_000
    /// Bounded out-of-orderness: the watermark trails the largest accepted `ts` by this much. Default 5 s.
    public var outOfOrdernessMilliseconds: Int64 = 5_000
    /// Events older than the watermark minus this are rejected as `late`. Default 10 min.
    public var allowedLatenessMilliseconds: Int64 = 600_000
    /// Record values longer than this many bytes are rejected as `too_large`. Default 64 KiB.
    public var maxEventBytes: Int = 65_536
    /// Events whose `ts` is later than the record timestamp plus this are rejected as
    /// `future_timestamp`. Default 60 s.
    public var maxFutureSkewMilliseconds: Int64 = 60_000

    /// Creates a configuration with the product defaults.
    public init() {}
}
