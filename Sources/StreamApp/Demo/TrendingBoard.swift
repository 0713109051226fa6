import Foundation
import KafkaBridge

/// The features of one meme as its latest feature record states them.
struct MemeSnapshot: Sendable, Equatable {
    var memeID: String
    /// The tick of the record, in epoch ms.
    var tick: Int64
    var trendingScore: Double
    var views5m: Int64
    var views24h: Int64
    /// Views per minute over the last 5 minutes.
    var velocity: Double
    /// Change of views per minute between the last two 5-minute spans.
    var acceleration: Double
    var likeRate: Double
    /// Seconds since the meme was published (or first seen) at `tick`.
    var ageSeconds: Double
}

/// The latest feature record of every meme read from the feature topic, as the online store
/// would hold it: a record replaces the meme's previous one and a tombstone removes the meme.
///
/// Not thread-safe: one thread applies records and reads the ranking.
struct TrendingBoard {
    private(set) var memes: [String: MemeSnapshot] = [:]
    /// Feature records applied, tombstones excluded.
    private(set) var recordsRead = 0
    private(set) var tombstonesRead = 0
    /// Records whose value is not a feature record of the expected shape.
    private(set) var unreadableRecords = 0
    /// The largest tick seen, in epoch ms.
    private(set) var latestTick: Int64?

    /// Applies one record of the feature topic.
    mutating func apply(_ message: KafkaMessage) {
        apply(key: message.key, value: message.value, tick: message.timestamp?.milliseconds)
    }

    /// Applies one record given by its key, value (`nil` for a tombstone) and record timestamp.
    mutating func apply(key: [UInt8]?, value: [UInt8]?, tick: Int64?) {
        guard let key, let memeID = String(validating: key, as: UTF8.self) else {
            unreadableRecords += 1
            return
        }
        if let tick {
            latestTick = max(latestTick ?? tick, tick)
        }
        guard let value else {
            tombstonesRead += 1
            memes[memeID] = nil
            return
        }
        guard let snapshot = TrendingBoard.parse(value) else {
            unreadableRecords += 1
            return
        }
        recordsRead += 1
        memes[snapshot.memeID] = snapshot
    }

    /// Returns the `limit` memes with the highest value of `rank`, ties broken by meme id.
    ///
    /// Complexity: O(n log n) in the memes held.
    func top(_ limit: Int, by rank: (MemeSnapshot) -> Double) -> [MemeSnapshot] {
        let sorted = memes.values.sorted { left, right in
            let (a, b) = (rank(left), rank(right))
            return a != b ? a > b : left.memeID < right.memeID
        }
        return Array(sorted.prefix(limit))
    }

    /// Reads the features the view shows from a feature record value, or `nil` when the value
    /// is not a `meme_v1`-shaped record.
    static func parse(_ value: [UInt8]) -> MemeSnapshot? {
        guard
            let object = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
            let memeID = object["meme_id"] as? String,
            let tick = (object["tick"] as? NSNumber)?.int64Value,
            let features = object["features"] as? [String: Any]
        else { return nil }
        func number(_ name: String) -> Double { (features[name] as? NSNumber)?.doubleValue ?? 0 }
        func count(_ name: String) -> Int64 { (features[name] as? NSNumber)?.int64Value ?? 0 }
        return MemeSnapshot(
            memeID: memeID,
            tick: tick,
            trendingScore: number("trending_score"),
            views5m: count("views_5m"),
            views24h: count("views_24h"),
            velocity: number("view_velocity_5m"),
            acceleration: number("view_acceleration_5m"),
            likeRate: number("like_rate_1h"),
            ageSeconds: number("age_s")
        )
    }
}
