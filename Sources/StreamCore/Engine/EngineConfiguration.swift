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

    /// The maximum duration a setting accepts, in ms: 10^13, the end of the valid event-time
    /// range. A longer duration has the same effect, and adding it to an event time could overflow.
    public static let maximumDurationMilliseconds: Int64 = 10_000_000_000_000

    /// A description of the first setting outside its range, or `nil` when every setting is valid.
    ///
    /// The tick is 1 ms to ``maximumDurationMilliseconds``. The out-of-orderness, allowed lateness
    /// and future skew are 0 to ``maximumDurationMilliseconds``. The event size limit is at least
    /// 1 byte. The engine's arithmetic on event times relies on these ranges.
    public var invalidSetting: String? {
        let durations: [(String, Int64, Int64)] = [
            ("tickMilliseconds", tickMilliseconds, 1),
            ("outOfOrdernessMilliseconds", outOfOrdernessMilliseconds, 0),
            ("allowedLatenessMilliseconds", allowedLatenessMilliseconds, 0),
            ("maxFutureSkewMilliseconds", maxFutureSkewMilliseconds, 0),
        ]
        for (name, value, minimum) in durations
        where value < minimum || value > Self.maximumDurationMilliseconds {
            return "\(name) is \(value); use \(minimum) to \(Self.maximumDurationMilliseconds)"
        }
        if maxEventBytes < 1 {
            return "maxEventBytes is \(maxEventBytes); use at least 1"
        }
        return nil
    }
}
