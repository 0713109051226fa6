/// Client delivery delays: the time between an event (`ts`) and its arrival at the broker.
///
/// Three classes, drawn per event:
/// - on time (the rest): lognormal, median 250 ms, so arrivals are out of order within a few
///   seconds and about 0.6 % exceed the 5 s out-of-orderness;
/// - straggler (`straggleShare`): 10 s plus an exponential tail with mean 90 s, capped at 9 min,
///   so the event is behind the watermark but inside the allowed lateness;
/// - late (`lateShare`): 11 min 5 s plus an exponential tail with mean 10 min, capped at 6 h.
///   That is beyond the allowed lateness (10 min) plus the out-of-orderness (5 s), so a worker
///   whose partition keeps receiving traffic rejects the event as `late`.
struct DeliveryDelay: Sendable {
    /// The class of one delay.
    enum Kind: UInt8, Sendable {
        case onTime
        case straggler
        case late
    }

    var straggleShare: Double
    var lateShare: Double

    /// Smallest delay of the late class: allowed lateness + out-of-orderness + one minute.
    static let minimumLateMilliseconds: Int64 = 665_000
    /// Smallest delay of the straggler class.
    static let minimumStragglerMilliseconds: Int64 = 10_000
    /// Largest delay of the straggler class, below the 10 min allowed lateness.
    static let maximumStragglerMilliseconds: Int64 = 540_000

    /// Draws a delay class for an event that may be late.
    @inline(__always)
    func drawKind(random: inout SeededRandom) -> Kind {
        let draw = random.unitInterval()
        if draw < lateShare { return .late }
        if draw < lateShare + straggleShare { return .straggler }
        return .onTime
    }

    /// Draws a delay in milliseconds for the given class.
    @inline(__always)
    func drawMilliseconds(_ kind: Kind, random: inout SeededRandom) -> Int64 {
        switch kind {
        case .onTime:
            return min(60_000, Int64(random.logNormal(median: 250, sigma: 1.2)))
        case .straggler:
            let tail = Int64(random.exponential(mean: 90_000))
            return min(
                DeliveryDelay.maximumStragglerMilliseconds,
                DeliveryDelay.minimumStragglerMilliseconds + tail
            )
        case .late:
            let tail = Int64(random.exponential(mean: 600_000))
            return min(21_600_000, DeliveryDelay.minimumLateMilliseconds + tail)
        }
    }
}
