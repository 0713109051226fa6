/// The users that events are attributed to, with a skewed activity distribution.
///
/// User number `k` in [0, count) is drawn as `floor(count × u³)` with u uniform, so
/// P(number < k) = (k / count)^(1/3): the most active 1 % of users produce about a fifth of the
/// events, as on real feeds where a few heavy users dominate.
struct UserPopulation: Sendable {
    /// Number of distinct users.
    let count: Int
    /// Share of events sent without `user_id` (logged-out clients).
    static let anonymousShare = 0.03

    /// Draws a user number, or `nil` for an anonymous event.
    @inline(__always)
    func pickUser(random: inout SeededRandom) -> Int? {
        if random.chance(UserPopulation.anonymousShare) { return nil }
        let draw = random.unitInterval()
        return min(count - 1, Int(Double(count) * draw * draw * draw))
    }
}
