/// Counters of one partition engine since it was created or restored.
///
/// Plain values: the engine updates them in place and hands out copies.
public struct EngineStatistics: Sendable, Hashable {
    /// Input records seen (accepted plus rejected).
    public var records: Int64 = 0
    /// Events accepted and applied to state.
    public var accepted: Int64 = 0
    /// Rejected records per reason.
    public var rejected: [RejectionReason: Int64] = [:]
    /// Feature records emitted (tombstones not included).
    public var featureRecords: Int64 = 0
    /// Tombstones emitted.
    public var tombstones: Int64 = 0
    /// Accepted records whose key was present and differed from the event's `meme_id`.
    public var keyMismatches: Int64 = 0
    /// Keys dropped by the emission rule (with or without a tombstone).
    public var keysDropped: Int64 = 0

    /// Creates zeroed counters.
    public init() {}

    /// The total number of rejected records over all reasons.
    public var rejectedTotal: Int64 { rejected.values.reduce(0, +) }
}
