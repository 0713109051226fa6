#if canImport(Glibc)
import Glibc
#endif

/// One meme of the synthetic population: its life cycle and its per-view reaction rates.
///
/// A meme's attention weight at event time t is
/// `peakWeight × (1 − e^(−age/riseTime)) × 2^(−age/halfLife) × burst`, where `burst` is
/// `burstMultiplier` while a viral burst lasts and 1 otherwise. Weights are relative: the
/// population shares a fixed total event rate in proportion to them.
struct Meme: Sendable {
    /// Sequence number; the `meme_id` is `m` followed by it in decimal.
    var number: Int
    /// Event time of the meme's birth (its first possible event), in epoch milliseconds.
    var birthMilliseconds: Int64
    /// `published_at` in epoch milliseconds, a little before birth, or `nil` when the client
    /// omits the field for this meme.
    var publishedAtMilliseconds: Int64?
    /// Relative attention at the peak of the life cycle (lognormal, so heavy-tailed).
    var peakWeight: Double
    /// Time for the attention to halve once the meme has risen, in milliseconds.
    var halfLifeMilliseconds: Double
    /// End of the current viral burst in epoch milliseconds, or `Int64.min` when none is running.
    var burstEndMilliseconds: Int64 = .min
    /// Attention multiplier while the burst lasts.
    var burstMultiplier: Double = 1
    /// Cumulative probabilities of `like`, `dislike`, `share` and `save` for one event of this
    /// meme; the rest of the unit interval is `view`.
    var reactionThresholds: (like: Double, dislike: Double, share: Double, save: Double)

    /// Time for a new meme to reach 63 % of its peak, in milliseconds.
    static let riseMilliseconds: Double = 120_000

    /// Draws a new meme born at `birthMilliseconds`.
    init(number: Int, birthMilliseconds: Int64, random: inout SeededRandom) {
        self.number = number
        self.birthMilliseconds = birthMilliseconds

        // Published 5 s to 10 min before the first possible event; one meme in five omits it.
        let publishLead = Int64(5_000 + random.unitInterval() * 595_000)
        let publishes = random.chance(0.8)
        self.publishedAtMilliseconds = publishes ? birthMilliseconds - publishLead : nil

        // sigma 2 makes the top 1 % of memes carry about a third of the peak attention.
        self.peakWeight = random.logNormal(median: 1, sigma: 2)
        self.halfLifeMilliseconds = random.logNormal(median: 3_600_000, sigma: 0.6)

        // Reactions per view, each lognormal around a typical platform rate.
        let like = min(0.4, random.logNormal(median: 0.06, sigma: 0.5))
        let dislike = min(0.1, random.logNormal(median: 0.008, sigma: 0.7))
        let share = min(0.1, random.logNormal(median: 0.01, sigma: 0.8))
        let save = min(0.1, random.logNormal(median: 0.006, sigma: 0.8))
        let total = 1 + like + dislike + share + save
        let likeEnd = like / total
        let dislikeEnd = likeEnd + dislike / total
        let shareEnd = dislikeEnd + share / total
        let saveEnd = shareEnd + save / total
        self.reactionThresholds = (likeEnd, dislikeEnd, shareEnd, saveEnd)
    }

    /// Computes the relative attention at `time` (epoch ms), which is 0 before birth.
    func attentionWeight(at time: Int64) -> Double {
        let age = Double(time - birthMilliseconds)
        guard age > 0 else { return 0 }
        let rise = 1 - exp(-age / Meme.riseMilliseconds)
        let decay = exp2(-age / halfLifeMilliseconds)
        let burst = time < burstEndMilliseconds ? burstMultiplier : 1
        return peakWeight * rise * decay * burst
    }

    /// `true` once the meme has decayed below a thousandth of its peak and no burst is running,
    /// so the population can drop it.
    func hasFaded(at time: Int64) -> Bool {
        let age = Double(time - birthMilliseconds)
        return age > 10 * halfLifeMilliseconds && time >= burstEndMilliseconds
    }

    /// Maps a uniform draw in [0, 1) to the type of one event of this meme.
    @inline(__always)
    func eventType(for draw: Double) -> GeneratedEventType {
        if draw < reactionThresholds.like { return .like }
        if draw < reactionThresholds.dislike { return .dislike }
        if draw < reactionThresholds.share { return .share }
        if draw < reactionThresholds.save { return .save }
        return .view
    }
}

/// The event types the generator writes.
enum GeneratedEventType: UInt8, Sendable, CaseIterable {
    case view
    case like
    case dislike
    case share
    case save

    /// The `type` field value.
    var name: StaticString {
        switch self {
        case .view: "view"
        case .like: "like"
        case .dislike: "dislike"
        case .share: "share"
        case .save: "save"
        }
    }
}
