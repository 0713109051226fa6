/// Every setting of `memestream generate`, with the defaults `--help` documents.
///
/// Built from the command line by ``GenerateCommand``; tests build it directly.
struct GeneratorConfiguration: Sendable {
    /// When generation stops.
    enum Limit: Sendable, Equatable {
        /// After exactly this many records (good and bad) are written.
        case events(Int)
        /// When the event time of the next event reaches `start + milliseconds`; records still in
        /// delivery are written afterwards in arrival order.
        case duration(milliseconds: Int64)
    }

    /// The layout of each output line in a file.
    enum OutputFormat: String, Sendable, CaseIterable {
        /// The bare record value, one per line.
        case events
        /// A kcat `-J` envelope with topic, partition, offset, record timestamp, key and payload.
        case kcat
    }

    /// Seed of the pseudo-random generator; the same configuration and seed give identical output.
    var seed: UInt64 = 1
    /// Event time of the first generated event, in epoch milliseconds.
    /// Default 2026-01-01T00:00:00Z, so runs without `--start` are reproducible.
    var startMilliseconds: Int64 = 1_767_225_600_000
    /// When generation stops. Default one million records.
    var limit: Limit = .events(1_000_000)
    /// Mean events per second of event time over all memes (the traffic intensity).
    var eventsPerSecond: Double = 1_000
    /// Records per second of wall time for real-time output, or `nil` for as fast as possible.
    var wallClockRate: Double? = nil
    /// Memes alive at the start, with ages spread over the previous 12 hours.
    var initialMemes: Int = 2_000
    /// New memes per minute of event time (a Poisson process).
    var birthsPerMinute: Double = 20
    /// Size of the user population that `user_id` values are drawn from.
    var users: Int = 100_000
    /// Share of records, in [0, 1], that carry a content defect (every rejection reason except `late`).
    var badShare: Double = 0.01
    /// Share of records, in [0, 1], delivered later than the allowed lateness (10 minutes) plus the
    /// out-of-orderness (5 seconds), so that a worker rejects them as `late`.
    var lateShare: Double = 0.002
    /// Share of records, in [0, 1], delivered 10 seconds to 9 minutes late: out of order beyond the
    /// watermark delay but still inside the allowed lateness.
    var straggleShare: Double = 0.02
    /// Share of records, in [0, 1], whose record key is not their `meme_id`.
    var keyMismatchShare: Double = 0.001
    /// Output line layout for files.
    var outputFormat: OutputFormat = .events
    /// Topic name written into kcat envelopes and used for topic output.
    var topic: String = "memes.events"
    /// Partition count used to compute each record's partition (murmur2 of the key).
    var partitions: Int32 = 1

    /// `true` when records go to a Kafka topic instead of a file; ``outputFormat`` then does not
    /// apply.
    var writesToTopic = false

    /// `true` when records carry a record timestamp, which `future_timestamp` needs: with bare
    /// event lines there is none, and a far-future `ts` would be accepted and move the watermark.
    var carriesRecordTimestamps: Bool { writesToTopic || outputFormat == .kcat }

    /// `true` when a record value may contain bytes that are not UTF-8. A kcat envelope is JSON
    /// text, so its payload string must be valid UTF-8.
    var allowsInvalidUTF8: Bool { writesToTopic || outputFormat == .events }
}
